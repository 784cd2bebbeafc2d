// The suite runs in a real extension host: the editor's own API, our extension loaded from
// the development path, and the local sandbox host the launcher configured.
import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'sandbox-explorer.sandbox-explorer';

describe('smoke: a real extension host', () => {
  it('is a real editor, not a mock', () => {
    console.log(`      VS Code ${vscode.version} (${vscode.env.appName}), extension host Node ${process.version}`);
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    assert.ok(vscode.env.appName.length > 0);
    assert.strictEqual(typeof process.versions.node, 'string');
  });

  it('loads and activates Sandbox Explorer', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    // Contributed commands activate the extension (implicit onCommand activation).
    await vscode.commands.executeCommand('sandboxExplorer.hosts.refresh');
    assert.ok(extension.isActive, 'the extension did not activate');
  });

  it('contributes the Hosts view and registers its commands', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const views: Array<{ id: string }> = manifest.contributes.views.sandboxExplorer;
    assert.ok(views.some((v) => v.id === 'sandboxExplorer.hosts'), 'sandboxExplorer.hosts is not contributed');
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['sandboxExplorer.hosts.refresh', 'sandboxExplorer.hosts.openSettings', 'sandboxExplorer.log.show']) {
      assert.ok(commands.includes(id), `${id} is not registered`);
    }
  });

  it('sees the local sandbox host the launcher configured', function () {
    // The launchers start a sandbox sshd; a plain F5 run of this suite has none.
    if (process.env.SBX_SANDBOX_HOST !== 'local-sandbox') this.skip();
    const hosts = vscode.workspace.getConfiguration('sandboxExplorer').get<Array<{ name: string; port?: number }>>('hosts', []);
    const sandbox = hosts.find((h) => h.name === 'local-sandbox');
    assert.ok(sandbox, `sandboxExplorer.hosts has no local-sandbox: ${JSON.stringify(hosts)}`);
    assert.ok(sandbox.port && sandbox.port > 0);
  });
});
