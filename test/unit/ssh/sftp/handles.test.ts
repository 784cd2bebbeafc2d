// sftp-server hands a freed handle number to the very next OPEN, so anything sent on a handle
// after its CLOSE lands on another operation's file. These tests pin that nothing is.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SftpError, STATUS_CODE } from '../../../../src/ssh/sftp';
import { countRequests, intercept, randomData, tempFilesIn, useSftp } from './fixture';

/** Records the order of requests that carry a handle: `op handle-hex`. */
function recordHandleRequests(sftp: Parameters<typeof intercept>[0], ops: string[]): { log: string[]; restore(): void } {
  const log: string[] = [];
  const restores = ops.map((op) =>
    intercept(sftp, op, (original, ...args) => {
      log.push(`${op} ${(args[0] as Buffer).toString('hex')}`);
      return original(...args);
    }),
  );
  return { log, restore: () => restores.forEach((r) => r()) };
}

describe('SftpChannel: nothing is sent on a handle after its CLOSE (real sshd)', () => {
  const f = useSftp();

  it('closing a handle again sends nothing, so the next OPEN that reuses its number stays open', async () => {
    const a = await f.session.open(path.join(f.dir, 'a'), 'w');
    await f.session.close(a);
    const b = await f.session.open(path.join(f.dir, 'b'), 'w');
    assert.ok(a.raw.equals(b.raw), 'sftp-server reused the freed handle number (the hazard this guards)');
    const spy = countRequests(f.sftp, ['close']);
    try {
      await f.session.close(a);
      assert.strictEqual(spy.counts.close, 0);
    } finally {
      spy.restore();
    }
    await f.session.write(b, Buffer.from('still mine'), 0, 10, 0);
    await f.session.close(b);
    assert.strictEqual(fs.readFileSync(path.join(f.dir, 'b'), 'utf8'), 'still mine');
  });

  it('refuses, unsent, a request on a closed handle whose number another OPEN now holds', async () => {
    const a = await f.session.open(path.join(f.dir, 'a'), 'w');
    await f.session.close(a);
    const b = await f.session.open(path.join(f.dir, 'b'), 'w');
    const spy = countRequests(f.sftp, ['write', 'read', 'fstat']);
    try {
      await assert.rejects(f.session.write(a, Buffer.from('stray'), 0, 5, 0), (e) => SftpError.is(e, STATUS_CODE.FAILURE) && /already closed/.test((e as Error).message));
      await assert.rejects(f.session.read(a, Buffer.alloc(4), 0, 4, 0), /already closed/);
      await assert.rejects(f.session.fstat(a), /already closed/);
      assert.deepStrictEqual(spy.counts, { write: 0, read: 0, fstat: 0 });
    } finally {
      spy.restore();
      await f.session.close(b);
    }
    assert.strictEqual(fs.readFileSync(path.join(f.dir, 'b'), 'utf8'), '', 'the stray write never reached the other file');
  });

  it('a safe save whose chown is refused closes its temp file once', async () => {
    const p = path.join(f.dir, 'owned-by-another');
    fs.writeFileSync(p, 'original');
    // As sftp-server answers a non-root user's chown of someone else's file, after a turn.
    const restoreFsetstat = intercept(f.sftp, 'fsetstat', (original, handle, attrs, cb) => {
      if ((attrs as { uid?: number }).uid === undefined) return original(handle, attrs, cb);
      const err = Object.assign(new Error('Permission denied'), { code: STATUS_CODE.PERMISSION_DENIED });
      setImmediate(() => (cb as (e: Error) => void)(err));
    });
    const spy = countRequests(f.sftp, ['close']);
    try {
      await assert.rejects(f.session.writeFileAtomic(p, Buffer.from('new')), (e) => SftpError.is(e) && e.reason === 'unsafe-save');
      assert.strictEqual(spy.counts.close, 1, 'one CLOSE for the temp file');
    } finally {
      spy.restore();
      restoreFsetstat();
    }
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'original');
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
  });

  it('a cancelled streamed copy sends nothing on its handles after their CLOSE', async () => {
    const src = path.join(f.dir, 'src.bin');
    fs.writeFileSync(src, randomData(24 * 1024 * 1024));
    const rec = recordHandleRequests(f.sftp, ['read', 'write', 'close']);
    const controller = new AbortController();
    try {
      const copying = f.session.copy(src, path.join(f.dir, 'dst.bin'), { serverSide: false, signal: controller.signal });
      // Cancel once data is flowing both ways, so reads and writes are in flight.
      while (!rec.log.some((l) => l.startsWith('write '))) await new Promise((r) => setImmediate(r));
      controller.abort();
      await assert.rejects(copying);
      await new Promise((r) => setTimeout(r, 300)); // let any straggling worker try its luck
    } finally {
      rec.restore();
    }
    const closedAt = new Map<string, number>();
    rec.log.forEach((l, i) => {
      const [op, h] = l.split(' ');
      if (op === 'close' && !closedAt.has(h)) closedAt.set(h, i);
    });
    const late = rec.log.filter((l, i) => {
      const [op, h] = l.split(' ');
      return op !== 'close' && closedAt.has(h) && i > closedAt.get(h)!;
    });
    assert.ok(closedAt.size >= 2, 'both handles were closed');
    assert.deepStrictEqual(late, [], 'no request after its handle was closed');
    assert.ok(!fs.existsSync(path.join(f.dir, 'dst.bin')), 'no target');
    assert.deepStrictEqual(tempFilesIn(f.dir), [], 'no temp file');
  });
});
