// The forward bench's two ends, each run as its own process so that neither shares an event
// loop with the forward being measured: `target` (behind the forward) and `client` (in front).
//   node forwardPeers.js target                       prints its port, serves until killed
//   node forwardPeers.js client up|down PORT BYTES    one transfer; prints seconds
//   node forwardPeers.js client rr PORT COUNT         COUNT sequential 1 KiB request/response connections; prints seconds
import * as net from 'net';

const CHUNK = Buffer.alloc(256 * 1024, 0x5a);
const KIB = Buffer.alloc(1024, 0x41);

function target(): void {
  // First byte says what the client wants: 'u' = sink (answers the byte count), 'd' + 8-byte size = source, 'r' = 1 KiB echo.
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (s) => {
    s.once('readable', () => {
      const head = s.read(1) as Buffer | null;
      if (!head) return s.destroy();
      if (head[0] === 0x75) {
        let n = 0;
        s.on('data', (d: Buffer) => (n += d.length));
        s.on('end', () => s.end(String(n)));
      } else if (head[0] === 0x64) {
        const readSize = () => {
          const b = s.read(8) as Buffer | null;
          if (!b) return s.once('readable', readSize);
          let left = Number(b.readBigUInt64BE(0));
          const pump = () => {
            while (left > 0) {
              const c = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
              left -= c.length;
              if (!s.write(c)) return s.once('drain', pump);
            }
            s.end();
          };
          pump();
        };
        readSize();
      } else {
        let got = 0;
        s.on('data', (d: Buffer) => {
          got += d.length;
          if (got >= 1024) s.end(KIB);
        });
      }
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true, allowHalfOpen: true });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

async function up(port: number, bytes: number): Promise<void> {
  const s = await connect(port);
  s.write('u');
  let left = bytes;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (left > 0) {
        const c = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= c.length;
        if (!s.write(c)) return s.once('drain', pump);
      }
      s.end();
      resolve();
    };
    pump();
  });
  const answer = await new Promise<string>((resolve) => {
    let text = '';
    s.on('data', (d) => (text += d));
    s.on('end', () => resolve(text));
  });
  if (Number(answer) !== bytes) throw new Error(`target got ${answer} of ${bytes} bytes`);
}

async function down(port: number, bytes: number): Promise<void> {
  const s = await connect(port);
  const head = Buffer.alloc(9);
  head[0] = 0x64;
  head.writeBigUInt64BE(BigInt(bytes), 1);
  s.write(head);
  let n = 0;
  await new Promise<void>((resolve) => {
    s.on('data', (d: Buffer) => (n += d.length));
    s.on('end', () => resolve());
  });
  if (n !== bytes) throw new Error(`got ${n} of ${bytes} bytes`);
}

async function rr(port: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const s = await connect(port);
    // One write: a 1-byte write then the rest would wait on Nagle + delayed ACK (40 ms) at the target.
    s.write(Buffer.concat([Buffer.from('r'), KIB]));
    let n = 0;
    await new Promise<void>((resolve, reject) => {
      s.on('data', (d: Buffer) => (n += d.length));
      s.on('end', () => (n === 1024 ? resolve() : reject(new Error(`short answer: ${n} bytes`))));
      s.on('error', reject);
    });
    s.destroy();
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'target') return target();
  const [, what, port, n] = argv;
  const start = process.hrtime.bigint();
  if (what === 'up') await up(Number(port), Number(n));
  else if (what === 'down') await down(Number(port), Number(n));
  else await rr(Number(port), Number(n));
  process.stdout.write(`${Number(process.hrtime.bigint() - start) / 1e9}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
