// Sandbox gateways in the real extension host: a local server implementing the platform's REST
// contract (test/support/gatewayServer.ts) and a real sshd whose users are named like sandbox
// ids (a copy of /etc/passwd bind-mounted in sshd's own mount namespace). Commands are invoked
// with what their menus pass: the Hosts view's gateway group node, the Keys view's gateway and
// platform key nodes, a host name (the "Enter New Token…" notification button).
//
// The user's typing is the one thing a test cannot do in the extension host: the API token
// input box is answered by replacing `window.showInputBox` for the suite (the extension and this
// suite share the extension's API object), which also counts how often the token is asked for.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { sandboxHostName } from '../../src/gateways/sandboxNames';
import { GatewayServer, startGatewayServer } from '../support/gatewayServer';
import { generateKey, makeTempDir, startSshd, Sshd } from '../support/sshd';

const SANDBOX = 'rs-abc123-default-x7k9m';
const ODD = 'odd.id#2';
const WRONG_PIN = 'pin.wrong';
const HOST = `${SANDBOX}.acme`;
const config = () => vscode.workspace.getConfiguration('sandboxExplorer');
const groupNode = { kind: 'group', name: 'acme', hosts: [], gateway: { name: 'acme' } };

/** Runs a command and accepts each quick pick it shows (the first item) until it ends. */
async function accepting(run: () => Thenable<unknown>): Promise<number> {
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
  await result;
  return accepted;
}

