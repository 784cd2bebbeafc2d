import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { countRequests, useSftp } from './fixture';

describe('SftpSession: a 10,000-entry directory (real sshd)', () => {
  const f = useSftp();

  it('lists every entry with its attributes in batched READDIRs, with no per-entry stat', async () => {
    for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(f.dir, `file-${String(i).padStart(5, '0')}.txt`), i % 7 ? '' : 'seven');
    fs.mkdirSync(path.join(f.dir, 'sub'));
    fs.symlinkSync('file-00000.txt', path.join(f.dir, 'link'));
    const spy = countRequests(f.sftp, ['opendir', 'readdir', 'stat', 'lstat', 'fstat', 'open', 'close']);
    try {
      const entries = await f.session.readdir(f.dir);
      assert.strictEqual(entries.length, 10_002);
      assert.strictEqual(entries.filter((e) => e.attrs.isFile()).length, 10_000);
      assert.strictEqual(entries.filter((e) => e.attrs.size === 5).length, Math.ceil(10_000 / 7));
      assert.ok(entries.find((e) => e.name === 'sub')!.attrs.isDirectory());
      assert.ok(entries.find((e) => e.name === 'link')!.attrs.isSymbolicLink());
      const { opendir, readdir, stat, lstat, fstat, open, close } = spy.counts;
      assert.deepStrictEqual({ opendir, stat, lstat, fstat, open, close }, { opendir: 1, stat: 0, lstat: 0, fstat: 0, open: 0, close: 1 });
      // OpenSSH's sftp-server answers up to 100 names per READDIR; the read-ahead adds up to 3 EOFs.
      assert.ok(readdir <= Math.ceil(10_002 / 100) + 3, `${readdir} READDIR requests`);
    } finally {
      spy.restore();
    }
  });
});
