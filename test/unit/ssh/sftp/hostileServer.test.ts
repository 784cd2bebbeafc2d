// Reads and listings stay bounded whatever the server says (in-process ssh2 SFTP server).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_MAX_GROWTH_BYTES, SftpError, STATUS_CODE } from '../../../../src/ssh/sftp';
import { SftpServer, SftpServerClient, startSftpServer } from '../../../support/sftpServer';
import { makeTempDir } from '../../../support/sshd';

describe('SftpSession: reads and listings are bounded against a hostile server', () => {
  let root: string;
  let server: SftpServer;
  let c: SftpServerClient;

  before(async () => {
    root = fs.realpathSync(makeTempDir('sbx-hostile-'));
    server = await startSftpServer(root, {
      endlessFile: (p) => path.basename(p) === 'endless.txt',
      endlessListing: (p) => path.basename(p) === 'endless-dir',
    });
    c = await server.connect();
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a file stat\'ed at 10 bytes whose READs never reach EOF fails by default, naming the file, after the growth margin', async () => {
    const file = path.join(root, 'endless.txt');
    fs.writeFileSync(file, '0123456789');
    const err = await c.session.readFile(file).then(
      () => assert.fail('the read resolved'),
      (e: unknown) => e,
    );
    assert.ok(SftpError.is(err, STATUS_CODE.FAILURE), String(err));
    assert.strictEqual(err.path, file);
    assert.match(err.message, /grew by more than 16777216 bytes past the 10 bytes/);
    assert.strictEqual(DEFAULT_MAX_GROWTH_BYTES, 16 * 1024 * 1024);
    // The channel still answers.
    assert.strictEqual((await c.session.stat(file)).size, 10);
  });

  it('the growth margin is a read option (a file that grows less is read to its new end: transfer.test.ts)', async () => {
    const file = path.join(root, 'endless.txt');
    await assert.rejects(c.session.readFile(file, { maxGrowthBytes: 100_000 }), /grew by more than 100000 bytes/);
  });

  it('a listing that never sends EOF fails past the entry limit (default 200,000)', async () => {
    const dir = path.join(root, 'endless-dir');
    fs.mkdirSync(dir);
    const err = await c.session.readdir(dir).then(
      () => assert.fail('the listing resolved'),
      (e: unknown) => e,
    );
    assert.ok(SftpError.is(err) && err.reason === 'too-many-entries', String(err));
    assert.match(err.message, /more than 200000 entries/);
    await assert.rejects(c.session.readdir(dir, { maxEntries: 1000 }), /more than 1000 entries/);
    // The handles of both listings were closed.
    await c.session.stat(dir);
    assert.strictEqual(server.openHandles(), 0);
  });
});

describe('SftpSession: the request deadline is per request, not per file', () => {
  it('reads a file whose READs are slow, in far more time than one request may take', async () => {
    const root = fs.realpathSync(makeTempDir('sbx-slow-'));
    const server = await startSftpServer(root, { readDelayMs: 40 });
    try {
      const c = await server.connect({ requestTimeoutMs: 400 });
      const file = path.join(root, 'slow.bin');
      fs.writeFileSync(file, Buffer.alloc(30 * 1024, 7));
      // One request in flight, 1 KiB each: 31 READs of 40 ms, over a second for the file.
      const got = await c.session.readFile(file, { concurrency: 1, chunkSize: 1024 });
      assert.strictEqual(got.length, 30 * 1024);
      let reset = false;
      c.session.onDidReset(() => (reset = true));
      await c.session.stat(file);
      assert.strictEqual(reset, false);
    } finally {
      await server.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
