import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkHostKey, knownHostKeyTypes } from '../../../../src/ssh/hostKeys/check';
import { matchPattern, matchPatternList } from '../../../../src/ssh/config/patterns';
import { fingerprintSha256, keyTypeOfBlob } from '../../../../src/ssh/hostKeys/keyBlob';
import { knownHostsName, parseKnownHosts } from '../../../../src/ssh/hostKeys/knownHosts';
import { hashWithSshKeygen, keygen, KeySpec, knownHostsFile, tempDir, TestKey } from './keys';

describe('host keys: known_hosts lookup', () => {
  const tmp = tempDir();
  const dir = tmp.dir;
  let key: TestKey;
  let other: TestKey;
  let rsa: TestKey;
  before(() => {
    key = keygen(dir, 'ed25519', 'host');
    other = keygen(dir, 'ed25519', 'other');
    rsa = keygen(dir, 'rsa', 'rsa');
  });
  after(() => tmp.cleanup());

  const line = (hosts: string, k: TestKey = key, marker = '') => `${marker ? `${marker} ` : ''}${hosts} ${k.type} ${k.base64}`;
  const check = (lines: string[], target: { hostname: string; port?: number; hostKeyAlias?: string }, k: TestKey = key) =>
    checkHostKey({ hostname: target.hostname, port: target.port ?? 22, hostKeyAlias: target.hostKeyAlias, key: k.blob, files: [knownHostsFile(dir, lines)] });

  describe('key blobs', () => {
    for (const spec of ['ed25519', 'ecdsa256', 'ecdsa384', 'ecdsa521', 'rsa'] as KeySpec[]) {
      it(`${spec}: type from the blob and fingerprint equal ssh-keygen -lf`, async () => {
        const k = keygen(dir, spec, `fp-${spec}`);
        assert.strictEqual(keyTypeOfBlob(k.blob), k.type);
        assert.strictEqual(fingerprintSha256(k.blob), k.fingerprint);
        assert.match(k.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
        const result = await check([line('box', k)], { hostname: 'box' }, k);
        assert.strictEqual(result.status, 'match');
        assert.strictEqual(result.keyType, k.type);
        assert.strictEqual(result.fingerprint, k.fingerprint);
      });
    }

    it('rejects malformed blobs without throwing', () => {
      assert.strictEqual(keyTypeOfBlob(Buffer.alloc(0)), undefined);
      assert.strictEqual(keyTypeOfBlob(Buffer.from([0, 0, 0, 200, 1])), undefined);
    });
  });

  describe('patterns', () => {
    it('matches * and ? like OpenSSH match_pattern', () => {
      assert.ok(matchPattern('web1.example.com', '*.example.com'));
      assert.ok(matchPattern('web1.example.com', 'web?.example.com'));
      assert.ok(!matchPattern('web12.example.com', 'web?.example.com'));
      assert.ok(matchPattern('[10.0.0.1]:2222', '[10.0.0.*]:2222'));
      assert.ok(matchPattern('', '*'));
      assert.ok(!matchPattern('a', ''));
      assert.ok(matchPattern('aXbXc', '*b*c'));
      assert.ok(!matchPattern('x'.repeat(5000) + 'y', '*x*x*x*x*x*x*z'));
    });

    it('negation wins over a positive match in the same list, wherever it is', () => {
      assert.strictEqual(matchPatternList('a.example.com', '*.example.com,!a.example.com', true), -1);
      assert.strictEqual(matchPatternList('a.example.com', '!a.example.com,*.example.com', true), -1);
      assert.strictEqual(matchPatternList('b.example.com', '*.example.com,!a.example.com', true), 1);
      assert.strictEqual(matchPatternList('b.example.com', '!a.example.com', true), 0);
      assert.strictEqual(matchPatternList('box', 'BOX', true), 1, 'patterns are compared lower-cased');
    });
  });

  describe('lookup name', () => {
    it('is the lower-cased host, [host]:port off port 22, and HostKeyAlias as is (ssh adds no port to it)', () => {
      assert.strictEqual(knownHostsName({ hostname: 'Box.Example', port: 22 }), 'box.example');
      assert.strictEqual(knownHostsName({ hostname: 'box', port: 2222 }), '[box]:2222');
      assert.strictEqual(knownHostsName({ hostname: 'box', port: 2222, hostKeyAlias: 'MyAlias' }), 'myalias');
    });
  });

  describe('checkHostKey', () => {
    it('matches a plain host list', async () => {
      const r = await check(['# comment', '', line('alpha,box,beta')], { hostname: 'box' });
      assert.strictEqual(r.status, 'match');
      assert.strictEqual(r.status === 'match' && r.line, 3);
    });

    it('is unknown when no line names the host', async () => {
      const r = await check([line('alpha'), line('[box]:2222')], { hostname: 'box' });
      assert.deepStrictEqual([r.status, r.status === 'unknown' && r.certAuthorityOnly], ['unknown', undefined]);
    });

    it('matches names hashed by ssh-keygen -H, including [host]:port', async () => {
      const hashed = hashWithSshKeygen(dir, [line('box'), line('[box]:2222', other)]);
      assert.ok(hashed.every((l) => l.startsWith('|1|')), hashed.join('\n'));
      assert.strictEqual((await check(hashed, { hostname: 'box' })).status, 'match');
      assert.strictEqual((await check(hashed, { hostname: 'BOX' })).status, 'match');
      assert.strictEqual((await check(hashed, { hostname: 'box', port: 2222 }, other)).status, 'match');
      assert.strictEqual((await check(hashed, { hostname: 'box2' })).status, 'unknown');
    });

    it('uses [host]:port for non-22 ports and the bare name for 22', async () => {
      assert.strictEqual((await check([line('[box]:2222')], { hostname: 'box', port: 2222 })).status, 'match');
      assert.strictEqual((await check([line('[box]:22')], { hostname: 'box', port: 22 })).status, 'unknown');
      assert.strictEqual((await check([line('[box]:2222', other)], { hostname: 'box', port: 2222 })).status, 'changed');
      assert.strictEqual((await check([line('[box]:2222', other)], { hostname: 'box', port: 22 })).status, 'unknown');
    });

    it('falls back to the port-less name for a matching key only, as ssh does', async () => {
      assert.strictEqual((await check([line('box')], { hostname: 'box', port: 2222 })).status, 'match');
      assert.strictEqual((await check([line('box', other)], { hostname: 'box', port: 2222 })).status, 'unknown');
      assert.strictEqual((await check([line('box')], { hostname: 'box', port: 2222, hostKeyAlias: 'alias' })).status, 'unknown');
    });

    it('matches wildcard patterns and honours negation', async () => {
      assert.strictEqual((await check([line('*.example.com')], { hostname: 'web.example.com' })).status, 'match');
      assert.strictEqual((await check([line('web?.example.com')], { hostname: 'web1.example.com' })).status, 'match');
      assert.strictEqual((await check([line('[10.0.0.?]:*')], { hostname: '10.0.0.7', port: 2200 })).status, 'match');
      // A negated match makes the whole line not apply: no match, and its key is not "known" either.
      const negated = [line('*.example.com,!db.example.com', other)];
      assert.strictEqual((await check(negated, { hostname: 'db.example.com' })).status, 'unknown');
      assert.strictEqual((await check(negated, { hostname: 'web.example.com' })).status, 'changed');
    });

    it('uses HostKeyAlias instead of the host name and port', async () => {
      assert.strictEqual((await check([line('sandbox-7')], { hostname: '10.1.1.1', port: 2222, hostKeyAlias: 'Sandbox-7' })).status, 'match');
      assert.strictEqual((await check([line('[10.1.1.1]:2222')], { hostname: '10.1.1.1', port: 2222, hostKeyAlias: 'sandbox-7' })).status, 'unknown');
      assert.strictEqual((await check([line('[sandbox-7]:2222')], { hostname: '10.1.1.1', port: 2222, hostKeyAlias: 'sandbox-7' })).status, 'unknown');
      const hashed = hashWithSshKeygen(dir, [line('sandbox-7')]);
      assert.strictEqual((await check(hashed, { hostname: 'x', port: 2222, hostKeyAlias: 'sandbox-7' })).status, 'match');
    });

    it('reports a changed key with the known fingerprints and the first offending line', async () => {
      const r = await check(['# c', line('box', other), line('box', rsa)], { hostname: 'box' });
      assert.strictEqual(r.status, 'changed');
      if (r.status !== 'changed') return;
      assert.deepStrictEqual(r.knownFingerprints, [other.fingerprint, rsa.fingerprint]);
      assert.strictEqual(r.line, 2);
      assert.strictEqual(r.fingerprint, key.fingerprint);
    });

    it('a key of another type recorded for the host also counts as changed (OpenSSH 9.2 does the same)', async () => {
      assert.strictEqual((await check([line('box', rsa)], { hostname: 'box' })).status, 'changed');
    });

    it('matches when one of several recorded keys is the presented one', async () => {
      assert.strictEqual((await check([line('box', rsa), line('box', other), line('box')], { hostname: 'box' })).status, 'match');
    });

    it('@revoked wins over everything, in any file and order', async () => {
      const good = knownHostsFile(dir, [line('box')]);
      const revoked = knownHostsFile(dir, [line('*', key, '@revoked')]);
      const r = await checkHostKey({ hostname: 'box', port: 22, key: key.blob, files: [good, revoked] });
      assert.deepStrictEqual([r.status, r.status === 'revoked' && r.file, r.status === 'revoked' && r.line], ['revoked', revoked, 1]);
      // A revoked line for another key or another host does not affect this one.
      assert.strictEqual((await check([line('box'), line('box', other, '@revoked'), line('other', key, '@revoked')], { hostname: 'box' })).status, 'match');
      // The port-less name is consulted for revocation too.
      assert.strictEqual((await check([line('[box]:2222'), line('box', key, '@revoked')], { hostname: 'box', port: 2222 })).status, 'revoked');
    });

    it('@cert-authority lines are no match, and the result says so', async () => {
      const r = await check([line('*.example.com', key, '@cert-authority')], { hostname: 'web.example.com' });
      assert.deepStrictEqual([r.status, r.status === 'unknown' && r.certAuthorityOnly], ['unknown', true]);
      // A CA key is not a "known key" of the host: no changed verdict from it.
      const r2 = await check([line('web.example.com', other, '@cert-authority')], { hostname: 'web.example.com' });
      assert.strictEqual(r2.status, 'unknown');
    });

    it('skips malformed lines like OpenSSH', async () => {
      const lines = [
        '@bogus box ' + `${key.type} ${key.base64}`,
        `box ssh-rsa ${key.base64}`, // type field disagrees with the blob
        'box ssh-ed25519 not*base64',
        'box',
        `  \tbox\t${key.type}   ${key.base64}   a comment with spaces\r`,
      ];
      const entries = parseKnownHosts(lines.join('\n'), 'f');
      assert.deepStrictEqual(entries.map((e) => e.line), [5]);
      assert.strictEqual((await check(lines, { hostname: 'box' })).status, 'match');
    });

    it('reads several files in order and skips missing ones', async () => {
      const a = knownHostsFile(dir, [line('alpha')]);
      const b = knownHostsFile(dir, [line('box')]);
      const r = await checkHostKey({ hostname: 'box', port: 22, key: key.blob, files: [path.join(dir, 'missing'), a, b] });
      assert.deepStrictEqual([r.status, r.status === 'match' && r.file], ['match', b]);
    });

    it('lists the key types known for a host (plain lines only)', async () => {
      const file = knownHostsFile(dir, [line('box', rsa), line('box'), line('box', other, '@revoked'), line('elsewhere', other)]);
      const types = await knownHostKeyTypes({ hostname: 'box', port: 22, files: [file] });
      assert.deepStrictEqual(types.sort(), ['ssh-ed25519', 'ssh-rsa']);
      assert.ok(fs.existsSync(file));
    });
  });
});
