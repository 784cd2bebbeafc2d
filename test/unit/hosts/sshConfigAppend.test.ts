import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { appendHostBlock, appendToSshConfig, hostBlockText } from '../../../src/hosts/sshConfigAppend';

describe('Add Host → ~/.ssh/config', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-cfg-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a block ssh reads back as given (ssh -G is the oracle)', async () => {
    const file = path.join(dir, 'config');
    await appendToSshConfig(file, { name: 'gpu-1', hostname: '10.0.0.7', user: 'agent', port: 2222, identityFile: path.join(dir, 'my key'), proxyJump: 'bastion.example:2200' });
    const g = execFileSync('ssh', ['-G', '-F', file, 'gpu-1'], { encoding: 'utf8' });
    for (const line of ['hostname 10.0.0.7', 'user agent', 'port 2222', `identityfile ${path.join(dir, 'my key')}`, 'proxyjump bastion.example:2200']) assert.ok(g.split('\n').includes(line), `${line} in\n${g}`);
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600, 'a new config is 0600');
  });

  it('keeps every existing byte, adds a missing final newline and one blank line, keeps the mode, writes through a symlink', async () => {
    const real = path.join(dir, 'dotfiles-config');
    const before = '# mine\r\nHost *\n  ServerAliveInterval 30\nHost old\n  HostName 1.2.3.4';
    fs.writeFileSync(real, before, { mode: 0o644 });
    fs.chmodSync(real, 0o644);
    const link = path.join(dir, 'config');
    fs.symlinkSync(real, link);
    const line = await appendToSshConfig(link, { name: 'new-box', hostname: 'box.example' });
    assert.strictEqual(fs.readFileSync(real, 'utf8'), `${before}\n\nHost new-box\n  HostName box.example\n`);
    assert.strictEqual(line, 7, 'the Host line number');
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link stays a link');
    assert.strictEqual(fs.statSync(real).mode & 0o777, 0o644, 'mode kept');
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['config', 'dotfiles-config'], 'no temp file left');
  });

  it('quotes values with blanks and refuses what ssh config cannot hold', () => {
    assert.strictEqual(appendHostBlock('x\n\n', { name: 'a', hostname: 'h' }), 'x\n\nHost a\n  HostName h\n');
    assert.match(hostBlockText({ name: 'a', hostname: 'h', identityFile: '~/keys/my key' }), /IdentityFile "~\/keys\/my key"/);
    assert.throws(() => hostBlockText({ name: 'a b', hostname: 'h' }), /cannot be an ssh config Host name/);
    assert.throws(() => hostBlockText({ name: 'a', hostname: 'h', user: 'x"y z' }), /double quote/);
    assert.throws(() => hostBlockText({ name: 'a', hostname: 'h\nProxyCommand evil' }), /line break/);
  });
});
