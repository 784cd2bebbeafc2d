// Every contributed command, invoked with the arguments its menus pass: view/title passes the
// focused tree node or null, view/item/context the node, explorer/context (clickedUri,
// selectedUris[]), the palette nothing (the active editor is the selection). Entries that
// open a new window (Open Remote Folder…, Add to Workspace) are clicked in test/e2e instead.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { extensionLogText, extensionLogUnavailable, waitForLogLine } from './extensionLog';
import { addTestHost, rejectsWith, removeTestHosts, TestHost } from './fsHosts';

const EXTENSION_ID = 'sandbox-explorer.sandbox-explorer';
type HostSetting = { name: string; host?: string; port?: number; user?: string; enabled?: boolean };
const hostsSetting = () => vscode.workspace.getConfiguration('sandboxExplorer').inspect<HostSetting[]>('hosts')?.globalValue ?? [];

/** Tree nodes as the Hosts view hands them to commands (src/hosts/hostsTreeProvider.ts). */
const hostNode = (name: string, extra: Record<string, unknown> = {}) => ({ kind: 'host', host: { name, source: 'settings', enabled: true, ...extra } });
const entryNode = (uri: vscode.Uri, type: vscode.FileType) => ({ kind: 'entry', uri, type });

/**
 * Runs a command that asks something, then dismisses whatever quick input it shows until the
 * command ends. No event says "the input box is shown", so the dismissal is repeated.
 */
async function runDismissingPrompts(run: () => Thenable<unknown>): Promise<unknown> {
  let settled = false;
  const result = Promise.resolve(run()).finally(() => (settled = true));
  for (let i = 0; i < 200 && !settled; i++) {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await new Promise((r) => setTimeout(r, 50));
  }
  return result;
}

