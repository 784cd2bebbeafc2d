// Recursive delete and copy: never through a link, bounded however deep the tree, stopped by
// the first failure. Hostile servers in process; the handle limit on real sshd (ulimit -n).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { copyTree, removeTree, SftpError, SftpSession, STATUS_CODE } from '../../../../src/ssh/sftp';
import { closeSftp, connectSsh2 } from '../../../support/ssh2Client';
import { SftpServer, startSftpServer } from '../../../support/sftpServer';
import { makeTempDir, startSshd } from '../../../support/sshd';

/** `dir` with `fanout` folders, each with `fanout` folders holding one file: 1 + f + f² folders. */
function makeTree(dir: string, fanout: number): void {
  fs.mkdirSync(dir);
  for (let i = 0; i < fanout; i++) {
    for (let j = 0; j < fanout; j++) {
      const leaf = path.join(dir, `d${i}`, `d${j}`);
      fs.mkdirSync(leaf, { recursive: true });
      fs.writeFileSync(path.join(leaf, 'f.txt'), `${i}/${j}`);
    }
  }
}

function countFiles(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1), 0);
}

describe('tree operations against in-process SFTP servers', () => {
  let root: string;
  let dir: string;
  let n = 0;
  const servers: SftpServer[] = [];

  before(() => {
    root = fs.realpathSync(makeTempDir('sbx-tree-'));
  });
  beforeEach(() => {
    dir = path.join(root, `t${n++}`);
    fs.mkdirSync(dir);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function serve(hooks: Parameters<typeof startSftpServer>[1] = {}) {
    const server = await startSftpServer(root, hooks);
    servers.push(server);
    return { server, session: (await server.connect()).session };
  }

  /** scratch/ holds a file and `shared`, a link to keep/ (outside scratch) holding important.txt. */
  function scratchWithSharedLink(): { scratch: string; keep: string } {
    const scratch = path.join(dir, 'scratch');
    const keep = path.join(dir, 'keep');
    fs.mkdirSync(scratch);
    fs.mkdirSync(keep);
    fs.writeFileSync(path.join(keep, 'important.txt'), 'keep me');
    fs.writeFileSync(path.join(scratch, 'a.txt'), 'a');
    fs.symlinkSync(keep, path.join(scratch, 'shared'));
    return { scratch, keep };
  }

  it('deletes a folder whose READDIR reports a link\'s target (Apache MINA) without emptying the target', async () => {
    const { session } = await serve({ readdirFollowsLinks: true });
    const { scratch, keep } = scratchWithSharedLink();
    // What the server tells us: `shared` looks like a folder.
    const listed = await session.readdir(scratch);
    assert.ok(listed.find((e) => e.name === 'shared')!.attrs.isDirectory());

    await removeTree(session, scratch);
    assert.ok(!fs.existsSync(scratch));
    assert.strictEqual(fs.readFileSync(path.join(keep, 'important.txt'), 'utf8'), 'keep me');
  });

  it('copies such a folder with the link as a link, not a copy of its target', async () => {
    const { session } = await serve({ readdirFollowsLinks: true });
    const { scratch, keep } = scratchWithSharedLink();
    const copy = path.join(dir, 'copy');
    await copyTree(session, scratch, copy);
    assert.strictEqual(fs.readlinkSync(path.join(copy, 'shared')), keep);
    assert.strictEqual(fs.readFileSync(path.join(copy, 'a.txt'), 'utf8'), 'a');
  });

  it('keeps at most 16 handles open deleting a deep tree, and 8 copying it (one queue per operation, not 16 per level)', async () => {
    const { server, session } = await serve();
    const tree = path.join(dir, 'tree');
    makeTree(tree, 12);
    await copyTree(session, tree, path.join(dir, 'copy'));
    assert.strictEqual(countFiles(path.join(dir, 'copy')), 12 * 12);
    assert.ok(server.maxOpenHandles() <= 8, `copy: ${server.maxOpenHandles()} handles open at once`);
    await removeTree(session, tree);
    assert.ok(!fs.existsSync(tree));
    assert.ok(server.maxOpenHandles() <= 16, `delete: ${server.maxOpenHandles()} handles open at once`);
    assert.strictEqual(server.openHandles(), 0);
  });

  it('stops at the first failure: once it reports the failure, nothing more is deleted', async () => {
    const seen: string[] = [];
    const { session } = await serve({
      refuseRemove: (p) => path.basename(p) === 'f-010',
      onRequest: (op, p) => {
        if (op === 'REMOVE' || op === 'RMDIR') seen.push(`${op} ${path.basename(p)}`);
      },
    });
    const flat = path.join(dir, 'flat');
    fs.mkdirSync(flat);
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(flat, `f-${String(i).padStart(3, '0')}`), '');

    const err = await removeTree(session, flat).then(
      () => assert.fail('the delete succeeded'),
      (e: unknown) => e,
    );
    assert.ok(SftpError.is(err, STATUS_CODE.PERMISSION_DENIED) && err.path === path.join(flat, 'f-010'), String(err));
    const whenReported = seen.length;
    // SFTP answers in order: once this STAT is answered, every request sent before it has arrived.
    await session.stat(flat);
    assert.strictEqual(seen.length, whenReported, `requests after the failure was reported: ${seen.slice(whenReported).join(', ')}`);
    // Only requests already in flight when the refusal came back went on (at most the queue's width, twice over a tick).
    const after = seen.length - seen.indexOf('REMOVE f-010') - 1;
    assert.ok(after <= 32, `${after} deletes after the refusal`);
    assert.ok(countFiles(flat) >= 300 - 11 - 32);
  });
});

describe('a recursive delete on real sshd: progress and cancel', function () {
  this.timeout(60000);

  it('counts every removed entry, and a cancel stops it with the rest of the tree still there', async () => {
    const sshd = await startSshd();
    const conn = await connectSsh2(sshd);
    const sftp = await conn.sftp();
    const session = new SftpSession(sftp);
    try {
      const whole = path.join(sshd.root, 'whole');
      makeTree(whole, 6); // 1 + 6 + 36 folders, 36 files
      const counts: number[] = [];
      await removeTree(session, whole, { onRemoved: (n) => counts.push(n) });
      assert.deepStrictEqual(counts, Array.from({ length: 1 + 6 + 36 + 36 }, (_, i) => i + 1));
      assert.ok(!fs.existsSync(whole));

      const big = path.join(sshd.root, 'big');
      makeTree(big, 17);
      const cancel = new AbortController();
      let removed = 0;
      await assert.rejects(
        removeTree(session, big, {
          signal: cancel.signal,
          onRemoved: (n) => {
            removed = n;
            if (n === 50) cancel.abort();
          },
        }),
        /abort|cancel/i,
      );
      // Requests already sent when it was cancelled still land (at most the queue's width).
      assert.ok(removed >= 50 && removed <= 50 + 16, `${removed} removed`);
      assert.ok(countFiles(big) >= 17 * 17 - removed, 'the rest of the tree is still there');
    } finally {
      session.dispose();
      await closeSftp(sftp);
      await conn.close();
      await sshd.stop();
    }
  });
});

describe('tree operations on real sshd with ulimit -n 40', function () {
  this.timeout(60000);

  it('deletes and copies a 307-folder tree without running out of handles (sftp-server\'s max-open-handles)', async () => {
    const sshd = await startSshd({ maxOpenFiles: 40 });
    const conn = await connectSsh2(sshd);
    const sftp = await conn.sftp();
    const session = new SftpSession(sftp);
    try {
      assert.ok(session.limits.maxOpenHandles <= 35, `max-open-handles ${session.limits.maxOpenHandles}`);
      const tree = path.join(sshd.root, 'tree');
      makeTree(tree, 17);
      await copyTree(session, tree, path.join(sshd.root, 'copy'));
      assert.strictEqual(countFiles(path.join(sshd.root, 'copy')), 17 * 17);
      await removeTree(session, tree);
      await removeTree(session, path.join(sshd.root, 'copy'));
      assert.deepStrictEqual(fs.readdirSync(sshd.root), []);
    } finally {
      session.dispose();
      await closeSftp(sftp);
      await conn.close();
      await sshd.stop();
    }
  });
});
