import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SshError } from '../../../../src/ssh/errors';
import { ConflictError, SftpError, SftpSession, STATUS_CODE } from '../../../../src/ssh/sftp';
import { connectSsh2 } from '../../../support/ssh2Client';
import { countRequests, intercept, ownSession, randomData, sha256, tempFilesIn, useSftp } from './fixture';
import { writePlain } from '../../../support/sftpWrite';

/** chattr +i: a directory even root cannot create files in (the tests run as root). */
function immutable(p: string, on: boolean): boolean {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', p], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('SftpSession: safe save (real sshd)', () => {
  const f = useSftp();

  it('replaces the content through a temp file and posix-rename, keeping mode 0640 and the owner', async () => {
    const p = path.join(f.dir, 'conf.txt');
    fs.writeFileSync(p, 'old');
    fs.chmodSync(p, 0o640);
    fs.chownSync(p, 1234, 2345);
    const inode = fs.statSync(p).ino;
    const data = randomData(3 * 1024 * 1024 + 5);
    const spy = countRequests(f.sftp, ['open', 'ext_openssh_rename', 'ext_openssh_fsync', 'write']);
    let attrs;
    try {
      attrs = await f.session.writeFileAtomic(p, data, { expected: { mtime: Math.floor(fs.statSync(p).mtimeMs / 1000), size: 3 } });
      assert.deepStrictEqual(spy.counts, { open: 1, ext_openssh_rename: 1, ext_openssh_fsync: 1, write: Math.ceil(data.length / 261120) });
    } finally {
      spy.restore();
    }
    const st = fs.statSync(p);
    assert.strictEqual(sha256(fs.readFileSync(p)), sha256(data));
    assert.strictEqual(st.mode & 0o7777, 0o640);
    assert.deepStrictEqual([st.uid, st.gid], [1234, 2345]);
    assert.notStrictEqual(st.ino, inode, 'a new file was renamed into place');
    assert.deepStrictEqual({ mtime: attrs.mtime, size: attrs.size }, { mtime: Math.floor(st.mtimeMs / 1000), size: data.length });
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
    assert.deepStrictEqual(f.session.tempFiles, []);
  });

  it('createOnly refuses an existing target and leaves it as it was', async () => {
    const p = path.join(f.dir, 'taken');
    fs.writeFileSync(p, 'theirs');
    await assert.rejects(f.session.writeFileAtomic(p, Buffer.from('ours'), { createOnly: true }), (err) => SftpError.is(err) && err.reason === 'exists');
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'theirs');
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
  });

  it("newFileExecBits adds the source's exec bits to a new file's default mode, and leaves an existing file's mode alone", async () => {
    const plain = path.join(f.dir, 'plain');
    await writePlain(f.session, plain, Buffer.from('x'));
    const serverDefault = fs.statSync(plain).mode & 0o7777;
    const p = path.join(f.dir, 'tool');
    await f.session.writeFileAtomic(p, Buffer.from('#!/bin/sh\n'), { newFileExecBits: 0o755 });
    assert.strictEqual(fs.statSync(p).mode & 0o7777, serverDefault | (0o111 & ((serverDefault & 0o444) >> 2)));
    fs.chmodSync(p, 0o640);
    await f.session.writeFileAtomic(p, Buffer.from('#!/bin/sh\nexit 0\n'), { newFileExecBits: 0o755 });
    assert.strictEqual(fs.statSync(p).mode & 0o7777, 0o640);
  });

  it('creates a new file with the server default mode (umask), or the mode asked for', async () => {
    const plain = path.join(f.dir, 'plain');
    await writePlain(f.session, plain, Buffer.from('x'));
    const p = path.join(f.dir, 'new.txt');
    await f.session.writeFileAtomic(p, Buffer.from('fresh'));
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'fresh');
    assert.strictEqual(fs.statSync(p).mode & 0o7777, fs.statSync(plain).mode & 0o7777);
    const q = path.join(f.dir, 'script.sh');
    await f.session.writeFileAtomic(q, Buffer.from('#!/bin/sh\n'), { mode: 0o755 });
    assert.strictEqual(fs.statSync(q).mode & 0o7777, 0o755);
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
  });

  it('reports a conflict when the remote changed since the editor read it, and keeps the remote content', async () => {
    const p = path.join(f.dir, 'doc');
    fs.writeFileSync(p, 'as read');
    const read = await f.session.stat(p);
    fs.writeFileSync(p, 'changed on the remote'); // another size
    await assert.rejects(f.session.writeFileAtomic(p, Buffer.from('mine'), { expected: { mtime: read.mtime, size: read.size } }), (err) => {
      assert.ok(ConflictError.is(err));
      assert.deepStrictEqual(err.expected, { mtime: read.mtime, size: read.size });
      assert.strictEqual(err.actual?.size, 21);
      return true;
    });
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'changed on the remote');
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
    fs.unlinkSync(p);
    await assert.rejects(f.session.writeFileAtomic(p, Buffer.from('mine'), { expected: { mtime: read.mtime, size: read.size } }), (err) => ConflictError.is(err) && err.actual === undefined);
    assert.ok(!fs.existsSync(p), 'a deleted file is not recreated');
  });

  it('reports a conflict when the remote changes during the save; the temp file is removed', async () => {
    const p = path.join(f.dir, 'doc');
    fs.writeFileSync(p, 'v1');
    const read = await f.session.stat(p);
    const restore = intercept(f.sftp, 'ext_openssh_fsync', (original, ...args) => {
      assert.strictEqual(tempFilesIn(f.dir).length, 1, 'the temp file exists while we write');
      fs.writeFileSync(p, 'someone else, meanwhile');
      return original(...args);
    });
    try {
      await assert.rejects(f.session.writeFileAtomic(p, randomData(700_000), { expected: { mtime: read.mtime, size: read.size } }), (err) => ConflictError.is(err));
    } finally {
      restore();
    }
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'someone else, meanwhile');
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
    assert.deepStrictEqual(f.session.tempFiles, []);
  });

  it('fails in a directory where no temp file can be created, marking the save unsafe; the target is untouched', async function () {
    const d = path.join(f.dir, 'locked');
    fs.mkdirSync(d);
    const p = path.join(d, 'file');
    fs.writeFileSync(p, 'original');
    if (!immutable(d, true)) this.skip();
    try {
      await assert.rejects(f.session.writeFileAtomic(p, Buffer.from('new')), (err) =>
        SftpError.is(err, STATUS_CODE.PERMISSION_DENIED) && err.reason === 'unsafe-save');
      assert.strictEqual(fs.readFileSync(p, 'utf8'), 'original');
      assert.deepStrictEqual(tempFilesIn(d), []);
    } finally {
      immutable(d, false);
    }
  });

  it('a write failing part-way leaves the target untouched and removes the temp file', async () => {
    const p = path.join(f.dir, 'doc');
    fs.writeFileSync(p, 'original');
    let writes = 0;
    const restore = intercept(f.sftp, 'write', (original, ...args) => {
      if (++writes === 4) {
        return process.nextTick(args[5] as (e: Error) => void, Object.assign(new Error('No space left on device'), { code: STATUS_CODE.FAILURE }));
      }
      return original(...args);
    });
    try {
      await assert.rejects(f.session.writeFileAtomic(p, randomData(3 * 1024 * 1024)), (err) => SftpError.is(err, STATUS_CODE.FAILURE));
    } finally {
      restore();
    }
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'original');
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
  });

  it('a cancelled save leaves the target untouched and removes the temp file', async () => {
    const p = path.join(f.dir, 'doc');
    fs.writeFileSync(p, 'original');
    const controller = new AbortController();
    let writes = 0;
    const restore = intercept(f.sftp, 'write', (original, ...args) => {
      if (++writes === 3) controller.abort();
      return original(...args);
    });
    try {
      await assert.rejects(f.session.writeFileAtomic(p, randomData(3 * 1024 * 1024), { signal: controller.signal }), (err) => SshError.is(err, 'cancelled'));
    } finally {
      restore();
    }
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'original');
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
    assert.deepStrictEqual(f.session.tempFiles, []);
  });

  it('a failing rename leaves the target untouched and removes the temp file', async function () {
    const p = path.join(f.dir, 'doc');
    fs.writeFileSync(p, 'original');
    const restore = intercept(f.sftp, 'ext_openssh_rename', (original, ...args) => {
      if (!immutable(p, true)) return process.nextTick(args[2] as (e: Error) => void, Object.assign(new Error('Permission denied'), { code: STATUS_CODE.PERMISSION_DENIED }));
      return original(...args);
    });
    try {
      await assert.rejects(f.session.writeFileAtomic(p, Buffer.from('new')), (err) => SftpError.is(err, STATUS_CODE.PERMISSION_DENIED) && err.op === 'posix-rename');
    } finally {
      restore();
      immutable(p, false);
    }
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'original');
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
  });

  it('saves through a symlink into its target and keeps the link', async () => {
    fs.mkdirSync(path.join(f.dir, 'real'));
    const real = path.join(f.dir, 'real', 'file');
    const link = path.join(f.dir, 'link');
    fs.writeFileSync(real, 'old');
    fs.symlinkSync('real/file', link);
    await f.session.writeFileAtomic(link, Buffer.from('new'));
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.strictEqual(fs.readFileSync(real, 'utf8'), 'new');
    fs.symlinkSync('nowhere', path.join(f.dir, 'dangling'));
    await assert.rejects(f.session.writeFileAtomic(path.join(f.dir, 'dangling'), Buffer.from('x')), (err) => SftpError.is(err) && err.reason === 'unsafe-save');
    await assert.rejects(f.session.writeFileAtomic(path.join(f.dir, 'real'), Buffer.from('x')), (err) => SftpError.is(err) && err.reason === 'not-a-file');
  });

  it('without posix-rename an existing file is unsafe to save; a new one is still created', async () => {
    const own = await ownSession(f, (sftp) => {
      delete (sftp as unknown as { _extensions: Record<string, string> })._extensions['posix-rename@openssh.com'];
    });
    try {
      const p = path.join(f.dir, 'doc');
      fs.writeFileSync(p, 'original');
      await assert.rejects(own.session.writeFileAtomic(p, Buffer.from('x')), (err) => SftpError.is(err, STATUS_CODE.OP_UNSUPPORTED) && err.reason === 'unsafe-save');
      assert.strictEqual(fs.readFileSync(p, 'utf8'), 'original');
      await own.session.writeFileAtomic(path.join(f.dir, 'new'), Buffer.from('created'));
      assert.strictEqual(fs.readFileSync(path.join(f.dir, 'new'), 'utf8'), 'created');
      assert.deepStrictEqual(tempFilesIn(f.dir), []);
    } finally {
      await own.close();
    }
  });

  it('writeFileInPlace writes over the file itself, keeps its inode and mode, and checks for conflicts', async () => {
    const p = path.join(f.dir, 'doc');
    fs.writeFileSync(p, 'a much longer original content');
    fs.chmodSync(p, 0o600);
    const inode = fs.statSync(p).ino;
    const read = await f.session.stat(p);
    const attrs = await f.session.writeFileInPlace(p, Buffer.from('short'), { expected: { mtime: read.mtime, size: read.size } });
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'short');
    assert.strictEqual(attrs.size, 5);
    assert.strictEqual(fs.statSync(p).ino, inode);
    assert.strictEqual(fs.statSync(p).mode & 0o777, 0o600);
    await assert.rejects(f.session.writeFileInPlace(p, Buffer.from('x'), { expected: { mtime: read.mtime, size: read.size } }), (err) => ConflictError.is(err));
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'short');
    const big = randomData(3 * 1024 * 1024 + 1);
    await f.session.writeFileInPlace(p, big);
    assert.strictEqual(sha256(fs.readFileSync(p)), sha256(big));
  });

  it('remembers temp files it could not remove, so a new session removes them after a reconnect', async () => {
    const p = path.join(f.dir, 'doc');
    fs.writeFileSync(p, 'original');
    const conn = await connectSsh2(f.sshd);
    const sftp = await conn.sftp();
    const dying = new SftpSession(sftp);
    let writes = 0;
    intercept(sftp, 'write', (original, ...args) => {
      if (++writes === 3) conn.socket.destroy(); // the connection drops mid-save
      return original(...args);
    });
    await assert.rejects(dying.writeFileAtomic(p, randomData(3 * 1024 * 1024)), (err) => SftpError.isConnectionLost(err));
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'original');
    assert.strictEqual(dying.tempFiles.length, 1);
    assert.deepStrictEqual(tempFilesIn(f.dir), [path.basename(dying.tempFiles[0])]);
    dying.dispose();

    const removed = await f.session.removeTempFiles([...dying.tempFiles, p]);
    assert.deepStrictEqual(removed, dying.tempFiles, 'only temp names are removed');
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
    assert.strictEqual(fs.readFileSync(p, 'utf8'), 'original');
  });
});
