import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SshError } from '../../../../src/ssh/errors';
import { SftpError, STATUS_CODE } from '../../../../src/ssh/sftp';
import { countRequests, intercept, ownSession, randomData, sha256, useSftp } from './fixture';
import { writePlain } from '../../../support/sftpWrite';

const CHUNK = 261120;
const SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * 1024 * 1024 + 17];

describe('SftpSession: pipelined reads and writes (real sshd)', () => {
  const f = useSftp();

  it('reads files of every size byte-identical (sha256), in 261,120-byte requests', async () => {
    for (const size of SIZES) {
      const p = path.join(f.dir, `r${size}`);
      const data = randomData(size);
      fs.writeFileSync(p, data);
      const spy = countRequests(f.sftp, ['read', 'stat', 'fstat']);
      try {
        const got = await f.session.readFile(p);
        assert.strictEqual(got.length, size);
        assert.strictEqual(sha256(got), sha256(data), `size ${size}`);
        // One request per chunk plus the growth probe that rides along with them.
        assert.strictEqual(spy.counts.read, Math.ceil(size / CHUNK) + 1, `reads for size ${size}`);
        assert.deepStrictEqual({ stat: spy.counts.stat, fstat: spy.counts.fstat }, { stat: 1, fstat: 0 });
      } finally {
        spy.restore();
      }
    }
  });

  it('keeps 16 reads in flight by default', async () => {
    const p = path.join(f.dir, 'big');
    fs.writeFileSync(p, randomData(3 * 1024 * 1024));
    const spy = countRequests(f.sftp, ['read']);
    try {
      await f.session.readFile(p, { chunkSize: 32 * 1024 });
      assert.strictEqual(spy.maxInFlight.read, 16);
    } finally {
      spy.restore();
    }
  });

  it('writes files of every size byte-identical, 8 acknowledged writes in flight', async () => {
    for (const size of SIZES) {
      const p = path.join(f.dir, `w${size}`);
      const data = randomData(size);
      const spy = countRequests(f.sftp, ['write']);
      try {
        await writePlain(f.session, p, data);
        assert.strictEqual(spy.counts.write, Math.ceil(size / CHUNK), `writes for size ${size}`);
        if (size > 8 * CHUNK) assert.strictEqual(spy.maxInFlight.write, 8);
      } finally {
        spy.restore();
      }
      assert.strictEqual(sha256(fs.readFileSync(p)), sha256(data), `size ${size}`);
    }
  });

  it('reads on to the new end of a file that grows while it is read', async () => {
    const p = path.join(f.dir, 'growing');
    const first = randomData(CHUNK * 2 + 5);
    const more = randomData(CHUNK + 99).reverse();
    fs.writeFileSync(p, first);
    let appended = false;
    const restore = intercept(f.sftp, 'read', (original, ...args) => {
      if (!appended) {
        appended = true;
        fs.appendFileSync(p, more);
      }
      return original(...args);
    });
    try {
      const got = await f.session.readFile(p);
      assert.strictEqual(sha256(got), sha256(Buffer.concat([first, more])));
    } finally {
      restore();
    }
  });

  it('returns what is left of a file that shrinks while it is read', async () => {
    const p = path.join(f.dir, 'shrinking');
    const data = randomData(CHUNK * 3);
    fs.writeFileSync(p, data);
    let truncated = false;
    const restore = intercept(f.sftp, 'read', (original, ...args) => {
      if (!truncated) {
        truncated = true;
        fs.truncateSync(p, CHUNK + 10);
      }
      return original(...args);
    });
    try {
      const got = await f.session.readFile(p);
      assert.strictEqual(sha256(got), sha256(data.subarray(0, CHUNK + 10)));
    } finally {
      restore();
    }
  });

  it('past the eager allocation a read grows its buffer in stages, byte-identical, with one growth probe', async () => {
    const p = path.join(f.dir, 'staged');
    for (const size of [CHUNK * 10 + 3, CHUNK * 8]) {
      const data = randomData(size);
      fs.writeFileSync(p, data);
      const spy = countRequests(f.sftp, ['read']);
      try {
        // Stages of 200,000 → 1,600,000 → the size; reads never cross a stage's end.
        const got = await f.session.readFile(p, { eagerBytes: 200_000 });
        assert.strictEqual(sha256(got), sha256(data), `size ${size}`);
        assert.strictEqual(got.buffer.byteLength, size, 'the last stage is the stat\'ed size, not more');
        assert.strictEqual(spy.counts.read, Math.ceil(200_000 / CHUNK) + Math.ceil(1_400_000 / CHUNK) + Math.ceil((size - 1_600_000) / CHUNK) + 1, `reads for size ${size}`);
      } finally {
        spy.restore();
      }
    }
    // A file that grows while read in stages is still read on to its new end.
    const first = randomData(CHUNK * 3);
    const more = randomData(1000);
    fs.writeFileSync(p, first);
    let appended = false;
    const restore = intercept(f.sftp, 'read', (original, ...args) => {
      if (!appended) {
        appended = true;
        fs.appendFileSync(p, more);
      }
      return original(...args);
    });
    try {
      assert.strictEqual(sha256(await f.session.readFile(p, { eagerBytes: 100_000 })), sha256(Buffer.concat([first, more])));
    } finally {
      restore();
    }
  });

  it('an AbortSignal cancels a read: rejects at once, closes the handle, the session goes on', async () => {
    const p = path.join(f.dir, 'abort');
    fs.writeFileSync(p, randomData(3 * 1024 * 1024));
    const controller = new AbortController();
    let reads = 0;
    const spy = countRequests(f.sftp, ['close']);
    const restore = intercept(f.sftp, 'read', (original, ...args) => {
      if (++reads === 3) controller.abort();
      return original(...args);
    });
    try {
      await assert.rejects(f.session.readFile(p, { signal: controller.signal, chunkSize: 16 * 1024, concurrency: 2 }), (err) => SshError.is(err, 'cancelled'));
      assert.ok(reads < 10, `stopped issuing reads (${reads})`);
      await new Promise((r) => setTimeout(r, 50));
      assert.strictEqual(spy.counts.close, 1, 'handle closed');
    } finally {
      restore();
      spy.restore();
    }
    await assert.rejects(f.session.readFile(p, { signal: AbortSignal.abort() }), (err) => SshError.is(err, 'cancelled'));
    assert.strictEqual((await f.session.stat(p)).size, 3 * 1024 * 1024);
  });

  it('streams reads to a sink and writes from a source, 16 and 8 requests in flight, one buffer per request', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const data = randomData(size);
    const p = path.join(f.dir, 'streamed');
    fs.writeFileSync(p, data);
    const into = Buffer.alloc(size);
    const buffers = new Set<ArrayBufferLike>();
    const spy = countRequests(f.sftp, ['read', 'write']);
    try {
      const n = await f.session.readFileInto(p, await f.session.lstat(p), async (chunk, position) => {
        buffers.add(chunk.buffer);
        chunk.copy(into, position);
      }, { chunkSize: 32 * 1024 });
      assert.strictEqual(n, size);
      assert.strictEqual(sha256(into), sha256(data));
      assert.strictEqual(spy.maxInFlight.read, 16);
      assert.ok(buffers.size <= 16, `${buffers.size} buffers`);
      const q = path.join(f.dir, 'written');
      let acknowledged = 0;
      await f.session.writeFileAtomicFrom(q, size, async (buf, position) => data.copy(buf, 0, position, position + buf.length), { chunkSize: 32 * 1024, onBytes: (k) => (acknowledged += k) });
      assert.strictEqual(sha256(fs.readFileSync(q)), sha256(data));
      assert.strictEqual(acknowledged, size);
      assert.strictEqual(spy.maxInFlight.write, 8);
    } finally {
      spy.restore();
    }
  });

  it('reads a file that grows while streamed only up to the size it was looked at with', async () => {
    const p = path.join(f.dir, 'growing-stream');
    const first = randomData(CHUNK * 2 + 5);
    fs.writeFileSync(p, first);
    const attrs = await f.session.lstat(p);
    fs.appendFileSync(p, randomData(CHUNK));
    const parts: Buffer[] = [];
    const n = await f.session.readFileInto(p, attrs, async (chunk, position) => void (parts[position / CHUNK] = Buffer.from(chunk)));
    assert.strictEqual(n, first.length);
    assert.strictEqual(sha256(Buffer.concat(parts)), sha256(first));
  });

  it('reports a failed write from its status, and errors reading directories or missing files', async () => {
    await assert.rejects(writePlain(f.session, path.join(f.dir, 'no', 'such', 'dir'), Buffer.from('x')), (err) => SftpError.is(err, STATUS_CODE.NO_SUCH_FILE));
    await assert.rejects(f.session.readFile(f.dir), (err) => SftpError.is(err) && err.reason === 'not-a-file');
    await assert.rejects(f.session.readFile(path.join(f.dir, 'missing')), (err) => SftpError.is(err, STATUS_CODE.NO_SUCH_FILE));
    const p = path.join(f.dir, 'w');
    let writes = 0;
    const restore = intercept(f.sftp, 'write', (original, ...args) => {
      if (++writes === 3) {
        const cb = args[5] as (err: Error) => void;
        // As ssh2 reports a STATUS reply: an Error with the numeric status code.
        return process.nextTick(cb, Object.assign(new Error('No space left on device'), { code: STATUS_CODE.FAILURE }));
      }
      return original(...args);
    });
    try {
      await assert.rejects(writePlain(f.session, p, randomData(CHUNK * 6)), (err) => SftpError.is(err, STATUS_CODE.FAILURE) && /No space left/.test(err.message));
    } finally {
      restore();
    }
  });
});

