// Saved credentials against real logins: two in-process ssh2 servers on one address and two
// ports, each taking its own password, and gateways that take a token in the user name. The
// secret storage is an in-memory map behind the same interface the editor's SecretStorage fills.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SshError } from '../../../src/ssh/errors';
import { SavedCredentials, SecretBackend, SecretPrompts } from '../../../src/ssh/savedCredentials';
import { FakeServer, startFakeServer } from '../../support/ssh2Server';
import { generateEd25519, writeNewKeyPair } from '../../../src/ssh/keys/keyPair';
import { generateKey, makeTempDir, startSshd } from '../../support/sshd';
import { memoryLog, MemoryLog, targetFor, testPool } from '../../support/targets';

class MemorySecrets implements SecretBackend {
  readonly values = new Map<string, string>();
  private waiters: Array<() => void> = [];

  async get(key: string) {
    return this.values.get(key);
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
    this.changed();
  }
  async delete(key: string) {
    this.values.delete(key);
    this.changed();
  }
  keys(prefix: string): string[] {
    return [...this.values.keys()].filter((k) => k.startsWith(prefix));
  }
  /** Resolves once `check` holds (now or after a later write): the offer to remember is not awaited by the login. */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = () => {
        if (!check()) return;
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      this.waiters.push(waiter);
    });
  }
  private changed() {
    for (const w of [...this.waiters]) w();
  }
}

/** Input boxes answered from a queue; what each box said is kept. */
function scriptedPrompts(): { prompts: SecretPrompts; answers: string[]; asked: string[]; offers: string[] } {
  const answers: string[] = [];
  const asked: string[] = [];
  const offers: string[] = [];
  return {
    answers,
    asked,
    offers,
    prompts: {
      ask: async (box) => {
        asked.push(`${box.title} | ${box.prompt}`);
        return answers.shift();
      },
      offerToKeep: async (question) => {
        offers.push(question);
        return true;
      },
      keyboardInteractive: async () => undefined,
    },
  };
}

/** A server that takes only `password()` and records every password it was sent. */
async function passwordServer(password: () => string, port?: number): Promise<FakeServer & { received: string[] }> {
  const received: string[] = [];
  const server = await startFakeServer({
    port,
    authenticate: (ctx) => {
      if (ctx.method === 'password') {
        received.push(ctx.password);
        if (ctx.password === password()) return ctx.accept();
      }
      ctx.reject(['password']);
    },
  });
  return Object.assign(server, { received });
}

const PASSWORD_KEYS = 'sandboxExplorer.password.v2:';

