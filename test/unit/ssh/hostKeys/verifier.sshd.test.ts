// Against a real OpenSSH sshd: OpenSSH's client is the oracle for what we record and match,
// and ssh2's Client proves the verifier runs before any credential is sent.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Client, ConnectConfig } from 'ssh2';
import { buildAlgorithms } from '../../../../src/ssh/hostKeys/algorithms';
import { checkHostKey } from '../../../../src/ssh/hostKeys/check';
import { HostKeyError } from '../../../../src/ssh/hostKeys/hostKeyError';
import { addKnownHost } from '../../../../src/ssh/hostKeys/record';
import { createHostVerifier, HostVerifier } from '../../../../src/ssh/hostKeys/verifier';
import { decideHostKey, HostKeyPrompt, NewHostKeyInfo } from '../../../../src/ssh/hostKeys/policy';
import { StrictHostKeyChecking } from '../../../../src/ssh/config/resolvedHost';
import { startSshd, Sshd } from '../../../support/sshd';
import { fromPub, hashWithSshKeygen, keygen, tempDir, TestKey } from './keys';
import { memoryLogger } from './logger';

/** OpenSSH's client with nothing but the given known_hosts file; true when `true` ran remotely. */
function opensshAccepts(server: Sshd, knownHosts: string, extra: string[] = []): { ok: boolean; stderr: string } {
  try {
    execFileSync(
      'ssh',
      [
        '-F', '/dev/null',
        '-o', `UserKnownHostsFile=${knownHosts}`,
        '-o', 'GlobalKnownHostsFile=/dev/null',
        '-o', 'StrictHostKeyChecking=yes',
        '-o', 'BatchMode=yes',
        '-o', 'UpdateHostKeys=no',
        '-o', 'CheckHostIP=no',
        '-o', 'IdentitiesOnly=yes',
        '-i', server.userKey.privatePath,
        '-p', String(server.port),
        ...extra,
        `${server.user}@127.0.0.1`,
        'true',
      ],
      { stdio: 'pipe', timeout: 15000 },
    );
    return { ok: true, stderr: '' };
  } catch (err) {
    return { ok: false, stderr: String((err as { stderr?: Buffer }).stderr ?? err) };
  }
}

interface Attempt {
  readonly ready: boolean;
  readonly error?: Error;
  /** How often ssh2 asked which credential to send. */
  readonly authCalls: number;
  readonly debug: string[];
  readonly negotiatedCipher?: string;
  readonly negotiatedHostKey?: string;
}

/** One ssh2 connection on our own noDelay socket, with the verifier as hostVerifier. */
function connectSsh2(server: Sshd, verifier: HostVerifier, extra: Partial<ConnectConfig> = {}): Promise<Attempt> {
  return new Promise((resolve) => {
    const client = new Client();
    const debug: string[] = [];
    let authCalls = 0;
    let negotiatedCipher: string | undefined;
    let negotiatedHostKey: string | undefined;
    let settled = false;
    const done = (a: Pick<Attempt, 'ready' | 'error'>) => {
      if (settled) return;
      settled = true;
      client.end();
      resolve({ ...a, authCalls, debug, negotiatedCipher, negotiatedHostKey });
    };
    client.on('handshake', (n) => {
      negotiatedCipher = n.cs.cipher;
      negotiatedHostKey = n.serverHostKey;
    });
    client.on('ready', () => done({ ready: true }));
    client.on('error', (error) => done({ ready: false, error }));
    client.on('close', () => done({ ready: false }));
    const sock = net.connect({ host: server.host, port: server.port, noDelay: true });
    client.connect({
      sock,
      username: server.user,
      hostVerifier: verifier.hostVerifier,
      authHandler: (_methodsLeft, _partial, next) => {
        authCalls++;
        next({ type: 'publickey', username: server.user, key: fs.readFileSync(server.userKey.privatePath) } as never);
      },
      readyTimeout: 20000,
      debug: (m: string) => debug.push(m),
      ...extra,
    } as ConnectConfig);
  });
}

function prompt(answer: boolean, seen: NewHostKeyInfo[] = [], changed: unknown[] = []): HostKeyPrompt {
  return {
    confirmNewHost: async (info) => {
      seen.push(info);
      return answer;
    },
    changedHostKey: (info) => void changed.push(info),
  };
}

