// exec() against a server that answers at once: a command whose exit status, EOF and close
// arrive in the same tick as the channel (the way they do through a jump host).
import * as assert from 'assert';
import { auditWord, exec } from '../../../src/ssh/exec';
import { startFakeServer } from '../../support/ssh2Server';
import { memoryLog, targetFor, testPool } from '../../support/targets';

describe('exec of a command that ends at once', function () {
  this.timeout(30000);

  it('reports its exit code, and a signal, even when they arrive with the channel', async () => {
    const server = await startFakeServer({
      authenticate: (ctx) => ctx.accept(),
      coalesceExecReplies: true,
      exec: (command, channel) => {
        if (command.endsWith('killed')) channel.exit('KILL', false, '');
        else channel.exit(Number(command.split(' ').pop()));
        channel.end();
      },
    });
    const log = memoryLog();
    const pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], log });
    try {
      const ref = await pool.acquire('box');
      const connection = await ref.connection();
      for (let i = 0; i < 30; i++) {
        const result = await exec(connection, `exit ${i % 4}`, {}, log);
        assert.strictEqual(result.code, i % 4);
      }
      // The audit line never carries what a user typed before the program: it may be a secret.
      await exec(connection, 'GITHUB_TOKEN=ghp_SECRET123 ./deploy exit 0', {}, log);
      assert.ok(log.lines.some((l) => /exec box: <command> → exit 0/.test(l)), log.lines.join('\n'));
      assert.ok(!log.lines.some((l) => l.includes('ghp_SECRET123')));
      const killed = await exec(connection, 'be killed', {}, log);
      assert.strictEqual(killed.code, null);
      assert.strictEqual(killed.signal, 'SIGKILL');
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });
});

describe('the exec audit line', () => {
  it('names a plain program, and hides a first word that is an assignment, quoted or expanded', () => {
    assert.strictEqual(auditWord('  ls -la'), 'ls');
    assert.strictEqual(auditWord('/usr/bin/env x'), '/usr/bin/env');
    for (const cmd of ['TOKEN=abc ./run', '"quoted secret" x', '$(cat key)', "PASS='x' y", 'a;b']) assert.strictEqual(auditWord(cmd), '<command>', cmd);
  });
});
