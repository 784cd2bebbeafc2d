// SSH key commands in the real extension host, invoked as their menus invoke them: the Keys
// view's title (no argument) and items (a key node), the Hosts view's host items (a host node).
// The extension host's HOME is the harness's own, so ~/.ssh here is a scratch folder.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { addTestHost, removeTestHosts, TestHost } from './fsHosts';

const hostNode = (name: string) => ({ kind: 'host', host: { name, source: 'settings', enabled: true } });

/** Runs a command and accepts each quick input it shows (the default value, or the first item) until it ends. */
async function accepting(run: () => Thenable<unknown>): Promise<{ result: unknown; accepted: number }> {
  let settled = false;
  const result = Promise.resolve(run()).finally(() => (settled = true));
  let accepted = 0;
  for (let i = 0; i < 300 && !settled; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (!settled) {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      accepted++;
    }
  }
  return { result: await result, accepted };
}

describe('SSH keys: generate, install, list and remove through the commands', function () {
  this.timeout(90000);
  let host: TestHost;
  const sshDir = path.join(os.homedir(), '.ssh');
  const keyPath = path.join(sshDir, 'id_ed25519');
  let authorizedKeys: string;
  const otherLines = '# team keys, kept byte for byte\r\nno-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOo7ZGrOCxKBT3aB59Ut8Fd0Tm+3vY7Xg8hLaCKJgLa8 teammate\r\n';

  let savedHosts: unknown;
  before(async () => {
    assert.notStrictEqual(os.homedir(), '/root', 'the extension host runs with the harness HOME, not the real one');
    // The host picker lists enabled hosts; other suites' hosts are disabled meanwhile so its first item is ours.
    const config = vscode.workspace.getConfiguration('sandboxExplorer');
    savedHosts = config.inspect('hosts')?.globalValue;
    await config.update('hosts', ((savedHosts as Array<Record<string, unknown>> | undefined) ?? []).map((h) => ({ ...h, enabled: false })), vscode.ConfigurationTarget.Global);
    host = await addTestHost('keys-box', { sftpStartInRoot: true, rootAuthorizedKeys: true });
    fs.mkdirSync(path.join(host.sshd.root, '.ssh'), { recursive: true, mode: 0o700 });
    authorizedKeys = path.join(host.sshd.root, '.ssh', 'authorized_keys');
    fs.writeFileSync(authorizedKeys, otherLines, { mode: 0o600 });
    fs.rmSync(keyPath, { force: true });
    fs.rmSync(`${keyPath}.pub`, { force: true });
  });
  after(async () => {
    await removeTestHosts();
    await vscode.workspace.getConfiguration('sandboxExplorer').update('hosts', savedHosts, vscode.ConfigurationTarget.Global);
    fs.rmSync(keyPath, { force: true });
    fs.rmSync(`${keyPath}.pub`, { force: true });
  });

  it('Generate SSH Key… (view title) writes ~/.ssh/id_ed25519 (0600) and .pub (0644) in OpenSSH format', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.keys.refresh');
    await accepting(() => vscode.commands.executeCommand('sandboxExplorer.keys.generate'));
    assert.ok(fs.existsSync(keyPath), 'private key written');
    assert.strictEqual(fs.statSync(keyPath).mode & 0o777, 0o600);
    assert.strictEqual(fs.statSync(`${keyPath}.pub`).mode & 0o077 & ~0o044, 0, 'public key not writable by others');
    assert.match(fs.readFileSync(keyPath, 'utf8'), new RegExp(`^-----BEGIN OPENSSH ${'PRIVATE'} KEY-----\\n`));
    assert.match(fs.readFileSync(`${keyPath}.pub`, 'utf8'), /^ssh-ed25519 [A-Za-z0-9+/]+=* \S+@\S+\n$/);
  });

  it('Install Public Key on Host… from a key node asks for the host and appends the key; the new key then logs in alone', async () => {
    const pub = fs.readFileSync(`${keyPath}.pub`, 'utf8').trim();
    const node = { kind: 'localKey', key: { path: `${keyPath}.pub`, keyType: 'ssh-ed25519', comment: '', fingerprint: '' } };
    const { accepted } = await accepting(() => vscode.commands.executeCommand('sandboxExplorer.keys.install', node));
    assert.ok(accepted >= 1, 'the host was asked for');
    assert.strictEqual(fs.readFileSync(authorizedKeys, 'utf8'), `${otherLines}${pub}\n`, 'appended; other lines byte-identical');

    // A second host entry on the same sshd that logs in with the new key only.
    const config = vscode.workspace.getConfiguration('sandboxExplorer');
    const hosts = config.inspect<Array<Record<string, unknown>>>('hosts')?.globalValue ?? [];
    const entry = hosts.find((h) => h.name === 'keys-box')!;
    await config.update('hosts', [...hosts, { ...entry, name: 'keys-box-new-key', identityFile: keyPath }], vscode.ConfigurationTarget.Global);
    try {
      const listed = await vscode.workspace.fs.readDirectory(vscode.Uri.from({ scheme: 'sbx', authority: 'keys-box-new-key', path: host.sshd.root }));
      assert.ok(listed.some(([name]) => name === '.ssh'));
    } finally {
      await config.update('hosts', (config.inspect<Array<Record<string, unknown>>>('hosts')?.globalValue ?? []).filter((h) => h.name !== 'keys-box-new-key'), vscode.ConfigurationTarget.Global);
    }
  });

  it('Install Public Key on Host… from a host node asks for the key; an authorized key is not added twice', async () => {
    const before = fs.readFileSync(authorizedKeys, 'utf8');
    const { accepted } = await accepting(() => vscode.commands.executeCommand('sandboxExplorer.keys.install', hostNode('keys-box')));
    assert.ok(accepted >= 1, 'the key was asked for');
    assert.strictEqual(fs.readFileSync(authorizedKeys, 'utf8'), before);
  });

  it('Copy Public Key (key node) puts the .pub line on the clipboard', async () => {
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('sandboxExplorer.keys.copyPublicKey', { kind: 'localKey', key: { path: `${keyPath}.pub`, keyType: 'ssh-ed25519', comment: '', fingerprint: '' } });
    assert.strictEqual(await vscode.env.clipboard.readText(), fs.readFileSync(`${keyPath}.pub`, 'utf8').trim());
  });

  it('Authorized Keys… (host node) lists the keys; picking one and Remove deletes only its line', async () => {
    const pub = fs.readFileSync(`${keyPath}.pub`, 'utf8').trim();
    // The first listed key is the teammate's (line 2); move ours first so "accept the first item" picks it.
    fs.writeFileSync(authorizedKeys, `${pub}\n${otherLines}`);
    await accepting(() => vscode.commands.executeCommand('sandboxExplorer.keys.authorized', hostNode('keys-box')));
    assert.strictEqual(fs.readFileSync(authorizedKeys, 'utf8'), otherLines, 'our key removed, the rest byte-identical');
    assert.strictEqual(fs.statSync(authorizedKeys).mode & 0o777, 0o600, 'mode kept');
  });
});
