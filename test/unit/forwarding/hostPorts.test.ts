import * as assert from 'assert';
import { Emitter } from '../../../src/common/event';
import { HostLinkState } from '../../../src/forwarding/connectionPort';
import { ForwardMemory } from '../../../src/forwarding/forwardManager';
import { ForwardSpec, parseForwardSpec } from '../../../src/forwarding/forwardSpec';
import { PortsEntry, PortsService } from '../../../src/forwarding/hostPorts';
import { PortAttributesMatcher } from '../../../src/forwarding/portAttributes';
import { acquireForwardingHost } from '../../../src/forwarding/sshConnectionPort';
import { ConnectionPool } from '../../../src/ssh/pool';
import { createNetns, netnsAvailable, Netns } from '../../support/netns';
import { startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { exchange, RemoteServer, startRemoteServer } from './remoteServers';

function mapMemory(): ForwardMemory & { saved: Map<string, readonly string[]> } {
  const saved = new Map<string, readonly string[]>();
  return { saved, hosts: () => [...saved.keys()], load: (h) => saved.get(h) ?? [], save: (h, specs) => void saved.set(h, [...specs]) };
}

describe('ports of every host (PortsService) against real sshd', function () {
  this.timeout(60000);
  const noNetns = netnsAvailable();
  let ns: Netns | undefined;
  let server: Sshd;
  let echo: RemoteServer;
  const log = memoryLog();
  const cleanup: (() => unknown)[] = [];

  before(async () => {
    if (!noNetns) ns = createNetns();
    server = await startSshd({ netns: ns?.name, listenAddress: ns?.address });
    echo = await startRemoteServer(server.dir, 'echo', ns ? { netns: ns.name, host: '127.0.0.1' } : { host: '127.0.0.1' });
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  after(async () => {
    await echo?.stop();
    await server?.stop();
    ns?.destroy();
  });

  function newPool(idleTimeoutMs?: number): ConnectionPool {
    const pool = testPool({ targets: { box: targetFor(server, { hostname: server.host }) }, hostKeys: [server.hostKey.publicKey], log, ...(idleTimeoutMs !== undefined ? { settings: { idleTimeoutMs } } : {}) });
    cleanup.push(() => pool.dispose());
    return pool;
  }

  function service(pool: ConnectionPool, memory: ForwardMemory, config: readonly ForwardSpec[] = []): PortsService {
    const ports = new PortsService({
      acquire: (name) => acquireForwardingHost(pool, name),
      hostState: (name) => pool.state(name).state as HostLinkState,
      isHost: async (name) => name === 'box',
      onDidChangeHostState: (listener) => pool.onDidChangeState((c) => listener({ host: c.host, state: c.state as HostLinkState })),
      configForwards: async () => config,
      memory,
      settings: () => ({ autoForward: false, attributes: PortAttributesMatcher.fromSettings({}), allowNonLoopback: false, detectionIntervalMs: 200 }),
      notify: () => undefined,
      log,
    });
    cleanup.push(() => ports.dispose());
    return ports;
  }

  function entriesWhen(ports: PortsService, test: (e: PortsEntry[]) => boolean): Promise<PortsEntry[]> {
    return new Promise((resolve) => {
      const check = () => {
        const e = ports.entries('box');
        if (!test(e)) return;
        sub.dispose();
        resolve(e);
      };
      const sub = ports.onDidChange(check);
      check();
    });
  }

  it('remembers your forwards; after a window reload they start again with the ssh config forwards when the host connects', async () => {
    const memory = mapMemory();
    const first = service(newPool(), memory);
    const row = await first.forward('box', parseForwardSpec(`0:localhost:${echo.port}`));
    assert.strictEqual(row.state, 'active', row.reason);
    assert.deepStrictEqual(memory.saved.get('box'), [`127.0.0.1:0:localhost:${echo.port}`]);
    await first.dispose();
    assert.deepStrictEqual(memory.saved.get('box'), [`127.0.0.1:0:localhost:${echo.port}`], 'closing the window forgets nothing');

    // A new window: a new pool and service; nothing starts until the host connects.
    const pool = newPool();
    const second = service(pool, memory, [parseForwardSpec('D 0')]);
    assert.deepStrictEqual(second.entries(), []);
    const ref = await pool.acquire('box');
    cleanup.push(() => ref.release());
    const entries = await entriesWhen(second, (e) => e.filter((x) => x.kind === 'forward' && x.row.state === 'active').length === 2);
    const rows = entries.flatMap((e) => (e.kind === 'forward' ? [e.row] : []));
    assert.deepStrictEqual(rows.map((r) => `${r.origin} ${r.spec.kind}`).sort(), ['config dynamic', 'user local']);
    const local = rows.find((r) => r.spec.kind === 'local')!;
    assert.strictEqual((await exchange(local.localPort!, 'restored')).toString(), 'restored');
    // Config forwards are not remembered: the config says them again on each connect.
    assert.deepStrictEqual(memory.saved.get('box'), [`127.0.0.1:0:localhost:${echo.port}`]);

    // Stop forgets a forward of yours, and a host without forwards is let go.
    await second.stop('box', local.id);
    assert.deepStrictEqual(memory.saved.get('box'), []);
  });

  it('when a new forward is what connects the host, the remembered and ssh config forwards start too', async () => {
    const memory = mapMemory();
    memory.saved.set('box', [`127.0.0.1:0:localhost:${echo.port}`]);
    const ports = service(newPool(), memory, [parseForwardSpec('D 0')]);
    const row = await ports.forward('box', parseForwardSpec(`R 0:127.0.0.1:9`));
    assert.strictEqual(row.state, 'active', row.reason);
    const entries = await entriesWhen(ports, (e) => e.filter((x) => x.kind === 'forward' && x.row.state === 'active').length === 3);
    assert.deepStrictEqual(entries.flatMap((e) => (e.kind === 'forward' ? [`${e.row.origin} ${e.row.spec.kind}`] : [])).sort(), ['config dynamic', 'user local', 'user remote']);
  });

  it('lets go of a host whose last forward stopped, so its connection closes when idle', async () => {
    const pool = newPool(100);
    const ports = service(pool, mapMemory());
    const row = await ports.forward('box', parseForwardSpec(`0:localhost:${echo.port}`));
    assert.strictEqual(row.state, 'active', row.reason);
    assert.strictEqual(ports.entries('box').length, 1);
    const idleClosed = new Promise<void>((resolve) => {
      const sub = pool.onDidChangeState((c) => c.state === 'disconnected' && (sub.dispose(), resolve()));
    });
    await ports.stop('box', row.id);
    // Only closes if the service let go of its reference (the pool's only user).
    await idleClosed;
    assert.deepStrictEqual(ports.entries(), []);
  });

  it('never opens a host of its own for a jump hop the pool reports connected', async () => {
    const states = new Emitter<{ host: string; state: HostLinkState }>();
    const acquired: string[] = [];
    const ports = new PortsService({
      acquire: async (name) => {
        acquired.push(name);
        throw new Error('not in this test');
      },
      hostState: () => 'connected',
      isHost: async (name) => name === 'box',
      onDidChangeHostState: states.event,
      configForwards: async () => [],
      memory: mapMemory(),
      settings: () => ({ autoForward: false, attributes: PortAttributesMatcher.fromSettings({}), allowNonLoopback: false, detectionIntervalMs: 200 }),
      notify: () => undefined,
      log,
    });
    cleanup.push(() => ports.dispose());
    ports.setWatching(true, () => ['jump admin@bastion:22', 'box']);
    states.fire({ host: 'jump admin@bastion:22', state: 'connected' });
    states.fire({ host: 'box', state: 'connected' });
    // The lookups settle within microtasks (no I/O here): the next macrotask sees what they did.
    await new Promise((r) => setImmediate(r));
    assert.ok(!acquired.some((n) => n.startsWith('jump ')), JSON.stringify(acquired));
    assert.ok(acquired.includes('box'), JSON.stringify(acquired));
  });

  it('auto-forwarding keeps off local ports another host remembers or its ssh config forwards listen on, connected or not', async function () {
    // Without a namespace the remote's ports are this machine's own: the same local port is always taken.
    if (!ns) return this.skip();
    const [remembered, configured] = await Promise.all([0, 1].map(() => startRemoteServer(server.dir, 'echo', { netns: ns!.name, host: '127.0.0.1' })));
    cleanup.push(() => remembered.stop(), () => configured.stop());
    const memory = mapMemory();
    memory.saved.set('other', [`${remembered.port}:localhost:80`]);
    const pool = newPool();
    const ports = new PortsService({
      acquire: (name) => acquireForwardingHost(pool, name),
      hostState: (name) => pool.state(name).state as HostLinkState,
      isHost: async (name) => name === 'box',
      onDidChangeHostState: (listener) => pool.onDidChangeState((c) => listener({ host: c.host, state: c.state as HostLinkState })),
      configForwards: async () => [],
      configuredLocalPorts: async () => [configured.port],
      memory,
      settings: () => ({ autoForward: true, attributes: PortAttributesMatcher.fromSettings({}), allowNonLoopback: false, detectionIntervalMs: 200 }),
      notify: () => undefined,
      log,
    });
    cleanup.push(() => ports.dispose());
    ports.setWatching(true, () => ['box']);
    const forwardOf = (e: PortsEntry[], port: number) =>
      e.flatMap((x) => (x.kind === 'forward' && x.row.state === 'active' && x.row.spec.kind === 'local' && x.row.spec.target.kind === 'tcp' && x.row.spec.target.port === port ? [x.row] : []))[0];
    const entries = await entriesWhen(ports, (e) => !!forwardOf(e, remembered.port) && !!forwardOf(e, configured.port));
    assert.notStrictEqual(forwardOf(entries, remembered.port).localPort, remembered.port, 'the port host "other" remembers stays free');
    assert.notStrictEqual(forwardOf(entries, configured.port).localPort, configured.port, 'the port an ssh config LocalForward listens on stays free');
    assert.strictEqual((await exchange(forwardOf(entries, configured.port).localPort!, 'moved')).toString(), 'moved');
  });

  it('lets go of a host when the Ports view is hidden while its session for that host is still opening', async function () {
    this.timeout(20000);
    const pool = newPool(100);
    // Connected by something else (an open folder): no 'connected' event comes to tidy up later.
    const ref = await pool.acquire('box');
    const ports = service(pool, mapMemory());
    const opened = new Promise<void>((resolve) => {
      const sub = ports.onDidChange(() => (sub.dispose(), resolve()));
    });
    ports.setWatching(true, () => ['box']);
    ports.setWatching(false, () => []);
    await opened;
    const idleClosed = new Promise<void>((resolve) => {
      const sub = pool.onDidChangeState((c) => c.state === 'disconnected' && (sub.dispose(), resolve()));
    });
    ref.release();
    // Only closes (idle) if the service let go of the reference its watch took.
    await idleClosed;
    assert.deepStrictEqual(ports.entries(), []);
  });
});
