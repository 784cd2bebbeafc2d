import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SftpError, SftpSession, STATUS_CODE } from '../../../../src/ssh/sftp';
import { closeSftp } from '../../../support/ssh2Client';
import { countRequests, ownSession, randomData, sha256, tempFilesIn, useSftp } from './fixture';

async function rejectsWith(p: Promise<unknown>, code: number, reason?: string): Promise<SftpError> {
  try {
    await p;
  } catch (err) {
    assert.ok(SftpError.is(err), `expected SftpError, got ${err}`);
    assert.strictEqual(err.code, code, `${err.message}: code`);
    if (reason !== undefined) assert.strictEqual(err.reason, reason, `${err.message}: reason`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('SftpSession: metadata operations (real sshd)', () => {
  const f = useSftp();

  it('reads the server extensions and limits@openssh.com', () => {
    assert.ok(f.session.hasPosixRename);
    assert.ok(f.session.hasFsync);
    assert.ok(f.session.hasCopyData);
    assert.strictEqual(f.session.limits.maxReadLength, 261120);
    assert.strictEqual(f.session.limits.maxWriteLength, 261120);
  });

  it('stat, lstat and realpath tell files, directories and symlinks apart', async () => {
    fs.writeFileSync(path.join(f.dir, 'file'), 'hello');
    fs.mkdirSync(path.join(f.dir, 'sub'));
    fs.symlinkSync('file', path.join(f.dir, 'link'));
    const file = await f.session.stat(path.join(f.dir, 'file'));
    assert.ok(file.isFile());
    assert.strictEqual(file.size, 5);
    assert.ok((await f.session.stat(path.join(f.dir, 'sub'))).isDirectory());
    assert.ok((await f.session.lstat(path.join(f.dir, 'link'))).isSymbolicLink());
    assert.ok((await f.session.stat(path.join(f.dir, 'link'))).isFile());
    assert.strictEqual(await f.session.realpath(`${f.dir}/sub/../link`), path.join(f.dir, 'file'));
  });

  it('fails with a typed SftpError carrying code, op and path', async () => {
    const missing = path.join(f.dir, 'missing');
    const err = await rejectsWith(f.session.stat(missing), STATUS_CODE.NO_SUCH_FILE);
    assert.strictEqual(err.op, 'stat');
    assert.strictEqual(err.path, missing);
    assert.ok(!SftpError.isConnectionLost(err));
    assert.strictEqual(await f.session.tryLstat(missing), undefined);
  });

  it('readdir returns names and attributes without a stat per entry (and drops the longname)', async () => {
    fs.writeFileSync(path.join(f.dir, 'a.txt'), 'aaa');
    fs.mkdirSync(path.join(f.dir, 'b'));
    fs.symlinkSync('a.txt', path.join(f.dir, 'c'));
    const spy = countRequests(f.sftp, ['stat', 'lstat', 'fstat', 'readdir']);
    try {
      const entries = await f.session.readdir(f.dir);
      const byName = new Map(entries.map((e) => [e.name, e]));
      assert.deepStrictEqual([...byName.keys()].sort(), ['a.txt', 'b', 'c']);
      assert.ok(byName.get('a.txt')!.attrs.isFile());
      assert.strictEqual(byName.get('a.txt')!.attrs.size, 3);
      assert.ok(byName.get('b')!.attrs.isDirectory());
      assert.ok(byName.get('c')!.attrs.isSymbolicLink(), 'symlinks are reported as links, not followed');
      assert.ok(!('longname' in byName.get('a.txt')!), 'the server\'s ls -l line is not kept');
      assert.ok(entries.every((e) => !e.lossyName));
      assert.deepStrictEqual({ stat: spy.counts.stat, lstat: spy.counts.lstat, fstat: spy.counts.fstat }, { stat: 0, lstat: 0, fstat: 0 });
    } finally {
      spy.restore();
    }
  });

  it('readdir flags names that are not UTF-8 as lossy (ssh2 decodes them before we see the bytes)', async () => {
    const raw = Buffer.concat([Buffer.from(`${f.dir}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]); // Latin-1 "café"
    fs.writeFileSync(raw, 'latin1 name');
    fs.writeFileSync(path.join(f.dir, 'ok-\u00e9.txt'), 'utf8 name');
    const entries = await f.session.readdir(f.dir);
    const lossy = entries.find((e) => e.lossyName)!;
    assert.strictEqual(lossy.name, 'caf\uFFFD.txt');
    assert.ok(!entries.find((e) => e.name === 'ok-\u00e9.txt')!.lossyName);
    // The decoded name is not the file's name: requests with it cannot reach the file.
    await rejectsWith(f.session.stat(path.join(f.dir, lossy.name)), STATUS_CODE.NO_SUCH_FILE);
  });

  it('mkdir (with mode), mkdir on an existing path says exists, rmdir', async () => {
    const d = path.join(f.dir, 'new');
    await f.session.mkdir(d, { mode: 0o750 });
    assert.strictEqual(fs.statSync(d).mode & 0o777, 0o750);
    await rejectsWith(f.session.mkdir(d), STATUS_CODE.FAILURE, 'exists');
    fs.writeFileSync(path.join(d, 'x'), '');
    const notEmpty = await rejectsWith(f.session.rmdir(d), STATUS_CODE.FAILURE);
    assert.strictEqual(notEmpty.reason, undefined);
    fs.unlinkSync(path.join(d, 'x'));
    await f.session.rmdir(d);
    assert.ok(!fs.existsSync(d));
    await rejectsWith(f.session.mkdir(path.join(f.dir, 'no', 'parent')), STATUS_CODE.NO_SUCH_FILE);
  });

  it('unlink removes a file and reports a missing one', async () => {
    const p = path.join(f.dir, 'gone');
    fs.writeFileSync(p, 'x');
    await f.session.unlink(p);
    assert.ok(!fs.existsSync(p));
    await rejectsWith(f.session.unlink(p), STATUS_CODE.NO_SUCH_FILE);
  });

  it('rename without overwrite moves, and refuses an existing target leaving both intact', async () => {
    const a = path.join(f.dir, 'a');
    const b = path.join(f.dir, 'b');
    const c = path.join(f.dir, 'c');
    fs.writeFileSync(a, 'A');
    fs.writeFileSync(b, 'B');
    await rejectsWith(f.session.rename(a, b), STATUS_CODE.FAILURE, 'exists');
    assert.strictEqual(fs.readFileSync(a, 'utf8'), 'A');
    assert.strictEqual(fs.readFileSync(b, 'utf8'), 'B');
    await f.session.rename(a, c);
    assert.ok(!fs.existsSync(a));
    assert.strictEqual(fs.readFileSync(c, 'utf8'), 'A');
    await rejectsWith(f.session.rename(a, c), STATUS_CODE.NO_SUCH_FILE);
  });

  it('rename with overwrite replaces the target (posix-rename), also for directories', async () => {
    const a = path.join(f.dir, 'a');
    const b = path.join(f.dir, 'b');
    fs.writeFileSync(a, 'A');
    fs.writeFileSync(b, 'B');
    const spy = countRequests(f.sftp, ['ext_openssh_rename', 'rename']);
    try {
      await f.session.rename(a, b, { overwrite: true });
      assert.deepStrictEqual(spy.counts, { ext_openssh_rename: 1, rename: 0 });
    } finally {
      spy.restore();
    }
    assert.strictEqual(fs.readFileSync(b, 'utf8'), 'A');
    fs.mkdirSync(path.join(f.dir, 'd1'));
    fs.writeFileSync(path.join(f.dir, 'd1', 'inside'), '1');
    await f.session.rename(path.join(f.dir, 'd1'), path.join(f.dir, 'd2'));
    assert.strictEqual(fs.readFileSync(path.join(f.dir, 'd2', 'inside'), 'utf8'), '1');
  });

  it('rename with overwrite still works on a server without posix-rename', async () => {
    const own = await ownSession(f, (sftp) => {
      delete (sftp as unknown as { _extensions: Record<string, string> })._extensions['posix-rename@openssh.com'];
    });
    try {
      assert.ok(!own.session.hasPosixRename);
      const a = path.join(f.dir, 'a');
      const b = path.join(f.dir, 'b');
      fs.writeFileSync(a, 'A');
      fs.writeFileSync(b, 'B');
      await rejectsWith(own.session.rename(a, b), STATUS_CODE.FAILURE, 'exists');
      await own.session.rename(a, b, { overwrite: true });
      assert.strictEqual(fs.readFileSync(b, 'utf8'), 'A');
      assert.ok(!fs.existsSync(a));
    } finally {
      await own.close();
    }
  });

  it('copy uses copy-data on the server, keeps the mode, honours overwrite and leaves no temp', async () => {
    const src = path.join(f.dir, 'src.bin');
    const dst = path.join(f.dir, 'dst.bin');
    const data = randomData(600_000);
    fs.writeFileSync(src, data, { mode: 0o640 });
    fs.chmodSync(src, 0o640);
    const spy = countRequests(f.sftp, ['ext_copy_data', 'read', 'write']);
    try {
      await f.session.copy(src, dst);
      assert.deepStrictEqual(spy.counts, { ext_copy_data: 1, read: 0, write: 0 });
    } finally {
      spy.restore();
    }
    assert.strictEqual(sha256(fs.readFileSync(dst)), sha256(data));
    assert.strictEqual(fs.statSync(dst).mode & 0o777, 0o640);
    await rejectsWith(f.session.copy(src, dst), STATUS_CODE.FAILURE, 'exists');
    fs.writeFileSync(src, 'shorter');
    await f.session.copy(src, dst, { overwrite: true });
    assert.strictEqual(fs.readFileSync(dst, 'utf8'), 'shorter');
    fs.mkdirSync(path.join(f.dir, 'folder'));
    await rejectsWith(f.session.copy(path.join(f.dir, 'folder'), path.join(f.dir, 'folder2')), STATUS_CODE.FAILURE, 'not-a-file');
    await rejectsWith(f.session.copy(path.join(f.dir, 'missing'), path.join(f.dir, 'x')), STATUS_CODE.NO_SUCH_FILE);
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
    assert.deepStrictEqual(f.session.tempFiles, []);
  });

  it('copy streams through the client when copy-data is not used', async () => {
    const src = path.join(f.dir, 'src.bin');
    const dst = path.join(f.dir, 'dst.bin');
    const data = randomData(3 * 1024 * 1024 + 17);
    fs.writeFileSync(src, data);
    const spy = countRequests(f.sftp, ['ext_copy_data', 'write']);
    try {
      await f.session.copy(src, dst, { serverSide: false });
      assert.strictEqual(spy.counts.ext_copy_data, 0);
      assert.strictEqual(spy.counts.write, Math.ceil(data.length / 261120));
      assert.ok(spy.maxInFlight.write > 1, 'pipelined');
    } finally {
      spy.restore();
    }
    assert.strictEqual(sha256(fs.readFileSync(dst)), sha256(data));
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
  });

  it('symlink and readlink', async () => {
    const link = path.join(f.dir, 'link');
    await f.session.symlink('target/elsewhere', link);
    assert.strictEqual(fs.readlinkSync(link), 'target/elsewhere');
    assert.strictEqual(await f.session.readlink(link), 'target/elsewhere');
    await rejectsWith(f.session.symlink('x', link), STATUS_CODE.FAILURE);
  });

  it('setstat and chmod change mode and times', async () => {
    const p = path.join(f.dir, 'f');
    fs.writeFileSync(p, 'x');
    await f.session.chmod(p, 0o604);
    assert.strictEqual(fs.statSync(p).mode & 0o777, 0o604);
    await f.session.setstat(p, { atime: 1_000_000_000, mtime: 1_234_567_890 });
    assert.strictEqual((await f.session.stat(p)).mtime, 1_234_567_890);
  });

  it('handles: open, write, fsync@openssh.com, fstat, close', async () => {
    const p = path.join(f.dir, 'h');
    const h = await f.session.open(p, 'w');
    await f.session.write(h, Buffer.from('hello'), 0, 5, 0);
    await f.session.fsync(h);
    assert.strictEqual((await f.session.fstat(h)).size, 5);
    await f.session.close(h);
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'hello');
  });

  it('is constructed from any ready SFTPWrapper (the connection core owns the channel)', async () => {
    const sftp = await f.conn.sftp();
    const s = new SftpSession(sftp);
    assert.ok((await s.stat(f.dir)).isDirectory());
    s.dispose();
    await closeSftp(sftp);
  });
});
