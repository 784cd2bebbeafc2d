import * as assert from 'assert';
import { buildAlgorithms } from '../../../../src/ssh/hostKeys/algorithms';
import { SshError } from '../../../../src/ssh/errors';
import { memoryLogger } from './logger';

// ssh2's own lists: what it can do on this machine, and what it offers by default.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ssh2 = require('ssh2/lib/protocol/constants') as Record<string, string[]>;

const lists = (a: ReturnType<typeof buildAlgorithms>) => a as unknown as { kex: string[]; serverHostKey: string[]; cipher: string[]; hmac: string[] };

describe('host keys: algorithm policy', () => {
  it('defaults: ssh2 defaults without the weak ones, aes128-gcm first', () => {
    const a = lists(buildAlgorithms({}));
    assert.ok(!a.serverHostKey.includes('ssh-rsa') && !a.serverHostKey.includes('ssh-dss'));
    assert.ok(a.serverHostKey.includes('rsa-sha2-512') && a.serverHostKey.includes('rsa-sha2-256'), 'RSA keys still usable with SHA-2');
    assert.ok(a.hmac.every((m) => !m.startsWith('hmac-sha1') && !m.startsWith('hmac-md5')), a.hmac.join());
    assert.ok(a.cipher.every((c) => !c.endsWith('-cbc')));
    assert.ok(!a.kex.some((k) => k.endsWith('-sha1')));
    assert.strictEqual(a.cipher[0], 'aes128-gcm@openssh.com');
    for (const [list, supported] of [[a.kex, 'SUPPORTED_KEX'], [a.serverHostKey, 'SUPPORTED_SERVER_HOST_KEY'], [a.cipher, 'SUPPORTED_CIPHER'], [a.hmac, 'SUPPORTED_MAC']] as const) {
      assert.ok(list.length > 0);
      assert.ok(list.every((x) => ssh2[supported].includes(x)), `${supported}: ${list.join()}`);
    }
    // Strict KEX markers are ssh2's to add (Protocol.js appends them to a custom list); never ours.
    assert.ok(!a.kex.some((k) => k.startsWith('kex-strict') || k.startsWith('ext-info')));
  });

  it('+ appends what the config explicitly asks for, weak or not', () => {
    const a = lists(buildAlgorithms({ hostKeyAlgorithms: '+ssh-rsa', macs: '+hmac-sha1', ciphers: '+aes128-cbc', kexAlgorithms: '+diffie-hellman-group14-sha1' }));
    assert.strictEqual(a.serverHostKey.at(-1), 'ssh-rsa');
    assert.strictEqual(a.hmac.at(-1), 'hmac-sha1');
    assert.strictEqual(a.cipher.at(-1), 'aes128-cbc');
    assert.strictEqual(a.kex.at(-1), 'diffie-hellman-group14-sha1');
  });

  it('- removes (with wildcards), ^ prepends, a plain list replaces', () => {
    const minus = lists(buildAlgorithms({ ciphers: '-aes*-ctr', kexAlgorithms: '-curve25519*' }));
    assert.ok(!minus.cipher.some((c) => c.endsWith('-ctr')) && minus.cipher.includes('aes128-gcm@openssh.com'));
    assert.ok(!minus.kex.some((k) => k.startsWith('curve25519')));
    const caret = lists(buildAlgorithms({ ciphers: '^aes256-ctr' }));
    assert.strictEqual(caret.cipher[0], 'aes256-ctr');
    assert.strictEqual(caret.cipher.filter((c) => c === 'aes256-ctr').length, 1);
    const plain = lists(buildAlgorithms({ hostKeyAlgorithms: 'ssh-ed25519,ssh-rsa', macs: 'hmac-sha2-512*' }));
    assert.deepStrictEqual(plain.serverHostKey, ['ssh-ed25519', 'ssh-rsa']);
    assert.deepStrictEqual(plain.hmac, ssh2.SUPPORTED_MAC.filter((m) => m.startsWith('hmac-sha2-512')));
  });

  it('drops names ssh2 does not support with a warning; an empty result is a config error', () => {
    const log = memoryLogger();
    const a = lists(buildAlgorithms({ ciphers: 'made-up-cipher,aes256-ctr' }, { log }));
    assert.deepStrictEqual(a.cipher, ['aes256-ctr']);
    assert.match(log.lines.join('\n'), /made-up-cipher is not supported/);
    assert.throws(() => buildAlgorithms({ macs: 'made-up-mac' }), (e) => SshError.is(e, 'config'));
  });

  it('offers the host key algorithms of known key types first, unless the config ordered them', () => {
    const rsaKnown = lists(buildAlgorithms({}, { knownHostKeyTypes: ['ssh-rsa'] }));
    assert.deepStrictEqual(rsaKnown.serverHostKey.slice(0, 2), ['rsa-sha2-512', 'rsa-sha2-256']);
    assert.ok(!rsaKnown.serverHostKey.includes('ssh-rsa'));
    const ecdsa = lists(buildAlgorithms({ hostKeyAlgorithms: '+ssh-rsa' }, { knownHostKeyTypes: ['ecdsa-sha2-nistp384', 'ssh-rsa'] }));
    assert.deepStrictEqual(ecdsa.serverHostKey.slice(0, 4), ['ecdsa-sha2-nistp384', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    const explicit = lists(buildAlgorithms({ hostKeyAlgorithms: 'ssh-ed25519,rsa-sha2-256' }, { knownHostKeyTypes: ['ssh-rsa'] }));
    assert.deepStrictEqual(explicit.serverHostKey, ['ssh-ed25519', 'rsa-sha2-256']);
  });
});
