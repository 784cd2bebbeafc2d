// A host's connection as the user drives it, in a real extension host against real sshd:
// Disconnect means disconnected (while the host's folder is in the workspace and one of its
// files is open and watched), and failed connections leave their cause in the extension's log.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { descendants, freePort, generateKey, Sshd } from '../support/sshd';
import { acceptedLogins } from '../support/targets';
import { extensionLogText, extensionLogUnavailable, waitForLogLine } from './extensionLog';
import { addTestHost, removeTestHosts, TestHost } from './fsHosts';

const wfs = vscode.workspace.fs;
type HostSetting = Record<string, unknown> & { name: string };
const userHosts = () => vscode.workspace.getConfiguration('sandboxExplorer').inspect<HostSetting[]>('hosts')?.globalValue ?? [];

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether an inotifywait of this sshd's sessions watches `dir` (the remote is this machine). */
function watching(sshd: Sshd, dir: string): boolean {
  return descendants(sshd.pid).some((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv.some((a) => a.endsWith('inotifywait')) && argv.includes(dir);
    } catch {
      return false;
    }
  });
}

/** The FileSystemError a use failed with. */
async function failure(work: Thenable<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await work;
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
  throw new Error('expected a failure, but it succeeded');
}

function logLength(): number {
  try {
    return extensionLogText().length;
  } catch {
    return 0;
  }
}

