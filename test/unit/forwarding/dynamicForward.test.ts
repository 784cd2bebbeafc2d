import * as assert from 'assert';
import { execFile } from 'child_process';
import * as net from 'net';
import { ForwardingHost } from '../../../src/forwarding/connectionPort';
import { DynamicForward } from '../../../src/forwarding/dynamicForward';
import { DynamicForwardSpec, parseForwardSpec } from '../../../src/forwarding/forwardSpec';
import { acquireForwardingHost } from '../../../src/forwarding/sshConnectionPort';
import { ConnectionPool } from '../../../src/ssh/pool';
import { createNetns, netnsAvailable, Netns } from '../../support/netns';
import { startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { RemoteServer, startRemoteServer } from './remoteServers';

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['--silent', '--show-error', '--max-time', '20', ...args], (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A minimal SOCKS5 client: CONNECT to an IPv6 address, then send `data`; resolves the reply code and what came back. */
function socksConnectV6(proxyPort: number, v6: number[], port: number, data: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxyPort, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let stage = 0;
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (stage === 0 && buf.length >= 2) {
        buf = buf.subarray(2);
        stage = 1;
        s.write(Buffer.from([5, 1, 0, 4, ...v6, port >> 8, port & 0xff]));
      }
      if (stage === 1 && buf.length >= 10) {
        const code = buf[1];
        buf = buf.subarray(10);
        stage = 2;
        if (code !== 0) return resolve({ code, body: '' });
        s.end(data);
      }
    });
    s.on('end', () => resolve({ code: 0, body: buf.toString() }));
    s.write(Buffer.from([5, 1, 0]));
  });
}

describe('dynamic forward (-D, SOCKS5) against real sshd', function () {
  this.timeout(60000);
  const noNetns = netnsAvailable();
  let ns: Netns | undefined;
  let server: Sshd;
  let pool: ConnectionPool;
  let host: ForwardingHost;
  let web: RemoteServer;
  let socks: DynamicForward;
  const log = memoryLog();
  const remote = () => (ns ? { netns: ns.name, host: '127.0.0.1' } : { host: '127.0.0.1' });

  before(async () => {
    if (!noNetns) ns = createNetns();
    server = await startSshd({ netns: ns?.name, listenAddress: ns?.address });
    pool = testPool({ targets: { box: targetFor(server, { hostname: server.host }) }, hostKeys: [server.hostKey.publicKey], log });
    host = await acquireForwardingHost(pool, 'box');
    web = await startRemoteServer(server.dir, 'http', remote());
    socks = await DynamicForward.start({ host, spec: parseForwardSpec('D 0') as DynamicForwardSpec, log });
  });
  after(async () => {
    await socks?.dispose();
    host?.release();
    await pool?.dispose();
    await web?.stop();
    await server?.stop();
    ns?.destroy();
  });

  it('listens on 127.0.0.1 only', () => {
    assert.deepStrictEqual(socks.addresses, [{ kind: 'tcp', host: '127.0.0.1', port: socks.localPort }]);
  });

  it('fetches with curl --socks5-hostname (the name resolved on the remote side)', async () => {
    // "localhost" must mean the sandbox's loopback, where the server is (not ours).
    const r = await curl(['--socks5-hostname', `127.0.0.1:${socks.localPort}`, `http://localhost:${web.port}/by-name`]);
    assert.strictEqual(r.stderr, '');
    assert.strictEqual(r.stdout, 'hello from the sandbox /by-name');
  });

  it('fetches with curl --socks5 and an IP address', async () => {
    const r = await curl(['--socks5', `127.0.0.1:${socks.localPort}`, `http://127.0.0.1:${web.port}/by-ip`]);
    assert.strictEqual(r.stderr, '');
    assert.strictEqual(r.stdout, 'hello from the sandbox /by-ip');
    assert.ok(socks.stats.snapshot.bytesDown > 0);
  });

  it('connects to an IPv6 address on the remote side', async function () {
    let echo: RemoteServer;
    try {
      echo = await startRemoteServer(server.dir, 'echo', { ...remote(), host: '::1' });
    } catch {
      return this.skip(); // no IPv6 loopback over there
    }
    try {
      const r = await socksConnectV6(socks.localPort!, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], echo.port, 'over v6');
      assert.deepStrictEqual(r, { code: 0, body: 'over v6' });
    } finally {
      await echo.stop();
    }
  });

  it('answers a refused target with a failure reply and keeps serving', async () => {
    const gone = await startRemoteServer(server.dir, 'echo', remote());
    await gone.stop();
    const r = await curl(['--socks5', `127.0.0.1:${socks.localPort}`, `http://127.0.0.1:${gone.port}/`]);
    assert.notStrictEqual(r.code, 0);
    assert.match(r.stderr, /SOCKS5|connect/i);
    assert.ok(log.lines.some((l) => l.includes(`127.0.0.1:${gone.port}`) && l.includes('could not connect')), log.lines.join('\n'));
    const ok = await curl(['--socks5-hostname', `127.0.0.1:${socks.localPort}`, `http://localhost:${web.port}/after`]);
    assert.strictEqual(ok.stdout, 'hello from the sandbox /after');
  });

  it('survives garbage and an unsupported command on the same listener', async () => {
    const garbage = net.connect(socks.localPort!, '127.0.0.1');
    garbage.on('error', () => undefined);
    garbage.end('\x16\x03\x01 not socks at all');
    await new Promise((r) => garbage.once('close', r));
    const bind = net.connect(socks.localPort!, '127.0.0.1');
    const got: Buffer[] = [];
    bind.on('data', (d: Buffer) => got.push(d));
    bind.write(Buffer.from([5, 1, 0]));
    bind.write(Buffer.from([5, 2, 0, 1, 127, 0, 0, 1, 0, 80]));
    await new Promise((r) => bind.once('close', r));
    assert.strictEqual(Buffer.concat(got)[3], 7, 'reply 7: command not supported');
    const ok = await curl(['--socks5-hostname', `127.0.0.1:${socks.localPort}`, `http://localhost:${web.port}/still`]);
    assert.strictEqual(ok.stdout, 'hello from the sandbox /still');
  });
});