describe('sandbox gateways: resolve through the API, connect to sshd, keys on the platform', function () {
  this.timeout(90_000);
  let sshd: Sshd;
  let other: Sshd;
  let server: GatewayServer;
  let dir: string;
  const saved: Record<string, unknown> = {};
  const realInputBox = vscode.window.showInputBox;
  /** What the input boxes asked, and the answers they give (the token, a sandbox id), in order. */
  const asked: string[] = [];
  let answers: string[] = [];
  const sshDir = path.join(os.homedir(), '.ssh');
  const localKey = path.join(sshDir, '0gateway-test');
  const sandboxRequests = (id: string) => server.requests.filter((r) => r.method === 'GET' && decodeURIComponent(r.path) === `/api/v1/sandboxes/${id}`);
  const root = (host: string) => vscode.Uri.from({ scheme: 'sbx', authority: host, path: sshd.root });

  before(async function () {
    await vscode.extensions.getExtension('sandbox-explorer.sandbox-explorer')!.activate();
    dir = makeTempDir('sbx-gateway-');
    sshd = await startSshd({ loginNames: [SANDBOX, ODD, WRONG_PIN], sftpStartInRoot: true, debugLog: true });
    fs.writeFileSync(path.join(sshd.root, 'hello.txt'), 'hi from the sandbox\n');
    // Another server's key: what a sandbox pinned to the wrong key presents instead.
    other = await startSshd({});
    const pin = (key: string) => key.trim();
    server = await startGatewayServer({
      token: 'tok-good',
      sandboxes: {
        [SANDBOX]: { host: '127.0.0.1', port: sshd.port, username: SANDBOX, host_key: pin(sshd.hostKey.publicKey) },
        [ODD]: { host: '127.0.0.1', port: sshd.port, username: ODD, host_key: pin(sshd.hostKey.publicKey) },
        [WRONG_PIN]: { host: '127.0.0.1', port: sshd.port, username: WRONG_PIN, host_key: pin(other.hostKey.publicKey) },
      },
    });
    // The sandbox's login key, found through ssh config as the user's own would be: under the
    // sandboxes' own host names (a block for where the API places them must not apply).
    const sshConfig = path.join(dir, 'ssh_config');
    fs.writeFileSync(sshConfig, `Host *.acme\n  IdentityFile ${sshd.userKey.privatePath}\n  IdentitiesOnly yes\nHost 127.0.0.1\n  IdentityFile /nonexistent/api-chosen-key\n`);
    for (const key of ['gateways', 'sshConfigFile']) saved[key] = config().inspect(key)?.globalValue;
    await config().update('sshConfigFile', sshConfig, vscode.ConfigurationTarget.Global);
    await config().update('gateways', [{ name: 'acme', url: server.url, timeoutSeconds: 60 }], vscode.ConfigurationTarget.Global);
    (vscode.window as { showInputBox: typeof vscode.window.showInputBox }).showInputBox = async (options) => {
      asked.push(options?.title ?? '');
      return answers.shift();
    };
  });

  after(async () => {
    (vscode.window as { showInputBox: typeof vscode.window.showInputBox }).showInputBox = realInputBox;
    for (const host of [HOST, sandboxHostName('acme', ODD)]) await vscode.commands.executeCommand('sandboxExplorer.hosts.disconnect', host);
    for (const key of Object.keys(saved)) await config().update(key, saved[key], vscode.ConfigurationTarget.Global);
    await Promise.all([sshd?.stop(), other?.stop(), server?.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(localKey, { force: true });
    fs.rmSync(`${localKey}.pub`, { force: true });
  });

  it('Enter API Token… on the gateway group asks once; the sandboxes it lists connect and list their files', async () => {
    answers = ['tok-good'];
    await vscode.commands.executeCommand('sandboxExplorer.gateways.enterToken', groupNode);
    assert.deepStrictEqual(asked, ['Sandbox Explorer: API token for gateway acme']);
    await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', HOST);
    const names = (await vscode.workspace.fs.readDirectory(root(HOST))).map(([n]) => n);
    assert.ok(names.includes('hello.txt'), names.join(', '));
    const lookups = sandboxRequests(SANDBOX);
    assert.strictEqual(lookups.length, 1);
    assert.strictEqual(lookups[0].auth, 'Bearer tok-good');
    assert.ok(server.requests.some((r) => r.path === '/api/v1/sandboxes' && r.auth === 'Bearer tok-good'), 'the gateway was asked for its sandboxes');
    assert.match(sshd.log(), new RegExp(`Accepted publickey for ${SANDBOX} `));
    assert.strictEqual(asked.length, 1, 'the token was asked for once');
  });

  it('a rejected token is one request and a "token rejected" error offering a new token; Enter New Token… from it connects', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.disconnect', HOST);
    server.options = { ...server.options, token: 'tok-rotated' };
    const before = sandboxRequests(SANDBOX).length;
    await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', HOST);
    const failure = await Promise.resolve(vscode.workspace.fs.stat(root(HOST))).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(failure, 'must not connect with a rejected token');
    assert.match(failure.message, /^Token rejected: acme rejected the API token \(HTTP 401\)\. Enter a new API token for its gateway/);
    assert.ok(!failure.message.includes('tok-good'));
    assert.strictEqual(sandboxRequests(SANDBOX).length - before, 1, 'exactly one request: the refusal is kept, no retry storm');

    // The notification's "Enter New Token…" passes the host name.
    answers = ['tok-rotated'];
    await vscode.commands.executeCommand('sandboxExplorer.gateways.enterToken', HOST);
    assert.strictEqual(asked.length, 2);
    await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', HOST);
    assert.ok((await vscode.workspace.fs.stat(vscode.Uri.joinPath(root(HOST), 'hello.txt'))).size > 0);
    assert.strictEqual(sandboxRequests(SANDBOX).at(-1)?.auth, 'Bearer tok-rotated');
  });

  it('Add Sandbox… (gateway group) takes an id with ".", "-" and "#"; a slow resume still connects', async () => {
    // This platform does not list: sandboxes are added by hand.
    server.options = { ...server.options, listing: false, resumeDelayMs: 3000 };
    answers = [ODD];
    await vscode.commands.executeCommand('sandboxExplorer.gateways.addSandbox', groupNode);
    // '#' cannot be in a URI authority: the host name is derived, the id kept for the API and the user name.
    const host = sandboxHostName('acme', ODD);
    assert.match(host, /^odd-id-2_[0-9a-f]{12}\.acme$/);
    // Logged masked after '#' (an `id#apiKey` user name would hold a key there).
    await logText([`acme: added sandbox odd.id#… (host ${host})`]);
    const names = (await vscode.workspace.fs.readDirectory(root(host))).map(([n]) => n);
    assert.ok(names.includes('hello.txt'));
    assert.strictEqual(sandboxRequests(ODD).length, 1);
    assert.match(sshd.log(), /Accepted publickey for odd\.id#2 /);
    await vscode.commands.executeCommand('sandboxExplorer.hosts.disconnect', host);
    await vscode.commands.executeCommand('sandboxExplorer.gateways.removeSandbox', host);
    // Gone from the list: removing it again is refused (and logged).
    await vscode.commands.executeCommand('sandboxExplorer.gateways.removeSandbox', host);
    await logText([`Remove Sandbox failed: ${host} is not a sandbox added by hand`]);
    server.options = { ...server.options, listing: true, resumeDelayMs: undefined };
    // Refresh (Hosts view title) lists the gateways' sandboxes again.
    await vscode.commands.executeCommand('sandboxExplorer.hosts.refresh');
  });

  it('a gateway whose API never answers holds no other host: a sandbox of another gateway connects while its listing is still pending', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.disconnect', HOST);
    // An API that takes every request and answers none; a request the client gives up on closes.
    const held: http.ServerResponse[] = [];
    let givenUp = 0;
    const hung = http.createServer((_req, res) => {
      held.push(res);
      res.on('close', () => givenUp++);
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const hungUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
    try {
      // Listed first, so a registry that lists gateways one after another waits on it first.
      await config().update('gateways', [{ name: 'slow', url: hungUrl, timeoutSeconds: 60 }, { name: 'acme', url: server.url, timeoutSeconds: 60 }], vscode.ConfigurationTarget.Global);
      answers = ['tok-slow'];
      await vscode.commands.executeCommand('sandboxExplorer.gateways.enterToken', 'slow');
      // Connect from the Hosts view (its host node), then read a file.
      await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', { kind: 'host', host: { name: HOST, source: 'gateway', gateway: 'acme', sandboxId: SANDBOX, user: SANDBOX, group: 'acme', enabled: true } });
      assert.ok((await vscode.workspace.fs.stat(vscode.Uri.joinPath(root(HOST), 'hello.txt'))).size > 0);
      // The old registry waited for the slow listing until its 15 s deadline gave it up.
      assert.strictEqual(givenUp, 0, 'no request to the slow gateway was given up before the sandbox connected');
    } finally {
      await config().update('gateways', [{ name: 'acme', url: server.url, timeoutSeconds: 60 }], vscode.ConfigurationTarget.Global);
      held.forEach((res) => res.destroy());
      hung.closeAllConnections();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });

  it('a host key that is not the one the platform pins is refused before authentication', async () => {
    const host = sandboxHostName('acme', WRONG_PIN);
    const failure = await Promise.resolve(vscode.workspace.fs.stat(root(host))).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(failure, 'must not connect');
    assert.match(failure.message, /not the one its sandbox platform names/);
    assert.doesNotMatch(sshd.log(), new RegExp(`userauth-request for user ${WRONG_PIN.replace('.', '\\.')}`), 'no login was attempted');
  });

  it('Upload Key to Gateway… (Keys view gateway node) and Delete from Gateway (platform key node)', async () => {
    fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    const key = generateKey(localKey);
    // The key picker lists ~/.ssh sorted by name: ours ("0…") comes first.
    await accepting(() => vscode.commands.executeCommand('sandboxExplorer.gateways.uploadKey', { kind: 'gatewayKeys', gateway: 'acme' }));
    assert.strictEqual(server.keys.length, 1);
    assert.strictEqual(server.keys[0].name, '0gateway-test');
    assert.strictEqual(server.keys[0].public_key.split(' ').slice(0, 2).join(' '), key.publicKey.trim().split(' ').slice(0, 2).join(' '));
    const listed = server.requests.filter((r) => r.method === 'POST' && r.path === '/users/me/ssh-keys');
    assert.strictEqual(listed.length, 1);

    const node = { kind: 'platformKey', gateway: 'acme', key: { id: String(server.keys[0].id), name: '0gateway-test', publicKey: server.keys[0].public_key } };
    await accepting(() => vscode.commands.executeCommand('sandboxExplorer.gateways.deleteKey', node));
    assert.deepStrictEqual(server.keys, []);
    assert.ok(server.requests.some((r) => r.method === 'DELETE' && r.path === `/users/me/ssh-keys/${node.key.id}`));
  });

  it('Forget All Stored Secrets forgets the API token too: the next connect asks again', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.disconnect', HOST);
    const lookupsBefore = sandboxRequests(SANDBOX).length;
    const accepted = await accepting(() => vscode.commands.executeCommand('sandboxExplorer.secrets.forgetAll'));
    assert.ok(accepted >= 1, 'Forget All asked for confirmation');
    const asks = asked.length;
    // Without a token the gateway lists nothing: the sandbox is added by hand, then connecting asks for the token.
    answers = [SANDBOX, 'tok-rotated'];
    await vscode.commands.executeCommand('sandboxExplorer.gateways.addSandbox', groupNode);
    await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', HOST);
    const lookups = sandboxRequests(SANDBOX).slice(-1).map((r) => r.auth);
    assert.deepStrictEqual(asked.slice(asks), ['Add Sandbox to acme', 'Sandbox Explorer: API token for gateway acme'], `last lookup: ${lookups.join()} of ${sandboxRequests(SANDBOX).length}; ${lookupsBefore}`);
    assert.ok((await vscode.workspace.fs.stat(vscode.Uri.joinPath(root(HOST), 'hello.txt'))).size > 0);
  });
});

describe('sandbox gateways: answers that cannot be used', function () {
  this.timeout(60_000);
  let server: GatewayServer;
  let saved: unknown;
  const realInputBox = vscode.window.showInputBox;
  let answers: string[] = [];
  const config = () => vscode.workspace.getConfiguration('sandboxExplorer');
  const failureOf = (host: string) =>
    Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.from({ scheme: 'sbx', authority: host, path: '/' }))).then(
      () => undefined,
      (e: Error) => e,
    );

  before(async () => {
    server = await startGatewayServer({ token: 'tok-b', sandboxes: {}, listing: false });
    saved = config().inspect('gateways')?.globalValue;
    await config().update('gateways', [{ name: 'beta', url: server.url }], vscode.ConfigurationTarget.Global);
    (vscode.window as { showInputBox: typeof vscode.window.showInputBox }).showInputBox = async () => answers.shift();
    answers = ['tok-b', 'gone-1', 'garbled-1'];
    const group = { kind: 'group', name: 'beta', hosts: [], gateway: { name: 'beta' } };
    await vscode.commands.executeCommand('sandboxExplorer.gateways.enterToken', group);
    await vscode.commands.executeCommand('sandboxExplorer.gateways.addSandbox', group);
    await vscode.commands.executeCommand('sandboxExplorer.gateways.addSandbox', group);
  });

  after(async () => {
    (vscode.window as { showInputBox: typeof vscode.window.showInputBox }).showInputBox = realInputBox;
    await config().update('gateways', saved, vscode.ConfigurationTarget.Global);
    await server?.close();
  });

  it('an id the gateway does not know is "no such sandbox"; garbage is reported naming the gateway; neither is retried', async () => {
    const gone = await failureOf('gone-1.beta');
    assert.ok(gone);
    assert.match(gone.message, /beta: no such sandbox "gone-1"/i);
    // A sandbox it knows (200), answered with a body that is not JSON.
    server.options = { ...server.options, sandboxes: { 'garbled-1': { host: '127.0.0.1', port: 1, username: 'garbled-1' } }, rawBody: '<html>oops</html>' };
    const garbled = await failureOf('garbled-1.beta');
    assert.ok(garbled);
    assert.match(garbled.message, /beta answered with something that is not JSON \(sandbox garbled-1\)/i);
    const lookups = server.requests.filter((r) => r.path.startsWith('/api/v1/sandboxes/'));
    assert.deepStrictEqual(lookups.map((r) => r.path), ['/api/v1/sandboxes/gone-1', '/api/v1/sandboxes/garbled-1'], 'one request each');
  });
});

/** The extension's log file; the editor writes it asynchronously, so wait until it holds `expected`. */
async function logText(expected: string[], timeoutMs = 15_000): Promise<string> {
  const logs = path.join(process.env.SBX_USER_DATA_DIR ?? '', 'logs');
  const files = (d: string): string[] =>
    fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : e.isFile() ? [path.join(d, e.name)] : [])) : [];
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = files(logs)
      .filter((f) => path.basename(f).includes('Sandbox Explorer'))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    if (expected.every((e) => text.includes(e))) return text;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Sandbox Explorer log never showed ${JSON.stringify(expected)}:\n${text.slice(-2000)}`);
}