describe('SftpSession: a closed channel (real sshd)', () => {
  const f = useSftp();

  it('rejects pending requests when the channel closes, and later requests at once', async () => {
    const p = path.join(f.dir, 'big');
    fs.writeFileSync(p, randomData(3 * 1024 * 1024));
    const own = await ownSession(f);
    let reads = 0;
    intercept(own.sftp, 'read', (original, ...args) => {
      if (++reads === 2) own.sftp.end();
      return original(...args);
    });
    await assert.rejects(own.session.readFile(p, { chunkSize: 16 * 1024 }), (err) => SftpError.isConnectionLost(err));
    await own.close();
    assert.ok(own.session.closed);
    let settled = false;
    const later = own.session.stat(p).finally(() => (settled = true));
    await assert.rejects(later, (err) => SftpError.is(err, STATUS_CODE.CONNECTION_LOST) && err.op === 'stat');
    assert.ok(settled);
    await assert.rejects(own.session.writeFileAtomic(p, Buffer.from('x')), (err) => SftpError.isConnectionLost(err));
    assert.strictEqual(fs.statSync(p).size, 3 * 1024 * 1024);
  });

  it('rejects pending requests when the connection dies under them', async () => {
    const p = path.join(f.dir, 'big');
    fs.writeFileSync(p, randomData(3 * 1024 * 1024));
    const { connectSsh2 } = await import('../../../support/ssh2Client');
    const conn = await connectSsh2(f.sshd);
    const sftp = await conn.sftp();
    const { SftpSession } = await import('../../../../src/ssh/sftp');
    const session = new SftpSession(sftp);
    let reads = 0;
    intercept(sftp, 'read', (original, ...args) => {
      if (++reads === 2) conn.socket.destroy();
      return original(...args);
    });
    await assert.rejects(session.readFile(p, { chunkSize: 16 * 1024 }), (err) => SftpError.isConnectionLost(err));
    await assert.rejects(session.lstat(p), (err) => SftpError.isConnectionLost(err));
    session.dispose();
  });
});
