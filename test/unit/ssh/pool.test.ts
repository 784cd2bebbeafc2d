import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { exec } from '../../../src/ssh/exec';
import { SshError } from '../../../src/ssh/errors';
import { buildAlgorithms } from '../../../src/ssh/hostKeys';
import { fingerprintSha256 } from '../../../src/ssh/hostKeys/keyBlob';
import { ConnectionPool, DEFAULT_POOL_SETTINGS } from '../../../src/ssh/pool';
import { isAlive } from '../../support/processes';
import { startAgent } from '../../support/agent';
import { freePort, generateKey, startSshd, stdioBridgeCommand, Sshd } from '../../support/sshd';
import { acceptedLogins, memoryLog, targetFor, testPool } from '../../support/targets';

describe('connection pool against real sshd', function () {
  this.timeout(60000);
  let server: Sshd;
  let pool: ConnectionPool | undefined;
  const log = memoryLog();

  before(async () => {
    server = await startSshd({ maxSessions: 3 });
  });
  after(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    await pool?.dispose();
    pool = undefined;
  });

  it('shares one pending connect between concurrent acquires and runs commands', async () => {
    const before = acceptedLogins(server);
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], log });
    const refs = await Promise.all([pool.acquire('box'), pool.acquire('box'), pool.acquire('box')]);
    assert.strictEqual(refs[0].host, refs[2].host);
    const connection = await refs[0].connection();
    const result = await exec(connection, 'echo hello; echo oops >&2; exit 3', {}, log);
    assert.strictEqual(result.stdout.toString(), 'hello\n');
    assert.strictEqual(result.stderr.toString(), 'oops\n');
    assert.strictEqual(result.code, 3);
    assert.strictEqual(acceptedLogins(server) - before, 1, 'one TCP connection for three acquires');
    assert.strictEqual(pool.state('box').state, 'connected');
    assert.strictEqual(pool.state('box').authenticatedKey, fingerprintOf(server.userKey.publicKey), 'the key file that logged in');
    assert.strictEqual(pool.connectedTarget('box')?.port, server.port, 'what the connection was resolved from, without resolving again');
    assert.strictEqual(pool.connectedTarget('other'), undefined);
    refs.forEach((r) => r.release());
  });

  it('queues 12 concurrent session users under MaxSessions 3 on one TCP connection', async () => {
    const before = acceptedLogins(server);
    // Start with our default limit of 10: the server's refusals must lower it, not fail the callers.
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], log });
    const ref = await pool.acquire('box');
    const connection = await ref.connection();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => exec(connection, `sleep 0.2; echo ${i}`, {}, log)),
    );
    assert.deepStrictEqual(
      results.map((r) => r.stdout.toString().trim()),
      Array.from({ length: 12 }, (_, i) => String(i)),
    );
    assert.ok(connection.scheduler.limit <= 3, `limit lowered to the server's (now ${connection.scheduler.limit})`);
    assert.strictEqual(acceptedLogins(server) - before, 1);
    ref.release();
  });

  it('closes an exec that runs past its timeout and reports it failed', async () => {
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], log });
    const ref = await pool.acquire('box');
    const connection = await ref.connection();
    await assert.rejects(exec(connection, 'sleep 2', { timeoutMs: 300 }, log), (e: unknown) => SshError.is(e, 'timeout'));
    // sshd keeps the session until its process ends (root sessions cannot be signalled: OpenSSH needs
    // privilege separation for that), so the slot comes back when the server closes the channel.
    for (let i = 0; i < 200 && connection.scheduler.active > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(connection.scheduler.active, 0);
    const ok = await exec(connection, 'echo still-fine', {}, log);
    assert.strictEqual(ok.stdout.toString().trim(), 'still-fine');
    ref.release();
  });

  it('cancels a command with an AbortSignal', async () => {
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], log });
    const ref = await pool.acquire('box');
    const connection = await ref.connection();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(exec(connection, 'sleep 30', { signal: controller.signal }, log), (e: unknown) => SshError.is(e, 'cancelled'));
    ref.release();
  });

  it('sends caller env and cwd but never secret-looking variables', async () => {
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], log });
    const ref = await pool.acquire('box');
    const connection = await ref.connection();
    const result = await exec(connection, 'echo "$SBX_MODE|${API_TOKEN-unset}|${AWS_REGION-unset}|$(pwd)"', { env: { SBX_MODE: "it's on", API_TOKEN: 'x', AWS_REGION: 'y' }, cwd: server.root }, log);
    assert.strictEqual(result.stdout.toString().trim(), `it's on|unset|unset|${server.root}`);
    const audit = log.lines.filter((l) => l.includes('exec test') || l.includes('exec box'));
    assert.ok(audit.length > 0, 'an audit line per exec');
    assert.ok(!log.lines.some((l) => l.includes("it's on")), 'env values never reach the log');
    ref.release();
  });

  it('closes the connection when the idle timer runs out after the last release', async () => {
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], settings: { idleTimeoutMs: 200 }, log });
    const ref = await pool.acquire('box');
    const connection = await ref.connection();
    ref.release();
    await new Promise((r) => setTimeout(r, 600));
    assert.strictEqual(connection.isOpen, false);
    assert.strictEqual(pool.state('box').state, 'disconnected');
  });

  it('applies a changed idle timeout to a running idle timer (live)', async () => {
    const settings = { idleTimeoutMs: 60_000 };
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], settings, log });
    const ref = await pool.acquire('box');
    const connection = await ref.connection();
    ref.release();
    const closed = new Promise<void>((resolve) => connection.onDidClose(() => resolve()));
    settings.idleTimeoutMs = 0;
    pool.settingsChanged();
    await closed;
    assert.strictEqual(pool.state('box').state, 'disconnected');
  });

  it('applies a changed maxSessions on the next connect', async () => {
    const settings = { idleTimeoutMs: 0, maxSessions: 2 };
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], settings, log });
    const first = await pool.acquire('box');
    const connection = await first.connection();
    assert.strictEqual(connection.scheduler.limit, 2);
    settings.maxSessions = 3;
    assert.strictEqual(connection.scheduler.limit, 2, 'an open connection keeps its limit');
    const closed = new Promise<void>((resolve) => connection.onDidClose(() => resolve()));
    first.release();
    await closed;
    const second = await pool.acquire('box');
    assert.strictEqual((await second.connection()).scheduler.limit, 3);
    second.release();
  });

  it('refuses an unexpected host key before authenticating', async () => {
    const other = generateKey(path.join(server.dir, `other_host_${Date.now()}`));
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [other.publicKey], log });
    const before = acceptedLogins(server);
    await assert.rejects(pool.acquire('box'), (e: unknown) => SshError.is(e, 'host-key'));
    assert.strictEqual(acceptedLogins(server), before);
    assert.strictEqual(pool.state('box').state, 'failed');
  });

  it('fails later uses at once after a refusal, until retry() (no prompt storms)', async () => {
    const logged = await startSshd({ debugLog: true });
    const connections = () => (logged.log().match(/Connection from 127\.0\.0\.1/g) ?? []).length;
    const other = generateKey(path.join(logged.dir, 'other_host'));
    pool = testPool({ targets: { box: targetFor(logged) }, hostKeys: [other.publicKey], log });
    try {
      const before = connections();
      await assert.rejects(pool.acquire('box'), (e: unknown) => SshError.is(e, 'host-key'));
      await assert.rejects(pool.acquire('box'), (e: unknown) => SshError.is(e, 'host-key'));
      await new Promise((r) => setTimeout(r, 200));
      assert.strictEqual(connections() - before, 1, 'the second use did not contact the server');
      pool.retry('box');
      await assert.rejects(pool.acquire('box'), (e: unknown) => SshError.is(e, 'host-key'));
      await new Promise((r) => setTimeout(r, 200));
      assert.strictEqual(connections() - before, 2, 'retry() tries again');
    } finally {
      await pool.dispose();
      pool = undefined;
      await logged.stop();
    }
  });

  it('Disconnect holds the host down: uses fail at once without contacting the server, until resume()', async () => {
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], log });
    const before = acceptedLogins(server);
    // A long-lived user such as the watcher keeps its reference across the Disconnect.
    const ref = await pool.acquire('box');
    await pool.disconnect('box');
    assert.deepStrictEqual([pool.state('box').state, pool.state('box').held], ['disconnected', true]);
    const held = (e: unknown) => SshError.is(e, 'unavailable') && e.code === 'held';
    await assert.rejects(pool.acquire('box'), held);
    await assert.rejects(ref.connection(), held);
    assert.strictEqual(acceptedLogins(server) - before, 1, 'no login while held down');
    assert.strictEqual(pool.state('box').held, true, 'the idle timer of the failed uses does not end the hold');
    pool.resume('box');
    assert.strictEqual(pool.state('box').held, false);
    assert.strictEqual((await exec(await ref.connection(), 'echo back', {}, log)).stdout.toString().trim(), 'back');
    assert.strictEqual(acceptedLogins(server) - before, 2);
    ref.release();
  });

  it('logs every failed connect with its cause: a refused port, a refused login', async () => {
    const closedPort = await freePort();
    const stranger = generateKey(path.join(server.dir, `stranger_log_${Date.now()}`));
    const failures = memoryLog();
    pool = testPool({
      targets: { closed: targetFor({ port: closedPort, user: server.user }), locked: targetFor(server, { identityFiles: [stranger.privatePath] }) },
      hostKeys: [server.hostKey.publicKey],
      log: failures,
    });
    await assert.rejects(pool.acquire('closed'), (e: unknown) => SshError.is(e, 'unavailable') && e.code === 'refused' && e.target === `127.0.0.1:${closedPort}`);
    assert.ok(
      failures.lines.some((l) => l === `warn [closed] could not connect: could not reach 127.0.0.1:${closedPort}: connection refused (ECONNREFUSED)`),
      failures.lines.join('\n'),
    );
    await assert.rejects(pool.acquire('locked'), (e: unknown) => {
      assert.ok(SshError.is(e, 'auth-failed'));
      assert.deepStrictEqual(e.tried, [{ method: 'none' }, { method: 'key', file: stranger.privatePath }]);
      assert.strictEqual(e.user, server.user);
      return true;
    });
    assert.ok(
      failures.lines.some((l) => l.startsWith('warn [locked] could not connect: Authentication failed for ') && l.includes(`(tried: none, publickey (${stranger.privatePath}))`)),
      failures.lines.join('\n'),
    );
  });

  it('declares a dead link within 20 s by default, and the editor settings default to the same', () => {
    const { keepaliveIntervalMs, keepaliveCountMax } = DEFAULT_POOL_SETTINGS;
    assert.ok(keepaliveIntervalMs * (keepaliveCountMax + 1) <= 20_000, `${keepaliveIntervalMs} ms × (${keepaliveCountMax} + 1)`);
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8'));
    const properties = manifest.contributes.configuration.properties;
    assert.strictEqual(properties['sandboxExplorer.keepaliveIntervalSeconds'].default * 1000, keepaliveIntervalMs);
    assert.strictEqual(properties['sandboxExplorer.keepaliveCountMax'].default, keepaliveCountMax);
  });

  it('names the methods it tried when authentication fails', async () => {
    const stranger = generateKey(path.join(server.dir, `stranger_${Date.now()}`));
    pool = testPool({ targets: { box: targetFor(server, { identityFiles: [stranger.privatePath] }) }, hostKeys: [server.hostKey.publicKey], log });
    await assert.rejects(pool.acquire('box'), (e: unknown) => SshError.is(e, 'auth-failed') && /tried: none, publickey \(.*stranger/.test((e as Error).message));
  });

  it('authenticates with a real ssh-agent', async () => {
    const agent = await startAgent();
    try {
      // A key the server does not authorize comes first: the one that logged in is reported, not the first offered.
      const stranger = generateKey(path.join(server.dir, `agent_stranger_${Date.now()}`));
      agent.add(stranger.privatePath);
      agent.add(server.userKey.privatePath);
      pool = testPool({
        targets: { box: targetFor(server, { identityFiles: [], identitiesOnly: false, identityAgent: undefined }) },
        hostKeys: [server.hostKey.publicKey],
        agentSocket: agent.socket,
        log,
      });
      const ref = await pool.acquire('box');
      assert.strictEqual((await exec(await ref.connection(), 'echo via-agent', {}, log)).stdout.toString().trim(), 'via-agent');
      assert.strictEqual(pool.state('box').authenticatedKey, fingerprintOf(server.userKey.publicKey), 'the agent key that logged in');
      assert.notStrictEqual(fingerprintOf(stranger.publicKey), fingerprintOf(server.userKey.publicKey));
      ref.release();
    } finally {
      await pool?.dispose();
      pool = undefined;
      await agent.stop();
    }
  });

  it('asks again after a wrong passphrase, and never logs it', async () => {
    const keyPath = path.join(server.dir, `enc_${Date.now()}`);
    const encrypted = generateKey(keyPath, 'ed25519', 'correct horse');
    fs.appendFileSync(path.join(server.dir, 'authorized_keys'), encrypted.publicKey + '\n');
    const asked: number[] = [];
    const rejected: string[] = [];
    pool = testPool({
      targets: { box: targetFor(server, { identityFiles: [keyPath] }) },
      hostKeys: [server.hostKey.publicKey],
      credentials: {
        password: async () => undefined,
        keyboardInteractive: async () => undefined,
        passphrase: async (req) => {
          asked.push(req.attempt);
          return req.attempt === 1 ? 'wrong battery' : 'correct horse';
        },
        rejected: (s) => rejected.push(s.kind),
        accepted: () => {},
      },
      log,
    });
    const ref = await pool.acquire('box');
    assert.deepStrictEqual(asked, [1, 2]);
    assert.deepStrictEqual(rejected, ['passphrase']);
    assert.ok(!log.lines.some((l) => l.includes('correct horse') || l.includes('wrong battery')));
    ref.release();
  });

  it('bridges a sandbox over stdio with ProxyCommand sshd -i, and ends the child', async () => {
    pool = testPool({
      targets: { bridged: targetFor(server, { proxyCommand: stdioBridgeCommand(server) }) },
      hostKeys: [server.hostKey.publicKey],
      log,
    });
    const ref = await pool.acquire('bridged');
    const connection = await ref.connection();
    assert.strictEqual((await exec(connection, 'echo bridged', {}, log)).stdout.toString().trim(), 'bridged');
    ref.release();
    await pool.disconnect('bridged');
    assert.strictEqual(connection.isOpen, false);
  });
});

