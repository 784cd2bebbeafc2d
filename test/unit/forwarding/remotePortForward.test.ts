import * as assert from 'assert';
import { spawn } from 'child_process';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { ForwardingHost } from '../../../src/forwarding/connectionPort';
import { ForwardError } from '../../../src/forwarding/forwardError';
import { LocalForward } from '../../../src/forwarding/localForward';
import { parseForwardSpec, LocalForwardSpec, RemoteForwardSpec } from '../../../src/forwarding/forwardSpec';
import { RemoteForward } from '../../../src/forwarding/remotePortForward';
import { acquireForwardingHost } from '../../../src/forwarding/sshConnectionPort';
import { exec } from '../../../src/ssh/exec';
import { ConnectionPool } from '../../../src/ssh/pool';
import { createNetns, netnsAvailable, Netns } from '../../support/netns';
import { startFakeServer } from '../../support/ssh2Server';
import { startSshd, Sshd } from '../../support/sshd';
import { Connection } from 'ssh2';
import { killAndWait, track } from '../../support/processes';
import { memoryLog, MemoryLog, targetFor, testPool } from '../../support/targets';
import { exchange } from './remoteServers';

describe('remote forward (-R) against real sshd', function () {
  this.timeout(60000);
  const noNetns = netnsAvailable();
  let ns: Netns | undefined;
  let local: http.Server;
  let localPort: number;

  before(async () => {
    if (!noNetns) ns = createNetns();
    // The service on this machine the sandbox should reach (e.g. a local model server).
    local = http.createServer((req, res) => res.end(`local service saw ${req.url}`));
    await new Promise<void>((r) => local.listen(0, '127.0.0.1', r));
    localPort = (local.address() as net.AddressInfo).port;
  });
  after(() => {
    local?.close();
    ns?.destroy();
  });

  async function withServer(extraConfig: string[], run: (ctx: { server: Sshd; pool: ConnectionPool; host: ForwardingHost; log: MemoryLog }) => Promise<void>): Promise<void> {
    const log = memoryLog();
    const server = await startSshd({ netns: ns?.name, listenAddress: ns?.address, extraConfig, debugLog: true });
    const pool = testPool({ targets: { box: targetFor(server, { hostname: server.host }) }, hostKeys: [server.hostKey.publicKey], log });
    const host = await acquireForwardingHost(pool, 'box');
    try {
      await run({ server, pool, host, log });
    } finally {
      host.release();
      await pool.dispose();
      await server.stop();
    }
  }

  it('lets a process on the remote side reach a local server through it', async () => {
    await withServer([], async ({ pool, host, log }) => {
      const forward = await RemoteForward.start({ host, spec: parseForwardSpec(`R 0:127.0.0.1:${localPort}`) as RemoteForwardSpec, log });
      try {
        assert.ok(forward.remotePort && forward.remotePort > 0, `server picked port ${forward.remotePort}`);
        const ref = await pool.acquire('box');
        const connection = await ref.connection();
        const out = await exec(connection, `curl -s --max-time 10 http://localhost:${forward.remotePort}/from-sandbox`, {}, log);
        ref.release();
        assert.strictEqual(out.stdout.toString(), 'local service saw /from-sandbox');
        assert.strictEqual(forward.stats.snapshot.opened, 1);
        assert.deepStrictEqual(forward.state, { state: 'active' });
      } finally {
        await forward.dispose();
      }
    });
  });

  it('reaches a local Unix socket from a remote port', async () => {
    await withServer([], async ({ server, pool, host, log }) => {
      const sock = path.join(server.dir, 'local-service.sock');
      const unixService = http.createServer((req, res) => res.end(`unix service saw ${req.url}`));
      await new Promise<void>((r) => unixService.listen(sock, r));
      const forward = await RemoteForward.start({ host, spec: parseForwardSpec(`R 0:${sock}`) as RemoteForwardSpec, log });
      try {
        const ref = await pool.acquire('box');
        const out = await exec(await ref.connection(), `curl -s --max-time 10 http://localhost:${forward.remotePort}/via-socket`, {}, log);
        ref.release();
        assert.strictEqual(out.stdout.toString(), 'unix service saw /via-socket');
      } finally {
        await forward.dispose();
        unixService.close();
      }
    });
  });

  it('refuses that one connection when nothing listens locally, and stays up', async () => {
    const gone = net.createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const deadPort = (gone.address() as net.AddressInfo).port;
    await new Promise((r) => gone.close(r));
    await withServer([], async ({ pool, host, log }) => {
      const forward = await RemoteForward.start({ host, spec: parseForwardSpec(`R 0:127.0.0.1:${deadPort}`) as RemoteForwardSpec, log });
      try {
        const ref = await pool.acquire('box');
        const connection = await ref.connection();
        const out = await exec(connection, `curl -s --max-time 10 http://localhost:${forward.remotePort}/; echo "exit $?"`, {}, log);
        ref.release();
        assert.match(out.stdout.toString(), /exit (52|56|7)/);
        assert.ok(log.lines.some((l) => l.includes('cannot connect to 127.0.0.1:' + deadPort)), log.lines.join('\n'));
        assert.strictEqual(forward.stats.snapshot.failed, 1);
        assert.deepStrictEqual(forward.state, { state: 'active' });
      } finally {
        await forward.dispose();
      }
    });
  });

  it('refuses connections from the server past its cap, so a sandbox cannot open unbounded sockets here', async () => {
    // A local service that holds every connection it gets.
    const held = new Set<net.Socket>();
    const holder = net.createServer((s) => (held.add(s), s.on('error', () => undefined)));
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const holderPort = (holder.address() as net.AddressInfo).port;
    try {
      await withServer([], async ({ pool, host, log }) => {
        const forward = await RemoteForward.start({ host, spec: parseForwardSpec(`R 0:127.0.0.1:${holderPort}`) as RemoteForwardSpec, log, maxConnections: 3 });
        const ref = await pool.acquire('box');
        try {
          // Inside the sandbox: 6 connections at once, each held until its far end closes.
          const script = [
            'import socket',
            `ss = [socket.create_connection(("localhost", ${forward.remotePort}), timeout=30) for _ in range(6)]`,
            'for s in ss: s.sendall(b"x")',
            'for s in ss:',
            '    try:',
            '        while s.recv(1): pass',
            '    except Exception: pass',
          ].join('\n');
          const clients = exec(await ref.connection(), `python3 -c '${script}'`, { timeoutMs: 40000 }, log);
          const done = () => held.size + forward.stats.snapshot.failed >= 6;
          await new Promise<void>((resolve) => {
            const check = () => done() && (sub.dispose(), holder.off('connection', check), resolve());
            const sub = forward.stats.onDidChange(check);
            holder.on('connection', check);
            check();
          });
          assert.strictEqual(held.size, 3, 'only the cap reached this machine');
          assert.strictEqual(forward.stats.snapshot.failed, 3);
          assert.strictEqual(log.lines.filter((l) => l.includes('3 connections are open already')).length, 1, log.lines.join('\n'));
          for (const s of held) s.destroy();
          await forward.dispose();
          await clients;
        } finally {
          ref.release();
          await forward.dispose();
        }
      });
    } finally {
      for (const s of held) s.destroy();
      holder.close();
    }
  });

  it('gives up on a local target that does not answer, failing that one connection', async () => {
    // A listener that never accepts, with a full backlog: the kernel drops further SYNs, so a
    // connect to it neither succeeds nor fails.
    const blackHole = track(spawn('python3', ['-c', 'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(120)'], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const fillers: net.Socket[] = [];
    try {
      const port = await new Promise<number>((resolve) => blackHole.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
      for (let i = 0; i < 3; i++) fillers.push(net.connect(port, '127.0.0.1').on('error', () => undefined));
      await withServer([], async ({ pool, host, log }) => {
        const forward = await RemoteForward.start({ host, spec: parseForwardSpec(`R 0:127.0.0.1:${port}`) as RemoteForwardSpec, log, connectTimeoutMs: 500 });
        const ref = await pool.acquire('box');
        try {
          const out = await exec(await ref.connection(), `curl -s --max-time 20 http://localhost:${forward.remotePort}/; echo "exit $?"`, {}, log);
          assert.match(out.stdout.toString(), /exit (52|56)/, 'the sandbox side was closed, not left hanging until its own timeout');
          assert.ok(log.lines.some((l) => l.includes(`cannot connect to 127.0.0.1:${port} here: no answer within 0.5 s`)), log.lines.join('\n'));
          assert.strictEqual(forward.stats.snapshot.failed, 1);
          assert.strictEqual(forward.stats.snapshot.active, 0);
        } finally {
          ref.release();
          await forward.dispose();
        }
      });
    } finally {
      fillers.forEach((s) => s.destroy());
      await killAndWait(blackHole);
    }
  });

  it('names AllowTcpForwarding when the server allows only local forwards, and asks once', async () => {
    await withServer(['Match all', '  AllowTcpForwarding local'], async ({ server, host, log }) => {
      const err = await RemoteForward.start({ host, spec: parseForwardSpec('R 0:127.0.0.1:9') as RemoteForwardSpec, log }).then(
        () => assert.fail('the server should refuse'),
        (e: unknown) => e,
      );
      assert.ok(ForwardError.is(err, 'refused-by-server'), String(err));
      assert.match(err.message, /AllowTcpForwarding to "local" or "no"/);
      // One tcpip-forward request reached sshd: nothing retried.
      const requests = server.log().match(/server_input_global_request: rtype tcpip-forward/g) ?? [];
      assert.strictEqual(requests.length, 1, server.log());
    });
  });

  it('names AllowTcpForwarding when a local forward is prohibited', async () => {
    await withServer(['Match all', '  AllowTcpForwarding no'], async ({ host, log }) => {
      const forward = await LocalForward.start({ host, spec: parseForwardSpec('0:localhost:22') as LocalForwardSpec, log });
      try {
        const outcome = await exchange(forward.localPort!, 'x').then(
          (b) => b.length,
          (e: NodeJS.ErrnoException) => e.code,
        );
        assert.ok(outcome === 'ECONNRESET' || outcome === 0, String(outcome));
        assert.ok(log.lines.some((l) => /does not allow forwarding .*AllowTcpForwarding/.test(l)), log.lines.join('\n'));
        // The row (its tooltip) says it too, not only the log.
        await new Promise<void>((resolve) => (forward.stats.snapshot.failed ? resolve() : forward.stats.onDidChange(() => resolve())));
        assert.match(forward.stats.snapshot.lastFailure ?? '', /does not allow forwarding .*AllowTcpForwarding/);
      } finally {
        await forward.dispose();
      }
    });
  });
});

describe('remote forward against a server that names hostile originators', function () {
  this.timeout(30000);

  it('writes the originator in log lines only when the server gives a real IP address', async () => {
    const gone = net.createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const deadPort = (gone.address() as net.AddressInfo).port;
    await new Promise((r) => gone.close(r));
    let handOver: (v: { client: Connection; bindAddr: string }) => void = () => undefined;
    const forwarded = new Promise<{ client: Connection; bindAddr: string }>((r) => (handOver = r));
    const server = await startFakeServer({
      authenticate: (ctx) => (ctx.method === 'none' ? ctx.accept() : ctx.reject(['none'])),
      remoteForward: (client, bind) => {
        handOver({ client, bindAddr: bind.bindAddr });
        return 40123;
      },
    });
    const log = memoryLog();
    const pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], log });
    const host = await acquireForwardingHost(pool, 'box');
    const forward = await RemoteForward.start({ host, spec: parseForwardSpec(`R 0:127.0.0.1:${deadPort}`) as RemoteForwardSpec, log });
    try {
      const { client, bindAddr } = await forwarded;
      for (const srcIP of ['10.0.0.1\n2026-11-29 INFO forged line \u001b[31m', '192.0.2.7']) {
        await new Promise<void>((resolve) =>
          client.forwardOut(bindAddr, 40123, srcIP, 5555, (err, channel) => {
            if (err) return resolve();
            channel.on('error', () => undefined);
            channel.on('close', () => resolve());
          }),
        );
      }
      const failures = log.lines.filter((l) => l.includes('cannot connect to 127.0.0.1:' + deadPort));
      assert.strictEqual(failures.length, 2, log.lines.join('\n'));
      assert.ok(!log.lines.some((l) => l.includes('forged') || l.includes('\u001b')), log.lines.join('\n'));
      assert.ok(failures.some((l) => l.includes('from 192.0.2.7:5555')), failures.join('\n'));
    } finally {
      await forward.dispose();
      host.release();
      await pool.dispose();
      await server.stop();
    }
  });
});