describe('commands as their menus invoke them', function () {
  this.timeout(60000);
  let host: TestHost;

  before(async () => {
    host = await addTestHost('menu-box');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const config = vscode.workspace.getConfiguration('sandboxExplorer');
    await config.update('hosts', hostsSetting().filter((h) => !['added-from-node'].includes(h.name)), vscode.ConfigurationTarget.Global);
    await removeTestHosts();
  });

  it('registers every contributed command, and every menu entry names one', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    // Run alone (SBX_TEST_GREP), nothing has activated the extension yet.
    await extension.activate();
    const manifest = extension.packageJSON;
    const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepStrictEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed but not registered');
    const menus: Record<string, Array<{ command: string }>> = manifest.contributes.menus;
    for (const [menu, entries] of Object.entries(menus)) {
      for (const e of entries) assert.ok(contributed.includes(e.command), `${menu} names ${e.command}, which is not contributed`);
    }
    assert.ok(!menus['explorer/context'].some((e) => e.command === 'sandboxExplorer.fs.copyRemotePath'), 'the Explorer has its own Copy Path');
  });

  it('Add Host from the view title (+) with a focused row, or none, asks instead of failing', async () => {
    // view/title passes the focused tree element, or null when nothing has focus.
    assert.strictEqual(await runDismissingPrompts(() => vscode.commands.executeCommand('sandboxExplorer.hosts.add', hostNode(host.name))), undefined);
    assert.strictEqual(await runDismissingPrompts(() => vscode.commands.executeCommand('sandboxExplorer.hosts.add', null)), undefined);
    assert.ok(!hostsSetting().some((h) => h.name === 'added-from-node'), 'nothing was added');
  });

  it('Add Host given a destination string adds without asking; a bad one fails with its reason', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.add', 'ssh agent@[::1] -p 2299 -i ~/.ssh/id_test', 'added-from-node');
    assert.deepStrictEqual(
      hostsSetting().find((h) => h.name === 'added-from-node'),
      { name: 'added-from-node', host: '::1', port: 2299, user: 'agent', identityFile: '~/.ssh/id_test' },
    );
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('sandboxExplorer.hosts.add', 'box:70000', 'x')), /Port 70000 is out of range/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('sandboxExplorer.hosts.add', 'box', 'Has Space')), /cannot contain spaces/);
  });

  it('Enable Host and Disable Host take the host node of the row', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.disable', hostNode('added-from-node'));
    assert.strictEqual(hostsSetting().find((h) => h.name === 'added-from-node')?.enabled, false);
    await vscode.commands.executeCommand('sandboxExplorer.hosts.enable', hostNode('added-from-node', { enabled: false }));
    assert.strictEqual(hostsSetting().find((h) => h.name === 'added-from-node')?.enabled, true);
  });

  it('Connect and Disconnect take the host node; Refresh takes null (view title)', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', hostNode(host.name));
    const stat = await vscode.workspace.fs.stat(host.uri(host.sshd.root));
    assert.strictEqual(stat.type, vscode.FileType.Directory);
    await vscode.commands.executeCommand('sandboxExplorer.hosts.disconnect', hostNode(host.name));
    await vscode.commands.executeCommand('sandboxExplorer.hosts.refresh', null);
    await vscode.commands.executeCommand('sandboxExplorer.hosts.refresh');
    // Disconnect holds the host down until Connect, Refresh included; later tests need it back.
    await rejectsWith(vscode.workspace.fs.stat(host.uri(host.sshd.root)), 'Unavailable');
    await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', hostNode(host.name));
    assert.strictEqual((await vscode.workspace.fs.stat(host.uri(host.sshd.root))).type, vscode.FileType.Directory);
  });

  it('Copy as host:path from the Explorer copies every selected resource, space-separated', async () => {
    const a = host.uri('/srv/app/main.py');
    const b = host.uri('/srv/app/my notes.txt');
    await vscode.commands.executeCommand('sandboxExplorer.fs.copyScpPath', a, [a, b]);
    const at = `${host.sshd.user}@${host.sshd.host}`;
    assert.strictEqual(await vscode.env.clipboard.readText(), `${at}:/srv/app/main.py '${at}:/srv/app/my notes.txt'`);
    // A right-click outside the selection: the editor passes the clicked resource alone.
    await vscode.commands.executeCommand('sandboxExplorer.fs.copyScpPath', b, [b]);
    assert.strictEqual(await vscode.env.clipboard.readText(), `'${at}:/srv/app/my notes.txt'`);
  });

  it('Copy as host:path and Copy Remote Path take a Hosts view file or folder node', async () => {
    const folder = host.uri('/srv/app');
    await vscode.commands.executeCommand('sandboxExplorer.fs.copyScpPath', entryNode(folder, vscode.FileType.Directory));
    assert.strictEqual(await vscode.env.clipboard.readText(), `${host.sshd.user}@${host.sshd.host}:/srv/app`);
    await vscode.commands.executeCommand('sandboxExplorer.fs.copyRemotePath', entryNode(folder, vscode.FileType.Directory));
    assert.strictEqual(await vscode.env.clipboard.readText(), '/srv/app');
  });

  it('from the palette, copy commands and Host Actions act on the active sbx:// editor', async () => {
    const dir = host.folder('palette');
    fs.writeFileSync(`${dir}/note.txt`, 'hello\n');
    const uri = host.uri(`${dir}/note.txt`);
    await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('sandboxExplorer.fs.copyScpPath');
    assert.strictEqual(await vscode.env.clipboard.readText(), `${host.sshd.user}@${host.sshd.host}:${dir}/note.txt`);
    await vscode.commands.executeCommand('sandboxExplorer.fs.copyRemotePath');
    assert.strictEqual(await vscode.env.clipboard.readText(), `${dir}/note.txt`);
    // Host Actions from the palette (no argument) and from the status bar (the host name).
    assert.strictEqual(await runDismissingPrompts(() => vscode.commands.executeCommand('sandboxExplorer.hosts.showActions')), undefined);
    assert.strictEqual(await runDismissingPrompts(() => vscode.commands.executeCommand('sandboxExplorer.hosts.showActions', host.name)), undefined);
  });

  it('Open Host Settings opens the settings file that holds the hosts, at sandboxExplorer.hosts', async () => {
    const opened = new Promise<vscode.TextEditor>((resolve) => {
      const sub = vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && /settings\.json$/.test(e.document.uri.path)) {
          sub.dispose();
          resolve(e);
        }
      });
    });
    await vscode.commands.executeCommand('sandboxExplorer.hosts.openSettings');
    const editor = await opened;
    assert.ok(editor, 'no editor opened');
    assert.match(editor.document.uri.path, /settings\.json$/);
    const line = editor.document.lineAt(editor.selection.active.line).text;
    assert.match(line, /"sandboxExplorer\.hosts"/, `the cursor is on ${JSON.stringify(line)}`);
    assert.ok(editor.document.getText().includes('"menu-box"'), 'the opened file is the one holding the hosts');
  });

  it('Show Log, Forget Saved Passwords and Forget All run from the palette without arguments', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.log.show');
    assert.strictEqual(await runDismissingPrompts(() => vscode.commands.executeCommand('sandboxExplorer.secrets.forget')), undefined);
    assert.strictEqual(await runDismissingPrompts(() => vscode.commands.executeCommand('sandboxExplorer.secrets.forgetAll')), undefined);
  });

  it('every command reports a failure one way: it resolves, and the log names the command, the host and why', async function () {
    if (extensionLogUnavailable()) this.skip();
    const from = extensionLogText().length;
    const missing = host.uri(`${host.folder('failures')}/no-such-file.txt`);
    const localTarget = vscode.Uri.file(`${host.folder('failures-local')}/out.txt`);
    // As the Explorer passes it (clicked, selection), plus the dialog answer tests pass third.
    assert.strictEqual(await vscode.commands.executeCommand('sandboxExplorer.fs.download', missing, [missing], { localTarget }), undefined);
    const line = await waitForLogLine(/Download failed on menu-box: /, { from });
    assert.match(line, /no-such-file\.txt/);
  });

  it('only real Hosts view nodes count as nodes: a look-alike object is no resource', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.env.clipboard.writeText('unchanged');
    await vscode.commands.executeCommand('sandboxExplorer.fs.copyRemotePath', { kind: 'entry', uri: '/etc/passwd', type: vscode.FileType.File });
    assert.strictEqual(await vscode.env.clipboard.readText(), 'unchanged');
  });
});
