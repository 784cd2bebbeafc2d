import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ForwardingHost } from '../../../src/forwarding/connectionPort';
import { DetectedPorts, MAX_DETECTED_PORTS, PortDetector } from '../../../src/forwarding/portDetector';
import { isLocalOrAny, listeningPorts, MAX_PROC_LINES, parseProcNetTcp } from '../../../src/forwarding/procNetTcp';
import { acquireForwardingHost } from '../../../src/forwarding/sshConnectionPort';
import { ConnectionPool } from '../../../src/ssh/pool';
import { createNetns, netnsAvailable, Netns } from '../../support/netns';
import { startFakeServer } from '../../support/ssh2Server';
import { startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { startRemoteServer } from './remoteServers';
import { SFTPWrapper } from 'ssh2';

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

/** A server whose /proc/net/tcp is `text` (a hostile sandbox writes what it likes there). */
function serveProc(text: string) {
  const data = Buffer.from(text, 'latin1');
  return (sftp: SFTPWrapper) => {
    const open = new Map<string, Buffer>();
    let next = 0;
    sftp.on('OPEN', (id, filename) => {
      const handle = Buffer.from(String(next++));
      open.set(handle.toString(), filename === '/proc/net/tcp' ? data : Buffer.alloc(0));
      sftp.handle(id, handle);
    });
    sftp.on('READ', (id, handle, offset, length) => {
      const file = open.get(handle.toString());
      if (!file || offset >= file.length) return sftp.status(id, 1 /* EOF */);
      sftp.data(id, file.subarray(offset, offset + length));
    });
    sftp.on('CLOSE', (id, handle) => {
      open.delete(handle.toString());
      sftp.status(id, 0);
    });
  };
}

describe('port detection against a hostile socket table', function () {
  this.timeout(60000);

  it('handles and shows at most MAX_DETECTED_PORTS ports, the lowest, and says so once', async () => {
    const count = 3000;
    const lines = ['  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'];
    for (let i = 0; i < count; i++) {
      const port = (10000 + i).toString(16).toUpperCase().padStart(4, '0');
      lines.push(`  ${i}: 0100007F:${port} 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 ${1000 + i} 1 0000000000000000 100 0 0 10 0`);
    }
    const server = await startFakeServer({ authenticate: (ctx) => (ctx.method === 'none' ? ctx.accept() : ctx.reject(['none'])), sftp: serveProc(lines.join('\n') + '\n') });
    const log = memoryLog();
    const pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], log });
    const host = await acquireForwardingHost(pool, 'box');
    const detector = new PortDetector(host, log);
    try {
      await detector.poll();
      await detector.poll();
      assert.strictEqual(detector.polls, 2, log.lines.join('\n'));
      assert.strictEqual(detector.ports.length, MAX_DETECTED_PORTS);
      assert.strictEqual(detector.ports[0], 10000);
      assert.strictEqual(detector.ports[MAX_DETECTED_PORTS - 1], 10000 + MAX_DETECTED_PORTS - 1);
      assert.strictEqual(log.lines.filter((l) => l.includes(`${count} listening ports`)).length, 1, log.lines.join('\n'));
    } finally {
      detector.dispose();
      host.release();
      await pool.dispose();
      await server.stop();
    }
  });
});
