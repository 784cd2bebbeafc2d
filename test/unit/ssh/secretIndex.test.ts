import * as assert from 'assert';
import { SecretKind } from '../../../src/ssh/credentials';
import { indexEntry, parseIndex, secretKey, secretLabel } from '../../../src/ssh/secretIndex';

const FP_A = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const FP_B = 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
const password = (over: Partial<{ user: string; host: string; port: number; hostKeyFingerprint: string }> = {}): SecretKind => ({
  kind: 'password',
  user: 'root',
  host: 'localhost',
  port: 2222,
  hostKeyFingerprint: FP_A,
  ...over,
});

describe('saved secret keys and their index', () => {
  it('keys a password by user, host, port and host key', () => {
    const base = secretKey(password());
    assert.notStrictEqual(secretKey(password({ port: 2223 })), base, 'another port is another secret');
    assert.notStrictEqual(secretKey(password({ hostKeyFingerprint: FP_B })), base, 'another host key is another secret');
    assert.notStrictEqual(secretKey(password({ user: 'admin' })), base);
    assert.notStrictEqual(secretKey(password({ host: 'other' })), base);
    assert.notStrictEqual(secretKey(password({ hostKeyFingerprint: undefined })), base);
    assert.strictEqual(secretKey(password({ host: 'LOCALHOST' })), base, 'host names are case-insensitive');
    assert.notStrictEqual(secretKey({ ...password(), kind: 'userToken' } as SecretKind), base, 'a token is not a password');
    assert.strictEqual(secretKey({ kind: 'passphrase', keyPath: '/k/id' }), 'sandboxExplorer.passphrase:/k/id', 'passphrase keys did not change');
  });

  it('never puts a user name, host or token in a key (editors keep keys in clear)', () => {
    const key = secretKey(password({ user: 'sbx-1#tok123', host: 'gw.example' }));
    assert.match(key, /^sandboxExplorer\.password\.v2:[0-9a-f]{64}$/);
    const token = secretKey({ kind: 'userToken', user: 'sbx-1', host: 'gw.example', port: 22 });
    assert.match(token, /^sandboxExplorer\.userToken:[0-9a-f]{64}$/);
  });

  it('labels with the port and a masked user', () => {
    assert.strictEqual(secretLabel(password({ user: 'sbx-1#tok123' })), 'password for sbx-1#…@localhost:2222 (host key SHA256:AAAAAAAA…)');
    assert.strictEqual(secretLabel({ kind: 'userToken', user: 'sbx-1', host: 'gw', port: 22 }), 'user token for sbx-1@gw:22');
  });

  it('gives one endpoint to the same user, host and port under different host keys', () => {
    assert.strictEqual(indexEntry(password()).endpoint, indexEntry(password({ hostKeyFingerprint: FP_B })).endpoint);
    assert.notStrictEqual(indexEntry(password()).endpoint, indexEntry(password({ port: 2223 })).endpoint);
  });

  it('migrates an older index once: legacy passwords are listed, marked, never matched', () => {
    const old = JSON.stringify(['sandboxExplorer.password:sbx-1#tok123@localhost', 'sandboxExplorer.passphrase:/home/me/.ssh/id_ed25519', 'sandboxExplorer.password:root@localhost']);
    const { entries, migrated } = parseIndex(old);
    assert.strictEqual(migrated, true);
    assert.deepStrictEqual(entries, [
      { key: 'sandboxExplorer.password:sbx-1#tok123@localhost', label: 'password for sbx-1#…@localhost (legacy, no port: no longer used)', legacy: true },
      { key: 'sandboxExplorer.passphrase:/home/me/.ssh/id_ed25519', label: 'passphrase for /home/me/.ssh/id_ed25519' },
      { key: 'sandboxExplorer.password:root@localhost', label: 'password for root@localhost (legacy, no port: no longer used)', legacy: true },
    ]);
    for (const port of [22, 2222, 2223]) {
      for (const hostKeyFingerprint of [FP_A, undefined]) {
        const key = secretKey(password({ port, hostKeyFingerprint }));
        assert.ok(!entries.some((e) => e.key === key), 'no new key equals a legacy one');
      }
    }
    const again = parseIndex(JSON.stringify(entries));
    assert.strictEqual(again.migrated, false, 'the converted index is not migrated again');
    assert.deepStrictEqual(again.entries, entries);
  });

  it('reads a missing or broken index as empty', () => {
    assert.deepStrictEqual(parseIndex(undefined), { entries: [], migrated: false });
    assert.deepStrictEqual(parseIndex('{not json'), { entries: [], migrated: false });
    assert.deepStrictEqual(parseIndex('{"a":1}'), { entries: [], migrated: false });
  });
});
