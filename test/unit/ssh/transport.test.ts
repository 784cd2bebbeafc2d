import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as net from 'net';
import { Writable } from 'stream';
import { coalesceWrites, connectTcp, spawnProxyCommand } from '../../../src/ssh/transport';
import { memoryLog } from '../../support/targets';

/** A sink that records each call it gets: `_write` with one chunk, `_writev` with several. */
class Recorder extends Writable {
  readonly calls: Buffer[][] = [];
  constructor(vectored: boolean) {
    super();
    if (vectored) {
      this._writev = (chunks, done) => {
        this.calls.push(chunks.map((c) => c.chunk as Buffer));
        setImmediate(done);
      };
    }
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.calls.push([chunk]);
    setImmediate(done);
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** ssh2's shape without its addon: length, ciphertext, tag as separate writes. */
function writePacket(stream: Writable, n: number): Buffer[] {
  const parts = [Buffer.from([0, 0, 0, n]), randomBytes(n), randomBytes(16)];
  for (const p of parts) stream.write(p);
  return parts;
}

describe('transport: writes made in one tick leave together', () => {
  it('hands one tick of writes to _writev as one call, in order, and the next tick separately', async () => {
    const sink = coalesceWrites(new Recorder(true));
    const first = writePacket(sink, 40);
    await tick();
    const second = writePacket(sink, 8);
    await tick();
    await new Promise<void>((resolve) => sink.end(resolve));
    assert.strictEqual(sink.calls.length, 2, 'one call per tick');
    assert.deepStrictEqual(sink.calls[0], first);
    assert.deepStrictEqual(sink.calls[1], second);
  });

  it('joins the chunks for a stream that has no _writev (a jump host channel), calling every write back', async () => {
    const sink = coalesceWrites(new Recorder(false));
    let calledBack = 0;
    const parts = [Buffer.from('len!'), Buffer.from('ciphertext'), Buffer.from('tag')];
    for (const p of parts) sink.write(p, () => calledBack++);
    await tick();
    await new Promise<void>((resolve) => sink.end(resolve));
    assert.deepStrictEqual(sink.calls, [[Buffer.concat(parts)]]);
    assert.strictEqual(calledBack, 3);
  });

  it('flushes what is pending when the stream is ended in the same tick', async () => {
    const sink = coalesceWrites(new Recorder(true));
    const parts = writePacket(sink, 3);
    await new Promise<void>((resolve) => sink.end(resolve));
    assert.deepStrictEqual(Buffer.concat(sink.calls.flat()), Buffer.concat(parts));
  });

  it('delivers every byte in order over a real TCP socket, one writev per tick', async () => {
    const received: Buffer[] = [];
    let done!: () => void;
    const allIn = new Promise<void>((resolve) => (done = resolve));
    const server = net.createServer((peer) => {
      peer.on('data', (d) => received.push(d));
      peer.on('end', done);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const transport = await connectTcp('127.0.0.1', port, 5000);
      const socket = transport.stream as net.Socket;
      let vectored = 0;
      const writev = socket._writev!.bind(socket);
      socket._writev = (chunks, cb) => {
        vectored++;
        writev(chunks, cb);
      };
      const sent: Buffer[] = [];
      for (let round = 0; round < 50; round++) {
        sent.push(...writePacket(socket, 1 + ((round * 37) % 200)));
        await tick();
      }
      socket.end();
      await allIn;
      transport.dispose();
      assert.deepStrictEqual(Buffer.concat(received), Buffer.concat(sent));
      assert.strictEqual(vectored, 50, 'each tick went out as one vectored write');
    } finally {
      server.close();
    }
  });

  it('delivers every byte in order through a ProxyCommand pipe', async () => {
    const transport = spawnProxyCommand('cat', memoryLog());
    try {
      const received: Buffer[] = [];
      transport.stream.on('data', (d: Buffer) => received.push(d));
      const sent: Buffer[] = [];
      for (let round = 0; round < 20; round++) {
        sent.push(...writePacket(transport.stream, 100 + round));
        await tick();
      }
      const total = Buffer.concat(sent).length;
      while (Buffer.concat(received).length < total) await new Promise((r) => setTimeout(r, 5));
      assert.deepStrictEqual(Buffer.concat(received), Buffer.concat(sent));
    } finally {
      transport.dispose();
    }
  });
});
