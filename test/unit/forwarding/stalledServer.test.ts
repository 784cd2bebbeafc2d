import * as assert from 'assert';
import { DynamicForward } from '../../../src/forwarding/dynamicForward';
import { LocalForward } from '../../../src/forwarding/localForward';
import { acquireForwardingHost } from '../../../src/forwarding/sshConnectionPort';
import { startFakeServer } from '../../support/ssh2Server';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { exchange } from './remoteServers';

describe('forwards on a server that never answers a channel open', function () {
  this.timeout(30000);

  it('fails that connection in bounded time, for -L and -D, and the forward stays up', async () => {
    const server = await startFakeServer({ stallForwards: true, authenticate: (ctx) => (ctx.method === 'none' ? ctx.accept() : ctx.reject()) });
    const pool = testPool({ targets: { stall: targetFor(server) }, hostKeys: [server.hostKey.publicKey] });
    const log = memoryLog();
    const host = await acquireForwardingHost(pool, 'stall');
    const local = await LocalForward.start({ host, log, channelOpenTimeoutMs: 300, spec: { kind: 'local', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 }, target: { kind: 'tcp', host: 'localhost', port: 80 } } });
    const socks = await DynamicForward.start({ host, log, channelOpenTimeoutMs: 300, spec: { kind: 'dynamic', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 } } });
    try {
      for (let i = 0; i < 2; i++) {
        const outcome = await exchange(local.localPort!, 'hello').then(
          (b) => `closed with ${b.length} bytes`,
          (e: NodeJS.ErrnoException) => e.code,
        );
        assert.ok(outcome === 'ECONNRESET' || outcome === 'closed with 0 bytes', outcome);
      }
      assert.strictEqual(local.stats.snapshot.failed, 2);
      assert.ok(log.lines.some((l) => /connection from .* failed: the server did not open the channel within 0.3 s/.test(l)), log.lines.join('\n'));

      // SOCKS: greeting, CONNECT 127.0.0.1:80, then a general-failure reply once the open times out.
      const reply = await exchange(socks.localPort!, Buffer.from([5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, 0, 80]));
      assert.deepStrictEqual([...reply.subarray(0, 4)], [5, 0, 5, 1]);
    } finally {
      await local.dispose();
      await socks.dispose();
      host.release();
      await pool.dispose();
      await server.stop();
    }
  });
});
