// Download against real sshd: links inside a folder are never followed, files stream with
// bounded memory and progress, and a cancelled download leaves no partial file.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { download, DownloadOptions, intoFolder } from '../../../../src/fs/transfer/download';
import { ReplaceAnswer, TransferProgress } from '../../../../src/fs/transfer/transferReport';
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

/** For downloads into fresh folders: nothing exists locally, so nothing may be asked. */
const notAsked: DownloadOptions['confirmReplace'] = async (local) => assert.fail(`asked about ${local}`);

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
      report = await download(f.session, [{ remote, local: path.join(local, 'box') }], { symlinks: 'skip', confirmReplace: notAsked });
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

  it('recreates links verbatim when asked, still without following them, but only those that stay inside', async () => {
    const remote = remoteWithLinks();
    const report = await download(f.session, [{ remote, local: path.join(local, 'box') }], { symlinks: 'recreate', confirmReplace: notAsked });
    assert.deepStrictEqual(listing(path.join(local, 'box')), ['alias -> file.txt', 'current -> .', 'file.txt', 'sub/', 'sub/inner.txt']);
    assert.deepStrictEqual(report.skipped, [{ path: `${remote}/root`, why: 'symbolic link not recreated: target is an absolute path' }]);
    assert.strictEqual(report.links, 2);
  });

  it('never writes through a link at an item\'s own path, planted by an earlier download (links recreated)', async () => {
    // Download 1 of `proj` recreated `proj/data -> ../victim`; now the user downloads proj/data and proj/other.txt into local/proj.
    const victim = path.join(local, 'victim');
    fs.mkdirSync(victim);
    fs.mkdirSync(path.join(local, 'proj'));
    fs.symlinkSync('../victim', path.join(local, 'proj', 'data'));
    const proj = path.join(f.dir, 'proj');
    fs.mkdirSync(path.join(proj, 'data'), { recursive: true });
    fs.writeFileSync(path.join(proj, 'data', 'config'), 'planted\n');
    fs.writeFileSync(path.join(proj, 'other.txt'), 'other\n');
    const { items } = intoFolder(path.join(local, 'proj'), [path.join(proj, 'data'), path.join(proj, 'other.txt')]);
    const report = await download(f.session, items, { symlinks: 'recreate', confirmReplace: notAsked });
    assert.deepStrictEqual(fs.readdirSync(victim), [], 'nothing written through the link');
    assert.deepStrictEqual(report.skipped, [{ path: path.join(proj, 'data'), why: 'a link of that name exists here' }]);
    assert.strictEqual(fs.readFileSync(path.join(local, 'proj', 'other.txt'), 'utf8'), 'other\n');
    assert.strictEqual(fs.readlinkSync(path.join(local, 'proj', 'data')), '../victim', 'the link itself is left alone');
  });

  describe('existing local files and folders', () => {
    let asked: [string, string][];
    const answering = (...answers: ReplaceAnswer[]): DownloadOptions => ({
      symlinks: 'skip',
      confirmReplace: async (target, kind) => {
        asked.push([path.relative(local, target), kind]);
        return answers.shift() ?? 'cancel';
      },
    });
    let remote: string;
    beforeEach(() => {
      asked = [];
      remote = path.join(f.dir, 'proj');
      fs.mkdirSync(path.join(remote, 'sub'), { recursive: true });
      fs.writeFileSync(path.join(remote, 'a.txt'), 'remote a\n');
      fs.writeFileSync(path.join(remote, 'b.txt'), 'remote b\n');
      fs.writeFileSync(path.join(remote, 'sub', 'c.txt'), 'remote c\n');
      fs.mkdirSync(path.join(local, 'proj', 'sub'), { recursive: true });
      fs.writeFileSync(path.join(local, 'proj', 'a.txt'), 'local a\n');
      fs.writeFileSync(path.join(local, 'proj', 'sub', 'c.txt'), 'local c\n');
    });
    const before = () => ['proj/', 'proj/a.txt', 'proj/sub/', 'proj/sub/c.txt'];

    it('asks before merging into a folder and before replacing each file; Skip keeps the local file byte-identical', async () => {
      const report = await download(f.session, [{ remote, local: path.join(local, 'proj') }], answering('replace', 'skip', 'replace', 'replace'));
      assert.deepStrictEqual(asked, [['proj', 'folder'], [path.join('proj', 'a.txt'), 'file'], [path.join('proj', 'sub'), 'folder'], [path.join('proj', 'sub', 'c.txt'), 'file']]);
      assert.strictEqual(fs.readFileSync(path.join(local, 'proj', 'a.txt'), 'utf8'), 'local a\n');
      assert.strictEqual(fs.readFileSync(path.join(local, 'proj', 'b.txt'), 'utf8'), 'remote b\n');
      assert.strictEqual(fs.readFileSync(path.join(local, 'proj', 'sub', 'c.txt'), 'utf8'), 'remote c\n');
      assert.deepStrictEqual(report.skipped, [{ path: path.join(remote, 'a.txt'), why: 'exists here; the local file was kept' }]);
      assert.strictEqual(report.files, 2);
    });

    it('Replace All answers the rest', async () => {
      await download(f.session, [{ remote, local: path.join(local, 'proj') }], answering('replaceAll'));
      assert.deepStrictEqual(asked, [['proj', 'folder']]);
      assert.strictEqual(fs.readFileSync(path.join(local, 'proj', 'a.txt'), 'utf8'), 'remote a\n');
    });

    for (const [answers, when] of [[['cancel'], 'at the folder'], [['replace', 'cancel'], 'at a file']] as const) {
      it(`Cancel (${when}) writes nothing`, async () => {
        await assert.rejects(download(f.session, [{ remote, local: path.join(local, 'proj') }], answering(...answers)), (err) => SshError.is(err) && err.reason === 'cancelled');
        assert.deepStrictEqual(listing(local), before());
        assert.strictEqual(fs.readFileSync(path.join(local, 'proj', 'a.txt'), 'utf8'), 'local a\n');
      });
    }

    it('Skip at the folder leaves it untouched and reports it', async () => {
      const report = await download(f.session, [{ remote, local: path.join(local, 'proj') }], answering('skip'));
      assert.deepStrictEqual(listing(local), before());
      assert.deepStrictEqual(report.skipped, [{ path: remote, why: 'a folder of that name exists here; not merged into' }]);
    });
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
      confirmReplace: notAsked,
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
        confirmReplace: async () => 'replace',
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
    await download(f.session, [{ remote, local: path.join(local, 'renamed.sh') }, { remote: path.join(f.dir, 'data'), local: path.join(local, 'data') }], { symlinks: 'skip', confirmReplace: notAsked });
    assert.strictEqual(fs.statSync(path.join(local, 'renamed.sh')).mode & 0o111, 0o111 & ~process.umask());
    assert.strictEqual(sha256(fs.readFileSync(path.join(local, 'data'))), sha256(data));
  });

  it('treats a name that is not UTF-8 by the provider\'s rule: skipped with one reason, inside a folder and as the chosen item', async () => {
    const remote = path.join(f.dir, 'latin1');
    fs.mkdirSync(remote);
    fs.writeFileSync(Buffer.concat([Buffer.from(`${remote}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name');
    fs.writeFileSync(path.join(remote, 'ok.txt'), 'ok');
    const lossy = path.posix.join(remote, (await f.session.readdir(remote)).find((e) => e.lossyName)!.name);
    const report = await download(
      f.session,
      [
        { remote, local: path.join(local, 'latin1') },
        // Chosen in the Explorer, which lists the decoded name: that path reaches no file.
        { remote: lossy, local: path.join(local, 'chosen.txt') },
      ],
      { symlinks: 'skip', confirmReplace: notAsked },
    );
    assert.deepStrictEqual(report.skipped.map((s) => [s.path, s.why]), [
      [lossy, 'the name is not valid UTF-8'],
      [lossy, 'the name is not valid UTF-8'],
    ]);
    assert.deepStrictEqual(listing(local), ['latin1/', 'latin1/ok.txt']);
  });
});
