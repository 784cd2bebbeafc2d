// Copy SSH Command, Edit SSH Config and Remove Host, invoked as the Hosts view's context menu
// invokes them (with the host node), on a settings host and on an ssh config host.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

const hostNode = (host: Record<string, unknown>) => ({ kind: 'host', host: { enabled: true, ...host } });
const config = () => vscode.workspace.getConfiguration('sandboxExplorer');
const userHosts = () => config().inspect<Array<Record<string, unknown>>>('hosts')?.globalValue ?? [];

async function accepting(run: () => Thenable<unknown>): Promise<void> {
  let settled = false;
  const result = Promise.resolve(run()).finally(() => (settled = true));
  for (let i = 0; i < 300 && !settled; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
  await result;
}

describe('host actions: Copy SSH Command, Edit SSH Config, Remove Host', function () {
  this.timeout(60000);
  const sshConfig = path.join(os.homedir(), '.ssh', 'config');
  let hadConfig: string | undefined;

  before(async () => {
    await vscode.extensions.getExtension('sandbox-explorer.sandbox-explorer')!.activate();
    hadConfig = fs.existsSync(sshConfig) ? fs.readFileSync(sshConfig, 'utf8') : undefined;
    fs.mkdirSync(path.dirname(sshConfig), { recursive: true, mode: 0o700 });
    fs.writeFileSync(sshConfig, `${hadConfig ?? ''}\n# sandboxes\nHost cfg-actions-box\n  HostName 127.0.0.1\n  Port 1\n`, { mode: 0o600 });
    await config().update('hosts', [...userHosts(), { name: 'actions-box', host: '10.1.2.3', port: 2222, user: 'dev', userToken: true }], vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (hadConfig === undefined) fs.rmSync(sshConfig, { force: true });
    else fs.writeFileSync(sshConfig, hadConfig);
    await config().update('hosts', userHosts().filter((h) => h.name !== 'actions-box'), vscode.ConfigurationTarget.Global);
  });

  it('Copy SSH Command copies `ssh <alias>` for an ssh config host and a full line (token left out) for a settings host', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.copySshCommand', hostNode({ name: 'cfg-actions-box', source: 'sshConfig' }));
    assert.strictEqual(await vscode.env.clipboard.readText(), 'ssh cfg-actions-box');
    await vscode.commands.executeCommand('sandboxExplorer.hosts.copySshCommand', hostNode({ name: 'actions-box', source: 'settings', hostname: '10.1.2.3', port: 2222, user: 'dev', userToken: true }));
    assert.strictEqual(await vscode.env.clipboard.readText(), "ssh -p 2222 'dev#<token>@10.1.2.3'");
  });

  it('Edit SSH Config opens the ssh config at the host\'s Host line', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.editConfig', hostNode({ name: 'cfg-actions-box', source: 'sshConfig' }));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor opened');
    assert.strictEqual(editor.document.uri.fsPath, sshConfig);
    assert.strictEqual(editor.document.lineAt(editor.selection.active.line).text, 'Host cfg-actions-box');
  });

  it('Edit SSH Config on a settings host opens the settings that hold it', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const opened = new Promise<vscode.TextEditor | undefined>((resolve) => {
      const sub = vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && /settings\.json$/.test(e.document.uri.path)) {
          sub.dispose();
          resolve(e);
        }
      });
      setTimeout(() => resolve(undefined), 20000);
    });
    await vscode.commands.executeCommand('sandboxExplorer.hosts.editConfig', hostNode({ name: 'actions-box', source: 'settings' }));
    const editor = await opened;
    assert.ok(editor?.document.getText().includes('"actions-box"'));
  });

  it('Remove Host asks, then deletes only that settings entry; on an ssh config host it opens the file instead', async () => {
    const before = userHosts().map((h) => h.name);
    await accepting(() => vscode.commands.executeCommand('sandboxExplorer.hosts.remove', hostNode({ name: 'actions-box', source: 'settings' })));
    assert.deepStrictEqual(userHosts().map((h) => h.name), before.filter((n) => n !== 'actions-box'));
    const configBefore = fs.readFileSync(sshConfig, 'utf8');
    await vscode.commands.executeCommand('sandboxExplorer.hosts.remove', hostNode({ name: 'cfg-actions-box', source: 'sshConfig' }));
    assert.strictEqual(fs.readFileSync(sshConfig, 'utf8'), configBefore, 'the ssh config is never rewritten');
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, sshConfig);
  });

  it('Move to Group… puts an ssh config host in an existing group (kept by alias) and takes a settings host out of its group', async () => {
    await config().update('hosts', [...userHosts(), { name: 'grouped-box', host: '10.1.2.4', group: 'Lab' }], vscode.ConfigurationTarget.Global);
    try {
      // The only other group is Lab: the first item.
      await accepting(() => vscode.commands.executeCommand('sandboxExplorer.hosts.moveToGroup', hostNode({ name: 'cfg-actions-box', source: 'sshConfig' })));
      assert.deepStrictEqual(config().inspect('hostGroups')?.globalValue, { 'cfg-actions-box': 'Lab' });
      assert.strictEqual(fs.readFileSync(sshConfig, 'utf8').includes('Lab'), false, 'the ssh config is not touched');
      // Its own group is not offered; the first item takes it out.
      await accepting(() => vscode.commands.executeCommand('sandboxExplorer.hosts.moveToGroup', hostNode({ name: 'grouped-box', source: 'settings', group: 'Lab' })));
      assert.deepStrictEqual(userHosts().find((h) => h.name === 'grouped-box'), { name: 'grouped-box', host: '10.1.2.4' });
    } finally {
      await config().update('hosts', userHosts().filter((h) => h.name !== 'grouped-box'), vscode.ConfigurationTarget.Global);
      await config().update('hostGroups', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Filter Hosts… (view title: no argument, asks) and Clear Hosts Filter run; a text argument filters without asking', async () => {
    let settled = false;
    const asked = Promise.resolve(vscode.commands.executeCommand('sandboxExplorer.hosts.filter')).finally(() => (settled = true));
    for (let i = 0; i < 100 && !settled; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    }
    await asked;
    await vscode.commands.executeCommand('sandboxExplorer.hosts.filter', 'actions');
    await vscode.commands.executeCommand('sandboxExplorer.hosts.clearFilter');
  });

  it('Add Host with the ssh config as target appends a Host block (every earlier byte kept) that the Hosts view then lists', async () => {
    const before = fs.readFileSync(sshConfig, 'utf8');
    await vscode.commands.executeCommand('sandboxExplorer.hosts.add', 'agent@cfg-added.example:2222', 'cfg-added', 'sshConfig');
    const after = fs.readFileSync(sshConfig, 'utf8');
    assert.ok(after.startsWith(before), 'earlier content kept');
    assert.strictEqual(after.slice(before.length).replace(/^\n+/, ''), 'Host cfg-added\n  HostName cfg-added.example\n  User agent\n  Port 2222\n');
    assert.ok(!userHosts().some((h) => h.name === 'cfg-added'), 'not written to settings');
    // Listed: the host picker finds it by name.
    await vscode.commands.executeCommand('sandboxExplorer.hosts.copySshCommand', 'cfg-added');
    assert.strictEqual(await vscode.env.clipboard.readText(), 'ssh cfg-added');
  });

  it('Add Host given a destination with a ProxyCommand as an argument refuses it: a local command is only added by a person in the prompt', async () => {
    const before = fs.readFileSync(sshConfig, 'utf8');
    const settingsBefore = JSON.stringify(userHosts());
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('sandboxExplorer.hosts.add', 'ssh -o ProxyCommand=touch\\ /tmp/pwned u@h', 'proxy-box', 'sshConfig')), /ProxyCommand runs a command on this machine/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('sandboxExplorer.hosts.add', 'ssh -o ProxyCommand=true u@h', 'proxy-box')), /ProxyCommand runs a command on this machine/);
    assert.strictEqual(fs.readFileSync(sshConfig, 'utf8'), before);
    assert.strictEqual(JSON.stringify(userHosts()), settingsBefore);
  });
});
