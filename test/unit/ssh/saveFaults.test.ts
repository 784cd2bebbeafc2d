// Saves under failure, through the pool as the editor uses it: a server that dies mid-save
// and a disk that fills up must leave the original byte-identical and say so in bounded time.
import * as assert from 'assert';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SshError } from '../../../src/ssh/errors';
import { SftpError, SftpSession } from '../../../src/ssh/sftp';
import { startSshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { writePlain } from '../../support/sftpWrite';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('saves that fail', function () {
  this.timeout(90000);

  it('sshd killed in the middle of saving 50 MB: original intact, error in bounded time, temp removed after reconnect', async () => {
    const server = await startSshd();
    const log = memoryLog();
    const pool = testPool({
      targets: { box: targetFor(server) },
      hostKeys: [server.hostKey.publicKey],
      settings: { keepaliveIntervalMs: 1000, keepaliveCountMax: 2, reconnect: { initialDelayMs: 200, maxDelayMs: 1000, maxAttempts: 30 } },
      log,
    });
    try {
      const file = path.join(server.root, 'big.bin');
      const original = randomBytes(8 * 1024 * 1024);
      fs.writeFileSync(file, original);
      const ref = await pool.acquire('box');
      const session = await (await ref.connection()).sftp();
      const attrs = await session.stat(file);
      const saving = session.writeFileAtomic(file, randomBytes(50 * 1024 * 1024), { expected: { mtime: attrs.mtime, size: attrs.size } });
      // Kill once the temp file exists and is filling, i.e. truly mid-save.
      const deadline = Date.now() + 20000;
      for (;;) {
        const temp = fs.readdirSync(server.root).find((n) => n.endsWith('.tmp'));
        if (temp && fs.statSync(path.join(server.root, temp)).size > 1024 * 1024) break;
        if (Date.now() > deadline) throw new Error('the save never started writing');
        await new Promise((r) => setTimeout(r, 5));
      }
      const killedAt = Date.now();
      await server.kill();
      await assert.rejects(saving, (e: unknown) => SftpError.isConnectionLost(e) || SshError.is(e, 'unavailable'));
      console.log(`      save failed ${Date.now() - killedAt} ms after sshd died`);
      assert.strictEqual(sha(fs.readFileSync(file)), sha(original), 'the original is byte-identical');
      const leftovers = fs.readdirSync(server.root).filter((n) => n.endsWith('.tmp'));
      assert.strictEqual(leftovers.length, 1, 'the interrupted save left its temp file (removed after reconnect)');
      assert.deepStrictEqual(session.tempFiles.length, 1);

      await server.restart();
      // Uses fail at once while the reconnect sequence waits; its next attempt brings the host back.
      await new Promise<void>((resolve) => {
        if (pool.state('box').state === 'connected') return resolve();
        const sub = pool.onDidChangeState((c) => {
          if (c.state === 'connected') {
            sub.dispose();
            resolve();
          }
        });
      });
      const again = await (await ref.connection()).sftp();
      assert.notStrictEqual(again, session);
      const removed = await again.removeTempFiles(session.tempFiles);
      assert.strictEqual(removed.length, 1);
      assert.deepStrictEqual(fs.readdirSync(server.root), ['big.bin']);
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });

  it('remote disk full: the save fails and the original is intact', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const server = await startSshd({ tmpfsRootKiB: 2048 });
    const pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey] });
    try {
      const ref = await pool.acquire('box');
      const session: SftpSession = await (await ref.connection()).sftp();
      // The tmpfs lives only in sshd's mount namespace: everything goes through SFTP.
      const file = `${server.root}/config.json`;
      const original = Buffer.from(JSON.stringify({ keep: 'me', n: 1 }));
      await writePlain(session, file, original);
      const version = await session.stat(file);
      await assert.rejects(session.writeFileAtomic(file, randomBytes(3 * 1024 * 1024), { expected: { mtime: version.mtime, size: version.size } }), (e: unknown) => SftpError.is(e));
      assert.strictEqual(sha(await session.readFile(file)), sha(original));
      const names = (await session.readdir(server.root)).map((e) => e.name);
      assert.deepStrictEqual(names, ['config.json'], 'no temp file left on the full disk');
      assert.ok(!fs.existsSync(path.join(server.root, 'config.json')), 'the file lives on the namespace tmpfs, not on our disk');
      ref.release();
    } finally {
      await pool.dispose();
      await server.stop();
    }
  });
  it('a bind-mounted file (Docker -v file:file): the rename is refused as unsafe, the original stays, and the in-place route saves it', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-bind-'));
    const source = path.join(outside, 'app.yml');
    fs.writeFileSync(source, 'port: 1\n');
    fs.chmodSync(source, 0o640);
    const mounted = await startSshd({ bindMounts: [{ source, target: 'app.yml' }] });
    const pool = testPool({ targets: { box: targetFor(mounted) }, hostKeys: [mounted.hostKey.publicKey] });
    try {
      const ref = await pool.acquire('box');
      const session: SftpSession = await (await ref.connection()).sftp();
      const file = `${mounted.root}/app.yml`;
      assert.strictEqual((await session.readFile(file)).toString(), 'port: 1\n', 'sshd sees the bind-mounted file');
      const version = await session.stat(file);
      await assert.rejects(session.writeFileAtomic(file, Buffer.from('port: 2\n'), { expected: { mtime: version.mtime, size: version.size } }), (e: unknown) => SftpError.is(e) && e.reason === 'unsafe-save' && /mount point/.test(e.message));
      assert.strictEqual(fs.readFileSync(source, 'utf8'), 'port: 1\n', 'original untouched');
      assert.deepStrictEqual((await session.readdir(mounted.root)).map((e) => e.name).sort(), ['app.yml'], 'no temp file left');
      await session.writeFileInPlace(file, Buffer.from('port: 22\n'), { expected: { mtime: version.mtime, size: version.size } });
      assert.strictEqual(fs.readFileSync(source, 'utf8'), 'port: 22\n', 'the mounted file itself was written');
      assert.strictEqual(fs.statSync(source).mode & 0o777, 0o640, 'mode kept');
      ref.release();
    } finally {
      await pool.dispose();
      await mounted.stop();
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
