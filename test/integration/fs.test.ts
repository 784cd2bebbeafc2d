// The sbx:// provider through vscode.workspace.fs in a real extension host, against real sshd.
// The "remote" disk is this machine, so every result is checked on disk too.
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { addTestHost, rejectsWith, removeTestHosts, TestHost } from './fsHosts';

const wfs = vscode.workspace.fs;
const text = (s: string) => new TextEncoder().encode(s);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Someone else rewrites `file` on the remote, its mtime `aheadSeconds` in the future (whole seconds apart, as SFTP v3 sees them). */
function editRemotely(file: string, content: string, aheadSeconds: number): void {
  fs.writeFileSync(file, content);
  const when = new Date(Date.now() + aheadSeconds * 1000);
  fs.utimesSync(file, when, when);
}

describe('sbx:// file system', function () {
  this.timeout(60000);
  let host: TestHost;
  let readonlyHost: TestHost;
  let otherHost: TestHost;

  before(async () => {
    host = await addTestHost('fs-box');
    otherHost = await addTestHost('fs-other');
    // internal-sftp -R: the server itself refuses every write with PERMISSION_DENIED.
    readonlyHost = await addTestHost('fs-readonly', { extraConfig: ['ForceCommand internal-sftp -R'] });
  });
  after(() => removeTestHosts());

  it('stats, lists and reads files', async () => {
    const dir = host.folder('basics');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'alpha');
    fs.mkdirSync(path.join(dir, 'sub'));
    const stat = await wfs.stat(host.uri(`${dir}/a.txt`));
    assert.strictEqual(stat.type, vscode.FileType.File);
    assert.strictEqual(stat.size, 5);
    assert.strictEqual(Math.floor(stat.mtime / 1000), Math.floor(fs.statSync(path.join(dir, 'a.txt')).mtimeMs / 1000));
    const entries = new Map(await wfs.readDirectory(host.uri(dir)));
    assert.strictEqual(entries.get('a.txt'), vscode.FileType.File);
    assert.strictEqual(entries.get('sub'), vscode.FileType.Directory);
    assert.strictEqual(new TextDecoder().decode(await wfs.readFile(host.uri(`${dir}/a.txt`))), 'alpha');
  });

  it('follows the create/overwrite/error contract of FileSystemProvider', async () => {
    const dir = host.folder('contract');
    const file = host.uri(`${dir}/new.txt`);
    await wfs.writeFile(file, text('one'));
    assert.strictEqual(fs.readFileSync(path.join(dir, 'new.txt'), 'utf8'), 'one');
    await wfs.writeFile(file, text('two'));
    assert.strictEqual(fs.readFileSync(path.join(dir, 'new.txt'), 'utf8'), 'two');
    await rejectsWith(wfs.readFile(host.uri(`${dir}/missing.txt`)), 'FileNotFound');
    await rejectsWith(wfs.stat(host.uri(`${dir}/missing.txt`)), 'FileNotFound');
    // workspace.fs.writeFile creates missing parents itself (the provider's FileNotFound is for direct callers).
    await wfs.writeFile(host.uri(`${dir}/made-by-editor/x.txt`), text('x'));
    assert.strictEqual(fs.readFileSync(path.join(dir, 'made-by-editor/x.txt'), 'utf8'), 'x');
    await rejectsWith(wfs.readFile(host.uri(dir)), 'FileIsADirectory');
    await rejectsWith(wfs.readDirectory(file), 'FileNotADirectory');
    await wfs.createDirectory(host.uri(`${dir}/made`));
    assert.ok(fs.statSync(path.join(dir, 'made')).isDirectory());
    // workspace.fs.createDirectory is mkdir -p: an existing folder is fine.
    await wfs.createDirectory(host.uri(`${dir}/made`));
    await rejectsWith(wfs.rename(file, host.uri(`${dir}/made`), { overwrite: false }), 'FileExists');
    await rejectsWith(wfs.copy(file, host.uri(`${dir}/made`), { overwrite: false }), 'FileExists');
    await rejectsWith(wfs.rename(host.uri(`${dir}/missing.txt`), host.uri(`${dir}/y.txt`)), 'FileNotFound');
    await rejectsWith(wfs.delete(host.uri(`${dir}/missing.txt`)), 'FileNotFound');
  });

  it('renames and copies files and folders, with and without overwrite', async () => {
    const dir = host.folder('rename-copy');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'A');
    fs.writeFileSync(path.join(dir, 'b.txt'), 'B');
    await wfs.rename(host.uri(`${dir}/a.txt`), host.uri(`${dir}/b.txt`), { overwrite: true });
    assert.ok(!fs.existsSync(path.join(dir, 'a.txt')));
    assert.strictEqual(fs.readFileSync(path.join(dir, 'b.txt'), 'utf8'), 'A');
    await wfs.copy(host.uri(`${dir}/b.txt`), host.uri(`${dir}/c.txt`), { overwrite: false });
    assert.strictEqual(fs.readFileSync(path.join(dir, 'c.txt'), 'utf8'), 'A');
    fs.mkdirSync(path.join(dir, 'tree/deep'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'tree/deep/f.txt'), 'deep');
    await wfs.copy(host.uri(`${dir}/tree`), host.uri(`${dir}/tree2`), { overwrite: false });
    assert.strictEqual(fs.readFileSync(path.join(dir, 'tree2/deep/f.txt'), 'utf8'), 'deep');
    await wfs.rename(host.uri(`${dir}/tree2`), host.uri(`${dir}/tree3`), { overwrite: false });
    assert.ok(fs.existsSync(path.join(dir, 'tree3/deep/f.txt')));
  });

  it('copies and moves files and folders between two hosts (VS Code asks the one provider for both)', async () => {
    const from = host.folder('across-src');
    const to = otherHost.folder('across-dst');
    fs.mkdirSync(path.join(from, 'tree/sub'), { recursive: true });
    fs.writeFileSync(path.join(from, 'tree/a.txt'), 'alpha');
    fs.writeFileSync(path.join(from, 'tree/sub/b.bin'), Buffer.from([0, 1, 2, 255]));
    fs.symlinkSync('a.txt', path.join(from, 'tree/link'));
    fs.chmodSync(path.join(from, 'tree/a.txt'), 0o640);

    await wfs.copy(host.uri(`${from}/tree`), otherHost.uri(`${to}/tree`));
    assert.strictEqual(fs.readFileSync(path.join(to, 'tree/a.txt'), 'utf8'), 'alpha');
    assert.deepStrictEqual([...fs.readFileSync(path.join(to, 'tree/sub/b.bin'))], [0, 1, 2, 255]);
    assert.strictEqual(fs.readlinkSync(path.join(to, 'tree/link')), 'a.txt', 'links stay links');
    await rejectsWith(wfs.copy(host.uri(`${from}/tree/a.txt`), otherHost.uri(`${to}/tree/a.txt`), { overwrite: false }), 'FileExists');
    fs.writeFileSync(path.join(from, 'tree/a.txt'), 'alpha 2');
    await wfs.copy(host.uri(`${from}/tree/a.txt`), otherHost.uri(`${to}/tree/a.txt`), { overwrite: true });
    assert.strictEqual(fs.readFileSync(path.join(to, 'tree/a.txt'), 'utf8'), 'alpha 2');

    await wfs.rename(host.uri(`${from}/tree`), otherHost.uri(`${to}/moved`));
    assert.ok(!fs.existsSync(path.join(from, 'tree')), 'the source is gone after a move');
    assert.strictEqual(fs.readFileSync(path.join(to, 'moved/sub/b.bin')).length, 4);
    await rejectsWith(wfs.rename(host.uri(`${from}/missing`), otherHost.uri(`${to}/x`)), 'FileNotFound');
  });

  it('keeps modes and times when copying or moving between two hosts', async () => {
    const from = host.folder('modes-src');
    const to = otherHost.folder('modes-dst');
    const src = (p: string) => path.join(from, 'app', p);
    fs.mkdirSync(src('bin'), { recursive: true });
    fs.writeFileSync(src('.env'), 'SECRET=1\n');
    fs.writeFileSync(src('bin/deploy.sh'), '#!/bin/sh\necho deploy\n');
    fs.chmodSync(src('.env'), 0o600);
    fs.chmodSync(src('bin/deploy.sh'), 0o755);
    fs.chmodSync(src('bin'), 0o750);
    const then = new Date('2024-01-02T03:04:05Z');
    for (const p of ['.env', 'bin/deploy.sh', 'bin']) fs.utimesSync(src(p), then, then);
    const modeOf = (p: string) => (fs.statSync(p).mode & 0o7777).toString(8);
    const mtimeOf = (p: string) => Math.floor(fs.statSync(p).mtimeMs / 1000);

    await wfs.copy(host.uri(`${from}/app`), otherHost.uri(`${to}/app`));
    const dst = (p: string) => path.join(to, 'app', p);
    assert.deepStrictEqual(['.env', 'bin/deploy.sh', 'bin'].map((p) => modeOf(dst(p))), ['600', '755', '750']);
    assert.deepStrictEqual(['.env', 'bin/deploy.sh', 'bin'].map((p) => mtimeOf(dst(p))), [1704164645, 1704164645, 1704164645]);

    await wfs.rename(host.uri(`${from}/app/.env`), otherHost.uri(`${to}/moved.env`));
    assert.ok(!fs.existsSync(src('.env')), 'the source is gone after a move');
    assert.strictEqual(modeOf(path.join(to, 'moved.env')), '600');
  });

  it('deletes folders recursively without following symlinks', async () => {
    const dir = host.folder('delete');
    const outside = host.folder('delete-outside');
    fs.writeFileSync(path.join(outside, 'keep.txt'), 'keep');
    fs.mkdirSync(path.join(dir, 'victim/inner'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'victim/inner/x.txt'), 'x');
    fs.symlinkSync(outside, path.join(dir, 'victim/link-to-outside'));
    await rejectsWith(wfs.delete(host.uri(`${dir}/victim`), { recursive: false }), 'Unknown');
    await wfs.delete(host.uri(`${dir}/victim`), { recursive: true });
    assert.ok(!fs.existsSync(path.join(dir, 'victim')));
    assert.strictEqual(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8'), 'keep', 'the link target survives');
  });

  it('reports symlinks with their target type, and survives a link loop', async () => {
    const dir = host.folder('links');
    fs.writeFileSync(path.join(dir, 'target.txt'), 'target');
    fs.mkdirSync(path.join(dir, 'targetdir'));
    fs.symlinkSync('target.txt', path.join(dir, 'file-link'));
    fs.symlinkSync('targetdir', path.join(dir, 'dir-link'));
    fs.symlinkSync('loop-b', path.join(dir, 'loop-a'));
    fs.symlinkSync('loop-a', path.join(dir, 'loop-b'));
    fs.symlinkSync('nowhere', path.join(dir, 'dangling'));
    const entries = new Map(await wfs.readDirectory(host.uri(dir)));
    assert.strictEqual(entries.get('file-link'), vscode.FileType.SymbolicLink | vscode.FileType.File);
    assert.strictEqual(entries.get('dir-link'), vscode.FileType.SymbolicLink | vscode.FileType.Directory);
    assert.strictEqual(entries.get('loop-a'), vscode.FileType.SymbolicLink);
    assert.strictEqual(entries.get('dangling'), vscode.FileType.SymbolicLink);
    const stat = await wfs.stat(host.uri(`${dir}/file-link`));
    assert.strictEqual(stat.type, vscode.FileType.SymbolicLink | vscode.FileType.File);
    assert.strictEqual(stat.size, 6);
    assert.strictEqual((await wfs.stat(host.uri(`${dir}/loop-a`))).type, vscode.FileType.SymbolicLink);
  });

  it('lists a 10,000-entry directory', async () => {
    const dir = host.folder('big');
    for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(dir, `f${i}`), '');
    const entries = await wfs.readDirectory(host.uri(dir));
    assert.strictEqual(entries.length, 10_000);
    assert.ok(entries.every(([, t]) => t === vscode.FileType.File));
  });

  it('serves 100 concurrent reads of different files byte-exact', async () => {
    const dir = host.folder('concurrent');
    const expected: string[] = [];
    for (let i = 0; i < 100; i++) {
      const data = Buffer.alloc(1000 + i * 3001, i);
      fs.writeFileSync(path.join(dir, `f${i}`), data);
      expected.push(sha(data));
    }
    const got = await Promise.all(expected.map((_, i) => wfs.readFile(host.uri(`${dir}/f${i}`))));
    assert.deepStrictEqual(got.map(sha), expected);
  });

  it('reads a file over 50 MB (with the cancellable progress notification) byte-exact', async () => {
    const dir = host.folder('large');
    const data = Buffer.alloc(60 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
    fs.writeFileSync(path.join(dir, 'model.bin'), data);
    const got = await wfs.readFile(host.uri(`${dir}/model.bin`));
    assert.strictEqual(sha(got), sha(data));
  });

  it('keeps the mode across a save (0640 stays 0640) and leaves no temp file', async () => {
    const dir = host.folder('mode');
    const file = path.join(dir, 'secret.conf');
    fs.writeFileSync(file, 'old');
    fs.chmodSync(file, 0o640);
    await wfs.readFile(host.uri(file));
    await wfs.writeFile(host.uri(file), text('new content'));
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o640);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'new content');
    assert.deepStrictEqual(fs.readdirSync(dir), ['secret.conf']);
  });

  it('refuses a save when the remote changed since it was read, keeping the remote content', async () => {
    const dir = host.folder('conflict');
    const file = path.join(dir, 'shared.txt');
    fs.writeFileSync(file, 'v1');
    await wfs.readFile(host.uri(file));
    // Someone else edits the file on the remote (different size and mtime).
    fs.writeFileSync(file, 'edited remotely');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    await assert.rejects(Promise.resolve(wfs.writeFile(host.uri(file), text('mine'))), /changed on the remote/);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'edited remotely');
  });

  it('saves the editor content when the user chose Overwrite after VS Code said the file is newer', async () => {
    const dir = host.folder('overwrite');
    const file = path.join(dir, 'doc.txt');
    fs.writeFileSync(file, 'v1\n');
    const uri = host.uri(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(1, 0), 'mine\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    // Someone else rewrites the file: a newer mtime and another size, which VS Code's own check sees.
    editRemotely(file, 'edited remotely\n', 5);
    // A plain save is refused by VS Code itself ("The content of the file is newer", Compare / Overwrite).
    assert.strictEqual(await doc.save(), false);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'edited remotely\n');
    // Overwrite saves the same way with VS Code's check off (what files.saveConflictResolution does for every save).
    const files = vscode.workspace.getConfiguration('files');
    await files.update('saveConflictResolution', 'overwriteFileOnDisk', vscode.ConfigurationTarget.Global);
    try {
      assert.strictEqual(await doc.save(), true, 'the Overwrite save went through');
    } finally {
      await files.update('saveConflictResolution', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'v1\nmine\n');
    assert.strictEqual(doc.isDirty, false);
  });

  it('still refuses a save after a stat when the change came after that stat, or is one VS Code cannot see', async () => {
    const dir = host.folder('conflict-after-stat');
    const file = path.join(dir, 'shared.txt');
    const uri = host.uri(file);
    fs.writeFileSync(file, 'v1');
    await wfs.readFile(uri);
    // VS Code stats right before it writes; a change landing after that stat is still a conflict.
    editRemotely(file, 'v2 is longer', 5);
    await wfs.stat(uri);
    editRemotely(file, 'v3 is longer still', 10);
    await assert.rejects(Promise.resolve(wfs.writeFile(uri, text('mine'))), /changed on the remote/);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'v3 is longer still');
    // A change of the same size passes VS Code's check (it compares sizes once the mtime moved):
    // a stat that saw it does not make the save go through.
    await wfs.readFile(uri);
    editRemotely(file, 'v4 is longer still', 15);
    await wfs.stat(uri);
    await assert.rejects(Promise.resolve(wfs.writeFile(uri, text('mine'))), /changed on the remote/);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'v4 is longer still');
  });

  it('lists non-UTF-8 names and never writes under the lossy name', async () => {
    const dir = host.folder('latin1');
    const raw = Buffer.concat([Buffer.from(dir + '/caf'), Buffer.from([0xe9]), Buffer.from('.txt')]);
    fs.writeFileSync(raw, 'latin-1 name');
    const entries = await wfs.readDirectory(host.uri(dir));
    assert.strictEqual(entries.length, 1);
    const [name] = entries[0];
    assert.ok(name.includes('\uFFFD'), `listed as ${JSON.stringify(name)}`);
    await rejectsWith(wfs.writeFile(host.uri(`${dir}/${name}`), text('x')), 'NoPermissions');
    // The original bytes are still the only name in the folder.
    assert.deepStrictEqual(fs.readdirSync(dir, { encoding: 'buffer' }).map((b) => b.toString('hex')), [Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]).toString('hex')]);
    // A folder holding such a name is refused whole: no copy under the decoded name, no half delete.
    await rejectsWith(wfs.copy(host.uri(dir), host.uri(`${dir}-copy`)), 'NoPermissions');
    assert.ok(!fs.existsSync(`${dir}-copy`), 'nothing was created');
    await rejectsWith(wfs.delete(host.uri(dir), { recursive: true, useTrash: false }), 'NoPermissions');
    assert.strictEqual(fs.readdirSync(dir).length, 1, 'nothing was deleted');
  });

  it('maps a server that refuses writes to NoPermissions and marks files read-only where it can tell', async () => {
    const dir = readonlyHost.folder('ro');
    fs.writeFileSync(path.join(dir, 'locked.txt'), 'locked');
    fs.chmodSync(path.join(dir, 'locked.txt'), 0o444);
    await rejectsWith(wfs.writeFile(readonlyHost.uri(`${dir}/new.txt`), text('x')), 'NoPermissions');
    await rejectsWith(wfs.createDirectory(readonlyHost.uri(`${dir}/d`)), 'NoPermissions');
    await rejectsWith(wfs.delete(readonlyHost.uri(`${dir}/locked.txt`)), 'NoPermissions');
    const stat = await wfs.stat(readonlyHost.uri(`${dir}/locked.txt`));
    // Root may write anything; mode bits decide only where `id` cannot be run (ForceCommand here).
    assert.strictEqual(stat.permissions, vscode.FilePermission.Readonly);
  });

  it('normalises paths and rejects NUL', async () => {
    const dir = host.folder('norm');
    fs.writeFileSync(path.join(dir, 'n.txt'), 'n');
    const data = await wfs.readFile(host.uri(`${dir}/sub/../n.txt`));
    assert.strictEqual(new TextDecoder().decode(data), 'n');
    await rejectsWith(wfs.readFile(host.uri(`${dir}/bad\0name`)), 'FileNotFound');
  });
});
