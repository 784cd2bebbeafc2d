// Server-side copy with cp over exec, for servers without SFTP's copy-data extension.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { addTestHost, rejectsWith, removeTestHosts, TestHost } from './fsHosts';

const OLD = new Date('2001-02-03T04:05:06Z');

describe('copy on a server without copy-data', function () {
  this.timeout(60000);
  let host: TestHost;
  const config = () => vscode.workspace.getConfiguration('sandboxExplorer');

  before(async () => {
    // internal-sftp -P copy-data: the request is refused and not announced.
    host = await addTestHost('nocopy-box', { sftpOptions: '-P copy-data' });
  });
  after(async () => {
    await config().update('files.copyWithExec', undefined, vscode.ConfigurationTarget.Global);
    await removeTestHosts();
  });

  function prepare(label: string): string {
    const dir = host.folder(label);
    fs.mkdirSync(path.join(dir, 'tree'));
    fs.writeFileSync(path.join(dir, 'tree/a.txt'), 'alpha');
    fs.writeFileSync(path.join(dir, 'f.txt'), 'file');
    for (const p of ['tree/a.txt', 'f.txt']) fs.utimesSync(path.join(dir, p), OLD, OLD);
    return dir;
  }

  it('streams the copy through this machine by default (times are new)', async () => {
    const dir = prepare('streamed');
    await vscode.workspace.fs.copy(host.uri(`${dir}/f.txt`), host.uri(`${dir}/g.txt`));
    assert.strictEqual(fs.readFileSync(path.join(dir, 'g.txt'), 'utf8'), 'file');
    assert.notStrictEqual(fs.statSync(path.join(dir, 'g.txt')).mtimeMs, OLD.getTime());
  });

  it('copies with cp -pR on the server when the setting allows it (times kept, no temp left)', async () => {
    await config().update('files.copyWithExec', true, vscode.ConfigurationTarget.Global);
    const dir = prepare('cp');
    await vscode.workspace.fs.copy(host.uri(`${dir}/f.txt`), host.uri(`${dir}/g.txt`));
    await vscode.workspace.fs.copy(host.uri(`${dir}/tree`), host.uri(`${dir}/tree2`));
    assert.strictEqual(fs.readFileSync(path.join(dir, 'g.txt'), 'utf8'), 'file');
    assert.strictEqual(fs.statSync(path.join(dir, 'g.txt')).mtimeMs, OLD.getTime(), 'cp -p kept the time: the copy ran on the server');
    assert.strictEqual(fs.readFileSync(path.join(dir, 'tree2/a.txt'), 'utf8'), 'alpha');
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['f.txt', 'g.txt', 'tree', 'tree2']);
  });

  it('reports cp failures like every other operation: a folder that refuses new files is NoPermissions', async function () {
    await config().update('files.copyWithExec', true, vscode.ConfigurationTarget.Global);
    const dir = prepare('cp-refused');
    const locked = path.join(dir, 'locked');
    fs.mkdirSync(locked);
    // The tests run as root, whom no mode bit stops: an immutable folder refuses root too.
    if (spawnSync('chattr', ['+i', locked]).status !== 0) this.skip();
    try {
      await rejectsWith(vscode.workspace.fs.copy(host.uri(`${dir}/f.txt`), host.uri(`${locked}/f.txt`)), 'NoPermissions');
      await rejectsWith(vscode.workspace.fs.copy(host.uri(`${dir}/tree`), host.uri(`${locked}/tree`)), 'NoPermissions');
    } finally {
      spawnSync('chattr', ['-i', locked]);
    }
    assert.deepStrictEqual(fs.readdirSync(locked), []);
  });
});