describe('host keys: against a real sshd', function () {
  this.timeout(60000);
  const tmp = tempDir();
  let server: Sshd;
  let hostKey: TestKey;
  before(async () => {
    server = await startSshd({ debugLog: true });
    hostKey = fromPub(server.hostKey.publicPath);
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });
  const fresh = (name: string) => path.join(tmp.dir, `${name}-${Math.random().toString(36).slice(2)}`, 'known_hosts');

  it('OpenSSH accepts what addKnownHost recorded: plain, hashed, and under HostKeyAlias', async () => {
    const plain = fresh('plain');
    await addKnownHost(plain, { hostname: server.host, port: server.port }, hostKey.type, hostKey.blob);
    assert.deepStrictEqual(opensshAccepts(server, plain), { ok: true, stderr: '' });

    const hashed = fresh('hashed');
    await addKnownHost(hashed, { hostname: server.host, port: server.port }, hostKey.type, hostKey.blob, { hashed: true });
    assert.deepStrictEqual(opensshAccepts(server, hashed), { ok: true, stderr: '' });

    const alias = fresh('alias');
    await addKnownHost(alias, { hostname: server.host, port: server.port, hostKeyAlias: 'Sandbox-A' }, hostKey.type, hostKey.blob);
    assert.deepStrictEqual(opensshAccepts(server, alias, ['-o', 'HostKeyAlias=sandbox-a']), { ok: true, stderr: '' });
    // Control: OpenSSH really checks the file (a file for another port is refused).
    const wrong = fresh('wrong');
    await addKnownHost(wrong, { hostname: server.host, port: server.port + 1 }, hostKey.type, hostKey.blob);
    assert.strictEqual(opensshAccepts(server, wrong).ok, false);
  });

  it('accept-new through ssh2 records the key ssh2 saw; OpenSSH then accepts the file and our next check matches', async () => {
    const trustFile = fresh('trust');
    const seen: NewHostKeyInfo[] = [];
    const log = memoryLogger();
    const verifier = createHostVerifier({ hostname: server.host, port: server.port, strict: 'accept-new', knownHostsFiles: [], trustFile, prompt: prompt(false, seen), log });
    const first = await connectSsh2(server, verifier);
    assert.ok(first.ready, String(first.error));
    assert.strictEqual(seen.length, 0);
    assert.strictEqual(fs.readFileSync(trustFile, 'utf8'), `[127.0.0.1]:${server.port} ${hostKey.type} ${hostKey.base64}\n`);
    assert.ok(opensshAccepts(server, trustFile).ok);
    const again = createHostVerifier({ hostname: server.host, port: server.port, strict: 'yes', knownHostsFiles: [], trustFile, prompt: prompt(false), log });
    assert.ok((await connectSsh2(server, again)).ready);
    assert.strictEqual(fs.readFileSync(trustFile, 'utf8').split('\n').filter(Boolean).length, 1, 'a known key is not recorded twice');
  });

  it('ask: the modal shows the SHA256 fingerprint ssh-keygen -lf prints; accept records, decline refuses', async () => {
    const trustFile = fresh('ask');
    const seen: NewHostKeyInfo[] = [];
    const declined = createHostVerifier({ hostname: server.host, port: server.port, strict: 'ask', knownHostsFiles: [], trustFile, prompt: prompt(false, seen), log: memoryLogger() });
    const refused = await connectSsh2(server, declined);
    assert.strictEqual(refused.ready, false);
    assert.strictEqual(refused.authCalls, 0);
    assert.strictEqual(declined.lastRejection(), 'rejected-by-user');
    assert.ok(!fs.existsSync(trustFile));
    assert.deepStrictEqual(seen.map((s) => [s.host, s.port, s.keyType, s.fingerprint]), [['127.0.0.1', server.port, 'ssh-ed25519', hostKey.fingerprint]]);

    const accepted = createHostVerifier({ hostname: server.host, port: server.port, strict: 'ask', knownHostsFiles: [], trustFile, prompt: prompt(true), log: memoryLogger() });
    assert.ok((await connectSsh2(server, accepted)).ready);
    assert.ok(opensshAccepts(server, trustFile).ok);
  });

  it('a key pinned by a sandbox platform: a match connects without asking or recording; another key is refused before authentication', async () => {
    const trustFile = fresh('pinned');
    const seen: NewHostKeyInfo[] = [];
    const byKey = createHostVerifier({ hostname: server.host, port: server.port, strict: 'ask', knownHostsFiles: [], trustFile, prompt: prompt(false, seen), log: memoryLogger(), pinned: { keys: [hostKey.base64] } });
    assert.ok((await connectSsh2(server, byKey)).ready);
    const byFingerprint = createHostVerifier({ hostname: server.host, port: server.port, strict: 'yes', knownHostsFiles: [], trustFile, prompt: prompt(false, seen), log: memoryLogger(), pinned: { fingerprints: [hostKey.fingerprint] } });
    assert.ok((await connectSsh2(server, byFingerprint)).ready);
    assert.deepStrictEqual(seen, [], 'no first-use prompt');
    assert.ok(!fs.existsSync(trustFile), 'nothing recorded');

    const other = keygen(tmp.dir, 'ed25519', 'pinned-other');
    // Even StrictHostKeyChecking no (and a prompt that would say yes) cannot accept a key the platform did not pin.
    const mismatch = createHostVerifier({ hostname: server.host, port: server.port, strict: 'no', knownHostsFiles: [], trustFile, prompt: prompt(true, seen), log: memoryLogger(), pinned: { keys: [other.base64] } });
    const r = await connectSsh2(server, mismatch);
    assert.deepStrictEqual([r.ready, r.authCalls, mismatch.lastRejection()], [false, 0, 'changed']);
    assert.match(mismatch.lastError()!.message, /not the one its sandbox platform names/);
    assert.deepStrictEqual(seen, []);
  });

  it('unknown key under yes is refused before authentication; under no it connects without recording', async () => {
    const trustFile = fresh('modes');
    const yes = createHostVerifier({ hostname: server.host, port: server.port, strict: 'yes', knownHostsFiles: [], trustFile, prompt: prompt(true), log: memoryLogger() });
    const r = await connectSsh2(server, yes);
    assert.deepStrictEqual([r.ready, r.authCalls, yes.lastRejection()], [false, 0, 'unknown-refused']);
    const no = createHostVerifier({ hostname: server.host, port: server.port, strict: 'no', knownHostsFiles: [], trustFile, prompt: prompt(false), log: memoryLogger() });
    assert.ok((await connectSsh2(server, no)).ready);
    assert.ok(!fs.existsSync(trustFile));
  });

  it('uses the known_hosts files it is given (user file, hashed by ssh-keygen -H)', async () => {
    const userFile = path.join(tmp.dir, 'user_known_hosts');
    fs.writeFileSync(userFile, hashWithSshKeygen(tmp.dir, [server.knownHostsLine()]).join('\n') + '\n');
    const verifier = createHostVerifier({ hostname: server.host, port: server.port, strict: 'yes', knownHostsFiles: [userFile], trustFile: fresh('unused'), prompt: prompt(false), log: memoryLogger() });
    assert.ok((await connectSsh2(server, verifier)).ready);
  });

  it('with the default algorithms: strict KEX on, aes128-gcm negotiated', async () => {
    const trustFile = fresh('algos');
    await addKnownHost(trustFile, { hostname: server.host, port: server.port }, hostKey.type, hostKey.blob);
    const verifier = createHostVerifier({ hostname: server.host, port: server.port, strict: 'yes', knownHostsFiles: [], trustFile, prompt: prompt(false), log: memoryLogger() });
    const r = await connectSsh2(server, verifier, { algorithms: buildAlgorithms({}) });
    assert.ok(r.ready, String(r.error));
    assert.ok(r.debug.some((l) => l.includes('kex-strict-c-v00@openssh.com')), 'ssh2 offers strict KEX with our custom list');
    assert.ok(r.debug.includes('Handshake: strict KEX mode enabled'));
    assert.strictEqual(r.negotiatedCipher, 'aes128-gcm@openssh.com');
  });

  it('an RSA host key still verifies with ssh-rsa (SHA-1) dropped: rsa-sha2-* signs, the blob is ssh-rsa', async () => {
    const rsaServer = await startSshd({ hostKeyType: 'rsa' });
    try {
      const trustFile = fresh('rsa');
      fs.mkdirSync(path.dirname(trustFile), { recursive: true });
      fs.writeFileSync(trustFile, rsaServer.knownHostsLine() + '\n');
      const verifier = createHostVerifier({ hostname: rsaServer.host, port: rsaServer.port, strict: 'yes', knownHostsFiles: [], trustFile, prompt: prompt(false), log: memoryLogger() });
      const algorithms = buildAlgorithms({});
      const r = await connectSsh2(rsaServer, verifier, { algorithms });
      assert.ok(r.ready, String(r.error));
      assert.strictEqual(r.negotiatedHostKey, 'rsa-sha2-512');
      assert.ok(!(algorithms.serverHostKey as string[]).includes('ssh-rsa'));
    } finally {
      await rsaServer.stop();
    }
  });

  describe('a changed host key', () => {
    let rotated: Sshd;
    let oldKey: TestKey;
    before(async () => {
      rotated = await startSshd({ debugLog: true });
      oldKey = fromPub(rotated.hostKey.publicPath);
    });
    after(async () => rotated?.stop());

    it('is refused under every StrictHostKeyChecking mode BEFORE authentication, with both fingerprints', async () => {
      const trustFile = fresh('changed');
      await addKnownHost(trustFile, { hostname: rotated.host, port: rotated.port }, oldKey.type, oldKey.blob);
      // Positive control: with the right key, ssh2 authenticates and sshd logs the userauth request.
      const control = await connectSsh2(rotated, createHostVerifier({ hostname: rotated.host, port: rotated.port, strict: 'yes', knownHostsFiles: [], trustFile, prompt: prompt(false), log: memoryLogger() }));
      assert.ok(control.ready && control.authCalls > 0, String(control.error));
      assert.match(rotated.log(), /userauth-request/);

      await rotated.rotateHostKey();
      const newKey = fromPub(rotated.hostKey.publicPath);
      const logBefore = rotated.log().length;
      for (const strict of ['yes', 'no', 'accept-new', 'ask'] as StrictHostKeyChecking[]) {
        const changed: Array<{ fingerprint: string; knownFingerprints: readonly string[] }> = [];
        const asked: NewHostKeyInfo[] = [];
        const log = memoryLogger();
        const verifier = createHostVerifier({ hostname: rotated.host, port: rotated.port, strict, knownHostsFiles: [], trustFile, prompt: prompt(true, asked, changed), log });
        const r = await connectSsh2(rotated, verifier);
        assert.strictEqual(r.ready, false, strict);
        assert.strictEqual(r.authCalls, 0, `${strict}: no credential may be offered`);
        assert.ok(r.debug.includes('Host denied (verification failed)'), r.debug.join('\n'));
        assert.strictEqual(verifier.lastRejection(), 'changed');
        const err = verifier.lastError()!;
        assert.ok(HostKeyError.is(err, 'changed'));
        assert.deepStrictEqual([err.details.fingerprint, err.details.knownFingerprints], [newKey.fingerprint, [oldKey.fingerprint]]);
        assert.ok(HostKeyError.is(HostKeyError.find(verifier.rejection()), 'changed'));
        assert.deepStrictEqual(changed.map((c) => [c.fingerprint, c.knownFingerprints]), [[newKey.fingerprint, [oldKey.fingerprint]]]);
        assert.strictEqual(asked.length, 0);
        assert.match(log.lines.join('\n'), /warn The host key of 127\.0\.0\.1:\d+ has changed/);
      }
      // sshd saw four key exchanges, each ended by our KEY_EXCHANGE_FAILED (3) disconnect while it
      // still waited for the client's NEWKEYS: no encrypted packet, so no userauth request, was sent.
      // sshd writes its log asynchronously: give the last connection's lines a moment to land.
      for (let i = 0; i < 40 && (rotated.log().slice(logBefore).match(/Received disconnect from/g)?.length ?? 0) < 4; i++) await new Promise((r) => setTimeout(r, 50));
      const after = rotated.log().slice(logBefore);
      if (process.env.SBX_PRINT_SSHD_LOG) console.log(after);
      assert.strictEqual(after.match(/Connection from 127\.0\.0\.1/g)?.length, 4, after);
      assert.strictEqual(after.match(/Received disconnect from 127\.0\.0\.1 port \d+:3:/g)?.length, 4, after);
      assert.doesNotMatch(after, /SSH2_MSG_NEWKEYS received|userauth|Accepted publickey|Failed publickey|Postponed/i);
      assert.strictEqual(fs.readFileSync(trustFile, 'utf8').split('\n').filter(Boolean).length, 1, 'nothing recorded');
      // The oracle agrees: OpenSSH also calls this a changed key.
      const openssh = opensshAccepts(rotated, trustFile);
      assert.ok(!openssh.ok && /REMOTE HOST IDENTIFICATION HAS CHANGED/.test(openssh.stderr));
    });
  });

  describe('matching agrees with OpenSSH (StrictHostKeyChecking=yes)', () => {
    let other: TestKey;
    before(() => {
      other = keygen(tmp.dir, 'ed25519', 'oracle-other');
    });
    const cases: Array<{ name: string; lines: (p: number, k: TestKey, o: TestKey) => string[]; alias?: string }> = [
      { name: '[host]:port', lines: (p, k) => [`[127.0.0.1]:${p} ${k.type} ${k.base64}`] },
      { name: 'bare host, non-22 port (ssh falls back to the port-less name)', lines: (_p, k) => [`127.0.0.1 ${k.type} ${k.base64}`] },
      { name: 'bare host with another key', lines: (_p, _k, o) => [`127.0.0.1 ${o.type} ${o.base64}`] },
      { name: 'changed', lines: (p, _k, o) => [`[127.0.0.1]:${p} ${o.type} ${o.base64}`] },
      { name: 'two keys, one right', lines: (p, k, o) => [`[127.0.0.1]:${p} ${o.type} ${o.base64}`, `[127.0.0.1]:${p} ${k.type} ${k.base64}`] },
      { name: 'wildcards', lines: (p, k) => [`[127.0.0.?]:${p} ${k.type} ${k.base64}`] },
      { name: 'wildcard port', lines: (_p, k) => [`[127.0.*]:* ${k.type} ${k.base64}`] },
      { name: 'negated with port', lines: (p, k) => [`*,![127.0.0.1]:${p} ${k.type} ${k.base64}`] },
      { name: 'negated everywhere', lines: (_p, k) => [`*,!127.0.0.1,![127.0.0.1]:* ${k.type} ${k.base64}`] },
      { name: 'negation hides a different key', lines: (_p, _k, o) => [`*,!127.0.0.1,![127.0.0.1]:* ${o.type} ${o.base64}`] },
      { name: '@cert-authority', lines: (p, k) => [`@cert-authority [127.0.0.1]:${p} ${k.type} ${k.base64}`] },
      { name: '@revoked beats a match', lines: (p, k) => [`[127.0.0.1]:${p} ${k.type} ${k.base64}`, `@revoked * ${k.type} ${k.base64}`] },
      { name: 'HostKeyAlias', alias: 'box-alias', lines: (_p, k) => [`box-alias ${k.type} ${k.base64}`] },
      { name: 'HostKeyAlias takes no port', alias: 'box-alias', lines: (p, k) => [`[box-alias]:${p} ${k.type} ${k.base64}`] },
      { name: 'HostKeyAlias ignores the host entry', alias: 'box-alias', lines: (p, k) => [`[127.0.0.1]:${p} ${k.type} ${k.base64}`] },
      { name: 'comments, blank lines, tabs', lines: (p, k) => ['# hi', '', `\t[127.0.0.1]:${p}\t${k.type} ${k.base64} comment`] },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const file = path.join(tmp.dir, `oracle-${c.name.replace(/\W+/g, '_')}`);
        fs.writeFileSync(file, c.lines(server.port, hostKey, other).join('\n') + '\n');
        const check = await checkHostKey({ hostname: '127.0.0.1', port: server.port, hostKeyAlias: c.alias, key: hostKey.blob, files: [file] });
        const ours = await decideHostKey(check, 'yes', prompt(false));
        const theirs = opensshAccepts(server, file, c.alias ? ['-o', `HostKeyAlias=${c.alias}`] : []);
        assert.strictEqual(ours.accept, theirs.ok, `ours: ${check.status}; ssh: ${theirs.stderr}`);
        assert.strictEqual(check.status === 'changed', /HAS CHANGED/.test(theirs.stderr), `ours: ${check.status}; ssh: ${theirs.stderr}`);
      });
    }
  });
});
