// The channel layer against real sshd: session channels (exec, shell), stream channels
// (direct-tcpip, forwarded-tcpip), their slots, and what happens when the connection drops.
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { SessionChannel, SlotWait } from '../../../../src/ssh/channels';
import { SshConnection } from '../../../../src/ssh/connection';
import { SshError } from '../../../../src/ssh/errors';
import { exec } from '../../../../src/ssh/exec';
import { ConnectionPool, ConnectionRef } from '../../../../src/ssh/pool';
import { startSshd, Sshd } from '../../../support/sshd';
import { acceptedLogins, memoryLog, targetFor, testPool } from '../../../support/targets';

/** Resolves once `channel`'s output contains `text` (output is collected from the start). */
function output(channel: SessionChannel): { text: () => string; until: (text: string | RegExp) => Promise<void> } {
  let seen = '';
  const waiters: Array<() => void> = [];
  channel.onData((chunk) => {
    seen += chunk.toString();
    waiters.splice(0).forEach((w) => w());
  });
  const has = (t: string | RegExp) => (typeof t === 'string' ? seen.includes(t) : t.test(seen));
  return {
    text: () => seen,
    until: (t) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (has(t) ? resolve() : channel.isOpen ? waiters.push(check) : reject(new Error(`channel closed before "${t}"; saw ${JSON.stringify(seen)}`)));
        void channel.closed.then(() => waiters.splice(0).forEach((w) => w()));
        check();
      }),
  };
}

describe('channel layer against real sshd', function () {
  this.timeout(60000);
  let server: Sshd;
  let pool: ConnectionPool | undefined;
  let ref: ConnectionRef | undefined;
  const log = memoryLog();

  before(async () => {
    server = await startSshd();
  });
  after(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    ref?.release();
    ref = undefined;
    await pool?.dispose();
    pool = undefined;
  });

  async function connect(): Promise<SshConnection> {
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], settings: { reconnect: { initialDelayMs: 50, maxDelayMs: 200, maxAttempts: 20 } }, log });
    ref = await pool.acquire('box');
    return ref.connection();
  }

  it('exec: output, stderr and exit status; the session slot comes back exactly once', async () => {
    const connection = await connect();
    const channel = await connection.exec(`printf out; printf err >&2; exit 7`);
    assert.strictEqual(connection.scheduler.active, 1);
    // Subscribed after the open resolved: output that came first is not lost.
    await new Promise((r) => setImmediate(r));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    channel.onData((d) => out.push(d));
    channel.onStderr((d) => err.push(d));
    const exit = await channel.closed;
    assert.deepStrictEqual(exit, { code: 7, signal: undefined, lost: undefined });
    assert.strictEqual(Buffer.concat(out).toString(), 'out');
    assert.strictEqual(Buffer.concat(err).toString(), 'err');
    assert.strictEqual(connection.scheduler.active, 0);
    channel.close();
    channel.dispose();
    assert.strictEqual(connection.scheduler.active, 0, 'closing again gives nothing back twice');
  });

  it('write waits for the window: 8 MiB through wc arrive whole', async () => {
    const connection = await connect();
    const channel = await connection.exec('wc -c');
    const result = output(channel);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let waited = 0;
    for (let i = 0; i < 128; i++) {
      const write = channel.write(chunk);
      // A write that had to wait for the drain is still pending after a tick.
      const settled = await Promise.race([write.then(() => true), new Promise((r) => setImmediate(() => r(false)))]);
      if (!settled) waited++;
      await write;
    }
    channel.end();
    assert.strictEqual((await channel.closed).code, 0);
    assert.strictEqual(result.text().trim(), String(8 * 1024 * 1024));
    assert.ok(waited > 0, 'some writes waited for the channel to drain');
    await assert.rejects(channel.write('late'), (e: unknown) => SshError.is(e, 'unavailable'));
  });

  it('shell: a PTY of the asked size and TERM, resized in place, and its exit status', async () => {
    const connection = await connect();
    const waits: SlotWait[] = [];
    const shell = await connection.shell({ rows: 11, cols: 47, term: 'xterm-256color', onWaiting: (w) => waits.push(w) });
    assert.strictEqual(connection.scheduler.activeLongLived, 1, 'a shell is long-lived');
    const screen = output(shell);
    await shell.write('stty size; echo "T=$TERM"\n');
    await screen.until(/11 47[\s\S]*T=xterm-256color/);
    shell.resize(20, 70);
    await shell.write('stty size\n');
    await screen.until('20 70');
    await shell.write('exit 3\n');
    assert.strictEqual((await shell.closed).code, 3);
    assert.deepStrictEqual(waits, []);
    assert.strictEqual(connection.scheduler.active, 0);
  });

  it('when the connection drops, open channels close (saying so) and give their slots back', async () => {
    const connection = await connect();
    const shell = await connection.shell({ rows: 24, cols: 80 });
    const cat = await connection.exec('cat', { kind: 'long-lived' });
    assert.strictEqual(connection.scheduler.active, 2);
    connection.destroy();
    const [a, b] = await Promise.all([shell.closed, cat.closed]);
    assert.ok(SshError.is(a.lost, 'unavailable') && SshError.is(b.lost, 'unavailable'), JSON.stringify([a, b]));
    assert.strictEqual(connection.scheduler.active, 0);
    assert.strictEqual(shell.isOpen, false);
  });

  it('direct-tcpip: a stream channel with back-pressure both ways, ended by its owner', async () => {
    const connection = await connect();
    const closedOnServer = new Promise<void>((resolve) => echo.once('connection', (s: net.Socket) => s.once('close', () => resolve())));
    const port = (echo.address() as net.AddressInfo).port;
    const channel = await connection.forwardOut('127.0.0.1', 0, '127.0.0.1', port);
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    const back: Buffer[] = [];
    let got = 0;
    const all = new Promise<void>((resolve) =>
      channel.stream.on('data', (d: Buffer) => {
        back.push(d);
        got += d.length;
        if (got >= big.length) resolve();
      }),
    );
    channel.stream.write(big);
    await all;
    assert.ok(Buffer.concat(back).equals(big));
    assert.strictEqual(connection.scheduler.active, 0, 'stream channels do not count against MaxSessions');
    channel.dispose();
    await channel.closed;
    await closedOnServer;
  });

  it('forwarded-tcpip: a remote listener hands each connection over as a stream channel', async () => {
    const connection = await connect();
    const listener = await connection.forwardIn('127.0.0.1', 0);
    assert.ok(listener.port > 0);
    listener.onConnection((incoming) => {
      const channel = incoming.accept();
      channel.stream.on('data', (d: Buffer) => channel.stream.write(Buffer.from(d.toString().toUpperCase())));
    });
    // The "remote" side is this machine: connect to the port sshd listens on.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(listener.port, '127.0.0.1', () => socket.write('hello'));
      socket.once('data', (d) => {
        resolve(d.toString());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    assert.strictEqual(answer, 'HELLO');
    listener.dispose();
  });

  it('ConnectionRef says when a reconnect replaced its connection, with the new one', async () => {
    const first = await connect();
    const replaced = new Promise<SshConnection>((resolve) => ref!.onDidReplaceConnection(resolve));
    first.destroy();
    const next = await replaced;
    assert.notStrictEqual(next, first);
    assert.strictEqual(next.isOpen, true);
    assert.strictEqual(await ref!.connection(), next);
    assert.strictEqual((await exec(next, 'echo back', {}, log)).stdout.toString().trim(), 'back');
  });

  let echo: net.Server;
  before(async () => {
    echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  });
  after(() => echo.close());
});

