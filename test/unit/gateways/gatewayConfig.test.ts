import * as assert from 'assert';
import { gatewaysFromSettings } from '../../../src/gateways/gatewayConfig';
import { checkSandboxId, sandboxHostName } from '../../../src/gateways/sandboxNames';

describe('gateway settings and sandbox host names', () => {
  it('keeps usable gateway entries and reports each unusable one', () => {
    const warnings: string[] = [];
    const gateways = gatewaysFromSettings(
      [
        { name: 'acme', url: 'https://api.acme.example/base/', sshHost: 'ssh.acme.example', sshPort: 2222, timeoutSeconds: 5000 },
        { name: 'local', url: 'http://127.0.0.1:8080' },
        { name: 'clear', url: 'http://api.example.com' },
        { name: 'has space', url: 'https://x.example' },
        { name: 'ACME', url: 'https://other.example' },
        { name: 'opt', url: 'https://x.example', sshHost: '-oProxyCommand=evil', sshPort: 0 },
        'garbage',
      ],
      (m) => warnings.push(m),
    );
    assert.deepStrictEqual(gateways, [
      { name: 'acme', baseUrl: 'https://api.acme.example/base', sshHost: 'ssh.acme.example', sshPort: 2222, timeoutSeconds: 900 },
      { name: 'local', baseUrl: 'http://127.0.0.1:8080', sshHost: undefined, sshPort: undefined, timeoutSeconds: 120 },
      { name: 'opt', baseUrl: 'https://x.example', sshHost: undefined, sshPort: undefined, timeoutSeconds: 120 },
    ]);
    assert.strictEqual(warnings.length, 4);
    assert.match(warnings[0], /clear.*must use https/);
    assert.match(warnings[2], /second sandboxExplorer.gateways entry named "ACME"/);
  });

  it('derives a URI-authority-safe host name from any sandbox id, distinct for ids that differ only in replaced characters', () => {
    assert.strictEqual(sandboxHostName('acme', 'rs-abc123-default-x7k9m'), 'rs-abc123-default-x7k9m.acme');
    const hash = sandboxHostName('acme', 'odd.id#2');
    assert.match(hash, /^odd-id-2_[0-9a-f]{12}\.acme$/);
    assert.notStrictEqual(hash, sandboxHostName('acme', 'odd.id-2'));
    assert.notStrictEqual(sandboxHostName('acme', 'Box'), sandboxHostName('acme', 'box'));
    // One-to-one: a literal id that looks like a derived one, and a dot moved across the id/gateway boundary.
    const derived = sandboxHostName('acme', 'a#b');
    assert.notStrictEqual(sandboxHostName('acme', derived.slice(0, -'.acme'.length)), derived);
    assert.notStrictEqual(sandboxHostName('b.acme', 'x'), sandboxHostName('acme', 'x.b'));
    assert.notStrictEqual(sandboxHostName('acme', 'x_y'), sandboxHostName('acme', 'x-y'));
    for (const id of ['a#b', 'x@y', 'p:q', 'Upper', 'sp ace', 'ü']) {
      const name = sandboxHostName('gw', id);
      assert.match(name, /^[a-z0-9._-]+$/, name);
      assert.strictEqual(new URL(`sbx://${name}/x`).host, name);
    }
    assert.strictEqual(checkSandboxId('rs-1'), undefined);
    assert.ok(checkSandboxId('a/b'));
    assert.ok(checkSandboxId('..'));
    assert.ok(checkSandboxId(''));
    for (const bad of ['-oProxyCommand=x', '#tok', 'a..b', '../x', 'a b', 'a$b', 'x'.repeat(129)]) assert.ok(checkSandboxId(bad), bad);
    assert.strictEqual(checkSandboxId('odd.id#2'), undefined);
    assert.match(checkSandboxId('rs-1#sk_live_0123456789abcdef') ?? '', /looks like an API key/, 'a token-shaped id is not stored');
  });
});
