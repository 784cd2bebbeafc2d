// exec() against a server that answers at once: a command whose exit status, EOF and close
// arrive in the same tick as the channel (the way they do through a jump host).
import * as assert from 'assert';
import { exec } from '../../../src/ssh/exec';
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
