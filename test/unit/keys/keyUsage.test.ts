import * as assert from 'assert';
import * as path from 'path';
import { keyRowDescription, keyRowLabel, keyRows } from '../../../src/keys/keyRows';
import { KeyUsage, UsageStorage } from '../../../src/keys/keyUsage';
import { listAgentKeys } from '../../../src/ssh/agent';
import { LocalPublicKey } from '../../../src/ssh/keys/localKeys';
import { startAgent } from '../../support/agent';
import { generateKey, makeTempDir } from '../../support/sshd';
import { listLocalPublicKeys } from '../../../src/ssh/keys/localKeys';

function memoryStorage(initial: Record<string, unknown> = {}): UsageStorage & { data: Record<string, unknown> } {
  const data = { ...initial };
  return { data, get: <T>(key: string) => data[key] as T | undefined, update: async (key, value) => void (data[key] = JSON.parse(JSON.stringify(value))) };
}

describe('KeyUsage: which key each host last logged in with', () => {
  it('keeps one entry per host, most recent first, and survives a restart through its storage', () => {
    const storage = memoryStorage();
    let now = 1;
    const usage = new KeyUsage(storage, () => now++);
    let changes = 0;
    usage.onDidChange(() => changes++);
    usage.record('box', 'SHA256:a');
    usage.record('gpu', 'SHA256:a');
    usage.record('box', 'SHA256:b');
    assert.deepStrictEqual(usage.hostsFor('SHA256:a'), ['gpu']);
    assert.deepStrictEqual(usage.hostsFor('SHA256:b'), ['box']);
    assert.strictEqual(changes, 3);
    usage.record('box', 'SHA256:b');
    assert.strictEqual(changes, 3, 'the same login again changes nothing');
    const again = new KeyUsage(storage);
    assert.deepStrictEqual(again.hostsFor('SHA256:b'), ['box']);
    assert.deepStrictEqual(again.hostsFor('SHA256:a'), ['gpu']);
    assert.ok(!JSON.stringify(storage.data).match(/password|token|PRIVATE/i));
  });

  it('ignores malformed stored entries and keeps at most 300 hosts', () => {
    const usage = new KeyUsage(memoryStorage({ 'sandboxExplorer.keyUsage': [{ host: 1 }, null, 'x', { host: 'ok', fingerprint: 'SHA256:z', at: 5 }] }));
    assert.deepStrictEqual(usage.hostsFor('SHA256:z'), ['ok']);
    for (let i = 0; i < 400; i++) usage.record(`h${i}`, 'SHA256:many');
    assert.strictEqual(usage.hostsFor('SHA256:many').length, 300);
    assert.strictEqual(usage.hostsFor('SHA256:many')[0], 'h399');
    assert.deepStrictEqual(usage.hostsFor('SHA256:z'), [], 'the oldest went first');
  });
});

describe('Keys view rows', () => {
  const fileKey = (name: string, fingerprint: string): LocalPublicKey => ({ path: `/home/u/.ssh/${name}.pub`, keyType: 'ssh-ed25519', comment: `${name}@laptop`, fingerprint, privatePath: `/home/u/.ssh/${name}` });

  it('lists files first, then agent keys without a file, marking what is loaded and where each last logged in', () => {
    const rows = keyRows(
      [fileKey('id_ed25519', 'SHA256:f1'), fileKey('work', 'SHA256:f2')],
      [
        { keyType: 'ssh-ed25519', comment: 'id_ed25519@laptop', fingerprint: 'SHA256:f1' },
        { keyType: 'ssh-rsa', comment: 'yubikey', fingerprint: 'SHA256:hw' },
      ],
      (fp) => ({ 'SHA256:f1': ['box', 'gpu'], 'SHA256:hw': ['prod'] })[fp] ?? [],
    );
    assert.deepStrictEqual(rows.map(keyRowLabel), ['id_ed25519', 'work', 'yubikey']);
    assert.deepStrictEqual(rows.map(keyRowDescription), ['ED25519 · last used on box +1 · in agent · id_ed25519@laptop', 'ED25519 · work@laptop', 'RSA · last used on prod · in agent only']);
  });
});

describe('agent keys for the Keys view (real ssh-agent)', function () {
  this.timeout(30000);

  it('lists the agent\'s keys with the fingerprints ~/.ssh has for the same keys', async () => {
    const dir = makeTempDir('sbx-keys-');
    const one = generateKey(path.join(dir, 'one'));
    const two = generateKey(path.join(dir, 'two'));
    const agent = await startAgent();
    try {
      agent.add(one.privatePath);
      agent.add(two.privatePath);
      const listed = await listAgentKeys(agent.socket);
      const files = await listLocalPublicKeys(dir);
      assert.strictEqual(listed.length, 2);
      assert.deepStrictEqual(listed.map((k) => k.fingerprint).sort(), files.map((k) => k.fingerprint).sort());
      assert.ok(listed.every((k) => k.fingerprint.startsWith('SHA256:') && k.keyType === files[0].keyType));
      assert.deepStrictEqual(await listAgentKeys(path.join(dir, 'no-such-socket')), []);
      assert.deepStrictEqual(await listAgentKeys(undefined), []);
    } finally {
      await agent.stop();
    }
  });
});
