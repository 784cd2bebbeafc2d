// authorized_keys edits keep every other line byte-identical and read keys as sshd does.
import * as assert from 'assert';
import { addAuthorizedKey, parseAuthorizedKeys, parsePublicKey, removeAuthorizedKey } from '../../../../src/ssh/keys/authorizedKeys';
import { generateEd25519 } from '../../../../src/ssh/keys/keyPair';

describe('authorized_keys', () => {
  const a = generateEd25519({ comment: 'alice@laptop' });
  const b = generateEd25519({ comment: 'bob@ci' });
  const c = generateEd25519({ comment: 'carol' });
  const original = [
    '# managed by hand',
    '',
    `from="10.0.0.*,!10.0.0.9",command="echo \\"hi there\\"",no-pty ${a.publicKey}`,
    `   ${b.publicKey}\r`,
    'this line is not a key',
    `${c.parsed.keyType} ${c.parsed.blob.toString('base64')}`,
  ].join('\n');

  it('reads keys with options (quoted blanks and \\"), CRLF lines, leading blanks and no comment; skips comments and junk', () => {
    const keys = parseAuthorizedKeys(original);
    assert.deepStrictEqual(keys.map((k) => [k.line, k.keyType, k.comment, k.fingerprint]), [
      [3, 'ssh-ed25519', 'alice@laptop', a.parsed.fingerprint],
      [4, 'ssh-ed25519', 'bob@ci', b.parsed.fingerprint],
      [6, 'ssh-ed25519', '', c.parsed.fingerprint],
    ]);
    assert.strictEqual(keys[0].options, 'from="10.0.0.*,!10.0.0.9",command="echo \\"hi there\\"",no-pty');
    assert.match(a.parsed.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('appends a key only when absent, after a missing final newline, leaving every other byte as it was', () => {
    const d = generateEd25519({ comment: 'dave' });
    const added = addAuthorizedKey(original, d.parsed);
    assert.ok(added.added);
    assert.strictEqual(added.text, `${original}\n${d.publicKey}\n`);
    // Already there (with options and another comment): unchanged.
    const again = addAuthorizedKey(added.text, parsePublicKey(`${a.parsed.keyType} ${a.parsed.blob.toString('base64')} other-comment`));
    assert.deepStrictEqual(again, { text: added.text, added: false });
    assert.deepStrictEqual(addAuthorizedKey('', d.parsed), { text: `${d.publicKey}\n`, added: true });
  });

  it('removes every line of one key and nothing else, CRLF endings of the others kept', () => {
    const text = `${a.publicKey}\r\n# keep\r\n${b.publicKey}\r\nno-pty ${a.publicKey}\n${c.publicKey}`;
    const out = removeAuthorizedKey(text, a.parsed.fingerprint);
    assert.strictEqual(out.removed, 2);
    assert.strictEqual(out.text, `# keep\r\n${b.publicKey}\r\n${c.publicKey}`);
    assert.deepStrictEqual(removeAuthorizedKey(text, 'SHA256:nope'), { text, removed: 0 });
  });

  it('refuses a public key that is not one line of `type base64`, or whose blob names another type', () => {
    assert.throws(() => parsePublicKey(`${a.publicKey}\n${b.publicKey}`), /one line/);
    assert.throws(() => parsePublicKey('ssh-ed25519 not-base64!'), /not an OpenSSH public key/);
    assert.throws(() => parsePublicKey(`ssh-rsa ${a.parsed.blob.toString('base64')}`), /not an OpenSSH public key/);
    assert.throws(() => generateEd25519({ comment: 'a\nb' }), /one line/);
  });
});

describe('local public keys', () => {
  it('lists *.pub with type, comment, fingerprint and whether the private half is there; skips junk and huge files', async () => {
    const fs = await import('fs');
    const os = await import('os');
    const path = await import('path');
    const { listLocalPublicKeys } = await import('../../../../src/ssh/keys/localKeys');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-pub-'));
    try {
      const a = generateEd25519({ comment: 'a@x' });
      fs.writeFileSync(path.join(dir, 'id_a.pub'), `${a.publicKey}\n`);
      fs.writeFileSync(path.join(dir, 'id_a'), 'private half');
      const b = generateEd25519({ comment: '' });
      fs.writeFileSync(path.join(dir, 'id_b.pub'), b.publicKey);
      fs.writeFileSync(path.join(dir, 'junk.pub'), 'not a key');
      fs.writeFileSync(path.join(dir, 'huge.pub'), Buffer.alloc(64 * 1024, 0x41));
      fs.mkdirSync(path.join(dir, 'folder.pub'));
      const keys = await listLocalPublicKeys(dir);
      assert.deepStrictEqual(keys.map((k) => [path.basename(k.path), k.comment, k.fingerprint, k.privatePath && path.basename(k.privatePath)]), [
        ['id_a.pub', 'a@x', a.parsed.fingerprint, 'id_a'],
        ['id_b.pub', '', b.parsed.fingerprint, undefined],
      ]);
      assert.deepStrictEqual(await listLocalPublicKeys(path.join(dir, 'missing')), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
