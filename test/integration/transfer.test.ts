// Upload… and Download…, invoked the way each menu does: the Explorer passes (clickedUri,
// selectedUris), the Hosts view a tree node. A third argument (test-only, file: URIs only)
// stands in for the dialogs; without it the command must wait for a dialog.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { addTestHost, removeTestHosts, TestHost } from './fsHosts';

/**
 * Runs `work` (a command that should be showing a dialog) and closes whatever quick input it
 * opened until it settles: in the browser workbench the open and save dialogs are quick inputs.
 * Resolves how many times a dialog had to be closed (0: the command never waited for one).
 */
async function dismissingDialogs(work: Thenable<unknown>): Promise<number> {
  let settled = false;
  const done = Promise.resolve(work).finally(() => (settled = true));
  let closed = 0;
  // Nothing signals "a dialog is showing" to an extension: look every 100 ms, bounded by the test timeout.
  while (!settled) {
    await new Promise((r) => setTimeout(r, 100));
    if (settled) break;
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    closed++;
  }
  await done;
  return closed;
}

/** Entries under `dir`, relative, links not followed. */
function listing(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    const rel = path.relative(base, full);
    if (e.isSymbolicLink()) return [`${rel} -> ${fs.readlinkSync(full)}`];
    return e.isDirectory() ? [`${rel}/`, ...listing(full, base)] : [rel];
  }).sort();
}

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

  it('Explorer → Upload… on a remote folder uploads the local files picked, keeping exec bits', async () => {
    const remote = host.folder('upload');
    const folder = host.uri(remote);
    fs.mkdirSync(path.join(local, 'proj/src'), { recursive: true });
    fs.writeFileSync(path.join(local, 'proj/src/main.py'), 'print(1)\n');
    fs.writeFileSync(path.join(local, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    fs.chmodSync(path.join(local, 'run.sh'), 0o755);
    await vscode.commands.executeCommand('sandboxExplorer.fs.upload', folder, [folder], { localSources: [vscode.Uri.file(path.join(local, 'proj')), vscode.Uri.file(path.join(local, 'run.sh'))] });
    assert.deepStrictEqual(listing(remote), ['proj/', 'proj/src/', 'proj/src/main.py', 'run.sh']);
    assert.strictEqual(fs.readFileSync(path.join(remote, 'proj/src/main.py'), 'utf8'), 'print(1)\n');
    assert.strictEqual(fs.statSync(path.join(remote, 'run.sh')).mode & 0o100, 0o100, 'the exec bit came along');
  });

  it('Explorer → Upload… exactly as the Explorer calls it waits for the picker and never uploads the remote folder into itself', async () => {
    const remote = host.folder('upload-self');
    fs.mkdirSync(path.join(remote, 'src'));
    fs.writeFileSync(path.join(remote, 'src/a.txt'), 'a');
    const folder = host.uri(remote);
    const closed = await dismissingDialogs(vscode.commands.executeCommand('sandboxExplorer.fs.upload', folder, [folder]));
    assert.ok(closed >= 1, 'the command waited for the local picker');
    assert.deepStrictEqual(listing(remote), ['src/', 'src/a.txt'], 'nothing uploaded');
  });

  it('refuses remote URIs in place of the dialog answers: the picker still shows', async () => {
    const remote = host.folder('upload-remote-sources');
    fs.writeFileSync(path.join(remote, 'a.txt'), 'a');
    const folder = host.uri(remote);
    const closed = await dismissingDialogs(vscode.commands.executeCommand('sandboxExplorer.fs.upload', folder, [folder], { localSources: [folder] }));
    assert.ok(closed >= 1, 'the command waited for the local picker');
    assert.deepStrictEqual(listing(remote), ['a.txt']);
  });

  it('Hosts view → Upload… on a folder node uploads there', async () => {
    const remote = host.folder('upload-node');
    fs.writeFileSync(path.join(local, 'node.txt'), 'from the tree');
    const node = { kind: 'entry', uri: host.uri(remote), type: vscode.FileType.Directory };
    await vscode.commands.executeCommand('sandboxExplorer.fs.upload', node, undefined, { localSources: [vscode.Uri.file(path.join(local, 'node.txt'))] });
    assert.strictEqual(fs.readFileSync(path.join(remote, 'node.txt'), 'utf8'), 'from the tree');
  });

  it('Hosts view → Upload… on a host node uploads into its remote directory', async () => {
    const remote = host.folder('upload-host-node');
    fs.writeFileSync(path.join(local, 'host-node.txt'), 'to the host');
    // What the tree hands over for a host row (only the fields the command reads).
    const node = { kind: 'host', host: { name: host.name, remoteDirectory: remote, enabled: true } };
    await vscode.commands.executeCommand('sandboxExplorer.fs.upload', node, undefined, { localSources: [vscode.Uri.file(path.join(local, 'host-node.txt'))] });
    assert.strictEqual(fs.readFileSync(path.join(remote, 'host-node.txt'), 'utf8'), 'to the host');
  });

  it('Download… from the palette takes the active remote editor', async () => {
    const remote = host.folder('download-palette');
    fs.writeFileSync(path.join(remote, 'open.txt'), 'open in an editor');
    await vscode.window.showTextDocument(host.uri(`${remote}/open.txt`));
    try {
      await vscode.commands.executeCommand('sandboxExplorer.fs.download', undefined, undefined, { localTarget: vscode.Uri.file(path.join(local, 'open.txt')) });
      assert.strictEqual(fs.readFileSync(path.join(local, 'open.txt'), 'utf8'), 'open in an editor');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });

  it('Explorer → Download… on a remote file and on a folder', async () => {
    const remote = host.folder('download');
    fs.mkdirSync(path.join(remote, 'logs'));
    fs.writeFileSync(path.join(remote, 'logs/a.log'), 'line\n');
    fs.writeFileSync(path.join(remote, 'report.csv'), 'a,b\n1,2\n');
    const file = host.uri(`${remote}/report.csv`);
    await vscode.commands.executeCommand('sandboxExplorer.fs.download', file, [file], { localTarget: vscode.Uri.file(path.join(local, 'report.csv')) });
    assert.strictEqual(fs.readFileSync(path.join(local, 'report.csv'), 'utf8'), 'a,b\n1,2\n');
    const logs = host.uri(`${remote}/logs`);
    await vscode.commands.executeCommand('sandboxExplorer.fs.download', logs, [logs], { localTarget: vscode.Uri.file(path.join(local, 'logs')) });
    assert.strictEqual(fs.readFileSync(path.join(local, 'logs/a.log'), 'utf8'), 'line\n');
  });

  it('Explorer → Download… with several selected downloads each into the chosen folder', async () => {
    const remote = host.folder('download-many');
    fs.mkdirSync(path.join(remote, 'dir'));
    fs.writeFileSync(path.join(remote, 'dir/inner.txt'), 'inner');
    fs.writeFileSync(path.join(remote, 'one.txt'), 'one');
    fs.writeFileSync(path.join(remote, 'not-selected.txt'), 'no');
    const target = path.join(local, 'many');
    fs.mkdirSync(target);
    const one = host.uri(`${remote}/one.txt`);
    const dir = host.uri(`${remote}/dir`);
    const inner = host.uri(`${remote}/dir/inner.txt`);
    await vscode.commands.executeCommand('sandboxExplorer.fs.download', one, [one, dir, inner], { localTarget: vscode.Uri.file(target) });
    assert.deepStrictEqual(listing(target), ['dir/', 'dir/inner.txt', 'one.txt']);
  });

  it('Explorer → Download… exactly as the Explorer calls it asks where to save', async () => {
    const remote = host.folder('download-ask');
    fs.writeFileSync(path.join(remote, 'ask.txt'), 'ask');
    const file = host.uri(`${remote}/ask.txt`);
    const closed = await dismissingDialogs(vscode.commands.executeCommand('sandboxExplorer.fs.download', file, [file]));
    assert.ok(closed >= 1, 'the command waited for the save dialog');
  });

  it('Hosts view → Download… on a file node', async () => {
    const remote = host.folder('download-node');
    fs.writeFileSync(path.join(remote, 'n.txt'), 'node');
    const node = { kind: 'entry', uri: host.uri(`${remote}/n.txt`), type: vscode.FileType.File };
    await vscode.commands.executeCommand('sandboxExplorer.fs.download', node, undefined, { localTarget: vscode.Uri.file(path.join(local, 'n.txt')) });
    assert.strictEqual(fs.readFileSync(path.join(local, 'n.txt'), 'utf8'), 'node');
  });

  it('links inside a downloaded folder are skipped by default and recreated with transfers.symlinks = "recreate" (user settings)', async () => {
    const property = vscode.extensions.all.find((e) => e.packageJSON?.contributes?.configuration?.properties?.['sandboxExplorer.transfers.symlinks'])?.packageJSON.contributes.configuration.properties['sandboxExplorer.transfers.symlinks'];
    assert.strictEqual(property?.scope, 'machine');
    const remote = host.folder('download-links');
    fs.writeFileSync(path.join(remote, 'f.txt'), 'f');
    fs.symlinkSync('.', path.join(remote, 'current'));
    fs.symlinkSync('/', path.join(remote, 'root'));
    const folder = host.uri(remote);
    await vscode.commands.executeCommand('sandboxExplorer.fs.download', folder, [folder], { localTarget: vscode.Uri.file(path.join(local, 'links-skipped')) });
    assert.deepStrictEqual(listing(path.join(local, 'links-skipped')), ['f.txt']);
    const config = vscode.workspace.getConfiguration('sandboxExplorer');
    await config.update('transfers.symlinks', 'recreate', vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('sandboxExplorer.fs.download', folder, [folder], { localTarget: vscode.Uri.file(path.join(local, 'links-recreated')) });
      // Only links whose target stays inside the download are recreated; `root -> /` is skipped with a note.
      assert.deepStrictEqual(listing(path.join(local, 'links-recreated')), ['current -> .', 'f.txt']);
    } finally {
      await config.update('transfers.symlinks', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('copies the remote path of a file', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.fs.copyRemotePath', host.uri('/srv/app/main.py'));
    assert.strictEqual(await vscode.env.clipboard.readText(), '/srv/app/main.py');
  });
});
