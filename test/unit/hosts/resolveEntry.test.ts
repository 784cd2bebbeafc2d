import * as assert from 'assert';
import { hostFromSettings } from '../../../src/hosts/hostEntry';
import { resolveEntry } from '../../../src/hosts/resolveEntry';
import { targetFor } from '../../support/targets';

describe('hosts from settings', () => {
  const base = targetFor({ port: 22, user: 'me' }, { hostname: 'resolved.example', proxyJump: ['bastion'], identityFiles: ['/home/me/.ssh/id_ed25519'], identityFilesAreDefaults: true });

  it('validates entries and keeps secrets out of the model', () => {
    assert.strictEqual(hostFromSettings({ host: 'x' }), undefined, 'a name is required');
    assert.strictEqual(hostFromSettings({ name: 'has space' }), undefined);
    const h = hostFromSettings({ name: 'gpu', host: 'gpu.internal', port: 2222, user: 'root', enabled: false, password: 'never-read' });
    assert.deepStrictEqual({ ...h }, {
      name: 'gpu', source: 'settings', hostname: 'gpu.internal', port: 2222, user: 'root', userToken: undefined, identityFile: undefined, proxyJump: undefined,
      proxyCommand: undefined, knownHostsFile: undefined, remoteDirectory: undefined, group: undefined, enabled: false,
    });
  });

  it('overrides the ssh config resolution with the entry fields', () => {
    const seen: string[] = [];
    const entry = hostFromSettings({ name: 'sb1', host: 'gw.example', port: 2200, user: 'sandbox-1#tok', identityFile: '/keys/k', proxyCommand: 'cli ssh serve %n --stdio' })!;
    const r = resolveEntry(entry, (alias) => (seen.push(alias), base));
    assert.deepStrictEqual(seen, ['gw.example']);
    assert.strictEqual(r.alias, 'sb1');
    assert.strictEqual(r.port, 2200);
    assert.strictEqual(r.user, 'sandbox-1#tok');
    assert.deepStrictEqual(r.identityFiles, ['/keys/k']);
    assert.strictEqual(r.identityFilesAreDefaults, false);
    assert.strictEqual(r.proxyCommand, 'cli ssh serve %n --stdio');
    assert.deepStrictEqual(r.proxyJump, [], 'a ProxyCommand from settings replaces the config ProxyJump');
  });

  it('keeps config values the entry leaves out', () => {
    const r = resolveEntry(hostFromSettings({ name: 'box' })!, () => base);
    assert.strictEqual(r.hostname, 'resolved.example');
    assert.deepStrictEqual(r.proxyJump, ['bastion']);
    assert.strictEqual(r.identityFilesAreDefaults, true);
  });
});
