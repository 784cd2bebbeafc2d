// sftp-server answers one request at a time and blocks in open(2) on a FIFO, so one careless
// OPEN would stall every later request on the host's only SFTP channel; a device never ends.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SftpError, STATUS_CODE } from '../../../../src/ssh/sftp';
import { countRequests, intercept, ownSession, useSftp } from './fixture';

/** Fails (instead of hanging the suite) when `work` has not settled within `ms`. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms))]);
}

const notAFile = (e: unknown) => SftpError.is(e, STATUS_CODE.FAILURE) && e.reason === 'not-a-file' && /not a regular file/.test(e.message);

describe('SftpSession: reads and copies refuse what is not a regular file, before opening it (real sshd)', () => {
  const f = useSftp();

  it('refuses to read a FIFO without opening it, and the channel keeps answering', async () => {
    const fifo = path.join(f.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const own = await ownSession(f);
    const spy = countRequests(own.sftp, ['open']);
    try {
      await within(5000, assert.rejects(own.session.readFile(fifo), notAFile));
      assert.strictEqual(spy.counts.open, 0, 'never opened');
      assert.ok((await within(5000, own.session.stat(f.dir))).isDirectory(), 'the next request is answered');
    } finally {
      spy.restore();
      await own.close();
    }
  });

  it('refuses to read a character device that never ends', async () => {
    await within(5000, assert.rejects(f.session.readFile('/dev/zero'), notAFile));
  });

  it('refuses to copy a FIFO without opening it', async () => {
    const fifo = path.join(f.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const own = await ownSession(f);
    const spy = countRequests(own.sftp, ['open']);
    try {
      await within(5000, assert.rejects(own.session.copy(fifo, path.join(f.dir, 'copy'), { serverSide: false }), notAFile));
      assert.strictEqual(spy.counts.open, 0);
      assert.deepStrictEqual(fs.readdirSync(f.dir), ['pipe']);
    } finally {
      spy.restore();
      await own.close();
    }
  });

  it('uses the fresh attributes the caller passes instead of a STAT of its own', async () => {
    const p = path.join(f.dir, 'file');
    fs.writeFileSync(p, 'hello');
    const attrs = await f.session.stat(p);
    const spy = countRequests(f.sftp, ['stat']);
    try {
      assert.strictEqual((await f.session.readFile(p, { attrs })).toString(), 'hello');
      assert.strictEqual(spy.counts.stat, 0);
    } finally {
      spy.restore();
    }
  });

  it('keeps a leftover temp file it could not remove registered, so a later session tries again', async () => {
    const leftover = path.join(f.dir, '.x.sbx-0123456789ab.tmp');
    fs.writeFileSync(leftover, 'partial');
    const own = await ownSession(f);
    const restore = intercept(own.sftp, 'unlink', (_original, _path, cb) => {
      setImmediate(() => (cb as (e: Error) => void)(Object.assign(new Error('Failure'), { code: STATUS_CODE.FAILURE })));
    });
    try {
      assert.deepStrictEqual(await own.session.removeTempFiles([leftover]), []);
      assert.deepStrictEqual(own.session.tempFiles, [leftover]);
    } finally {
      restore();
    }
    try {
      assert.deepStrictEqual(await own.session.removeTempFiles(), [leftover]);
      assert.deepStrictEqual(own.session.tempFiles, []);
      assert.ok(!fs.existsSync(leftover));
    } finally {
      await own.close();
    }
  });
});
