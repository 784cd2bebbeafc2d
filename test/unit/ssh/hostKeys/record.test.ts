import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { checkHostKey } from '../../../../src/ssh/hostKeys/check';
import { addKnownHost } from '../../../../src/ssh/hostKeys/record';
import { keygen, tempDir, TestKey } from './keys';

/** OpenSSH's own lookup: `ssh-keygen -F name -f file` prints the matching lines (exit 1 when none). */
function sshKeygenFinds(file: string, name: string): boolean {
  try {
    execFileSync('ssh-keygen', ['-F', name, '-f', file], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('host keys: recording accepted keys', () => {
  const tmp = tempDir();
  let key: TestKey;
  let rsa: TestKey;
  before(() => {
    key = keygen(tmp.dir, 'ed25519', 'host');
    rsa = keygen(tmp.dir, 'rsa', 'rsa');
  });
  after(() => tmp.cleanup());

  it('creates the directory 0700 and the file 0600, one line per accept', async () => {
    const file = path.join(tmp.dir, 'fresh', 'nested', 'known_hosts');
    const written = await addKnownHost(file, { hostname: 'Box', port: 2222 }, key.type, key.blob);
    assert.strictEqual(written, `[box]:2222 ${key.type} ${key.base64}`);
    assert.strictEqual(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
    await addKnownHost(file, { hostname: 'other', port: 22 }, rsa.type, rsa.blob);
    assert.deepStrictEqual(fs.readFileSync(file, 'utf8'), `${written}\nother ${rsa.type} ${rsa.base64}\n`);
    assert.ok(sshKeygenFinds(file, '[box]:2222'));
    assert.ok(sshKeygenFinds(file, 'other'));
  });

  it('adds the missing newline of a hand-edited file before appending', async () => {
    const file = path.join(tmp.dir, 'no_newline');
    fs.writeFileSync(file, `first ${rsa.type} ${rsa.base64}`);
    await addKnownHost(file, { hostname: 'box', port: 22 }, key.type, key.blob);
    assert.deepStrictEqual(fs.readFileSync(file, 'utf8').split('\n'), [`first ${rsa.type} ${rsa.base64}`, `box ${key.type} ${key.base64}`, '']);
  });

  it('records hashed names that ssh-keygen -F and our lookup both find', async () => {
    const file = path.join(tmp.dir, 'hashed');
    const written = await addKnownHost(file, { hostname: 'box', port: 2200 }, key.type, key.blob, { hashed: true });
    assert.match(written, /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 /);
    assert.ok(!written.includes('box'));
    assert.ok(sshKeygenFinds(file, '[box]:2200'));
    assert.ok(!sshKeygenFinds(file, 'box'));
    const r = await checkHostKey({ hostname: 'box', port: 2200, key: key.blob, files: [file] });
    assert.strictEqual(r.status, 'match');
  });

  it('records under HostKeyAlias (no port), then re-verifies as a match', async () => {
    const file = path.join(tmp.dir, 'alias');
    await addKnownHost(file, { hostname: '10.0.0.5', port: 2222, hostKeyAlias: 'sandbox-1' }, key.type, key.blob);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), `sandbox-1 ${key.type} ${key.base64}\n`);
    const r = await checkHostKey({ hostname: '10.0.0.5', port: 2222, hostKeyAlias: 'sandbox-1', key: key.blob, files: [file] });
    assert.strictEqual(r.status, 'match');
  });

  it('refuses a key type that disagrees with the blob', async () => {
    await assert.rejects(addKnownHost(path.join(tmp.dir, 'bad'), { hostname: 'box', port: 22 }, 'ssh-rsa', key.blob), /does not match/);
    assert.ok(!fs.existsSync(path.join(tmp.dir, 'bad')));
  });

  it('concurrent appends each land as a whole line', async () => {
    const file = path.join(tmp.dir, 'concurrent');
    await Promise.all(Array.from({ length: 20 }, (_, i) => addKnownHost(file, { hostname: `h${i}`, port: 22 }, key.type, key.blob)));
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.strictEqual(lines.length, 20);
    assert.ok(lines.every((l) => /^h\d+ ssh-ed25519 \S+$/.test(l)));
  });
});
