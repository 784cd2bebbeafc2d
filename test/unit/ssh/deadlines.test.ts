// Every deadline in the connection core is one SshError reason, `timeout` (code `timed-out`),
// whichever layer it comes from; a timed-out connect counts as a failure that may heal
// (ConnectionAttempts retries it), and the editor words it as before.
import * as assert from 'assert';
import * as net from 'net';
import { describeConnectionError } from '../../../src/editor/connectionMessages';
import { SshError } from '../../../src/ssh/errors';
import { memoryLog, targetFor, testPool } from '../../support/targets';

describe('deadlines are one error reason', function () {
  this.timeout(20000);
  let silent: net.Server;
  const sockets: net.Socket[] = [];
  let port = 0;

  before(async () => {
    // Accepts TCP and never says a word: the SSH handshake can only time out.
    silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as net.AddressInfo).port;
  });
  after(() => {
    sockets.forEach((s) => s.destroy());
    silent.close();
  });

  it('a login that does not finish in time fails with reason timeout, is retried as ConnectionAttempts says, and reads as before', async () => {
    const log = memoryLog();
    const server = { port, user: 'nobody' };
    const pool = testPool({ targets: { mute: targetFor(server, { connectionAttempts: 2 }) }, hostKeys: [], settings: { connectTimeoutMs: 300 }, log });
    try {
      const err = await pool.acquire('mute').then(
        () => assert.fail('connected to a silent server'),
        (e: unknown) => e,
      );
      assert.ok(SshError.is(err, 'timeout') && err.code === 'timed-out', String(err));
      assert.ok(log.lines.some((l) => /connect attempt 2 of 2/.test(l)), 'a timed-out connect may heal: it is tried again');
      assert.strictEqual(describeConnectionError(err, 'mute'), 'mute answered but did not finish the login in time.');
    } finally {
      await pool.dispose();
    }
  });
});