describe('saved passwords are tied to user, host, port and host key', function () {
  this.timeout(30000);
  let a: Awaited<ReturnType<typeof passwordServer>>;
  let b: Awaited<ReturnType<typeof passwordServer>>;
  let passwordB = 'pw-B';

  beforeEach(async () => {
    passwordB = 'pw-B';
    a = await passwordServer(() => 'pw-A');
    b = await passwordServer(() => passwordB);
  });
  afterEach(async () => {
    await a.stop();
    await b.stop();
  });

  function setUp(secrets = new MemorySecrets(), log: MemoryLog = memoryLog()) {
    const ui = scriptedPrompts();
    const credentials = new SavedCredentials(secrets, ui.prompts, log);
    const pool = testPool({
      targets: { a: targetFor(a, { user: 'root' }), b: targetFor(b, { user: 'root' }) },
      hostKeys: [a.hostKey.publicKey, b.hostKey.publicKey],
      credentials,
      log,
    });
    const login = async (name: string) => {
      // As the Connect command does: ends the previous Disconnect's hold and forgets refusals.
      pool.resume(name);
      const ref = await pool.acquire(name);
      ref.release();
      await pool.disconnect(name);
    };
    return { secrets, ui, credentials, pool, login, log };
  }

  it("never sends A's saved password to B on another port, and B's refusals never delete A's", async () => {
    const { secrets, ui, credentials, pool, login } = setUp();
    try {
      ui.answers.push('pw-A');
      await login('a');
      assert.deepStrictEqual(a.received, ['pw-A']);
      assert.strictEqual(ui.offers.length, 1);
      assert.match(ui.offers[0], new RegExp(`^Remember the password for root@127\\.0\\.0\\.1:${a.port} \\(host key SHA256:`));
      await secrets.until(() => secrets.keys(PASSWORD_KEYS).length === 1);
      const keyA = secrets.keys(PASSWORD_KEYS)[0];

      // B: same user and address, another port. It is asked for, never given A's.
      ui.answers.push('wrong', 'pw-B');
      await login('b');
      assert.deepStrictEqual(b.received, ['wrong', 'pw-B'], 'B got only what was typed for it');
      assert.strictEqual(ui.asked[1], `Sandbox Explorer: root@127.0.0.1:${b.port} | Password for root@127.0.0.1:${b.port}`, 'a first ask, not "wrong password"');
      assert.match(ui.asked[2], /\| Wrong password\. Password for root@127\.0\.0\.1:/);
      assert.strictEqual(secrets.values.get(keyA), 'pw-A', "B's wrong password left A's alone");
      await secrets.until(() => secrets.keys(PASSWORD_KEYS).length === 2);

      // Both saved: each host gets its own without asking.
      const asked = ui.asked.length;
      await login('a');
      await login('b');
      assert.strictEqual(ui.asked.length, asked, 'no prompt when both are saved');
      assert.deepStrictEqual(a.received, ['pw-A', 'pw-A']);
      assert.deepStrictEqual(b.received, ['wrong', 'pw-B', 'pw-B']);

      // B's password changes: B refuses its saved one, which is forgotten; A's stays and still works.
      passwordB = 'pw-B2';
      ui.answers.push('pw-B2');
      await login('b');
      assert.deepStrictEqual(b.received.slice(3), ['pw-B', 'pw-B2']);
      assert.match(ui.asked[ui.asked.length - 1], /\| Wrong password\. Password for root@127\.0\.0\.1:/);
      assert.strictEqual(secrets.values.get(keyA), 'pw-A', "B's refusal of its own saved password did not delete A's");
      await login('a');
      assert.deepStrictEqual(a.received, ['pw-A', 'pw-A', 'pw-A']);
      assert.ok(!a.received.some((p) => p.startsWith('pw-B')) && !b.received.includes('pw-A'), 'no password crossed over');
      const labels = (await credentials.stored()).map((s) => s.label);
      assert.ok(labels.some((l) => l.startsWith(`password for root@127.0.0.1:${a.port} `)), JSON.stringify(labels));
    } finally {
      await pool.dispose();
    }
  });

  it('does not send a saved password to a new server on the same port (another host key), and replaces the stale entry', async () => {
    const first = setUp();
    try {
      first.ui.answers.push('pw-A');
      await first.login('a');
      await first.secrets.until(() => first.secrets.keys(PASSWORD_KEYS).length === 1);
    } finally {
      await first.pool.dispose();
    }
    // The sandbox behind the port is replaced: a new server, a new host key (trusted anew here).
    const port = a.port;
    await a.stop();
    a = await passwordServer(() => 'pw-A2', port);
    const second = setUp(first.secrets);
    try {
      second.ui.answers.push('pw-A2');
      await second.login('a');
      assert.deepStrictEqual(a.received, ['pw-A2'], 'the new server got only what was typed for it');
      const { secrets } = second;
      await secrets.until(() => secrets.keys(PASSWORD_KEYS).length === 1 && secrets.values.get(secrets.keys(PASSWORD_KEYS)[0]) === 'pw-A2');
      const list = await second.credentials.stored();
      assert.strictEqual(list.length, 1, `the old host key's password was replaced: ${JSON.stringify(list)}`);
    } finally {
      await second.pool.dispose();
    }
  });

  it('never uses a legacy user@host password, lists it as legacy and forgets it', async () => {
    const secrets = new MemorySecrets();
    const legacyKey = 'sandboxExplorer.password:root@127.0.0.1';
    await secrets.store(legacyKey, 'pw-A');
    await secrets.store('sandboxExplorer.storedSecrets', JSON.stringify([legacyKey]));
    const log = memoryLog();
    const { ui, credentials, pool, login } = setUp(secrets, log);
    try {
      await credentials.migrate();
      assert.ok(log.lines.some((l) => /1 password saved by an older version without a port is no longer used/.test(l)), log.lines.join('\n'));
      ui.answers.push('wrong-for-b');
      await assert.rejects(login('b'), (e: unknown) => SshError.is(e, 'auth-failed'));
      assert.deepStrictEqual(b.received, ['wrong-for-b'], 'the legacy password went nowhere');
      ui.answers.push('pw-A');
      await login('a');
      assert.deepStrictEqual(a.received, ['pw-A'], 'asked for, not taken from the legacy entry');
      assert.strictEqual(ui.asked.length, 3, 'B: two asks (the second cancelled), A: one');
      await secrets.until(() => secrets.keys(PASSWORD_KEYS).length === 1);
      const list = await credentials.stored();
      assert.deepStrictEqual(
        list.map((s) => s.label.replace(/\(host key [^)]*\)/, '(host key …)')),
        ['password for root@127.0.0.1 (legacy, no port: no longer used)', `password for root@127.0.0.1:${a.port} (host key …)`],
      );
      await credentials.forget([legacyKey]);
      assert.strictEqual(secrets.values.has(legacyKey), false);
      assert.strictEqual((await credentials.stored()).length, 1);
    } finally {
      await pool.dispose();
    }
  });
});

