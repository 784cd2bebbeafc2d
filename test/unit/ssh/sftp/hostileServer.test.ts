// Reads and listings stay bounded whatever the server says (in-process ssh2 SFTP server).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SshError } from '../../../../src/ssh/errors';
import { DEFAULT_MAX_GROWTH_BYTES, DEFAULT_MAX_LISTING_BYTES, MAX_NAME_BYTES, SftpError, STATUS_CODE } from '../../../../src/ssh/sftp';
import { SftpServer, SftpServerClient, startSftpServer } from '../../../support/sftpServer';
import { makeTempDir } from '../../../support/sshd';

describe('SftpSession: reads and listings are bounded against a hostile server', () => {
  let root: string;
  let server: SftpServer;
  let c: SftpServerClient;
  /** Scripted listings by folder name (see SftpServerHooks.scriptedListing). */
  const scripts = new Map<string, (call: number) => { filename: string; longname?: string }[] | undefined>();
  const readdirs = new Map<string, number>();
  /** Runs when a READDIR arrives, by folder name. */
  const onReaddir = new Map<string, (n: number) => void>();

  before(async () => {
    root = fs.realpathSync(makeTempDir('sbx-hostile-'));
    server = await startSftpServer(root, {
      endlessFile: (p) => path.basename(p) === 'endless.txt',
      endlessListing: (p) => path.basename(p) === 'endless-dir',
      scriptedListing: (p) => scripts.get(path.basename(p)),
      claimedSize: (p) => (path.basename(p) === 'claims-1gib.txt' ? 1024 * 1024 * 1024 : undefined),
      onRequest: (op, p) => {
        if (op !== 'READDIR') return;
        const n = (readdirs.get(path.basename(p)) ?? 0) + 1;
        readdirs.set(path.basename(p), n);
        onReaddir.get(path.basename(p))?.(n);
      },
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

  /** Lists `name` (a scripted folder) and returns how it failed. */
  async function listingError(name: string, script: (call: number) => { filename: string; longname?: string }[] | undefined, options = {}): Promise<SftpError> {
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    scripts.set(name, script);
    const err = await c.session.readdir(dir, options).then(
      () => assert.fail('the listing resolved'),
      (e: unknown) => e,
    );
    assert.ok(SftpError.is(err), String(err));
    await c.session.stat(dir); // in order: the CLOSE went out before this
    assert.strictEqual(server.openHandles(), 0, 'the listing handle was closed');
    return err;
  }

  it('a listing answered with empty batches and never EOF fails after three of them, not in a loop', async () => {
    const err = await listingError('empty-batches', () => []);
    assert.strictEqual(err.reason, 'bad-listing');
    assert.match(err.message, /3 empty batches in a row/);
    assert.ok(readdirs.get('empty-batches')! <= 6, `${readdirs.get('empty-batches')} READDIRs`);
  });

  it('a listing of only . and .. batches (ssh2 strips them, so they are empty) fails the same way', async () => {
    const dots = Array.from({ length: 50 }, (_, i) => ({ filename: i % 2 ? '.' : '..' }));
    const err = await listingError('dots-only', () => dots);
    assert.strictEqual(err.reason, 'bad-listing');
    assert.ok(readdirs.get('dots-only')! <= 6, `${readdirs.get('dots-only')} READDIRs`);
  });

  it('a listing that alternates one entry and an empty batch fails on the READDIR count (entries cap + slack)', async () => {
    const err = await listingError('trickle', (call) => (call % 2 ? [] : [{ filename: `f${call}` }]), { maxEntries: 200 });
    assert.strictEqual(err.reason, 'bad-listing');
    assert.match(err.message, /more than 216 READDIR requests/);
    assert.ok(readdirs.get('trickle')! <= 216 + 3, `${readdirs.get('trickle')} READDIRs`);
  });

  it('a listing fails past its byte budget of names (default 64 MiB), long before its entry limit', async () => {
    assert.strictEqual(DEFAULT_MAX_LISTING_BYTES, 64 * 1024 * 1024);
    const long = (call: number, i: number) => `${call}-${i}-`.padEnd(4000, 'x');
    // 400 names of 4000 bytes, then EOF: 1.6 MB of names against a 1 MiB budget.
    const err = await listingError('fat-names', (call) => (call < 40 ? Array.from({ length: 10 }, (_, i) => ({ filename: long(call, i), longname: long(call, i) })) : undefined), { maxBytes: 1024 * 1024 });
    assert.strictEqual(err.reason, 'bad-listing');
    assert.match(err.message, /more than 1048576 bytes of names/);
  });

  it(`a name longer than ${MAX_NAME_BYTES} bytes fails the listing; one of exactly that length lists`, async () => {
    assert.strictEqual(MAX_NAME_BYTES, 4096);
    const err = await listingError('huge-name', (call) => (call === 0 ? [{ filename: 'ok' }, { filename: 'é'.repeat(2049) }] : undefined));
    assert.strictEqual(err.reason, 'bad-listing');
    assert.match(err.message, /a name of 4098 bytes/);
    const dir = path.join(root, 'long-name');
    fs.mkdirSync(dir);
    scripts.set('long-name', (call) => (call === 0 ? [{ filename: 'n'.repeat(4096) }] : undefined));
    assert.deepStrictEqual((await c.session.readdir(dir)).map((e) => e.name.length), [4096]);
  });

  it('a listing stops when its signal aborts, between batches, and closes its handle', async () => {
    const controller = new AbortController();
    onReaddir.set('endless-dir', (n) => n === 5 && controller.abort());
    const dir = path.join(root, 'endless-dir');
    fs.mkdirSync(dir, { recursive: true });
    readdirs.delete('endless-dir');
    try {
      const err = await c.session.readdir(dir, { signal: controller.signal }).then(
        () => assert.fail('the listing resolved'),
        (e: unknown) => e,
      );
      assert.ok(SshError.is(err, 'cancelled'), String(err));
      assert.ok(readdirs.get('endless-dir')! < 20, `${readdirs.get('endless-dir')} READDIRs`);
      await c.session.stat(dir);
      assert.strictEqual(server.openHandles(), 0);
    } finally {
      onReaddir.delete('endless-dir');
    }
  });

  it('a file that claims 1 GiB and holds 10 bytes is read without a buffer of the claimed size', async () => {
    const file = path.join(root, 'claims-1gib.txt');
    fs.writeFileSync(file, '0123456789');
    assert.strictEqual((await c.session.stat(file)).size, 1024 * 1024 * 1024);
    const got = await c.session.readFile(file);
    assert.strictEqual(got.toString(), '0123456789');
    assert.ok(got.buffer.byteLength < 1024 * 1024, `the result holds a ${got.buffer.byteLength}-byte ArrayBuffer`);
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