describe('connections as the user drives them', function () {
  this.timeout(90000);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeTestHosts();
  });

  it('Disconnect keeps a host in the workspace disconnected until Connect; meanwhile its files fail at once', async () => {
    const host: TestHost = await addTestHost('conn-held');
    const dir = host.folder('workspace');
    fs.writeFileSync(path.join(dir, 'open.txt'), 'hello\n');
    const fileUri = host.uri(`${dir}/open.txt`);

    const folders = vscode.workspace.workspaceFolders ?? [];
    const added = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
        sub.dispose();
        resolve();
      });
    });
    assert.ok(vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri: host.uri(dir), name: 'conn-held' }));
    await added;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(host.uri(dir), '**/*'));
    try {
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fileUri));
      await waitFor('the remote watch of the workspace folder', () => (watching(host.sshd, dir) ? true : undefined));
      const logins = acceptedLogins(host.sshd);
      const logFrom = logLength();

      await vscode.commands.executeCommand('sandboxExplorer.hosts.disconnect', host.name);
      await waitFor('the remote watch to stop', () => (watching(host.sshd, dir) ? undefined : true));
      if (!extensionLogUnavailable()) await waitForLogLine(/\[conn-held\] disconnected$|conn-held: disconnected by the user/, { from: logFrom });

      // Every use that used to reconnect at once now fails at once, and says how to connect again.
      const stat = await failure(wfs.stat(fileUri));
      assert.strictEqual(stat.code, 'Unavailable', stat.message);
      assert.match(stat.message, /conn-held is disconnected\. Connect it again \(Reconnect, or Connect in the Hosts view\)/);
      assert.strictEqual((await failure(wfs.readDirectory(host.uri(dir)))).code, 'Unavailable');
      assert.strictEqual((await failure(wfs.readFile(fileUri))).code, 'Unavailable');
      // A save fails too, and the editor keeps the change (the buffer stays dirty).
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'edited '));
      assert.strictEqual(await editor.document.save(), false);
      assert.ok(editor.document.isDirty, 'the unsaved change stays in the editor');
      assert.strictEqual(fs.readFileSync(path.join(dir, 'open.txt'), 'utf8'), 'hello\n');

      assert.strictEqual(acceptedLogins(host.sshd), logins, 'nothing logged in after the Disconnect');
      assert.ok(!watching(host.sshd, dir), 'the watcher did not come back by itself');
      if (!extensionLogUnavailable()) {
        assert.doesNotMatch(extensionLogText().slice(logFrom), /\[conn-held\] connecting to/, 'no connect attempt after the Disconnect');
      }

      // Connect brings everything back: files, the save, and the watcher without waiting for a backoff.
      await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', host.name);
      assert.strictEqual((await wfs.stat(fileUri)).type, vscode.FileType.File);
      assert.strictEqual(acceptedLogins(host.sshd), logins + 1);
      assert.strictEqual(await editor.document.save(), true);
      assert.strictEqual(fs.readFileSync(path.join(dir, 'open.txt'), 'utf8'), 'edited hello\n');
      await waitFor('the remote watch to run again', () => (watching(host.sshd, dir) ? true : undefined));
    } finally {
      watcher.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const index = (vscode.workspace.workspaceFolders ?? []).findIndex((f) => f.uri.authority === host.name);
      if (index >= 0) vscode.workspace.updateWorkspaceFolders(index, 1);
    }
  });

  it('a refused port and a refused login leave their cause in the log; Choose Identity File fixes the login', async function () {
    const why = extensionLogUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    const host = await addTestHost('conn-key');
    const closedPort = await freePort();
    const stranger = generateKey(path.join(host.sshd.dir, 'stranger_key'));
    const knownHostsFile = path.join(host.sshd.dir, 'known_hosts');
    const config = vscode.workspace.getConfiguration('sandboxExplorer');
    await config.update(
      'hosts',
      [
        ...userHosts(),
        { name: 'conn-closed', host: '127.0.0.1', port: closedPort, user: host.sshd.user, identityFile: host.sshd.userKey.privatePath, knownHostsFile },
        { name: 'conn-stranger', host: '127.0.0.1', port: host.sshd.port, user: host.sshd.user, identityFile: stranger.privatePath, knownHostsFile },
      ],
      vscode.ConfigurationTarget.Global,
    );
    try {
      const logFrom = logLength();
      const refused = await failure(wfs.stat(vscode.Uri.from({ scheme: 'sbx', authority: 'conn-closed', path: '/' })));
      assert.strictEqual(refused.code, 'Unavailable');
      assert.match(refused.message, new RegExp(`Could not reach 127\\.0\\.0\\.1:${closedPort}: connection refused\\.`));
      assert.strictEqual(refused.message.split('conn-closed').length - 1, 1, `the host is named once: ${refused.message}`);
      await waitForLogLine(new RegExp(`\\[conn-closed\\] could not connect: could not reach 127\\.0\\.0\\.1:${closedPort}: connection refused \\(ECONNREFUSED\\)`), { from: logFrom });

      const login = await failure(wfs.stat(vscode.Uri.from({ scheme: 'sbx', authority: 'conn-stranger', path: host.sshd.root })));
      assert.strictEqual(login.code, 'Unavailable');
      assert.match(login.message, /The server refused the login as .*Tried: no credentials \(none\), .*key file .*stranger_key/);
      const line = await waitForLogLine(/\[conn-stranger\] could not connect: Authentication failed for /, { from: logFrom });
      assert.ok(line.includes('tried: none') && line.includes(`publickey (${stranger.privatePath})`), line);

      // The fix the notification offers, with the argument it passes (the host name) and a chosen file.
      await vscode.commands.executeCommand('sandboxExplorer.hosts.chooseIdentityFile', 'conn-stranger', host.sshd.userKey.privatePath);
      assert.strictEqual(userHosts().find((h) => h.name === 'conn-stranger')?.identityFile, host.sshd.userKey.privatePath, 'written to the user settings');
      assert.strictEqual((await wfs.stat(vscode.Uri.from({ scheme: 'sbx', authority: 'conn-stranger', path: host.sshd.root }))).type, vscode.FileType.Directory);
    } finally {
      await config.update('hosts', userHosts().filter((h) => h.name !== 'conn-closed' && h.name !== 'conn-stranger'), vscode.ConfigurationTarget.Global);
    }
  });
});
