// Two windows (test/harness/hostileWorkspace.ts): one opened on the sandbox itself (an sbx://
// folder) with workspace trust on, whose .vscode/settings.json the sandbox writes; and a
// trusted .code-workspace file on this machine carrying the same settings. They redefine the
// host with a ProxyCommand, plant another host, point sshConfigFile at a config with its own
// ProxyCommand and turn on in-place saves. Nothing of it may run on this machine or change
// how we connect; only the workspace file on this machine may change how files are saved.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { settings } from '../../../src/editor/settings';
import { descendants } from '../../support/sshd';

const HOST = process.env.SBX_SANDBOX_HOST ?? 'local-sandbox';
const folder = process.env.SBX_HOSTILE_FOLDER ?? '';
const markers = process.env.SBX_HOSTILE_MARKERS ?? '';
const sshdLog = process.env.SBX_SANDBOX_SSHD_LOG ?? '';
const sshdPid = Number(process.env.SBX_SANDBOX_SSHD_PID);
const hostileSettings = process.env.SBX_HOSTILE_SETTINGS ?? '{}';
/** The .code-workspace window (on this machine, trusted); else the window on the sandbox folder. */
const localWorkspace = vscode.workspace.workspaceFile !== undefined;

const acceptedLogins = () => (fs.readFileSync(sshdLog, 'utf8').match(/Accepted publickey/g) ?? []).length;
const uri = (path: string, host = HOST) => vscode.Uri.from({ scheme: 'sbx', authority: host, path });

async function eventually<T>(what: string, attempt: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

describe(localWorkspace ? 'a trusted .code-workspace file on this machine that defines hosts' : 'a window on a sandbox folder, workspace trust on, whose settings the sandbox writes', function () {
  this.timeout(60_000);

  before(async function () {
    assert.ok(folder && markers && sshdLog && sshdPid > 0, 'the launcher passed the hostile set-up');
    if (localWorkspace) return;
    // What the sandbox does once the window is open: write its folder settings. VS Code
    // watches that file through our provider and applies it to the window.
    const changed = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sandboxExplorer')) {
          sub.dispose();
          resolve();
        }
      });
    });
    fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), hostileSettings);
    await Promise.race([changed, new Promise((_, reject) => setTimeout(() => reject(new Error('VS Code never applied the sandbox-written settings')), 30_000))]);
  });

  it('is the attack as users meet it: a trusted window whose workspace settings say what the sandbox wants', () => {
    assert.strictEqual(vscode.workspace.workspaceFolders?.[0]?.uri.toString(), uri(folder).toString());
    if (localWorkspace) assert.notStrictEqual(vscode.workspace.workspaceFile?.scheme, 'sbx');
    // VS Code trusts a virtual workspace without asking, so trust protects nothing here.
    assert.strictEqual(vscode.workspace.isTrusted, true);
    const inspected = vscode.workspace.getConfiguration('sandboxExplorer').inspect<string>('files.inPlaceSave');
    assert.strictEqual(inspected?.workspaceValue, 'always', 'VS Code applied the hostile workspace settings');
  });

  it('hosts, ssh config files and connection settings come from user settings only', () => {
    const hosts = settings.hosts() as Array<{ name: string; port?: number; proxyCommand?: string }>;
    assert.deepStrictEqual(hosts.map((h) => h.name), [HOST]);
    assert.notStrictEqual(hosts[0].port, 1);
    assert.strictEqual(hosts[0].proxyCommand, undefined);
    assert.ok(!settings.sshConfigFiles().some((f) => f.startsWith(folder)), `ssh config files: ${settings.sshConfigFiles().join(', ')}`);
    assert.notStrictEqual(settings.pool().connectTimeoutMs, 1000);
    assert.strictEqual(settings.pool().sftpRequestTimeoutMs, 60_000);
    assert.strictEqual(settings.maxListingEntries(), 200_000, 'a bound against the server is not the server\'s to raise');
    assert.ok(!settings.trustFile(vscode.Uri.file('/storage')).includes('.ssh'), 'accepted keys still go to the extension file');
    const ports = settings.ports();
    assert.strictEqual(ports.bindAddress, '127.0.0.1', 'forwards still listen on loopback only');
    assert.strictEqual(ports.autoForward, 'off', 'the user setting (the test sandbox turns it off) wins');
    assert.deepStrictEqual(ports.attributes, {});
  });

  it(localWorkspace ? 'file-writing settings from the trusted workspace file on this machine apply' : 'file-writing settings from the sandbox are ignored although the window is trusted', () => {
    assert.strictEqual(settings.inPlaceSave(), localWorkspace ? 'always' : 'ask');
    assert.strictEqual(settings.copyWithExec(), localWorkspace);
  });

  it('lists the folder, survives a dropped connection and reconnects to the user host, running nothing locally', async () => {
    const names = async () => (await vscode.workspace.fs.readDirectory(uri(folder))).map(([n]) => n);
    assert.ok((await names()).includes('notes.txt'));
    const before = acceptedLogins();
    assert.ok(before >= 1, 'connected through the user-level host');
    // Drop every session: sshd's per-connection processes die, the listener stays.
    const sessions = descendants(sshdPid);
    assert.ok(sessions.length > 0, 'sshd has a session process to kill');
    for (const pid of sessions) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    // The next use reconnects; with the hostile settings it would spawn their ProxyCommand.
    await eventually('reconnect after the drop', async () => assert.ok((await names()).includes('notes.txt')));
    assert.ok(acceptedLogins() > before, 'a new login on the same sshd after the drop');
    assert.deepStrictEqual(fs.readdirSync(markers), [], 'no command from the hostile settings ran on this machine');
  });

  it('a host planted by the hostile settings does not exist', async () => {
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(uri('/', 'planted-host'))));
    assert.deepStrictEqual(fs.readdirSync(markers), [], 'no command from the hostile settings ran on this machine');
  });
});
