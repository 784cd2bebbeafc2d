import * as assert from 'assert';
import * as net from 'net';
import { AutoForwarder, AutoForwardNotice, AutoForwardSettings } from '../../../src/forwarding/autoForward';
import { ForwardingHost } from '../../../src/forwarding/connectionPort';
import { HostForwards } from '../../../src/forwarding/forwardManager';
import { parseForwardSpec } from '../../../src/forwarding/forwardSpec';
import { PortAttributesMatcher } from '../../../src/forwarding/portAttributes';
import { DetectedPorts, PortDetector } from '../../../src/forwarding/portDetector';
import { acquireForwardingHost } from '../../../src/forwarding/sshConnectionPort';
import { ConnectionPool } from '../../../src/ssh/pool';
import { createNetns, netnsAvailable, Netns } from '../../support/netns';
import { startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { exchange, RemoteServer, startRemoteServer } from './remoteServers';

describe('auto-forwarding detected ports against real sshd', function () {
  this.timeout(60000);
  const noNetns = netnsAvailable();
  let ns: Netns | undefined;
  let server: Sshd;
  let pool: ConnectionPool;
  let host: ForwardingHost;
  const log = memoryLog();
  const cleanup: (() => unknown)[] = [];

  before(async function () {
    // Without a namespace the remote's ports are this machine's own: the same local port is always taken.
    if (noNetns) return this.skip();
    ns = createNetns();
    server = await startSshd({ netns: ns.name, listenAddress: ns.address });
    pool = testPool({ targets: { box: targetFor(server, { hostname: server.host }) }, hostKeys: [server.hostKey.publicKey], log });
    host = await acquireForwardingHost(pool, 'box');
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  after(async () => {
    host?.release();
    await pool?.dispose();
    await server?.stop();
    ns?.destroy();
  });

  async function setUp(settings: AutoForwardSettings, before?: (forwards: HostForwards) => Promise<unknown>) {
    const forwards = new HostForwards(host, log);
    await before?.(forwards);
    const detector = new PortDetector(host, log, { intervalMs: 150 });
    const notices: AutoForwardNotice[] = [];
    const auto = new AutoForwarder(detector, forwards, () => settings, (n) => notices.push(n), log);
    cleanup.push(() => forwards.dispose(), () => detector.dispose(), () => auto.dispose());
    const first = nextChange(detector, () => true);
    detector.start();
    await first;
    return { forwards, detector, notices, auto };
  }

  function nextChange(detector: PortDetector, test: (c: DetectedPorts) => boolean): Promise<DetectedPorts> {
    return new Promise((resolve) => {
      const sub = detector.onDidChange((c) => {
        if (test(c)) {
          sub.dispose();
          resolve(c);
        }
      });
    });
  }

  async function listen(): Promise<RemoteServer> {
    const s = await startRemoteServer(server.dir, 'echo', { netns: ns!.name, host: '127.0.0.1' });
    cleanup.push(() => s.stop());
    return s;
  }

  it('forwards new ports to the same local port with one notice, and un-forwards them when they go away', async () => {
    const { forwards, detector, notices, auto } = await setUp({ enabled: true, attributes: PortAttributesMatcher.fromSettings({}) });
    const [a, b] = await Promise.all([listen(), listen()]);
    if (!(detector.ports.includes(a.port) && detector.ports.includes(b.port))) await nextChange(detector, (c) => c.ports.includes(a.port) && c.ports.includes(b.port));
    await auto.settled();
    const ports = forwards.rows.map((r) => r.spec.kind === 'local' && r.spec.target.kind === 'tcp' && r.spec.target.port).sort();
    assert.deepStrictEqual(ports, [a.port, b.port].sort());
    assert.ok(forwards.rows.every((r) => r.origin === 'auto' && r.state === 'active' && r.localPort === a.port || r.localPort === b.port));
    // Both loopbacks (::1 only where the machine has one).
    assert.ok(forwards.rows.every((r) => [`127.0.0.1:${r.localPort}`, `127.0.0.1:${r.localPort}, [::1]:${r.localPort}`].includes(r.localAddress ?? '')), JSON.stringify(forwards.rows));
    assert.strictEqual((await exchange(a.port, 'same port')).toString(), 'same port');
    const forwardedNotices = notices.filter((n) => n.kind === 'forwarded');
    assert.ok(forwardedNotices.length <= 2 && forwardedNotices.flatMap((n) => (n.kind === 'forwarded' ? n.rows : [])).length === 2);
    assert.deepStrictEqual(auto.detected, []);

    const gone = nextChange(detector, (c) => c.removed.includes(a.port));
    await a.stop();
    await gone;
    await auto.settled();
    assert.deepStrictEqual(forwards.rows.map((r) => (r.spec as { target: { port: number } }).target.port), [b.port]);
  });

  it('does not forward again a port the user stopped, nor ports marked ignore, nor anything when off', async () => {
    let settings: AutoForwardSettings = { enabled: true, attributes: PortAttributesMatcher.fromSettings({}) };
    const { forwards, detector, auto } = await setUp({ get enabled() { return settings.enabled; }, get attributes() { return settings.attributes; } });
    const a = await listen();
    await nextChange(detector, (c) => c.added.includes(a.port));
    await auto.settled();
    const row = forwards.rows.find((r) => (r.spec as { target: { port: number } }).target.port === a.port)!;
    await forwards.stop(row.id); // the user's Stop
    // The listener restarts on the same port: detected again, not forwarded again.
    const gone = nextChange(detector, (c) => c.removed.includes(a.port));
    await a.stop();
    await gone;
    const again = await startRemoteServer(server.dir, 'echo', { netns: ns!.name, host: '127.0.0.1', port: a.port });
    cleanup.push(() => again.stop());
    await nextChange(detector, (c) => c.added.includes(a.port));
    await auto.settled();
    assert.strictEqual(forwards.rows.length, 0);
    assert.deepStrictEqual(auto.detected, [a.port]);

    const b = await listen();
    settings = { enabled: true, attributes: PortAttributesMatcher.fromSettings({ [String(b.port)]: { onAutoForward: 'ignore' } }) };
    await nextChange(detector, (c) => c.added.includes(b.port));
    await auto.settled();
    settings = { enabled: false, attributes: PortAttributesMatcher.fromSettings({}) };
    const c = await listen();
    await nextChange(detector, (ch) => ch.added.includes(c.port));
    await auto.settled();
    assert.strictEqual(forwards.rows.length, 0, 'ignored and auto-forward off: nothing forwarded');
  });

  it('takes another local port when the same is taken; stops at the limit and says so once', async () => {
    const a = await listen();
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(a.port, '127.0.0.1', r));
    cleanup.push(() => taken.close());
    const { forwards, detector, notices, auto } = await setUp({ enabled: true, attributes: PortAttributesMatcher.fromSettings({}), maxAuto: 2 });
    await auto.settled();
    const row = forwards.rows.find((r) => (r.spec as { target: { port: number } }).target.port === a.port)!;
    assert.ok(row, 'forwarded although its port was taken here');
    assert.notStrictEqual((row.spec.listen as { port: number }).port, a.port);
    const more = await Promise.all([listen(), listen(), listen()]);
    // The poll may have seen them before this line: look at the detector's ports first.
    if (!more.every((m) => detector.ports.includes(m.port))) await nextChange(detector, (c) => more.every((m) => c.ports.includes(m.port)));
    await auto.settled();
    assert.strictEqual(forwards.rows.filter((r) => r.origin === 'auto').length, 2);
    assert.strictEqual(notices.filter((n) => n.kind === 'limit').length, 1);
    const yetMore = await listen();
    if (!detector.ports.includes(yetMore.port)) await nextChange(detector, (c) => c.ports.includes(yetMore.port));
    await auto.settled();
    assert.strictEqual(notices.filter((n) => n.kind === 'limit').length, 1, 'said once');
  });

  it('never takes a local port another forward holds, even on another address; asks when the attributes require that port', async () => {
    const a = await listen();
    const b = await listen();
    let settings: AutoForwardSettings = { enabled: true, attributes: PortAttributesMatcher.fromSettings({ [String(b.port)]: { onAutoForward: 'ignore' } }) };
    // The user's forward holds a.port on ::1 only: 127.0.0.1:a.port would bind, and a browser's
    // localhost:<a.port> would then reach one forward or the other.
    const { forwards, detector, notices, auto } = await setUp({ get enabled() { return settings.enabled; }, get attributes() { return settings.attributes; }, get claimedLocalPorts() { return settings.claimedLocalPorts; } }, (f) =>
      f.add(parseForwardSpec(`[::1]:${a.port}:localhost:9`)),
    );
    await auto.settled();
    const autoRow = forwards.rows.find((r) => r.origin === 'auto' && (r.spec as { target: { port: number } }).target.port === a.port);
    assert.ok(autoRow && autoRow.state === 'active', JSON.stringify(forwards.rows));
    const localPort = (autoRow.spec.listen as { port: number }).port;
    assert.notStrictEqual(localPort, a.port, 'not the port of the user forward');
    assert.strictEqual(autoRow.localPort, localPort);
    assert.strictEqual((await exchange(localPort, 'moved')).toString(), 'moved');

    // Another host's forward wants c's port and c's attributes require the same local port: nothing is forwarded, the user is asked.
    const c = await listen();
    settings = { enabled: true, attributes: PortAttributesMatcher.fromSettings({ [String(c.port)]: { requireLocalPort: true, label: 'needs its port' } }), claimedLocalPorts: () => [c.port] };
    await nextChange(detector, (ch) => ch.ports.includes(c.port));
    await auto.settled();
    assert.ok(!forwards.rows.some((r) => (r.spec as { target: { port: number } }).target.port === c.port), JSON.stringify(forwards.rows));
    const asked = notices.find((n) => n.kind === 'unavailable');
    assert.ok(asked && asked.kind === 'unavailable', JSON.stringify(notices));
    assert.strictEqual(asked.port, c.port);
    assert.strictEqual(asked.label, 'needs its port');
    assert.ok(asked.suggestedPort !== undefined && asked.suggestedPort !== c.port);
  });

  it('counts a port taken on [::1] as taken, listens on both loopbacks, and leaves local service ports alone unless attributes ask', async function () {
    const a = await listen();
    const taken6 = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => taken6.once('error', reject).listen({ port: a.port, host: '::1', ipv6Only: true }, resolve));
    } catch {
      return this.skip(); // no IPv6 loopback here
    }
    cleanup.push(() => taken6.close());
    const pg = await startRemoteServer(server.dir, 'echo', { netns: ns!.name, host: '127.0.0.1', port: 5432 });
    cleanup.push(() => pg.stop());
    const { forwards, auto } = await setUp({ enabled: true, attributes: PortAttributesMatcher.fromSettings({}) });
    await auto.settled();
    const row = forwards.rows.find((r) => r.spec.kind === 'local' && r.spec.target.kind === 'tcp' && r.spec.target.port === a.port);
    assert.ok(row && row.state === 'active', JSON.stringify(forwards.rows));
    assert.notStrictEqual(row.localPort, a.port, 'a local server on [::1] holds that port');
    assert.match(row.localAddress ?? '', /127\.0\.0\.1:\d+, \[::1\]:\d+/);
    assert.ok(!forwards.rows.some((r) => r.spec.kind === 'local' && r.spec.target.kind === 'tcp' && r.spec.target.port === 5432), 'PostgreSQL port not taken unasked');
    await forwards.dispose();

    const asked = await setUp({ enabled: true, attributes: PortAttributesMatcher.fromSettings({ '5432': { onAutoForward: 'silent' } }) });
    await asked.auto.settled();
    assert.ok(asked.forwards.rows.some((r) => r.spec.kind === 'local' && r.spec.target.kind === 'tcp' && r.spec.target.port === 5432), JSON.stringify(asked.forwards.rows));
  });
});
