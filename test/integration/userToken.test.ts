// A gateway token in the SSH user name (`<sandboxId>#<token>`) never reaches the log, the
// Hosts tree or an error message: scripted connects through the real extension against an
// in-process ssh2 server that takes `sbx-1#tok123` with a public key.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { hostFromSettings } from '../../src/common/hostEntry';
import { HostsTreeProvider } from '../../src/hosts/hostsTreeProvider';
import { FakeServer, startFakeServer } from '../support/ssh2Server';
import { generateKey, KeyPair, makeTempDir } from '../support/sshd';

const TOKEN = 'tok123';
type HostSetting = Record<string, unknown> & { name: string };

function hostsSetting(): HostSetting[] {
  return vscode.workspace.getConfiguration('sandboxExplorer').inspect<HostSetting[]>('hosts')?.globalValue ?? [];
}

async function setHosts(hosts: HostSetting[]): Promise<void> {
  await vscode.workspace.getConfiguration('sandboxExplorer').update('hosts', hosts, vscode.ConfigurationTarget.Global);
}

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}

/** The extension's log file; the editor writes it asynchronously, so wait until it holds `expected`. */
async function logText(expected: string[], timeoutMs = 15_000): Promise<string> {
  const logs = path.join(process.env.SBX_USER_DATA_DIR!, 'logs');
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
  throw new Error(`the Sandbox Explorer log under ${logs} never showed ${JSON.stringify(expected)}:\n${text.slice(-2000)}`);
}

describe('a token in the SSH user name', function () {
  this.timeout(60_000);
  let dir: string;
  let key: KeyPair;
  let server: FakeServer;
  const logins: string[] = [];
  let before_: HostSetting[];
  /** The real error of the refused host: what the editor shows, and the pool keeps as the host's state reason. */
  let refusal: Promise<Error | undefined> | undefined;
  const refused = () =>
    (refusal ??= Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.from({ scheme: 'sbx', authority: 'token-refused', path: '/' }))).then(
      () => undefined,
      (e: Error) => e,
    ));

  before(async function () {
    if (!process.env.SBX_USER_DATA_DIR) this.skip();
    before_ = hostsSetting();
    dir = makeTempDir('sbx-token-');
    key = generateKey(path.join(dir, 'id_ed25519'));
    server = await startFakeServer({
      authenticate: (ctx) => {
        if (ctx.method === 'publickey' && ctx.username === `sbx-1#${TOKEN}`) {
          if (ctx.signature) logins.push(ctx.username);
          return ctx.accept();
        }
        ctx.reject(['publickey']);
      },
    });
    const knownHostsFile = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHostsFile, `[127.0.0.1]:${server.port} ${server.hostKey.publicKey}\n`);
    const host = (name: string, user: string): HostSetting => ({ name, host: '127.0.0.1', port: server.port, user, identityFile: key.privatePath, knownHostsFile });
    await setHosts([...before_, host('token-box', `sbx-1#${TOKEN}`), host('token-refused', `sbx-2#${TOKEN}`)]);
  });

  after(async () => {
    if (!before_) return;
    await vscode.commands.executeCommand('sandboxExplorer.hosts.disconnect', 'token-box');
    await setHosts(before_);
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('connects with it, and neither the log nor an authentication error shows it', async () => {
    await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', 'token-box');
    assert.deepStrictEqual(logins, [`sbx-1#${TOKEN}`], 'the server got the whole user name');

    // A forced authentication failure: the error the editor shows.
    const failure = await refused();
    assert.ok(failure, 'token-refused must not connect');
    assert.match(failure.message, new RegExp(`The server refused the login as sbx-2#…@127\\.0\\.0\\.1:${server.port}\\.`));
    assert.doesNotMatch(failure.message, new RegExp(TOKEN));
    // The Connect command's error notification carries the same message.
    await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', 'token-refused');

    const log = await logText([`connecting to sbx-1#…@127.0.0.1:${server.port}`, `connecting to sbx-2#…@127.0.0.1:${server.port}`, 'Host "token-box": its user setting (sbx-1#…)']);
    const leaks = log.split('\n').filter((l) => l.includes(TOKEN));
    assert.deepStrictEqual(leaks, [], 'the token is nowhere in the log');
    // Nor in any other log the editor wrote (extension host, renderer, server).
    const anyLog = files(path.join(process.env.SBX_USER_DATA_DIR!, 'logs')).filter((f) => fs.readFileSync(f, 'utf8').includes(TOKEN));
    assert.deepStrictEqual(anyLog, []);
  });

  it('the Hosts tree shows it masked in the description and tooltip', async () => {
    const entry = hostFromSettings(hostsSetting().find((h) => h.name === 'token-box'))!;
    const reason = (await refused())?.message;
    assert.ok(reason, 'token-refused must not connect');
    const changed = new vscode.EventEmitter<void>();
    const stateChanged = new vscode.EventEmitter<string>();
    // Where the entry points, as written (the registry resolves it through ssh config first).
    const target = async (h: typeof entry) => ({ user: h.user, hostname: h.hostname ?? h.name, port: h.port });
    const tree = new HostsTreeProvider(
      { onDidChange: changed.event, hosts: async () => [entry], state: () => ({ state: 'disconnected' }), target, onDidChangeState: stateChanged.event },
      async () => vscode.Uri.parse('sbx://token-box/'),
    );
    const failedTree = new HostsTreeProvider(
      { onDidChange: changed.event, hosts: async () => [entry], state: () => ({ state: 'failed', reason }), target, onDidChangeState: stateChanged.event },
      async () => vscode.Uri.parse('sbx://token-box/'),
    );
    try {
      const item = await tree.getTreeItem({ kind: 'host', host: entry });
      assert.strictEqual(item.description, `sbx-1#…@127.0.0.1:${server.port}`);
      const tooltip = (item.tooltip as vscode.MarkdownString).value;
      assert.match(tooltip, /sbx-1#…@127\.0\.0\.1/);
      const failed = await failedTree.getTreeItem({ kind: 'host', host: entry });
      for (const text of [String(item.description), tooltip, String(failed.description), (failed.tooltip as vscode.MarkdownString).value]) {
        assert.ok(!text.includes(TOKEN), text);
      }
    } finally {
      tree.dispose();
      failedTree.dispose();
      changed.dispose();
      stateChanged.dispose();
    }
  });
});
