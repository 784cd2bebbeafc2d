import * as assert from 'assert';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SshError } from '../../../src/ssh/errors';
import { exec } from '../../../src/ssh/exec';
import { SftpError } from '../../../src/ssh/sftp';
import { StateChange } from '../../../src/ssh/hostConnection';
import { ConnectionPool } from '../../../src/ssh/pool';
import { createNetns, netnsAvailable, Netns } from '../../support/netns';
import { descendants, startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';

function waitForState(pool: ConnectionPool, host: string, state: StateChange['state'], timeoutMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (pool.state(host).state === state) return resolve(0);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`${host} did not become ${state} within ${timeoutMs} ms (now ${pool.state(host).state})`));
    }, timeoutMs);
    const sub = pool.onDidChangeState((c) => {
      if (c.host === host && c.state === state) {
        clearTimeout(timer);
        sub.dispose();
        resolve(Date.now() - started);
      }
    });
  });
}

/** Resolves once a process running `command` exists under this sshd (the remote is this machine). */
async function waitForRemoteCommand(server: Sshd, command: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const running = () =>
    descendants(server.pid).some((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() === command;
      } catch {
        return false;
      }
    });
  while (!running()) {
    if (Date.now() > deadline) throw new Error(`"${command}" did not start within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a connection that dies', function () {
  this.timeout(60000);

  it('rejects pending work when sshd is killed and reconnects when it is back', async () => {
    const server = await startSshd();
    const log = memoryLog();
    const pool = testPool({
      targets: { box: targetFor(server) },
      hostKeys: [server.hostKey.publicKey],
      settings: { reconnect: { initialDelayMs: 200, maxDelayMs: 1000, maxAttempts: 20 } },
      log,
    });
    try {
      const ref = await pool.acquire('box');
      const first = await ref.connection();
      const pending = exec(first, 'sleep 30', {}, log);
      // Kill once the command runs: a login shell killed while it reads its rc files can leave
      // their locks behind (pyenv's rehash lock stalls every later session for a minute).
      await waitForRemoteCommand(server, 'sleep 30');
      await server.kill();
      await assert.rejects(pending, (e: unknown) => SshError.is(e, 'unavailable'));
      await assert.rejects(exec(first, 'true', {}, log), (e: unknown) => SshError.is(e, 'unavailable'));
      assert.strictEqual(pool.state('box').state, 'reconnecting');
      await server.restart();
      await waitForState(pool, 'box', 'connected', 20000);
      const again = await ref.connection();
      assert.notStrictEqual(again, first);
      assert.strictEqual((await exec(again, 'echo back', {}, log)).stdout.toString().trim(), 'back');
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });

  it('gives up reconnecting after the configured attempts and says so', async () => {
    const server = await startSshd();
    const pool = testPool({
      targets: { box: targetFor(server) },
      hostKeys: [server.hostKey.publicKey],
      settings: { connectTimeoutMs: 2000, reconnect: { initialDelayMs: 50, maxDelayMs: 100, maxAttempts: 3 } },
    });
    try {
      const ref = await pool.acquire('box');
      await server.kill();
      await waitForState(pool, 'box', 'failed', 20000);
      assert.match(pool.state('box').reason ?? '', /gave up reconnecting after 3 attempts/);
      // A failed host is tried again on the next use, and fails fast while the server is down;
      // that use started a fresh sequence, which goes on while the reference is held.
      await assert.rejects(ref.connection(), (e: unknown) => SshError.is(e, 'unavailable'));
      assert.strictEqual(pool.state('box').state, 'reconnecting');
      await waitForState(pool, 'box', 'failed', 20000);
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });

  it('a frozen server (SIGSTOP): the host shows reconnecting before a pending stat and save fail, and the original stays', async () => {
    const server = await startSshd();
    const log = memoryLog();
    const pool = testPool({
      targets: { box: targetFor(server) },
      hostKeys: [server.hostKey.publicKey],
      settings: { keepaliveIntervalMs: 500, keepaliveCountMax: 2, reconnect: { initialDelayMs: 200, maxDelayMs: 1000, maxAttempts: 20 } },
      log,
    });
    const events: string[] = [];
    const sub = pool.onDidChangeState((c) => events.push(`state ${c.state}`));
    let frozen: number[] = [];
    try {
      const ref = await pool.acquire('box');
      const session = await (await ref.connection()).sftp();
      const file = path.join(server.root, 'frozen.txt');
      fs.writeFileSync(file, 'before');
      const attrs = await session.stat(file);
      // The per-connection sshd processes (privilege-separated session and its child): our connection freezes,
      // while the listener stays up and accepts the reconnect.
      frozen = descendants(server.pid);
      assert.ok(frozen.length > 0, 'the session has its own sshd processes');
      frozen.forEach((pid) => process.kill(pid, 'SIGSTOP'));
      const outcome = (what: string, work: Promise<unknown>) =>
        work.then(
          () => events.push(`${what} succeeded`),
          (e: unknown) => events.push(`${what} failed: ${SftpError.isConnectionLost(e) || SshError.is(e, 'unavailable') ? 'unavailable' : (e as Error).message}`),
        );
      const ended = Promise.all([
        outcome('stat', session.stat(file)),
        outcome('save', session.writeFileAtomic(file, Buffer.from('after'), { expected: { mtime: attrs.mtime, size: attrs.size } })),
      ]);
      // A hang guard, not a performance bound: keepalives declare the link dead after 1.5 s.
      await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error(`still pending: ${events.join(', ')}`)), 30_000).unref())]);
      const operations = events.filter((e) => !e.startsWith('state '));
      assert.deepStrictEqual(operations.sort(), ['save failed: unavailable', 'stat failed: unavailable']);
      const reconnecting = events.indexOf('state reconnecting');
      const firstFailure = events.findIndex((e) => e.includes(' failed: '));
      assert.ok(reconnecting >= 0 && reconnecting < firstFailure, `the state changed before the operations failed: ${events.join(', ')}`);
      assert.ok(log.lines.some((l) => /disconnected: connection lost: no answer to 2 keepalives/.test(l)), log.lines.join('\n'));
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'before', 'the original is intact');
      // The listener was never frozen: the host comes back by itself.
      await waitForState(pool, 'box', 'connected', 20000);
      ref.release();
    } finally {
      sub.dispose();
      frozen.forEach((pid) => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      });
      await pool.dispose();
      await server.stop();
    }
  });

  it('parallel requests during an outage share one reconnect sequence; after it gives up, the next use reconnects', async () => {
    const server = await startSshd();
    const log = memoryLog();
    const maxAttempts = 4;
    const pool = testPool({
      targets: { box: targetFor(server) },
      hostKeys: [server.hostKey.publicKey],
      settings: { connectTimeoutMs: 2000, reconnect: { initialDelayMs: 100, maxDelayMs: 400, maxAttempts } },
      log,
    });
    const failedConnects = () => log.lines.filter((l) => l.startsWith('warn [box] could not connect:')).length;
    const bursts: Array<Promise<void>> = [];
    const requestErrors: string[] = [];
    let burstsThatConnected = 0;
    // Every time the sequence waits for its next attempt, ten requests arrive at once.
    const sub = pool.onDidChangeState((c) => {
      if (c.host !== 'box' || c.state !== 'reconnecting') return;
      const before = failedConnects();
      const requests = Array.from({ length: 10 }, () =>
        pool.acquire('box').then(
          (r) => r.release(),
          (e: unknown) => void requestErrors.push(SshError.is(e) ? `${e.reason}/${e.code}` : String(e)),
        ),
      );
      bursts.push(
        Promise.all(requests).then(() => {
          if (failedConnects() !== before) burstsThatConnected++;
        }),
      );
    });
    try {
      const ref = await pool.acquire('box');
      await server.kill();
      await waitForState(pool, 'box', 'failed', 30000);
      await Promise.all(bursts);
      assert.ok(bursts.length >= maxAttempts, `a burst per wait (${bursts.length})`);
      assert.strictEqual(burstsThatConnected, 0, 'no request started an attempt of its own');
      assert.deepStrictEqual([...new Set(requestErrors)], ['unavailable/reconnecting'], 'requests fail at once while the sequence waits');
      const scheduled = log.lines.filter((l) => l.includes('[box] reconnecting in') || l.includes('box: reconnecting in')).map((l) => /attempt (\d+) of/.exec(l)?.[1]);
      assert.deepStrictEqual(scheduled, ['1', '2', '3', '4'], 'one sequence, attempts in order');
      assert.strictEqual(failedConnects(), maxAttempts, 'one connect per scheduled attempt');
      assert.match(pool.state('box').reason ?? '', /gave up reconnecting after 4 attempts/);

      // Back on the same port: the next use starts afresh and connects.
      sub.dispose();
      await server.restart();
      const again = await ref.connection();
      assert.strictEqual((await exec(again, 'echo back', {}, log)).stdout.toString().trim(), 'back');
      assert.strictEqual(pool.state('box').state, 'connected');
      ref.release();
    } finally {
      sub.dispose();
      await pool.dispose();
      await server.stop();
    }
  });

  describe('network partition (namespace + iptables DROP)', function () {
    const why = netnsAvailable();
    let ns: Netns | undefined;
    let server: Sshd | undefined;
    before(async function () {
      if (why) {
        console.log(`      skipped: ${why}`);
        this.skip();
      }
      ns = createNetns();
      server = await startSshd({ netns: ns.name, listenAddress: ns.address });
    });
    after(async () => {
      await server?.stop();
      ns?.destroy();
    });

    const keepaliveIntervalMs = 1000;
    const keepaliveCountMax = 2;
    /** Keepalive declares the link dead after this long; work must fail by then (+ 1 s slack). */
    const bound = keepaliveIntervalMs * (keepaliveCountMax + 1);

    function partitionPool(log = memoryLog()): ConnectionPool {
      return testPool({
        targets: { part: targetFor(server!, { hostname: ns!.address }) },
        hostKeys: [server!.hostKey.publicKey],
        settings: { keepaliveIntervalMs, keepaliveCountMax, connectTimeoutMs: 2000, reconnect: { initialDelayMs: 250, maxDelayMs: 1000, maxAttempts: 100 } },
        log,
      });
    }

    /** Cuts the link and says how `work` ended within the bound + 1 s: `settled` if it succeeded, `failed` names the error class. */
    async function cutAndWatch(work: Promise<unknown>, failed: (e: unknown) => string | undefined): Promise<{ outcome: string; afterMs: number }> {
      const cutAt = Date.now();
      ns!.partition();
      const outcome = await Promise.race([
        work.then(
          () => 'settled',
          (e: unknown) => failed(e) ?? `other: ${(e as Error).message}`,
        ),
        new Promise<string>((r) => setTimeout(() => r('still pending'), bound + 1000)),
      ]);
      return { outcome, afterMs: Date.now() - cutAt };
    }

    it('detects the dead link within the keepalive bound, fails pending work, and reconnects after it heals', async () => {
      const log = memoryLog();
      const pool = partitionPool(log);
      try {
        const ref = await pool.acquire('part');
        const connection = await ref.connection();
        assert.strictEqual((await exec(connection, 'echo up', {}, log)).stdout.toString().trim(), 'up');
        const pending = exec(connection, 'sleep 60', {}, log);
        await new Promise((r) => setTimeout(r, 200));
        const { outcome, afterMs } = await cutAndWatch(pending, (e) => (SshError.is(e, 'unavailable') ? 'unavailable' : undefined));
        console.log(`      dead link detected after ${afterMs} ms (bound ${bound} ms + 1 s)`);
        assert.strictEqual(outcome, 'unavailable', 'pending work fails within the keepalive bound + 1 s');
        assert.strictEqual(pool.state('part').state, 'reconnecting');
        ns!.heal();
        await waitForState(pool, 'part', 'connected', 20000);
        assert.strictEqual((await exec(await ref.connection(), 'echo healed', {}, log)).stdout.toString().trim(), 'healed');
        ref.release();
      } finally {
        ns!.heal();
        await pool.dispose();
      }
    });

    it('a save cut off by the partition fails within the keepalive bound, leaves the original intact, and its temp file goes after reconnect', async () => {
      const pool = partitionPool();
      const file = path.join(server!.root, 'partitioned.bin');
      const original = randomBytes(4 * 1024 * 1024);
      fs.writeFileSync(file, original);
      const temps = () => fs.readdirSync(server!.root).filter((n) => n.startsWith('.partitioned.bin.') && n.endsWith('.tmp'));
      try {
        const ref = await pool.acquire('part');
        const session = await (await ref.connection()).sftp();
        const attrs = await session.stat(file);
        const saving = session.writeFileAtomic(file, randomBytes(200 * 1024 * 1024), { expected: { mtime: attrs.mtime, size: attrs.size } });
        const deadline = Date.now() + 20000;
        while (!temps().some((n) => fs.statSync(path.join(server!.root, n)).size > 1024 * 1024)) {
          if (Date.now() > deadline) throw new Error('the save never started writing');
          await new Promise((r) => setTimeout(r, 5));
        }
        const { outcome, afterMs } = await cutAndWatch(saving, (e) => (SftpError.isConnectionLost(e) || SshError.is(e, 'unavailable') ? 'connection lost' : undefined));
        console.log(`      save failed ${afterMs} ms after the cut (bound ${bound} ms + 1 s)`);
        assert.strictEqual(outcome, 'connection lost');
        assert.ok(createHash('sha256').update(fs.readFileSync(file)).digest().equals(createHash('sha256').update(original).digest()), 'the original is byte-identical');
        assert.strictEqual(session.tempFiles.length, 1, 'the interrupted save remembers its temp file');

        ns!.heal();
        await waitForState(pool, 'part', 'connected', 20000);
        const again = await (await ref.connection()).sftp();
        assert.strictEqual((await again.removeTempFiles(session.tempFiles)).length, 1);
        assert.deepStrictEqual(temps(), []);
        ref.release();
      } finally {
        ns!.heal();
        await pool.dispose();
        fs.rmSync(file, { force: true });
      }
    });
  });
});
