// Key management against real sshd: generate → install → log in with that key alone → list →
// remove → that key is refused; the file's other lines stay byte-identical throughout.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SshError } from '../../../../src/ssh/errors';
import { generateEd25519, writeNewKeyPair } from '../../../../src/ssh/keys/keyPair';
import { installAuthorizedKey, listAuthorizedKeys, MAX_AUTHORIZED_KEYS_BYTES, removeAuthorizedKeyRemote } from '../../../../src/ssh/keys/remoteAuthorizedKeys';
import { makeTempDir, startSshd, Sshd } from '../../../support/sshd';
import { targetFor, testPool } from '../../../support/targets';

describe('SSH keys on a host (real sshd)', function () {
  this.timeout(60000);
  let server: Sshd;
  let local: string;
  before(async () => {
    server = await startSshd({ rootAuthorizedKeys: true });
  });
  after(async () => server?.stop());
  beforeEach(() => {
    local = makeTempDir('sbx-keys-');
    fs.rmSync(path.join(server.root, '.ssh'), { recursive: true, force: true });
  });
  afterEach(() => fs.rmSync(local, { recursive: true, force: true }));

  /** Connects with exactly this identity file and lists the root; throws as the login does. */
  async function loginWith(identity: string): Promise<void> {
    const pool = testPool({ targets: { box: targetFor(server, { identityFiles: [identity] }) }, hostKeys: [server.hostKey.publicKey] });
    try {
      const ref = await pool.acquire('box');
      try {
        await (await (await ref.connection()).sftp()).readdir(server.root);
      } finally {
        ref.release();
      }
    } finally {
      await pool.dispose();
    }
  }

  async function withSession<T>(fn: (s: import('../../../../src/ssh/sftp').SftpSession) => Promise<T>): Promise<T> {
    const pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey] });
    try {
      const ref = await pool.acquire('box');
      try {
        return await fn(await (await ref.connection()).sftp());
      } finally {
        ref.release();
      }
    } finally {
      await pool.dispose();
    }
  }

  it('generate → install (creating ~/.ssh 0700 and authorized_keys 0600) → log in with it alone → list → remove → refused', async () => {
    const pair = generateEd25519({ comment: 'new@sbx' });
    const keyPath = path.join(local, 'id_sbx');
    await writeNewKeyPair(keyPath, pair);
    assert.strictEqual(fs.statSync(keyPath).mode & 0o777, 0o600);
    assert.match(fs.readFileSync(keyPath, 'utf8'), new RegExp(`^-----BEGIN OPENSSH ${'PRIVATE'} KEY-----`));

    await assert.rejects(loginWith(keyPath), (e: unknown) => SshError.is(e, 'auth-failed'), 'not authorized yet');
    assert.strictEqual(await withSession((s) => installAuthorizedKey(s, server.root, pair.parsed)), true);
    assert.strictEqual(fs.statSync(path.join(server.root, '.ssh')).mode & 0o777, 0o700);
    assert.strictEqual(fs.statSync(path.join(server.root, '.ssh', 'authorized_keys')).mode & 0o777, 0o600);
    await loginWith(keyPath);

    const listed = await withSession((s) => listAuthorizedKeys(s, server.root));
    assert.deepStrictEqual(listed.map((k) => [k.fingerprint, k.comment]), [[pair.parsed.fingerprint, 'new@sbx']]);
    assert.strictEqual(await withSession((s) => installAuthorizedKey(s, server.root, pair.parsed)), false, 'a second install adds nothing');

    assert.strictEqual(await withSession((s) => removeAuthorizedKeyRemote(s, server.root, pair.parsed.fingerprint)), 1);
    await assert.rejects(loginWith(keyPath), (e: unknown) => SshError.is(e, 'auth-failed'), 'refused after removal');
  });

  it("keeps the file's other lines byte-identical and its mode through install and remove", async () => {
    fs.mkdirSync(path.join(server.root, '.ssh'), { mode: 0o700 });
    const file = path.join(server.root, '.ssh', 'authorized_keys');
    const other = generateEd25519({ comment: 'other' });
    const before = `# team keys\r\nrestrict,command="/usr/bin/backup \\"x\\"" ${other.publicKey}\r\n\n  junk line\nssh-ed25519 AAAA`;
    fs.writeFileSync(file, before, { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    const pair = generateEd25519({ comment: 'mine' });
    await withSession((s) => installAuthorizedKey(s, server.root, pair.parsed));
    assert.strictEqual(fs.readFileSync(file, 'utf8'), `${before}\n${pair.publicKey}\n`);
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o640, 'mode kept');
    await withSession((s) => removeAuthorizedKeyRemote(s, server.root, pair.parsed.fingerprint));
    assert.strictEqual(fs.readFileSync(file, 'utf8'), `${before}\n`, 'only the newline that ended the old last line remains of the install');
  });

  it('refuses an authorized_keys that is too large or not text, changing nothing', async () => {
    fs.mkdirSync(path.join(server.root, '.ssh'), { mode: 0o700 });
    const file = path.join(server.root, '.ssh', 'authorized_keys');
    const pair = generateEd25519({ comment: 'x' });
    fs.writeFileSync(file, Buffer.alloc(MAX_AUTHORIZED_KEYS_BYTES + 1, 0x61));
    await assert.rejects(withSession((s) => installAuthorizedKey(s, server.root, pair.parsed)), /larger than/);
    fs.writeFileSync(file, Buffer.from([0xff, 0xfe, 0x0a]));
    await assert.rejects(withSession((s) => installAuthorizedKey(s, server.root, pair.parsed)), /not UTF-8/);
    assert.deepStrictEqual(fs.readFileSync(file), Buffer.from([0xff, 0xfe, 0x0a]));
  });

  it('never overwrites an existing local key file', async () => {
    const keyPath = path.join(local, 'id_ed25519');
    fs.writeFileSync(keyPath, 'existing');
    await assert.rejects(writeNewKeyPair(keyPath, generateEd25519({ comment: 'x' })), (e: NodeJS.ErrnoException) => e.code === 'EEXIST');
    assert.strictEqual(fs.readFileSync(keyPath, 'utf8'), 'existing');
    const pubOnly = path.join(local, 'id_b');
    fs.writeFileSync(`${pubOnly}.pub`, 'existing pub');
    await assert.rejects(writeNewKeyPair(pubOnly, generateEd25519({ comment: 'x' })), (e: NodeJS.ErrnoException) => e.code === 'EEXIST');
    assert.ok(!fs.existsSync(pubOnly), 'no private half left behind');
  });
  it('writes keys OpenSSH reads: ssh-keygen prints the same fingerprint and opens the passphrase-protected key only with its passphrase', async () => {
    const pair = generateEd25519({ comment: 'locked@sbx', passphrase: 'correct horse' });
    const keyPath = path.join(local, 'id_locked');
    await writeNewKeyPair(keyPath, pair);
    const listed = execFileSync('ssh-keygen', ['-lf', `${keyPath}.pub`], { encoding: 'utf8' });
    assert.ok(listed.includes(pair.parsed.fingerprint), listed);
    assert.strictEqual(execFileSync('ssh-keygen', ['-y', '-P', 'correct horse', '-f', keyPath], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' '), pair.publicKey.split(' ').slice(0, 2).join(' '));
    assert.throws(() => execFileSync('ssh-keygen', ['-y', '-P', 'wrong', '-f', keyPath], { stdio: 'pipe' }));
  });
});
