import * as assert from 'assert';
import * as net from 'net';
import { acceptSocks5, reply, SocksHandshakeError, SocksTarget, SOCKS_REPLY } from '../../../src/forwarding/socks5';

/** A listener whose one accepted socket runs the handshake; resolves the outcome and the client's socket. */
async function handshake(clientBytes: Buffer[], timeoutMs = 2000): Promise<{ result: SocksTarget | Error; received: Buffer; serverSide: net.Socket }> {
  let serverSide!: net.Socket;
  const outcome = new Promise<SocksTarget | Error>((resolve) => {
    server.once('connection', (s: net.Socket) => {
      serverSide = s;
      acceptSocks5(s, timeoutMs).then(resolve, resolve);
    });
  });
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const chunks: Buffer[] = [];
  client.on('data', (d: Buffer) => chunks.push(d));
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  client.on('error', () => undefined);
  await new Promise<void>((r) => client.once('connect', () => r()));
  for (const b of clientBytes) client.write(b);
  const result = await outcome;
  if (result instanceof Error) {
    await closed;
  } else {
    // The method choice (2 bytes) is on its way: wait for it before hanging up.
    while (Buffer.concat(chunks).length < 2) await new Promise((r) => client.once('data', r));
    client.destroy();
  }
  return { result, received: Buffer.concat(chunks), serverSide };
}

let server: net.Server;

describe('SOCKS5 handshake (RFC 1928)', () => {
  before(async () => {
    server = net.createServer({ pauseOnConnect: true });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(() => server.close());

  const greeting = Buffer.from([5, 1, 0]);
  const connectHeader = (atyp: number, addr: number[], port: number, cmd = 1) => Buffer.from([5, cmd, 0, atyp, ...addr, port >> 8, port & 0xff]);

  it('reads a CONNECT to an IPv4 address, an IPv6 address and a domain name', async () => {
    const v4 = await handshake([greeting, connectHeader(1, [10, 1, 2, 3], 8080)]);
    assert.deepStrictEqual(v4.result, { host: '10.1.2.3', port: 8080, addressType: 'ipv4' });
    assert.deepStrictEqual([...v4.received], [5, 0]);
    const v6 = await handshake([greeting, connectHeader(4, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 443)]);
    assert.deepStrictEqual(v6.result, { host: '0:0:0:0:0:0:0:1', port: 443, addressType: 'ipv6' });
    const name = Buffer.from('db.internal');
    // Sent byte by byte: the reader must wait for each part.
    const bytes = Buffer.concat([greeting, connectHeader(3, [name.length, ...name], 5432)]);
    const dom = await handshake([...bytes].map((b) => Buffer.from([b])));
    assert.deepStrictEqual(dom.result, { host: 'db.internal', port: 5432, addressType: 'domain' });
  });

  it('keeps bytes the client sent right after its request for the forward', async () => {
    const { result, serverSide } = await handshake([Buffer.concat([greeting, connectHeader(1, [127, 0, 0, 1], 80), Buffer.from('GET / HTTP/1.0\r\n\r\n')])]);
    assert.ok(!(result instanceof Error));
    assert.strictEqual(serverSide.read()?.toString(), 'GET / HTTP/1.0\r\n\r\n');
    serverSide.destroy();
  });

  it('answers other commands with reply 7 and closes', async () => {
    for (const cmd of [2, 3]) {
      const { result, received } = await handshake([greeting, connectHeader(1, [127, 0, 0, 1], 80, cmd)]);
      assert.ok(result instanceof SocksHandshakeError && result.replied, String(result));
      assert.deepStrictEqual([...received], [5, 0, 5, SOCKS_REPLY.commandNotSupported, 0, 1, 0, 0, 0, 0, 0, 0]);
    }
  });

  it('answers clients without "no authentication" with 0xFF and closes', async () => {
    const { result, received } = await handshake([Buffer.from([5, 2, 1, 2])]);
    assert.ok(result instanceof SocksHandshakeError && result.replied);
    assert.deepStrictEqual([...received], [5, 0xff]);
  });

  it('answers an unknown address type with reply 8', async () => {
    const { received } = await handshake([greeting, Buffer.from([5, 1, 0, 9, 1, 2])]);
    assert.deepStrictEqual([...received], [5, 0, 5, SOCKS_REPLY.addressTypeNotSupported, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('drops malformed greetings and requests without a reply and without throwing', async () => {
    const cases: Buffer[][] = [
      [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
      [Buffer.from([4, 1, 0, 80, 127, 0, 0, 1, 0])],
      [Buffer.from([5, 0])],
      [greeting, Buffer.from([4, 1, 0, 1, 127, 0, 0, 1, 0, 80])],
      [greeting, Buffer.from([5, 1, 7, 1, 127, 0, 0, 1, 0, 80])],
      [greeting, Buffer.from([5, 1, 0, 3, 3]), Buffer.from('a\x00b'), Buffer.from([0, 80])],
      [Buffer.concat([greeting, Buffer.alloc(70 * 1024, 0)])],
    ];
    for (const c of cases) {
      const { result, received } = await handshake(c);
      assert.ok(result instanceof SocksHandshakeError, `${c.map((b) => b.toString('hex')).join(' ')}: ${String(result)}`);
      // Only the method choice may have been sent (the greeting itself was fine), never a reply code.
      assert.ok(received.length === 0 || received.equals(Buffer.from([5, 0])) || received.length === 12, received.toString('hex'));
    }
  });

  it('gives up on a handshake that stalls', async () => {
    const { result } = await handshake([Buffer.from([5, 1])], 200);
    assert.ok(result instanceof SocksHandshakeError && /within/.test(result.message), String(result));
  });

  it('sends a success reply without closing and a failure reply with close', async () => {
    const a = new net.Socket();
    const written: Buffer[] = [];
    let ended = false;
    a.write = ((b: Buffer) => (written.push(b), true)) as never;
    a.end = ((b: Buffer) => ((ended = true), written.push(b), a)) as never;
    reply(a, SOCKS_REPLY.succeeded);
    assert.strictEqual(ended, false);
    reply(a, SOCKS_REPLY.connectionRefused);
    assert.strictEqual(ended, true);
    assert.deepStrictEqual(written.map((b) => b[1]), [0, 5]);
  });
});
