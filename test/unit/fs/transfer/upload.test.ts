// Upload against real sshd: local links never followed, replacing asks first and keeps the
// remote mode, new files get the server's default mode plus exec bits, bounded memory.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ReplaceAnswer, upload, UploadOptions } from '../../../../src/fs/transfer/upload';
import { SshError } from '../../../../src/ssh/errors';
import { withExecBits } from '../../../../src/ssh/sftp';
import { makeTempDir } from '../../../support/sshd';
import { randomData, sha256, tempFilesIn, useSftp } from '../../ssh/sftp/fixture';
import { writePlain } from '../../../support/sftpWrite';

/** Entries under `dir`, relative, links not followed. */
function listing(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    const rel = path.relative(base, full);
    if (e.isSymbolicLink()) return [`${rel} -> ${fs.readlinkSync(full)}`];
    return e.isDirectory() ? [`${rel}/`, ...listing(full, base)] : [rel];
  }).sort();
}

describe('upload (real sshd)', function () {
  this.timeout(60000);
  const f = useSftp();
  let local: string;
  const asked: string[] = [];
  const answering = (...answers: ReplaceAnswer[]): UploadOptions => ({
    symlinks: 'skip',
    confirmReplace: async (remote) => {
      asked.push(path.basename(remote));
      return answers.shift() ?? 'cancel';
    },
  });
  beforeEach(() => {
    local = makeTempDir('sbx-upload-');
    asked.length = 0;
  });
  afterEach(() => fs.rmSync(local, { recursive: true, force: true }));

  /** proj/ with a file, a link to a folder holding a secret, and a link to "home". */
  function projectWithLinks(): string {
    const secrets = path.join(local, 'secrets');
    fs.mkdirSync(secrets);
    fs.writeFileSync(path.join(secrets, 'id_ed25519'), 'PRIVATE KEY');
    const proj = path.join(local, 'proj');
    fs.mkdirSync(proj);
    fs.writeFileSync(path.join(proj, 'main.py'), 'print(1)\n');
    fs.symlinkSync(secrets, path.join(proj, 'keys'));
    fs.symlinkSync(local, path.join(proj, 'home'));
    return proj;
  }

  it('never follows a local link inside an uploaded folder: the secret it points to is not sent', async () => {
    const proj = projectWithLinks();
    const report = await upload(f.session, [proj], f.dir, answering());
    assert.deepStrictEqual(listing(f.dir), ['proj/', 'proj/main.py']);
    assert.deepStrictEqual(report.skipped.map((s) => [path.basename(s.path), s.why]), [
      ['home', 'symbolic link, not followed'],
      ['keys', 'symbolic link, not followed'],
    ]);
  });

  it('recreates local links as remote links holding the same target when asked, sending nothing through them', async () => {
    const proj = projectWithLinks();
    const report = await upload(f.session, [proj], f.dir, { ...answering(), symlinks: 'recreate' });
    assert.deepStrictEqual(listing(f.dir), ['proj/', `proj/home -> ${local}`, `proj/keys -> ${path.join(local, 'secrets')}`, 'proj/main.py'].sort());
    assert.strictEqual(report.links, 2);
  });

  it('asks before replacing; Skip keeps the remote file, Replace keeps its mode 0750', async () => {
    const remote = path.join(f.dir, 'deploy.sh');
    fs.writeFileSync(remote, 'remote version\n', { mode: 0o750 });
    fs.chmodSync(remote, 0o750);
    const src = path.join(local, 'deploy.sh');
    fs.writeFileSync(src, 'local version\n', { mode: 0o644 });

    const skipped = await upload(f.session, [src], f.dir, answering('skip'));
    assert.deepStrictEqual(asked, ['deploy.sh']);
    assert.strictEqual(fs.readFileSync(remote, 'utf8'), 'remote version\n');
    assert.deepStrictEqual(skipped.skipped.map((s) => s.why), ['exists on the remote; kept']);

    await upload(f.session, [src], f.dir, answering('replace'));
    assert.strictEqual(fs.readFileSync(remote, 'utf8'), 'local version\n');
    assert.strictEqual(fs.statSync(remote).mode & 0o7777, 0o750, 'the remote mode is kept');
    assert.deepStrictEqual(tempFilesIn(f.dir), []);
  });

  it('Replace All answers once for the whole upload; Cancel sends nothing at all', async () => {
    fs.mkdirSync(path.join(f.dir, 'proj'));
    for (const n of ['a.txt', 'b.txt']) fs.writeFileSync(path.join(f.dir, 'proj', n), 'old');
    const proj = path.join(local, 'proj');
    fs.mkdirSync(proj);
    for (const n of ['a.txt', 'b.txt', 'new.txt']) fs.writeFileSync(path.join(proj, n), 'new');

    await assert.rejects(upload(f.session, [proj], f.dir, answering('cancel')), (err) => SshError.is(err) && err.reason === 'cancelled');
    assert.deepStrictEqual(listing(path.join(f.dir, 'proj')), ['a.txt', 'b.txt'], 'nothing sent after Cancel');

    asked.length = 0;
    await upload(f.session, [proj], f.dir, answering('replaceAll'));
    assert.deepStrictEqual(asked, ['a.txt'], 'asked once');
    for (const n of ['a.txt', 'b.txt', 'new.txt']) assert.strictEqual(fs.readFileSync(path.join(f.dir, 'proj', n), 'utf8'), 'new');
  });

  it("gives a new file the server's default mode plus only the source's exec bits", async () => {
    const probe = path.join(f.dir, 'probe');
    await writePlain(f.session, probe, Buffer.from('x'));
    const serverDefault = fs.statSync(probe).mode & 0o7777;
    for (const [name, mode] of [['run.sh', 0o755], ['private.txt', 0o600], ['owner-exec', 0o700]] as const) {
      fs.writeFileSync(path.join(local, name), name, { mode });
      fs.chmodSync(path.join(local, name), mode);
    }
    await upload(f.session, ['run.sh', 'private.txt', 'owner-exec'].map((n) => path.join(local, n)), f.dir, answering());
    assert.strictEqual(fs.statSync(path.join(f.dir, 'run.sh')).mode & 0o7777, withExecBits(serverDefault, 0o755));
    assert.strictEqual(fs.statSync(path.join(f.dir, 'private.txt')).mode & 0o7777, serverDefault);
    assert.strictEqual(fs.statSync(path.join(f.dir, 'owner-exec')).mode & 0o7777, withExecBits(serverDefault, 0o100));
    assert.strictEqual(withExecBits(0o644, 0o755), 0o755);
    assert.strictEqual(withExecBits(0o640, 0o755), 0o750, 'no exec where the default grants no read');
  });

  it('streams a large file with bounded memory, byte-identical', async () => {
    const size = 256 * 1024 * 1024;
    const src = path.join(local, 'big.bin');
    const head = randomData(3 * 1024 * 1024 + 5);
    fs.writeFileSync(src, head);
    fs.truncateSync(src, size);
    const before = process.memoryUsage().rss;
    let peak = before;
    const report = await upload(f.session, [src], f.dir, { ...answering(), onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)) });
    assert.strictEqual(report.bytes, size);
    assert.ok(peak - before < 96 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 1024 / 1024)} MiB for a 256 MiB file`);
    const got = path.join(f.dir, 'big.bin');
    assert.strictEqual(fs.statSync(got).size, size);
    const start = Buffer.alloc(head.length);
    const fd = fs.openSync(got, 'r');
    fs.readSync(fd, start, 0, start.length, 0);
    fs.closeSync(fd);
    assert.strictEqual(sha256(start), sha256(head));
  });

  it('leaves no partial remote file when cancelled mid-file', async () => {
    const src = path.join(local, 'cancel.bin');
    fs.writeFileSync(src, randomData(16 * 1024 * 1024));
    const controller = new AbortController();
    await assert.rejects(
      upload(f.session, [src], f.dir, { ...answering(), signal: controller.signal, onProgress: (p) => p.bytesDone > 0 && controller.abort() }),
      (err) => SshError.is(err) && err.reason === 'cancelled',
    );
    assert.deepStrictEqual(fs.readdirSync(f.dir), [], 'neither the file nor a temp file');
  });
  it('bounds the plan: past maxEntries nothing is sent; a folder deeper than maxDepth is skipped and named', async () => {
    const tree = path.join(local, 'tree');
    let dir = tree;
    for (const level of ['a', 'b', 'c']) {
      dir = path.join(dir, level);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'f.txt'), level);
    }
    await assert.rejects(upload(f.session, [tree], f.dir, { ...answering(), limits: { maxEntries: 4 } }), /more than 4 entries to upload; nothing was sent/);
    assert.deepStrictEqual(listing(f.dir), [], 'nothing sent when the plan is too large');

    const report = await upload(f.session, [tree], f.dir, { ...answering(), limits: { maxDepth: 2 } });
    assert.deepStrictEqual(listing(f.dir), ['tree/', 'tree/a/', 'tree/a/b/', 'tree/a/b/f.txt', 'tree/a/f.txt']);
    assert.deepStrictEqual(report.skipped.map((x) => [path.relative(local, x.path), x.why]), [['tree/a/b/c', 'folder nested more than 2 levels deep']]);
  });
});
