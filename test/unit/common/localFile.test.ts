// Paths from settings and ssh config that point at a FIFO or a device must not hang a
// connect: keys, known_hosts and config files are read only when they are regular files,
// and only up to a size cap.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalFileError, readRegularFile, readRegularFileSync } from '../../../src/common/localFile';
import { nodeConfigFs } from '../../../src/ssh/config/includes';
import { knownHostKeyTypes } from '../../../src/ssh/hostKeys';
import { startSshd, Sshd } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';

describe('reading local files named by settings', function () {
  this.timeout(30000);
  let dir: string;
  let fifo: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-localfile-'));
    fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a regular file whole', async () => {
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, 'hello\n');
    assert.strictEqual(readRegularFileSync(file, 1024).toString(), 'hello\n');
    assert.strictEqual((await readRegularFile(file, 1024)).toString(), 'hello\n');
  });

  it('refuses a FIFO at once instead of blocking until a writer appears', async () => {
    assert.throws(() => readRegularFileSync(fifo, 1024), (e: unknown) => e instanceof LocalFileError && e.code === 'ENOTREG');
    await assert.rejects(readRegularFile(fifo, 1024), (e: unknown) => e instanceof LocalFileError && e.code === 'ENOTREG');
  });

  it('refuses a device such as /dev/zero, which never ends', async () => {
    assert.throws(() => readRegularFileSync('/dev/zero', 1024), (e: unknown) => e instanceof LocalFileError && e.code === 'ENOTREG');
    await assert.rejects(readRegularFile('/dev/zero', 1024), (e: unknown) => e instanceof LocalFileError && e.code === 'ENOTREG');
  });

  it('refuses a file over the cap', async () => {
    const file = path.join(dir, 'big');
    fs.writeFileSync(file, Buffer.alloc(2048, 1));
    assert.throws(() => readRegularFileSync(file, 1024), (e: unknown) => e instanceof LocalFileError && e.code === 'EFBIG');
    await assert.rejects(readRegularFile(file, 1024), (e: unknown) => e instanceof LocalFileError && e.code === 'EFBIG');
  });

  it('keeps ssh semantics: a missing file is ENOENT, a directory is EISDIR', () => {
    assert.throws(() => readRegularFileSync(path.join(dir, 'missing'), 1024), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.throws(() => readRegularFileSync(dir, 1024), (e: NodeJS.ErrnoException) => e.code === 'EISDIR');
  });

  it('an ssh_config path that is a FIFO fails instead of hanging', () => {
    assert.throws(() => nodeConfigFs.readFile(fifo), LocalFileError);
  });

  it('a known_hosts path that is a FIFO or /dev/zero is skipped with a warning', async () => {
    const log = memoryLog();
    const types = await knownHostKeyTypes({ hostname: '127.0.0.1', port: 22, files: [fifo, '/dev/zero'], log });
    assert.deepStrictEqual(types, []);
    assert.strictEqual(log.lines.filter((l) => /^warn .*not a regular file/.test(l)).length, 2, log.lines.join('\n'));
  });

  describe('connecting with identity files that are a FIFO and a device (real sshd)', () => {
    let sshd: Sshd;
    before(async () => {
      sshd = await startSshd();
    });
    after(async () => sshd?.stop());

    it('skips them and authenticates with the next key', async () => {
      const log = memoryLog();
      const pool = testPool({ targets: { box: targetFor(sshd, { identityFiles: [fifo, '/dev/zero', sshd.userKey.privatePath] }) }, hostKeys: [sshd.hostKey.publicKey], log });
      try {
        const ref = await pool.acquire('box');
        ref.release();
        assert.ok(log.lines.some((l) => l.includes(`cannot read ${fifo}: ${fifo} is not a regular file`)), log.lines.join('\n'));
      } finally {
        await pool.dispose();
      }
    });
  });
});