describe('a connect that fails before the handshake ends its transport', function () {
  this.timeout(60000);
  let server: Sshd;
  let pool: ConnectionPool | undefined;
  before(async () => {
    server = await startSshd();
  });
  after(async () => {
    await pool?.dispose();
    await server?.stop();
  });

  /** A ProxyCommand that records its PID (the `exec` chain keeps it the spawned process's) and then bridges to sshd. */
  function recordingProxy(pidFile: string): string {
    return `sh -c 'echo $$ >> ${pidFile}; exec ${stdioBridgeCommand(server)}'`;
  }

  async function proxiesLeft(pidFile: string): Promise<number[]> {
    const pids = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
    // SIGTERM goes out at dispose; give the processes a moment to be gone.
    for (let i = 0; i < 100 && pids.some(isAlive); i++) await new Promise((r) => setTimeout(r, 50));
    return pids.filter(isAlive);
  }

  it('algorithm settings that leave nothing ssh2 supports: three attempts leave no ProxyCommand running', async () => {
    const pidFile = path.join(server.dir, 'proxy-pids-config');
    const log = memoryLog();
    pool = testPool({
      // OpenSSH's post-quantum kex, which ssh2 lacks.
      targets: { pq: targetFor(server, { proxyCommand: recordingProxy(pidFile), kexAlgorithms: 'sntrup761x25519-sha512@openssh.com' }) },
      hostKeys: [server.hostKey.publicKey],
      algorithms: async (target) => buildAlgorithms(target, { log }),
      log,
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      pool.retry(); // as Connect does after a refusal
      await assert.rejects(pool.acquire('pq'), (e: unknown) => SshError.is(e, 'config'));
    }
    assert.deepStrictEqual(await proxiesLeft(pidFile), []);
  });

  it('settings ssh2 itself refuses at connect: the ProxyCommand it started is ended', async () => {
    const pidFile = path.join(server.dir, 'proxy-pids-ssh2');
    const log = memoryLog();
    pool = testPool({
      log,
      targets: { odd: targetFor(server, { proxyCommand: recordingProxy(pidFile) }) },
      hostKeys: [server.hostKey.publicKey],
      algorithms: async () => ({ kex: ['no-such-kex@example.com'] }) as never,
    });
    await assert.rejects(pool.acquire('odd'), (e: unknown) => SshError.is(e, 'config') && /Unsupported algorithm/.test(e.message));
    // It was started (ssh2 refuses only once it has the stream) and it exits: the transport logs that.
    for (let i = 0; i < 100 && !log.lines.some((l) => l.includes('ProxyCommand exited')); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(log.lines.some((l) => l.includes('ProxyCommand exited')), log.lines.join('\n'));
    assert.deepStrictEqual(await proxiesLeft(pidFile), []);
  });
});

describe('ProxyJump through two real sshd', function () {
  this.timeout(60000);
  it('reaches the target through a pooled jump connection', async () => {
    const jump = await startSshd({ debugLog: true });
    const target = await startSshd({ userKey: jump.userKey });
    const log = memoryLog();
    const pool = testPool({
      targets: { jumpbox: targetFor(jump), inner: targetFor(target, { proxyJump: [{ host: 'jumpbox' }] }) },
      hostKeys: [jump.hostKey.publicKey, target.hostKey.publicKey],
      log,
    });
    try {
      const ref = await pool.acquire('inner');
      const result = await exec(await ref.connection(), 'echo inner', {}, log);
      assert.strictEqual(result.stdout.toString().trim(), 'inner');
      assert.match(jump.log(), new RegExp(`direct_tcpip: originator .* target 127\\.0\\.0\\.1 port ${target.port}`), 'the jump host forwarded the connection');
      // The jump host is itself a pooled connection, held while the target is connected.
      assert.strictEqual(pool.jumpState([{ host: 'jumpbox' }]).state, 'connected');
      ref.release();
    } finally {
      await pool.dispose();
      await target.stop();
      await jump.stop();
    }
  });

  it('pools a typed hop by its chain, and the hop\'s own user@host:port wins over its alias', async () => {
    const jump = await startSshd();
    const target = await startSshd({ userKey: jump.userKey });
    // The alias alone points at a closed port as another user: only the hop's port and user reach the jump host.
    const hop = { user: jump.user, host: 'jumpbox', port: jump.port };
    const pool = testPool({
      targets: {
        jumpbox: targetFor(jump, { port: await freePort(), user: 'nobody-here' }),
        a: targetFor(target, { proxyJump: [hop] }),
        b: targetFor(target, { proxyJump: [{ ...hop }] }),
      },
      hostKeys: [jump.hostKey.publicKey, target.hostKey.publicKey],
    });
    try {
      const a = await pool.acquire('a');
      const b = await pool.acquire('b');
      assert.strictEqual(acceptedLogins(jump), 1, 'two targets behind the same hop share one jump connection');
      assert.strictEqual(pool.jumpState([hop]).state, 'connected');
      assert.strictEqual(pool.jumpState([{ host: 'jumpbox' }]).state, 'disconnected', 'a hop without the user and port is another chain');
      a.release();
      b.release();
    } finally {
      await pool.dispose();
      await target.stop();
      await jump.stop();
    }
  });
});

/** `ssh-keygen -lf`'s fingerprint of an authorized_keys-style line. */
function fingerprintOf(publicKeyLine: string): string {
  return fingerprintSha256(Buffer.from(publicKeyLine.split(/\s+/)[1], 'base64'));
}