describe('user names that carry a gateway token', function () {
  this.timeout(30000);
  let dir: string;
  let key: ReturnType<typeof generateKey>;
  let server: FakeServer;
  const usernames: string[] = [];

  before(() => {
    dir = makeTempDir('sbx-token-');
    key = generateKey(path.join(dir, 'id_ed25519'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    usernames.length = 0;
    // A gateway that takes `sbx-1#tok123` with a public key, nothing else.
    server = await startFakeServer({
      authenticate: (ctx) => {
        usernames.push(ctx.username);
        if (ctx.method === 'publickey' && ctx.username === 'sbx-1#tok123') return ctx.accept();
        ctx.reject(['publickey']);
      },
    });
  });
  afterEach(() => server.stop());

  it('never logs or reports the token of a user name that has one', async () => {
    const log = memoryLog();
    const pool = testPool({
      targets: { gw: targetFor({ ...server, userKey: key }, { user: 'sbx-1#tok123' }), bad: targetFor({ ...server, userKey: key }, { user: 'sbx-2#tok123' }) },
      hostKeys: [server.hostKey.publicKey],
      log,
    });
    try {
      const ref = await pool.acquire('gw');
      ref.release();
      let failure: unknown;
      await pool.acquire('bad').catch((e) => (failure = e));
      assert.ok(SshError.is(failure, 'auth-failed'), String(failure));
      assert.match((failure as Error).message, new RegExp(`^Authentication failed for sbx-2#…@127\\.0\\.0\\.1:${server.port} \\(tried: `));
      assert.match(pool.state('bad').reason ?? '', /sbx-2#…@/);
      assert.ok(log.lines.some((l) => l.includes(`connecting to sbx-1#…@127.0.0.1:${server.port}`)), log.lines.join('\n'));
      const leaks = [...log.lines, (failure as Error).message, pool.state('bad').reason ?? ''].filter((l) => l.includes('tok123'));
      assert.deepStrictEqual(leaks, []);
    } finally {
      await pool.dispose();
    }
  });

  it('with userToken: asks for the token once after the host key, joins it, keeps it, never shows it', async () => {
    const secrets = new MemorySecrets();
    const ui = scriptedPrompts();
    const log = memoryLog();
    const credentials = new SavedCredentials(secrets, ui.prompts, log);
    const pool = testPool({ targets: { gw: targetFor({ ...server, userKey: key }, { user: 'sbx-1', userToken: true }) }, hostKeys: [server.hostKey.publicKey], credentials, log });
    try {
      ui.answers.push('tok123');
      let ref = await pool.acquire('gw');
      ref.release();
      await pool.disconnect('gw');
      assert.ok(usernames.length > 0 && usernames.every((u) => u === 'sbx-1#tok123'), JSON.stringify(usernames));
      assert.deepStrictEqual(ui.asked, [`Sandbox Explorer: sbx-1@127.0.0.1:${server.port} | Token for sbx-1@127.0.0.1:${server.port}: the part after "#" in the user name. It is kept in the editor's secret storage.`]);
      assert.deepStrictEqual(ui.offers, [], 'kept without asking: the host setting asked for it');
      await secrets.until(() => secrets.keys('sandboxExplorer.userToken:').length === 1);
      assert.strictEqual(secrets.values.get(secrets.keys('sandboxExplorer.userToken:')[0]), 'tok123');

      pool.resume('gw');
      ref = await pool.acquire('gw');
      ref.release();
      assert.strictEqual(ui.asked.length, 1, 'asked once');
      const shown = [...log.lines, ...ui.asked, ...(await credentials.stored()).map((s) => s.label), ...[...secrets.values.keys()]];
      assert.deepStrictEqual(shown.filter((l) => l.includes('tok123')), []);
    } finally {
      await pool.dispose();
    }
  });

  it('with userToken: a cancelled token prompt sends nothing and says why', async () => {
    const ui = scriptedPrompts();
    const credentials = new SavedCredentials(new MemorySecrets(), ui.prompts, memoryLog());
    const pool = testPool({ targets: { gw: targetFor({ ...server, userKey: key }, { user: 'sbx-1', userToken: true }) }, hostKeys: [server.hostKey.publicKey], credentials });
    try {
      await assert.rejects(pool.acquire('gw'), (e: unknown) => SshError.is(e, 'auth-failed') && /no user token given/.test((e as Error).message));
      assert.deepStrictEqual(usernames, [], 'no authentication request reached the server');
    } finally {
      await pool.dispose();
    }
  });
});

describe('a passphrase remembered when the key is made', function () {
  this.timeout(60000);

  it('logs in with the new encrypted key without asking, and is listed for Forget', async () => {
    const dir = makeTempDir('sbx-newkey-');
    const keyPath = path.join(dir, 'id_new');
    const pair = generateEd25519({ comment: 'new@test', passphrase: 'correct horse' });
    await writeNewKeyPair(keyPath, pair);
    const sshd = await startSshd({ authorizedKeys: [fs.readFileSync(`${keyPath}.pub`, 'utf8').trim()] });
    const secrets = new MemorySecrets();
    const ui = scriptedPrompts();
    const credentials = new SavedCredentials(secrets, ui.prompts, memoryLog());
    const pool = testPool({ targets: { box: targetFor(sshd, { identityFiles: [keyPath] }) }, hostKeys: [sshd.hostKey.publicKey], credentials });
    try {
      await credentials.rememberPassphrase(keyPath, 'correct horse');
      const ref = await pool.acquire('box');
      ref.release();
      assert.deepStrictEqual(ui.asked, [], 'the passphrase was not asked for');
      assert.strictEqual(pool.state('box').authenticatedKey, pair.parsed.fingerprint, 'the new key logged in');
      assert.deepStrictEqual((await credentials.stored()).map((s) => s.label), [`passphrase for ${keyPath}`]);
    } finally {
      await pool.dispose();
      await sshd.stop();
    }
  });
});
