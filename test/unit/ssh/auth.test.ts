import * as assert from 'assert';
import { Credentials } from '../../../src/ssh/credentials';
import { SshError } from '../../../src/ssh/errors';
import { exec } from '../../../src/ssh/exec';
import { startFakeServer } from '../../support/ssh2Server';
import { memoryLog, targetFor, testPool } from '../../support/targets';

function scripted(answers: { passwords?: string[]; kbd?: string[][] }, seen: { rejected: string[]; accepted: string[]; echo: boolean[][] }): Credentials {
  const passwords = [...(answers.passwords ?? [])];
  const kbd = [...(answers.kbd ?? [])];
  return {
    password: async () => passwords.shift(),
    passphrase: async () => undefined,
    keyboardInteractive: async (req) => {
      seen.echo.push(req.prompts.map((p) => p.echo));
      return kbd.shift();
    },
    rejected: (s) => seen.rejected.push(s.kind),
    accepted: (s) => seen.accepted.push(s.kind),
  };
}

describe('authentication against an ssh2 Server', function () {
  this.timeout(30000);

  it('uses password auth after a wrong password, with usernames like a gateway sandbox id', async () => {
    const server = await startFakeServer({
      authenticate: (ctx) => {
        if (ctx.method === 'password' && ctx.username === 'sandbox-7f3a#tok' && ctx.password === 'right') return ctx.accept();
        ctx.reject(['password']);
      },
    });
    const seen = { rejected: [] as string[], accepted: [] as string[], echo: [] as boolean[][] };
    const log = memoryLog();
    const pool = testPool({ targets: { gw: targetFor(server) }, hostKeys: [server.hostKey.publicKey], credentials: scripted({ passwords: ['wrong', 'right'] }, seen), log });
    try {
      const ref = await pool.acquire('gw');
      assert.deepStrictEqual(server.methods[0], ['none', 'password', 'password']);
      assert.deepStrictEqual(seen.rejected, ['password']);
      assert.deepStrictEqual(seen.accepted, ['password']);
      assert.ok(!log.lines.some((l) => /wrong|right/.test(l.replace(/^\w+ /, '').replace(/password/g, ''))), 'passwords never logged');
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });

  it('answers keyboard-interactive prompts honouring each echo flag', async () => {
    const server = await startFakeServer({
      authenticate: (ctx) => {
        if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
        ctx.prompt(
          [
            { prompt: 'Sandbox id: ', echo: true },
            { prompt: 'One-time code: ', echo: false },
          ],
          (answers) => (answers[0] === 'sb-1' && answers[1] === '424242' ? ctx.accept() : ctx.reject(['keyboard-interactive'])),
        );
      },
    });
    const seen = { rejected: [] as string[], accepted: [] as string[], echo: [] as boolean[][] };
    const pool = testPool({ targets: { kbd: targetFor(server) }, hostKeys: [server.hostKey.publicKey], credentials: scripted({ kbd: [['sb-1', '424242']] }, seen) });
    try {
      const ref = await pool.acquire('kbd');
      assert.deepStrictEqual(seen.echo, [[true, false]]);
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });

  it('accepts a gateway that authorizes after `none`', async () => {
    const server = await startFakeServer({ authenticate: (ctx) => (ctx.method === 'none' ? ctx.accept() : ctx.reject()) });
    const pool = testPool({ targets: { gw: targetFor(server) }, hostKeys: [server.hostKey.publicKey] });
    try {
      const ref = await pool.acquire('gw');
      const result = await exec(await ref.connection(), 'whoami', {}, memoryLog());
      assert.strictEqual(result.stdout.toString(), 'whoami\n');
      assert.deepStrictEqual(server.methods[0], ['none']);
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });

  it('retries a gateway that closes right after the handshake, within ConnectionAttempts', async () => {
    const server = await startFakeServer({ closeEarly: (i) => i < 2, authenticate: (ctx) => (ctx.method === 'none' ? ctx.accept() : ctx.reject()) });
    const pool = testPool({ targets: { gw: targetFor(server, { connectionAttempts: 3 }) }, hostKeys: [server.hostKey.publicKey] });
    try {
      const ref = await pool.acquire('gw');
      assert.strictEqual(server.connections(), 3);
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });

  it('gives up after ConnectionAttempts with an unavailable error', async () => {
    const server = await startFakeServer({ closeEarly: () => true });
    const pool = testPool({ targets: { gw: targetFor(server, { connectionAttempts: 2 }) }, hostKeys: [server.hostKey.publicKey] });
    try {
      await assert.rejects(pool.acquire('gw'), (e: unknown) => SshError.is(e, 'unavailable'));
      assert.strictEqual(server.connections(), 2);
      assert.strictEqual(pool.state('gw').state, 'failed');
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });

  it('stops when the user cancels the password prompt and says what was tried', async () => {
    const server = await startFakeServer({ authenticate: (ctx) => ctx.reject(['password']) });
    const seen = { rejected: [] as string[], accepted: [] as string[], echo: [] as boolean[][] };
    const pool = testPool({ targets: { gw: targetFor(server) }, hostKeys: [server.hostKey.publicKey], credentials: scripted({ passwords: [] }, seen) });
    try {
      await assert.rejects(pool.acquire('gw'), (e: unknown) => SshError.is(e, 'auth-failed') && /tried: none\)/.test((e as Error).message));
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });

  it('does not count the time a person spends typing a password against the connect timeout', async () => {
    const server = await startFakeServer({ authenticate: (ctx) => (ctx.method === 'password' && ctx.password === 'slow' ? ctx.accept() : ctx.reject(['password'])) });
    const slowTyping: Credentials = {
      password: () => new Promise((r) => setTimeout(() => r('slow'), 1500)),
      passphrase: async () => undefined,
      keyboardInteractive: async () => undefined,
      rejected: () => {},
      accepted: () => {},
    };
    const pool = testPool({ targets: { gw: targetFor(server) }, hostKeys: [server.hostKey.publicKey], credentials: slowTyping, settings: { connectTimeoutMs: 1000 } });
    try {
      const ref = await pool.acquire('gw');
      assert.strictEqual(pool.state('gw').state, 'connected');
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });

  it('gives up on a channel the server never answers, within the connect timeout', async () => {
    const server = await startFakeServer({ stallSessions: true, authenticate: (ctx) => (ctx.method === 'none' ? ctx.accept() : ctx.reject()) });
    const pool = testPool({ targets: { stall: targetFor(server) }, hostKeys: [server.hostKey.publicKey], settings: { connectTimeoutMs: 500 } });
    try {
      const ref = await pool.acquire('stall');
      const connection = await ref.connection();
      await assert.rejects(exec(connection, 'true', {}, memoryLog()), (e: unknown) => SshError.is(e, 'timeout'));
      await assert.rejects(connection.sftp(), (e: unknown) => SshError.is(e, 'timeout'));
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });
});
