// Upload… and Download… commands, driven with their arguments (the dialogs are skipped).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { addTestHost, removeTestHosts, TestHost } from './fsHosts';

describe('upload and download', function () {
  this.timeout(60000);
  let host: TestHost;
  let local: string;

  before(async () => {
    host = await addTestHost('transfer-box');
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-transfer-'));
  });
  after(async () => {
    fs.rmSync(local, { recursive: true, force: true });
    await removeTestHosts();
  });

  it('uploads files and folders, keeping modes', async () => {
    const remote = host.folder('upload');
    fs.mkdirSync(path.join(local, 'proj/src'), { recursive: true });
    fs.writeFileSync(path.join(local, 'proj/src/main.py'), 'print(1)\n');
    fs.writeFileSync(path.join(local, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    await vscode.commands.executeCommand('sandboxExplorer.fs.upload', host.uri(remote), [vscode.Uri.file(path.join(local, 'proj')), vscode.Uri.file(path.join(local, 'run.sh'))]);
    assert.strictEqual(fs.readFileSync(path.join(remote, 'proj/src/main.py'), 'utf8'), 'print(1)\n');
    assert.strictEqual(fs.statSync(path.join(remote, 'run.sh')).mode & 0o777, 0o755);
    assert.ok(!fs.readdirSync(remote).some((n) => n.includes('.sbx-')), 'no temp files left');
  });

  it('downloads a file and a folder', async () => {
    const remote = host.folder('download');
    fs.mkdirSync(path.join(remote, 'logs'));
    fs.writeFileSync(path.join(remote, 'logs/a.log'), 'line\n');
    fs.writeFileSync(path.join(remote, 'report.csv'), 'a,b\n1,2\n');
    await vscode.commands.executeCommand('sandboxExplorer.fs.download', host.uri(`${remote}/report.csv`), vscode.Uri.file(path.join(local, 'report.csv')));
    assert.strictEqual(fs.readFileSync(path.join(local, 'report.csv'), 'utf8'), 'a,b\n1,2\n');
    await vscode.commands.executeCommand('sandboxExplorer.fs.download', host.uri(`${remote}/logs`), vscode.Uri.file(path.join(local, 'logs')));
    assert.strictEqual(fs.readFileSync(path.join(local, 'logs/a.log'), 'utf8'), 'line\n');
  });

  it('copies the remote path of a file', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.fs.copyRemotePath', host.uri('/srv/app/main.py'));
    assert.strictEqual(await vscode.env.clipboard.readText(), '/srv/app/main.py');
  });
});
