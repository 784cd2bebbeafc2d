// Adding, disabling and enabling hosts from the UI writes user settings, and a disabled
// host is not connected to.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { addTestHost, rejectsWith, removeTestHosts, TestHost } from './fsHosts';

type HostSetting = { name: string; host?: string; port?: number; user?: string; userToken?: boolean; enabled?: boolean };
const hostsSetting = () => vscode.workspace.getConfiguration('sandboxExplorer').inspect<HostSetting[]>('hosts')?.globalValue ?? [];

describe('host settings from the UI', function () {
  this.timeout(60000);
  let host: TestHost;

  before(async () => {
    host = await addTestHost('toggle-box');
  });
  after(async () => {
    const config = vscode.workspace.getConfiguration('sandboxExplorer');
    await config.update('hosts', hostsSetting().filter((h) => h.name !== 'added-box' && h.name !== 'added-token-box'), vscode.ConfigurationTarget.Global);
    await removeTestHosts();
  });

  it('Add Host writes a user settings entry from [user@]host[:port]', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.add', 'agent@sandbox-42.example:2222', 'added-box');
    const added = hostsSetting().find((h) => h.name === 'added-box');
    assert.deepStrictEqual(added, { name: 'added-box', host: 'sandbox-42.example', port: 2222, user: 'agent' });
  });

  it('Add Host keeps a gateway token (user#token) out of settings: userToken asks for it at connect time', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.add', 'sbx-1#tok123@gw.example:2222', 'added-token-box');
    const added = hostsSetting().find((h) => h.name === 'added-token-box');
    assert.deepStrictEqual(added, { name: 'added-token-box', host: 'gw.example', port: 2222, user: 'sbx-1', userToken: true });
    assert.ok(!JSON.stringify(hostsSetting()).includes('tok123'));
  });

  it('a disabled host is not connected to; enabling it again works', async () => {
    await vscode.workspace.fs.stat(host.uri(host.sshd.root));
    await vscode.commands.executeCommand('sandboxExplorer.hosts.disconnect', host.name);
    await vscode.commands.executeCommand('sandboxExplorer.hosts.disable', host.name);
    assert.strictEqual(hostsSetting().find((h) => h.name === host.name)?.enabled, false);
    await rejectsWith(vscode.workspace.fs.stat(host.uri(host.sshd.root)), 'Unavailable');
    await vscode.commands.executeCommand('sandboxExplorer.hosts.enable', host.name);
    assert.strictEqual(hostsSetting().find((h) => h.name === host.name)?.enabled, true);
    const stat = await vscode.workspace.fs.stat(host.uri(host.sshd.root));
    assert.strictEqual(stat.type, vscode.FileType.Directory);
  });
});
