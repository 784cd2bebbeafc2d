// The Ports feature in the real editor: every Ports command invoked with what its menus pass
// (view/title nothing, the host's context menu its node, a Ports view row its node, a forward
// row under a host in the Hosts view its child node). The sandbox's sshd runs in its own
// network namespace, so its loopback web server is reachable only through the forward.
import * as assert from 'assert';
import * as http from 'http';
import * as vscode from 'vscode';
import { createNetns, netnsAvailable, Netns } from '../support/netns';
import { opensOnWorkbenchOrigin } from '../../src/forwarding/workbenchOrigin';
import { RemoteServer, startRemoteServer } from '../unit/forwarding/remoteServers';
import { addTestHost, removeTestHosts, TestHost } from './fsHosts';

const EXTENSION_ID = 'sandbox-explorer.sandbox-explorer';
const CONNECTION_SETTINGS: [string, number][] = [
  ['keepaliveIntervalSeconds', 1],
  ['keepaliveCountMax', 2],
  ['connectTimeoutSeconds', 3],
];
const hostNode = (name: string) => ({ kind: 'host', host: { name, source: 'settings', enabled: true } });

interface PortsApi {
  readonly portsView: vscode.TreeDataProvider<unknown> & { children(host: string): readonly { kind: 'child'; id: string; contextValue: string; label: string }[]; onDidChange: vscode.Event<string | undefined> };
}
type Row = { id: number; state: string; origin: string; traffic?: { opened: number; active: number }; localPort?: number; localAddress?: string; reason?: string; spec: { target?: { port?: number } } };
type PortsNode = { view: 'ports'; kind: 'forward' | 'detected'; host: string; port?: number; row?: Row };

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function runDismissingPrompts(run: () => Thenable<unknown>): Promise<unknown> {
  let settled = false;
  const result = Promise.resolve(run()).finally(() => (settled = true));
  for (let i = 0; i < 200 && !settled; i++) {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await new Promise((r) => setTimeout(r, 50));
  }
  return result;
}

/** Runs `run`, answering the quick pick it shows with its second item ("Open Anyway"). */
async function runPickingSecond(run: () => Thenable<unknown>): Promise<unknown> {
  let settled = false;
  const result = Promise.resolve(run()).finally(() => (settled = true));
  for (let i = 0; i < 200 && !settled; i++) {
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await new Promise((r) => setTimeout(r, 50));
  }
  return result;
}

