// sshd turns Nagle off (TCP_NODELAY) on a connection's socket only when a session channel opens
// on it. A connection used only for forwards never opens one unless we do: each short forwarded
// request/response then waits ~40 ms on our delayed ACK before sshd sends EOF and close (the
// forward bench's `forward.short_1000`). sshd says when it sets the option at LogLevel DEBUG2,
// for the connection's socket and for each socket it connects for a forward (`connect_next`).
import * as assert from 'assert';
import * as crypto from 'crypto';
import { ForwardingHost } from '../../../src/forwarding/connectionPort';
import { LocalForwardSpec, parseForwardSpec } from '../../../src/forwarding/forwardSpec';
import { LocalForward } from '../../../src/forwarding/localForward';
import { acquireForwardingHost } from '../../../src/forwarding/sshConnectionPort';
import { ConnectionPool } from '../../../src/ssh/pool';
import { startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { exchange, RemoteServer, startRemoteServer } from './remoteServers';

/** sshd set TCP_NODELAY on a socket other than those it connected for forwards: the connection's own. */
function connectionNoDelay(log: string): boolean {
  const forwardSockets = new Set([...log.matchAll(/connect_next: connect host .* fd=(\d+)/g)].map((m) => m[1]));
  return [...log.matchAll(/fd (\d+) setting TCP_NODELAY/g)].some((m) => !forwardSockets.has(m[1]));
}

/** Re-reads sshd's log until `test` holds, for at most `ms` (sshd's log has no event to await). */
async function logShows(server: Sshd, test: (log: string) => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!test(server.log())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('forwarding-only connection and sshd TCP_NODELAY', function () {
  this.timeout(60000);
  let server: Sshd;
  let pool: ConnectionPool;
  let host: ForwardingHost | undefined;
  let echo: RemoteServer | undefined;
  let forward: LocalForward | undefined;

  before(async () => {
    server = await startSshd({ logLevel: 'DEBUG2' });
    pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey] });
  });
  after(async () => {
    await forward?.dispose();
    host?.release();
    await pool?.dispose();
    await echo?.stop();
    await server?.stop();
  });

  it('gets sshd to set TCP_NODELAY on a connection that carries only a local forward', async () => {
    echo = await startRemoteServer(server.dir, 'echo', { host: '127.0.0.1' });
    host = await acquireForwardingHost(pool, 'box');
    assert.ok(!connectionNoDelay(server.log()), 'nothing has opened a session yet');
    forward = await LocalForward.start({ host, spec: parseForwardSpec(`0:localhost:${echo.port}`) as LocalForwardSpec, log: memoryLog() });
    const payload = crypto.randomBytes(1024);
    assert.ok((await exchange(forward.localPort!, payload)).equals(payload), 'the forward carries the bytes');
    // Without a session channel sshd leaves Nagle on for the connection's whole life.
    assert.ok(/fd \d+ setting TCP_NODELAY/.test(server.log()), 'sshd logs TCP_NODELAY at this level (the forward socket it connected)');
    assert.ok(await logShows(server, connectionNoDelay, 10_000), `sshd never set TCP_NODELAY on the connection:\n${server.log().split('\n').slice(-30).join('\n')}`);
  });
});
