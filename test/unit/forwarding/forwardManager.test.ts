import * as assert from 'assert';
import * as http from 'http';
import * as net from 'net';
import { ForwardingHost } from '../../../src/forwarding/connectionPort';
import { ForwardMemory, ForwardRow, HostForwards } from '../../../src/forwarding/forwardManager';
import { parseForwardSpec } from '../../../src/forwarding/forwardSpec';
import { acquireForwardingHost } from '../../../src/forwarding/sshConnectionPort';
import { exec } from '../../../src/ssh/exec';
import { ConnectionPool } from '../../../src/ssh/pool';
import { createNetns, netnsAvailable, Netns } from '../../support/netns';
import { startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { exchange, RemoteServer, startRemoteServer } from './remoteServers';

function mapMemory(): ForwardMemory & { saved: Map<string, readonly string[]> } {
  const saved = new Map<string, readonly string[]>();
  return { saved, load: (h) => saved.get(h) ?? [], save: (h, specs) => void saved.set(h, [...specs]) };
}

function until(forwards: HostForwards, id: number, test: (row: ForwardRow) => boolean): Promise<ForwardRow> {
  return new Promise((resolve) => {
    const check = () => {
      const row = forwards.row(id);
      if (row && test(row)) {
        sub.dispose();
        resolve(row);
      }
    };
    const sub = forwards.onDidChange(check);
    check();
  });
}

describe('forward manager against real sshd', function () {
  this.timeout(60000);
  const noNetns = netnsAvailable();
  let ns: Netns | undefined;
  let server: Sshd;
  let pool: ConnectionPool;
  let host: ForwardingHost;
  let echo: RemoteServer;
  let local: http.Server;
  let localPort: number;
  const log = memoryLog();
  const remote = () => (ns ? { netns: ns.name, host: '127.0.0.1' } : { host: '127.0.0.1' });

  before(async () => {
    if (!noNetns) ns = createNetns();
    // The server notices a dropped client within ~6 s and frees its remote-forward ports: later
    // than our side (~3 s), so a remote forward's first listen after the heal may be refused.
    server = await startSshd({ netns: ns?.name, listenAddress: ns?.address, extraConfig: ['ClientAliveInterval 2', 'ClientAliveCountMax 2'] });
    pool = testPool({
      targets: { box: targetFor(server, { hostname: server.host }) },
      hostKeys: [server.hostKey.publicKey],
      settings: { keepaliveIntervalMs: 1000, keepaliveCountMax: 2, connectTimeoutMs: 2000, reconnect: { initialDelayMs: 250, maxDelayMs: 1000, maxAttempts: 100 } },
      log,
    });
    host = await acquireForwardingHost(pool, 'box');
    echo = await startRemoteServer(server.dir, 'echo', remote());
    local = http.createServer((req, res) => res.end(`local ${req.url}`));
    await new Promise<void>((r) => local.listen(0, '127.0.0.1', r));
    localPort = (local.address() as net.AddressInfo).port;
  });
  after(async () => {
    host?.release();
    await pool?.dispose();
    await echo?.stop();
    local?.close();
    await server?.stop();
    ns?.destroy();
  });

  it('runs local, dynamic and remote forwards, remembers them and brings them back', async () => {
    const memory = mapMemory();
    const forwards = new HostForwards(host, log, memory);
    const l = await forwards.add(parseForwardSpec(`0:localhost:${echo.port}`));
    const d = await forwards.add(parseForwardSpec('D 0'));
    const r = await forwards.add(parseForwardSpec(`R 0:127.0.0.1:${localPort}`));
    assert.deepStrictEqual([l.state, d.state, r.state], ['active', 'active', 'active'], JSON.stringify([l, d, r].map((x) => x.reason)));
    assert.match(l.localAddress!, /^127\.0\.0\.1:\d+$/);
    assert.strictEqual(l.remoteAddress, `localhost:${echo.port}`);
    assert.strictEqual(d.remoteAddress, 'SOCKS5');
    assert.match(r.remoteAddress, /^localhost:\d+$/);
    assert.strictEqual(r.localAddress, `127.0.0.1:${localPort}`);
    const port = Number(l.localAddress!.split(':')[1]);
    assert.strictEqual((await exchange(port, 'ping')).toString(), 'ping');
    assert.strictEqual(forwards.row(l.id)!.traffic.opened, 1);
    assert.deepStrictEqual(memory.saved.get('box'), [`127.0.0.1:0:localhost:${echo.port}`, 'D 127.0.0.1:0', `R localhost:0:127.0.0.1:${localPort}`]);

    await forwards.stop(d.id);
    assert.strictEqual(memory.saved.get('box')!.length, 2, 'a stopped forward is forgotten');
    await forwards.dispose();
    await assert.rejects(exchange(port, 'x'), /ECONNREFUSED/);

    // A window reload: a new manager over the same memory restores both.
    const again = new HostForwards(host, log, memory);
    try {
      const rows = await again.restore();
      assert.deepStrictEqual(rows.map((row) => [row.spec.kind, row.state]), [['local', 'active'], ['remote', 'active']]);
    } finally {
      await again.dispose();
    }
  });

  it('shows a port in use as failed with the next free port, and restarts on its own', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    const forwards = new HostForwards(host, log);
    try {
      const row = await forwards.add(parseForwardSpec(`${port}:localhost:${echo.port}`));
      assert.strictEqual(row.state, 'failed');
      assert.match(row.reason!, /already in use/);
      assert.ok(row.suggestedPort && row.suggestedPort > port);
      await new Promise((r) => taken.close(r));
      const restarted = await forwards.restart(row.id);
      assert.strictEqual(restarted!.state, 'active');
      assert.strictEqual((await exchange(port, 'pong')).toString(), 'pong');
    } finally {
      taken.close();
      await forwards.dispose();
    }
  });

  it('shows "reconnecting" through a network partition and works again after it heals, local and remote', async function () {
    if (!ns) return this.skip();
    const forwards = new HostForwards(host, log);
    try {
      const row = await forwards.add(parseForwardSpec(`0:localhost:${echo.port}`));
      const rrow = await forwards.add(parseForwardSpec(`R 0:127.0.0.1:${localPort}`));
      assert.strictEqual(rrow.state, 'active', rrow.reason);
      const remotePort = Number(rrow.remoteAddress.split(':')[1]);
      const port = Number(row.localAddress!.split(':')[1]);
      assert.strictEqual((await exchange(port, 'before')).toString(), 'before');
      ns.partition();
      const down = await until(forwards, row.id, (r) => r.state === 'reconnecting');
      assert.match(down.reason!, /reconnecting/);
      await until(forwards, rrow.id, (r) => r.state === 'reconnecting');
      ns.heal();
      await until(forwards, row.id, (r) => r.state === 'active');
      // Same listener, new connection: no user action.
      assert.strictEqual((await exchange(port, 'after')).toString(), 'after');
      const back = await until(forwards, rrow.id, (r) => r.state !== 'reconnecting');
      assert.strictEqual(back.state, 'active', back.reason);
      assert.strictEqual(back.remoteAddress, `localhost:${remotePort}`, 'the same remote port again');
      const ref = await pool.acquire('box');
      const out = await exec(await ref.connection(), `curl -s --max-time 10 http://localhost:${remotePort}/after-heal`, {}, log);
      ref.release();
      assert.strictEqual(out.stdout.toString(), 'local /after-heal');
    } finally {
      ns.heal();
      await forwards.dispose();
    }
  });
});
