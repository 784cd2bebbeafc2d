import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ForwardingHost } from '../../../src/forwarding/connectionPort';
import { DetectedPorts, PortDetector } from '../../../src/forwarding/portDetector';
import { isLocalOrAny, listeningPorts, MAX_PROC_LINES, parseProcNetTcp } from '../../../src/forwarding/procNetTcp';
import { acquireForwardingHost } from '../../../src/forwarding/sshConnectionPort';
import { ConnectionPool } from '../../../src/ssh/pool';
import { createNetns, netnsAvailable, Netns } from '../../support/netns';
import { startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { startRemoteServer } from './remoteServers';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '../../../../test/fixtures/proc', name), 'utf8');

describe('/proc/net/tcp parser', () => {
  it('reads listening IPv4 sockets and skips other states, port 0 and garbage', () => {
    const sockets = parseProcNetTcp(fixture('tcp'), 4);
    assert.deepStrictEqual(
      sockets.map((s) => `${s.address}:${s.port} uid=${s.uid} inode=${s.inode}`),
      ['127.0.0.1:3000 uid=1000 inode=1898424', '0.0.0.0:22 uid=0 inode=1590', '10.0.0.5:5432 uid=0 inode=1591', '127.0.0.1:50000 uid=1000 inode=1898600'],
    );
  });

  it('reads IPv6 sockets word by word, including v4-mapped and link-local addresses', () => {
    const sockets = parseProcNetTcp(fixture('tcp6'), 6);
    assert.deepStrictEqual(
      sockets.map((s) => `[${s.address}]:${s.port}`),
      ['[0:0:0:0:0:0:0:1]:8080', '[0:0:0:0:0:0:0:0]:22', '[0:0:0:0:0:ffff:7f00:1]:9000', '[fe80:0:0:0:5254:ff:fe45:2301]:80'],
    );
  });

  it('keeps loopback and wildcard listeners, one entry per port', () => {
    const all = [...parseProcNetTcp(fixture('tcp'), 4), ...parseProcNetTcp(fixture('tcp6'), 6)].filter(isLocalOrAny);
    assert.deepStrictEqual(listeningPorts(all), [22, 3000, 8080, 9000, 50000]);
  });

  it('reads at most MAX_PROC_LINES lines of hostile input', () => {
    const line = '   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0 100 0 0 10 0\n';
    const huge = 'header\n' + line.repeat(MAX_PROC_LINES + 500);
    assert.strictEqual(parseProcNetTcp(huge, 4).length, MAX_PROC_LINES);
    assert.deepStrictEqual(parseProcNetTcp('', 4), []);
    assert.deepStrictEqual(parseProcNetTcp('\u0000\u0001'.repeat(1000), 6), []);
  });
});

describe('port detection against real sshd', function () {
  this.timeout(60000);
  const noNetns = netnsAvailable();
  let ns: Netns | undefined;
  let server: Sshd;
  let pool: ConnectionPool;
  let host: ForwardingHost;
  let detector: PortDetector | undefined;

  before(async () => {
    if (!noNetns) ns = createNetns();
    server = await startSshd({ netns: ns?.name, listenAddress: ns?.address });
    pool = testPool({ targets: { box: targetFor(server, { hostname: server.host }) }, hostKeys: [server.hostKey.publicKey], log: memoryLog() });
    host = await acquireForwardingHost(pool, 'box');
  });
  after(async () => {
    detector?.dispose();
    host?.release();
    await pool?.dispose();
    await server?.stop();
    ns?.destroy();
  });

  const next = (d: PortDetector, until: (c: DetectedPorts) => boolean) =>
    new Promise<DetectedPorts>((resolve) => {
      const sub = d.onDidChange((c) => {
        if (until(c)) {
          sub.dispose();
          resolve(c);
        }
      });
    });

  it('sees a listener start and go away on the remote, over SFTP', async () => {
    detector = new PortDetector(host, memoryLog(), { intervalMs: 200 });
    const first = next(detector, () => true);
    detector.start();
    await first;
    const listener = await startRemoteServer(server.dir, 'echo', ns ? { netns: ns.name, host: '127.0.0.1' } : { host: '127.0.0.1' });
    const seen = await next(detector, (c) => c.added.includes(listener.port));
    assert.ok(seen.ports.includes(listener.port));
    // sshd listens on the namespace's outside address only: not a loopback or wildcard listener.
    if (ns) assert.ok(!seen.ports.includes(server.port), `sshd's port ${server.port} is not reported`);
    const gone = next(detector, (c) => c.removed.includes(listener.port));
    await listener.stop();
    assert.ok(!(await gone).ports.includes(listener.port));
  });

  it('reads a capped amount and says so once when the table is larger', async () => {
    const log = memoryLog();
    const small = new PortDetector(host, log, { maxBytes: 200 });
    try {
      await small.poll();
      await small.poll();
      assert.strictEqual(log.lines.filter((l) => l.includes('larger than 200 bytes')).length, 1, log.lines.join('\n'));
      assert.strictEqual(small.polls, 2);
    } finally {
      small.dispose();
    }
  });
});
