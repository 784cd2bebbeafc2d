import * as assert from 'assert';
import * as os from 'os';
import * as path from 'path';
import { hostFromSettings } from '../../../src/common/hostEntry';
import { resolveEntry } from '../../../src/hosts/resolveEntry';
import { resolveHost } from '../../../src/ssh/config/resolveHost';
import { SshError } from '../../../src/ssh/errors';
import { targetFor } from '../../support/targets';
import { memFs } from '../ssh/config/memfs';

describe('hosts from settings', () => {
  const base = targetFor({ port: 22, user: 'me' }, { hostname: 'resolved.example', proxyJump: [{ host: 'bastion' }], identityFiles: ['/home/me/.ssh/id_ed25519'], identityFilesAreDefaults: true });

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
    assert.deepStrictEqual(r.proxyJump, [{ host: 'bastion' }]);
    assert.strictEqual(r.identityFilesAreDefaults, true);
  });

  describe('through a real ssh config: the entry\'s user is fixed before the config is read', () => {
    const HOME = '/home/alice';
    const config = ['Host worker', '  User admin', 'Match user deploy', '  Port 2222', '  IdentityFile ~/.ssh/deploy_key', 'Host bastion', '  User jumper'].join('\n');
    const resolveAlias = (alias: string, preset: { user?: string; port?: number }) =>
      resolveHost(alias, { homeDir: HOME, localUser: 'alice', localHostname: 'laptop', uid: 1000, env: { HOME }, configFiles: ['/cfg'], fs: memFs({ '/cfg': config }), ...preset });

    it('lets a `Match user` block see the entry\'s user (it sets the port and the key)', () => {
      const r = resolveEntry(hostFromSettings({ name: 'w', host: 'worker', user: 'deploy' })!, resolveAlias);
      assert.strictEqual(r.user, 'deploy');
      assert.strictEqual(r.port, 2222);
      assert.deepStrictEqual(r.identityFiles, [`${HOME}/.ssh/deploy_key`]);
    });

    it('keeps the entry\'s port over the Match block, as `ssh -p` does', () => {
      assert.strictEqual(resolveEntry(hostFromSettings({ name: 'w', host: 'worker', user: 'deploy', port: 2200 })!, resolveAlias).port, 2200);
    });

    it('reads a hop that names the entry (`ops@w:2201`) with the hop\'s user and port first', () => {
      const r = resolveEntry(hostFromSettings({ name: 'w', host: 'worker', user: 'admin' })!, resolveAlias, { user: 'deploy', port: 2201 });
      assert.deepStrictEqual([r.user, r.port, r.identityFiles], ['deploy', 2201, [`${HOME}/.ssh/deploy_key`]]);
    });

    it('reads the entry\'s proxyJump as ssh reads -J: typed hops, `none`, and a refusal for what ssh refuses', () => {
      const jumped = resolveEntry(hostFromSettings({ name: 'w', host: 'worker', proxyJump: 'ops@bastion:2201,[::1]:22' })!, resolveAlias);
      assert.deepStrictEqual(jumped.proxyJump, [{ user: 'ops', host: 'bastion', port: 2201 }, { user: undefined, host: '::1', port: 22 }]);
      assert.deepStrictEqual(resolveEntry(hostFromSettings({ name: 'w', host: 'worker', proxyJump: 'none' })!, resolveAlias).proxyJump, []);
      assert.throws(() => resolveEntry(hostFromSettings({ name: 'w', host: 'worker', proxyJump: 'a@:22' })!, resolveAlias), (e) => SshError.is(e, 'config'));
    });
  });

  it('expands ~ in identityFile and knownHostsFile as ssh expands it in ssh config, ~user included', () => {
    const home = os.homedir();
    const user = os.userInfo().username;
    const r = resolveEntry(hostFromSettings({ name: 'box', identityFile: `~${user}/keys/k`, knownHostsFile: '~/kh' })!, () => base);
    assert.deepStrictEqual(r.identityFiles, [path.join(home, 'keys/k')]);
    assert.strictEqual(r.userKnownHostsFiles[0], path.join(home, 'kh'));
    // ssh refuses a file under an unknown user's home; so does the host.
    assert.throws(() => resolveEntry(hostFromSettings({ name: 'box', identityFile: '~sbx-no-such-user/k' })!, () => base), /no such user/);
  });
});