describe('ports', function () {
  this.timeout(60000);
  const noNetns = netnsAvailable();
  let ns: Netns | undefined;
  let host: TestHost;
  let web: RemoteServer;
  let api: PortsApi;
  const servers: RemoteServer[] = [];
  const config = () => vscode.workspace.getConfiguration('sandboxExplorer');

  before(async function () {
    // Without a namespace the sandbox's loopback is ours: the same local port would be taken.
    if (noNetns) return this.skip();
    await config().update('ports.autoForward', 'off', vscode.ConfigurationTarget.Global);
    await config().update('ports.detectionIntervalSeconds', 1, vscode.ConfigurationTarget.Global);
    // A partition is noticed within 3 s, and a connect attempt into it gives up after 3 s.
    for (const [key, value] of CONNECTION_SETTINGS) await config().update(key, value, vscode.ConfigurationTarget.Global);
    ns = createNetns();
    host = await addTestHost('ports-box', { netns: ns.name, listenAddress: ns.address });
    web = await startRemoteServer(host.sshd.dir, 'http', { netns: ns.name, host: '127.0.0.1' });
    servers.push(web);
    api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as PortsApi;
  });
  after(async () => {
    if (noNetns) return;
    for (const n of (await rows()).filter((r) => r.kind === 'forward')) await vscode.commands.executeCommand('sandboxExplorer.ports.stop', n);
    await Promise.all(servers.map((s) => s.stop()));
    await removeTestHosts();
    ns?.destroy();
    await config().update('ports.autoForward', undefined, vscode.ConfigurationTarget.Global);
    await config().update('ports.detectionIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    for (const [key] of CONNECTION_SETTINGS) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  const rows = async () => ((await api.portsView.getChildren()) ?? []) as PortsNode[];

  /** The view's rows once `test` holds for them (re-checked on each change the view announces). */
  async function rowsWhen(test: (rows: PortsNode[]) => boolean): Promise<PortsNode[]> {
    const now = await rows();
    if (test(now)) return now;
    return new Promise((resolve) => {
      const sub = api.portsView.onDidChangeTreeData!(async () => {
        const next = await rows();
        if (!test(next)) return;
        sub.dispose();
        resolve(next);
      });
    });
  }

  it('Forward a Port… from the host menu: 3000-like input reaches the sandbox loopback server; the row is in the Ports view and under the host', async () => {
    const row = (await vscode.commands.executeCommand('sandboxExplorer.ports.forward', hostNode(host.name), String(web.port))) as Row;
    assert.strictEqual(row.state, 'active', row.reason);
    assert.strictEqual(row.localPort, web.port, 'same port on both sides');
    assert.strictEqual(row.localAddress, `127.0.0.1:${web.port}`);
    assert.deepStrictEqual(await get(`http://127.0.0.1:${web.port}/via-forward`), { status: 200, body: 'hello from the sandbox /via-forward' });

    const [node] = await rowsWhen((r) => r.some((n) => n.kind === 'forward' && n.row?.id === row.id));
    const item = await api.portsView.getTreeItem(node);
    assert.strictEqual(item.contextValue, 'forward.local.active.http');
    assert.match(String(item.description), /ports-box · local · active/);
    const child = api.portsView.children(host.name).find((c) => c.id === String(row.id));
    assert.ok(child && child.contextValue === 'forward.local.active.http', JSON.stringify(api.portsView.children(host.name)));
  });

  it('the view title action (no argument) takes the one connected host and asks for the port; dismissed, nothing happens', async () => {
    const before = (await rows()).length;
    assert.strictEqual(await runDismissingPrompts(() => vscode.commands.executeCommand('sandboxExplorer.ports.forward')), undefined);
    assert.strictEqual((await rows()).length, before);
  });

  it('row actions with the nodes the menus pass: Copy Local Address, Open in Browser, Restart, Stop', async () => {
    const node = (await rows()).find((n) => n.kind === 'forward' && n.row?.localPort === web.port)!;
    const address = await vscode.commands.executeCommand('sandboxExplorer.ports.copyAddress', node);
    assert.strictEqual(address, `127.0.0.1:${web.port}`);
    assert.strictEqual(await vscode.env.clipboard.readText(), `127.0.0.1:${web.port}`);

    // code-server maps localhost to its own /proxy/<port>/: the sandbox's page would run as the
    // editor, so the user is asked first; dismissed, nothing opens. Asked once per forward.
    const asked = vscode.Uri.parse(`http://localhost:${web.port}/`);
    const mapped = await vscode.env.asExternalUri(asked);
    const workbench = await vscode.env.asExternalUri(vscode.Uri.parse(`${vscode.env.uriScheme}://sandbox-explorer/ports`));
    const onWorkbench = opensOnWorkbenchOrigin(asked, mapped, workbench);
    if (onWorkbench) assert.strictEqual(await runDismissingPrompts(() => vscode.commands.executeCommand('sandboxExplorer.ports.openBrowser', node)), undefined, 'dismissed: not opened');
    const opened = (await runPickingSecond(() => vscode.commands.executeCommand('sandboxExplorer.ports.openBrowser', node))) as string;
    assert.ok(opened, `opened a URI (${mapped.toString(true)} on the workbench origin: ${onWorkbench})`);
    // The editor may map localhost to a URL of its own (code-server's /proxy/<port>/): that URL must reach the sandbox.
    assert.strictEqual((await get(opened)).body, 'hello from the sandbox /');

    // Traffic changes the Ports view's numbers, but not the host's rows in the Hosts view (a
    // refresh of a host's node would list its remote folder again).
    const hostRefreshes: (string | undefined)[] = [];
    const sub = api.portsView.onDidChange((h) => hostRefreshes.push(h));
    try {
      const opened = node.row!.traffic?.opened ?? 0;
      await get(`http://127.0.0.1:${web.port}/one`);
      await get(`http://127.0.0.1:${web.port}/two`);
      await rowsWhen((r) => (r.find((n) => n.row?.id === node.row!.id)?.row?.traffic?.opened ?? 0) >= opened + 2 && r.find((n) => n.row?.id === node.row!.id)?.row?.traffic?.active === 0);
      assert.deepStrictEqual(hostRefreshes, []);
    } finally {
      sub.dispose();
    }

    // The Hosts view's child row for the same forward.
    const child = api.portsView.children(host.name).find((c) => c.id === String(node.row!.id))!;
    assert.strictEqual(await vscode.commands.executeCommand('sandboxExplorer.ports.copyAddress', child), `127.0.0.1:${web.port}`);
    assert.strictEqual((await get((await vscode.commands.executeCommand('sandboxExplorer.ports.openBrowser', child)) as string)).body, 'hello from the sandbox /');
    const restarted = (await vscode.commands.executeCommand('sandboxExplorer.ports.restart', child)) as Row;
    assert.strictEqual(restarted.state, 'active');
    assert.strictEqual((await get(`http://127.0.0.1:${web.port}/again`)).body, 'hello from the sandbox /again');
    await vscode.commands.executeCommand('sandboxExplorer.ports.stop', child);
    await rowsWhen((r) => !r.some((n) => n.kind === 'forward' && n.row?.id === node.row!.id));
    await assert.rejects(get(`http://127.0.0.1:${web.port}/`), /ECONNREFUSED/);
  });

  it('a listener started in the sandbox shows as detected; Forward on its row forwards it', async () => {
    // A forward keeps the host watched: detection runs while the host has forwards.
    const keep = (await vscode.commands.executeCommand('sandboxExplorer.ports.forward', hostNode(host.name), `0:localhost:${web.port}`)) as Row;
    assert.strictEqual(keep.state, 'active', keep.reason);
    const other = await startRemoteServer(host.sshd.dir, 'http', { netns: ns!.name, host: '127.0.0.1' });
    servers.push(other);
    const seen = await rowsWhen((r) => r.some((n) => n.kind === 'detected' && n.port === other.port));
    const detected = seen.find((n) => n.kind === 'detected' && n.port === other.port)!;
    assert.strictEqual((await api.portsView.getTreeItem(detected)).contextValue, 'detectedPort');
    const row = (await vscode.commands.executeCommand('sandboxExplorer.ports.forwardDetected', detected)) as Row;
    assert.strictEqual(row.state, 'active', row.reason);
    assert.strictEqual((await get(`http://127.0.0.1:${row.localPort}/detected`)).body, 'hello from the sandbox /detected');
    await rowsWhen((r) => !r.some((n) => n.kind === 'detected' && n.port === other.port));
  });

  it('with auto-forward on, a new listener is forwarded to the same local port, and un-forwarded when it stops', async () => {
    await config().update('ports.autoForward', 'notify', vscode.ConfigurationTarget.Global);
    try {
      const app = await startRemoteServer(host.sshd.dir, 'http', { netns: ns!.name, host: '127.0.0.1' });
      servers.push(app);
      const isAuto = (n: PortsNode) => n.kind === 'forward' && n.row?.origin === 'auto' && n.row.spec.target?.port === app.port;
      const seen = await rowsWhen((r) => r.some(isAuto));
      const row = seen.find(isAuto)!.row!;
      assert.strictEqual(row.localPort, app.port);
      assert.strictEqual((await get(`http://127.0.0.1:${app.port}/auto`)).body, 'hello from the sandbox /auto');
      await app.stop();
      await rowsWhen((r) => !r.some(isAuto));
    } finally {
      await config().update('ports.autoForward', 'off', vscode.ConfigurationTarget.Global);
    }
  });

  it('a network partition shows the forward reconnecting, then active again by itself, and it forwards again', async () => {
    const row = (await vscode.commands.executeCommand('sandboxExplorer.ports.forward', hostNode(host.name), `0:localhost:${web.port}`)) as Row;
    assert.strictEqual(row.state, 'active', row.reason);
    const stateOf = (r: PortsNode[]) => r.find((n) => n.kind === 'forward' && n.row?.id === row.id)?.row?.state;
    ns!.partition();
    try {
      await rowsWhen((r) => stateOf(r) === 'reconnecting');
      const item = await api.portsView.getTreeItem((await rows()).find((n) => n.row?.id === row.id)!);
      assert.match(String(item.description), /reconnecting/);
    } finally {
      ns!.heal();
    }
    await rowsWhen((r) => stateOf(r) === 'active');
    assert.strictEqual((await get(`http://127.0.0.1:${row.localPort}/healed`)).body, 'hello from the sandbox /healed');
  });

  it('a server that allows only local forwards: the R forward\'s row fails naming AllowTcpForwarding', async () => {
    const refusing = await addTestHost('ports-no-remote', { extraConfig: ['Match all', '  AllowTcpForwarding local'] });
    const row = (await vscode.commands.executeCommand('sandboxExplorer.ports.forward', hostNode(refusing.name), 'R 0:localhost:9')) as Row;
    assert.strictEqual(row.state, 'failed');
    assert.match(row.reason ?? '', /AllowTcpForwarding to "local" or "no"/);
    const node = (await rows()).find((n) => n.kind === 'forward' && n.host === refusing.name && n.row?.id === row.id)!;
    const item = await api.portsView.getTreeItem(node);
    assert.strictEqual(item.contextValue, 'forward.remote.failed');
    assert.match(String(item.description), /failed: .*AllowTcpForwarding/);
    await vscode.commands.executeCommand('sandboxExplorer.ports.stop', node);
  });

  it('bad input is refused with the parser\'s message, before anything starts', async () => {
    const before = (await rows()).length;
    // The input box shows the same message as its validation; a typed argument fails the same way.
    const failed = await vscode.commands.executeCommand('sandboxExplorer.ports.forward', hostNode(host.name), '8080:localhost');
    assert.strictEqual(failed, undefined);
    assert.strictEqual((await rows()).length, before);
  });
});