describe('long-lived and short session channels on MaxSessions 3 (real sshd)', function () {
  this.timeout(120000);

  it('5 long-lived channels, 50 SFTP operations and 5 one-shot execs: all succeed over one login; the long-lived ones wait their turn', async () => {
    const server = await startSshd({ maxSessions: 3, debugLog: true });
    const log = memoryLog();
    const pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], settings: { maxSessions: 3 }, log });
    try {
      const ref = await pool.acquire('box');
      const connection = await ref.connection();
      const dir = path.join(server.root, 'many');
      fs.mkdirSync(dir);
      for (let i = 0; i < 10; i++) fs.writeFileSync(path.join(dir, `f${i}`), `file ${i}`);

      const waits: SlotWait[] = [];
      const served: number[] = [];
      const long = Array.from({ length: 5 }, (_, i) =>
        connection.exec('cat', { kind: 'long-lived', onWaiting: (w) => waits.push(w) }).then((channel) => {
          served.push(i);
          return channel;
        }),
      );
      const sftp = await connection.sftp();
      const files = Array.from({ length: 50 }, (_, i) =>
        i % 2 ? sftp.readFile(path.join(dir, `f${i % 10}`)).then((b) => assert.strictEqual(b.toString(), `file ${i % 10}`)) : sftp.readdir(dir).then((e) => assert.ok(e.length >= 10)),
      );
      const execs = Array.from({ length: 5 }, (_, i) => exec(connection, `echo exec-${i}`, {}, log).then((r) => assert.strictEqual(r.stdout.toString().trim(), `exec-${i}`)));
      await Promise.all([...files, ...execs]);

      assert.deepStrictEqual(served, [0], 'one long-lived channel fits beside SFTP and the command slot');
      assert.strictEqual(waits.length, 4);
      assert.ok(waits.every((w) => w.kind === 'long-lived' && w.limit === 3), JSON.stringify(waits));

      // Each long-lived channel that ends lets the next one in, in order.
      for (let i = 0; i < 5; i++) {
        const channel = await long[i];
        await channel.write(`line ${i}\n`);
        const echoed = output(channel);
        await echoed.until(`line ${i}`);
        channel.end();
        assert.strictEqual((await channel.closed).code, 0);
      }
      assert.deepStrictEqual(served, [0, 1, 2, 3, 4]);
      assert.strictEqual(acceptedLogins(server), 1, 'one TCP connection for everything');
      assert.ok(!log.lines.some((l) => /refused a session channel/.test(l)), 'sshd never refused a session: the scheduler kept within MaxSessions');
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });
});
