// Download against real sshd: links inside a folder are never followed, files stream with
// bounded memory and progress, and a cancelled download leaves no partial file.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { download } from '../../../../src/fs/transfer/download';
import { TransferProgress } from '../../../../src/fs/transfer/transferReport';
import { SshError } from '../../../../src/ssh/errors';
import { makeTempDir } from '../../../support/sshd';
import { countRequests, randomData, sha256, useSftp } from '../../ssh/sftp/fixture';

/** Entries under `dir`, relative, links not followed ("name -> target" for links). */
function listing(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    const rel = path.relative(base, full);
    if (e.isSymbolicLink()) return [`${rel} -> ${fs.readlinkSync(full)}`];
    return e.isDirectory() ? [`${rel}/`, ...listing(full, base)] : [rel];
  }).sort();
}

describe('download (real sshd)', function () {
  this.timeout(60000);
  const f = useSftp();
  let local: string;
  beforeEach(() => (local = makeTempDir('sbx-download-')));
  afterEach(() => fs.rmSync(local, { recursive: true, force: true }));

  function remoteWithLinks(): string {
    const remote = path.join(f.dir, 'box');
    fs.mkdirSync(path.join(remote, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(remote, 'file.txt'), 'top\n');
    fs.writeFileSync(path.join(remote, 'sub/inner.txt'), 'inner\n');
    fs.symlinkSync('.', path.join(remote, 'current'));
    fs.symlinkSync('/', path.join(remote, 'root'));
    fs.symlinkSync('file.txt', path.join(remote, 'alias'));
    return remote;
  }

  it('skips links inside a folder with a note and never lists through them (current -> ., root -> /)', async () => {
    const remote = remoteWithLinks();
    const spy = countRequests(f.sftp, ['opendir', 'stat']);
    let report;
    try {
      report = await download(f.session, [{ remote, local: path.join(local, 'box') }], { symlinks: 'skip' });
      assert.strictEqual(spy.counts.opendir, 2, 'box and sub only');
      assert.strictEqual(spy.counts.stat, 1, 'only the chosen folder itself is stat-ed; entries are lstat-ed');
    } finally {
      spy.restore();
    }
    assert.deepStrictEqual(listing(path.join(local, 'box')), ['file.txt', 'sub/', 'sub/inner.txt']);
    assert.deepStrictEqual(report.skipped.map((s) => [path.basename(s.path), s.why]), [
      ['alias', 'symbolic link, not followed'],
      ['current', 'symbolic link, not followed'],
      ['root', 'symbolic link, not followed'],
    ]);
    assert.deepStrictEqual({ files: report.files, folders: report.folders, links: report.links, bytes: report.bytes }, { files: 2, folders: 2, links: 0, bytes: 10 });
  });

  it('recreates links verbatim when asked, still without following them', async () => {
    const remote = remoteWithLinks();
    const report = await download(f.session, [{ remote, local: path.join(local, 'box') }], { symlinks: 'recreate' });
    assert.deepStrictEqual(listing(path.join(local, 'box')), ['alias -> file.txt', 'current -> .', 'file.txt', 'root -> /', 'sub/', 'sub/inner.txt']);
    assert.deepStrictEqual(report.skipped, []);
    assert.strictEqual(report.links, 3);
  });

  it('streams a large file with bounded memory, byte-identical, reporting progress up to 100%', async () => {
    const size = 256 * 1024 * 1024;
    const remote = path.join(f.dir, 'big.bin');
    // Sparse but for a random head and tail: cheap to make, and a whole-file buffer would still cost its full size.
    const head = randomData(3 * 1024 * 1024 + 5);
    fs.writeFileSync(remote, head);
    fs.truncateSync(remote, size);
    const fd = fs.openSync(remote, 'r+');
    fs.writeSync(fd, head, 0, head.length, size - head.length);
    fs.closeSync(fd);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const seen: TransferProgress[] = [];
    const report = await download(f.session, [{ remote, local: path.join(local, 'big.bin') }], {
      symlinks: 'skip',
      onProgress: (p) => {
        peak = Math.max(peak, process.memoryUsage().rss);
        if (seen.length === 0 || p.bytesDone === p.bytesTotal) seen.push(p);
      },
    });
    assert.strictEqual(report.bytes, size);
    assert.ok(peak - before < 96 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 1024 / 1024)} MiB for a 256 MiB file`);
    assert.deepStrictEqual(seen.at(-1), { bytesDone: size, bytesTotal: size, filesDone: 1, filesTotal: 1, current: 'big.bin' });
    const got = path.join(local, 'big.bin');
    assert.strictEqual(fs.statSync(got).size, size);
    const tail = Buffer.alloc(head.length);
    const gfd = fs.openSync(got, 'r');
    fs.readSync(gfd, tail, 0, tail.length, size - head.length);
    fs.closeSync(gfd);
    assert.strictEqual(sha256(tail), sha256(head));
  });

  it('leaves no partial file when cancelled mid-file, and fails as a cancellation', async () => {
    const remote = path.join(f.dir, 'cancel.bin');
    fs.writeFileSync(remote, randomData(16 * 1024 * 1024));
    fs.writeFileSync(path.join(local, 'cancel.bin'), 'the old local copy');
    const controller = new AbortController();
    await assert.rejects(
      download(f.session, [{ remote, local: path.join(local, 'cancel.bin') }], {
        symlinks: 'skip',
        signal: controller.signal,
        onProgress: (p) => p.bytesDone > 0 && controller.abort(),
      }),
      (err) => SshError.is(err) && err.reason === 'cancelled',
    );
    assert.deepStrictEqual(fs.readdirSync(local), ['cancel.bin'], 'no temp file left');
    assert.strictEqual(fs.readFileSync(path.join(local, 'cancel.bin'), 'utf8'), 'the old local copy');
  });

  it('downloads a single file with its mode, into the name the user chose', async () => {
    const remote = path.join(f.dir, 'run.sh');
    fs.writeFileSync(remote, '#!/bin/sh\n', { mode: 0o755 });
    const data = randomData(1000);
    fs.writeFileSync(path.join(f.dir, 'data'), data);
    await download(f.session, [{ remote, local: path.join(local, 'renamed.sh') }, { remote: path.join(f.dir, 'data'), local: path.join(local, 'data') }], { symlinks: 'skip' });
    assert.strictEqual(fs.statSync(path.join(local, 'renamed.sh')).mode & 0o111, 0o111 & ~process.umask());
    assert.strictEqual(sha256(fs.readFileSync(path.join(local, 'data'))), sha256(data));
  });
});
