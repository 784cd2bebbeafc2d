import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { ForwardingHost } from '../../../src/forwarding/connectionPort';
import { ForwardError } from '../../../src/forwarding/forwardError';
import { parseForwardSpec, LocalForwardSpec } from '../../../src/forwarding/forwardSpec';
import { LocalForward } from '../../../src/forwarding/localForward';
import { acquireForwardingHost } from '../../../src/forwarding/sshConnectionPort';
import { SessionChannel } from '../../../src/ssh/channels';
import { ConnectionPool } from '../../../src/ssh/pool';
import { createNetns, netnsAvailable, Netns } from '../../support/netns';
import { startSshd, Sshd } from '../../support/sshd';
import { acceptedLogins, memoryLog, targetFor, testPool } from '../../support/targets';
import { exchange, httpGet, RemoteServer, startRemoteServer } from './remoteServers';

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

describe('local forward (-L) against real sshd', function () {
  this.timeout(60000);
  const noNetns = netnsAvailable();
  let ns: Netns | undefined;
  let server: Sshd;
  let pool: ConnectionPool;
  let host: ForwardingHost;
  let web: RemoteServer;
  const forwards: LocalForward[] = [];
  const log = memoryLog();
  /** Where remote-only servers listen: the namespace's loopback, reachable only through sshd. */
  const remote = () => (ns ? { netns: ns.name, host: '127.0.0.1' } : { host: '127.0.0.1' });

  before(async () => {
    if (noNetns) console.log(`      (no network namespace: ${noNetns}; remote servers run on this machine's loopback)`);
    else ns = createNetns();
    server = await startSshd({ maxSessions: 10, netns: ns?.name, listenAddress: ns?.address });
    pool = testPool({ targets: { box: targetFor(server, { hostname: server.host }) }, hostKeys: [server.hostKey.publicKey], log });
    host = await acquireForwardingHost(pool, 'box');
    web = await startRemoteServer(server.dir, 'http', remote());
  });
  after(async () => {
    await Promise.all(forwards.map((f) => f.dispose()));
    host?.release();
    await pool?.dispose();
    await web?.stop();
    await server?.stop();
    ns?.destroy();
  });

  async function forward(spec: string | LocalForwardSpec, options: { allowNonLoopback?: boolean } = {}): Promise<LocalForward> {
    const f = await LocalForward.start({ host, spec: typeof spec === 'string' ? (parseForwardSpec(spec) as LocalForwardSpec) : spec, log, ...options });
    forwards.push(f);
    return f;
  }

  it('brings back the bytes of an HTTP server that listens only on the remote loopback', async () => {
    if (ns) {
      // Honest set-up: nothing on our side can reach that server except through sshd.
      await assert.rejects(httpGet(web.port, '/', ns.address), /ECONNREFUSED/);
    }
    const f = await forward(`0:localhost:${web.port}`);
    const hello = await httpGet(f.localPort!, '/hi');
    assert.strictEqual(hello.body.toString(), 'hello from the sandbox /hi');
    const big = await httpGet(f.localPort!, `/bytes/${4 * 1024 * 1024}`);
    assert.strictEqual(crypto.createHash('sha256').update(big.body).digest('hex'), crypto.createHash('sha256').update(pattern(4 * 1024 * 1024)).digest('hex'));
    assert.ok(f.stats.snapshot.bytesDown >= 4 * 1024 * 1024, `bytes down counted: ${f.stats.snapshot.bytesDown}`);
    assert.ok(f.stats.snapshot.bytesUp > 0);
    assert.strictEqual(f.stats.snapshot.opened, 2);
  });

  it('listens on 127.0.0.1 only, as ss -ltn shows', async () => {
    const f = await forward(`0:localhost:${web.port}`);
    assert.deepStrictEqual(f.addresses, [{ kind: 'tcp', host: '127.0.0.1', port: f.localPort }]);
    const lines = execFileSync('ss', ['-ltnH', `sport = :${f.localPort}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    const locals = lines.map((l) => l.trim().split(/\s+/)[3]);
    assert.deepStrictEqual(locals, [`127.0.0.1:${f.localPort}`]);
  });

  it('binds both 127.0.0.1 and ::1 for "localhost", on the same port, where ::1 exists', async function () {
    const f = await forward({ kind: 'local', listen: { kind: 'tcp', host: 'localhost', port: 0 }, target: { kind: 'tcp', host: 'localhost', port: web.port } });
    const hasV6 = f.addresses.length === 2;
    assert.strictEqual(f.addresses[0].kind === 'tcp' && f.addresses[0].host, '127.0.0.1');
    if (!hasV6) return this.skip();
    assert.deepStrictEqual(f.addresses[1], { kind: 'tcp', host: '::1', port: f.localPort });
    assert.strictEqual((await httpGet(f.localPort!, '/v6', '::1')).body.toString(), 'hello from the sandbox /v6');
    const locals = execFileSync('ss', ['-ltnH', `sport = :${f.localPort}`], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/)[3]).sort();
    assert.deepStrictEqual(locals, [`127.0.0.1:${f.localPort}`, `[::1]:${f.localPort}`]);
  });

  it('refuses other bind addresses unless explicitly allowed', async () => {
    await assert.rejects(forward(`0.0.0.0:0:localhost:${web.port}`), (e: unknown) => ForwardError.is(e, 'bind-not-allowed'));
    const f = await forward(`0.0.0.0:0:localhost:${web.port}`, { allowNonLoopback: true });
    assert.deepStrictEqual(f.addresses, [{ kind: 'tcp', host: '0.0.0.0', port: f.localPort }]);
  });

  it('reports a port in use with the next free port, and binds nothing', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const err = await forward(`${port}:localhost:${web.port}`).then(
        () => assert.fail('should not start'),
        (e: unknown) => e,
      );
      assert.ok(ForwardError.is(err, 'port-in-use'), String(err));
      assert.ok(err.suggestedPort && err.suggestedPort > port, `suggested ${err.suggestedPort}`);
      assert.match(err.message, new RegExp(`local port ${port} is already in use`));
      const f = await forward(`${err.suggestedPort}:localhost:${web.port}`);
      assert.strictEqual(f.localPort, err.suggestedPort);
    } finally {
      taken.close();
    }
  });

  it('fails one connection to a refused remote port with a log line and stays up', async () => {
    const closed = await startRemoteServer(server.dir, 'echo', remote());
    const deadPort = closed.port;
    await closed.stop();
    const f = await forward(`0:localhost:${deadPort}`);
    const outcome = await exchange(f.localPort!, 'hello').then(
      (b) => `closed with ${b.length} bytes`,
      (e: NodeJS.ErrnoException) => e.code,
    );
    assert.ok(outcome === 'ECONNRESET' || outcome === 'closed with 0 bytes', outcome);
    assert.strictEqual(f.stats.snapshot.failed, 1);
    const line = log.lines.find((l) => l.includes(`→ localhost:${deadPort}`) && l.includes('failed'));
    assert.ok(line, log.lines.join('\n'));
    assert.match(line!, /refused|Connection refused|open failed/i);
    // Still listening: once something listens there, the same forward works.
    const echo = await startRemoteServer(server.dir, 'echo', { ...remote(), port: deadPort });
    try {
      assert.strictEqual((await exchange(f.localPort!, 'again')).toString(), 'again');
    } finally {
      await echo.stop();
    }
  });

  it('passes a half-close on: the server answers after our EOF', async () => {
    const counter = await startRemoteServer(server.dir, 'count', remote());
    try {
      const f = await forward(`0:localhost:${counter.port}`);
      assert.strictEqual((await exchange(f.localPort!, Buffer.alloc(100000, 1))).toString(), 'got 100000');
    } finally {
      await counter.stop();
    }
  });

  it('applies back-pressure: a local reader that stops reading stops the remote writer', async () => {
    const flood = await startRemoteServer(server.dir, 'flood', remote());
    try {
      const f = await forward(`0:localhost:${flood.port}`);
      const client = net.connect({ port: f.localPort!, host: '127.0.0.1' });
      client.pause();
      // The server reports how much its socket accepted every 50 ms; wait until it stops growing.
      const stalledAt = await new Promise<number>((resolve) => {
        let last = -1;
        let same = 0;
        const check = () => {
          const line = flood.output[flood.output.length - 1];
          const written = line ? Number(line.split(' ')[1]) : -1;
          same = written > 0 && written === last ? same + 1 : 0;
          last = written;
          if (same >= 8) resolve(written);
          else setTimeout(check, 50);
        };
        check();
      });
      const total = 64 * 1024 * 1024;
      // Kernel buffers on three sockets, ssh2's 2 MiB channel window and sshd's buffers: far below 64 MiB.
      assert.ok(stalledAt < 24 * 1024 * 1024, `remote writer stalled at ${stalledAt} bytes`);
      assert.ok(f.stats.snapshot.bytesDown < 24 * 1024 * 1024, `forwarded while stalled: ${f.stats.snapshot.bytesDown}`);
      // Reading again lets all of it through.
      let received = 0;
      await new Promise<void>((resolve, reject) => {
        client.on('data', (d: Buffer) => (received += d.length));
        client.once('end', () => resolve());
        client.once('error', reject);
        client.resume();
      });
      assert.strictEqual(received, total);
    } finally {
      await flood.stop();
    }
  });

  it('forwards to a remote Unix socket (streamlocal)', async () => {
    const sock = path.join(server.root, 'web.sock');
    const unixWeb = await startRemoteServer(server.dir, 'http', { path: sock });
    try {
      const f = await forward(`0:${sock}`);
      assert.strictEqual((await httpGet(f.localPort!, '/unix')).body.toString(), 'hello from the sandbox /unix');
    } finally {
      await unixWeb.stop();
    }
  });

  it('listens on a local Unix socket only this user may open, and refuses to replace an existing one', async () => {
    const local = path.join(server.dir, 'local-web.sock');
    const f = await forward({ kind: 'local', listen: { kind: 'unix', path: local }, target: { kind: 'tcp', host: 'localhost', port: web.port } });
    assert.strictEqual(fs.statSync(local).mode & 0o777, 0o600);
    const body = await new Promise<string>((resolve, reject) => {
      http.get({ socketPath: local, path: '/over-unix', agent: false }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    assert.strictEqual(body, 'hello from the sandbox /over-unix');
    await assert.rejects(forward({ kind: 'local', listen: { kind: 'unix', path: local }, target: { kind: 'tcp', host: 'localhost', port: web.port } }), (e: unknown) => ForwardError.is(e, 'port-in-use'));
    await f.dispose();
  });

  it('carries 200 concurrent connections while every session slot of MaxSessions 10 is taken, over one TCP connection', async () => {
    const loginsBefore = acceptedLogins(server);
    const echo = await startRemoteServer(server.dir, 'echo', remote());
    const connection = await pool.acquire('box').then(async (ref) => {
      ref.release();
      return ref.connection();
    });
    // The SFTP channel (open since the first forward: see sshConnectionPort.ts, primeNoDelay) and
    // nine commands hold every slot sshd allows (MaxSessions 10; short channels may take every
    // slot); forwards must not need one.
    await connection.sftp();
    const free = connection.scheduler.limit - connection.scheduler.active;
    assert.strictEqual(free, 9, 'only the SFTP channel is open');
    // `cat` ends at the channel's close (its stdin ends); sshd closes a session channel only once its process is gone.
    const shells = await Promise.all(Array.from({ length: free }, () => connection.exec('cat', { kind: 'short' })));
    try {
      const f = await forward(`0:localhost:${echo.port}`);
      const payloads = Array.from({ length: 200 }, (_, i) => crypto.randomBytes(1024 + i));
      const answers = await Promise.all(payloads.map((p) => exchange(f.localPort!, p)));
      answers.forEach((a, i) => assert.ok(a.equals(payloads[i]), `connection ${i} got its own bytes back`));
      assert.strictEqual(f.stats.snapshot.opened, 200);
      assert.strictEqual(f.stats.snapshot.failed, 0);
      // Still all ten session channels open, and still the one TCP connection.
      assert.strictEqual(connection.scheduler.active, 10);
      assert.strictEqual(acceptedLogins(server) - loginsBefore, 0, 'no second SSH connection');
    } finally {
      // Awaited: the next test counts the session slots in use.
      await Promise.all(shells.map((s) => (s.close(), s.closed)));
      await echo.stop();
    }
  });

  it('carries 200 concurrent connections, 10 PTY shells (long-lived) and file operations on MaxSessions 10 over one TCP connection', async () => {
    const loginsBefore = acceptedLogins(server);
    const echo = await startRemoteServer(server.dir, 'echo', remote());
    const connection = await pool.acquire('box').then(async (ref) => {
      ref.release();
      return ref.connection();
    });
    const sftp = await connection.sftp();
    // Every session channel of this test is gone before the next: the scheduler starts from zero.
    assert.strictEqual(connection.scheduler.active, 1, 'only the SFTP channel is open');
    // Ten terminals' shells asked for at once. Long-lived channels leave two slots to short ones
    // (the SFTP channel and one command), so eight open and two wait, saying so, until one closes.
    const waited: number[] = [];
    const opening = Array.from({ length: 10 }, (_, i) => connection.shell({ rows: 24, cols: 80, onWaiting: () => waited.push(i) }).then((shell) => ({ i, shell })));
    const opened: { i: number; shell: SessionChannel }[] = [];
    opening.forEach((p) => void p.then((s) => opened.push(s), () => undefined));
    const outputs = new Map<SessionChannel, string>();
    const said = (shell: SessionChannel, text: string) =>
      new Promise<void>((resolve) => {
        const check = () => (outputs.get(shell) ?? '').includes(text) && (sub.dispose(), resolve());
        const sub = shell.onData((d) => (outputs.set(shell, (outputs.get(shell) ?? '') + d.toString('utf8')), check()));
        check();
      });
    // A shell works when it runs what is typed: the answer is computed, so the echoed input does not count.
    const works = async ({ i, shell }: { i: number; shell: SessionChannel }) => {
      const answer = said(shell, `shell-${i}-${i * 7}-ok`);
      await shell.write(`echo shell-${i}-$((${i}*7))-ok\n`);
      await answer;
    };
    try {
      await Promise.all(opening.slice(0, 8).map(async (p) => works(await p)));
      assert.deepStrictEqual(waited.sort(), [8, 9], 'the last two asked wait for a slot');
      assert.strictEqual(connection.scheduler.activeLongLived, 8);
      // Meanwhile: 200 concurrent forwarded connections and file operations, all succeed.
      const f = await forward(`0:localhost:${echo.port}`);
      const payloads = Array.from({ length: 200 }, (_, i) => crypto.randomBytes(1024 + i));
      const dir = path.posix.join(server.root, `load-${process.pid}`);
      const files = Promise.all([
        (async () => {
          await sftp.mkdir(dir);
          for (let n = 0; n < 20; n++) await sftp.writeFileAtomic(`${dir}/f${n}.txt`, Buffer.from(`file ${n}`));
          assert.strictEqual((await sftp.readdir(dir)).filter((e) => /^f\d+\.txt$/.test(e.name)).length, 20);
          assert.strictEqual((await sftp.readFile(`${dir}/f7.txt`)).toString(), 'file 7');
        })(),
        // A one-shot command takes the last free slot (short channels may).
        connection.exec('echo one-shot').then(async (c) => {
          let out = '';
          c.onData((d) => (out += d));
          const end = await c.closed;
          assert.strictEqual(end.code, 0);
          assert.strictEqual(out.trim(), 'one-shot');
        }),
      ]);
      const answers = await Promise.all(payloads.map((p) => exchange(f.localPort!, p)));
      answers.forEach((a, i) => assert.ok(a.equals(payloads[i]), `connection ${i} got its own bytes back`));
      await files;
      assert.strictEqual(f.stats.snapshot.opened, 200);
      assert.strictEqual(f.stats.snapshot.failed, 0);
      assert.strictEqual(opened.length, 8, 'the two waiting shells are still waiting');
      // Two terminals close: the two waiting shells open and work.
      opened.slice(0, 2).forEach((s) => s.shell.close());
      await Promise.all(opening.slice(8).map(async (p) => works(await p)));
      assert.strictEqual(opened.length, 10, 'all ten shells opened');
      assert.strictEqual(acceptedLogins(server) - loginsBefore, 0, 'no second SSH connection');
    } finally {
      opening.forEach((p) => void p.then(({ shell }) => shell.close(), () => undefined));
      await Promise.all(opened.map((s) => s.shell.closed));
      await echo.stop();
    }
  });
});
