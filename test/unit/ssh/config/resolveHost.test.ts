import * as assert from 'assert';
import { SshError } from '../../../../src/ssh/errors';
import { ResolveOptions } from '../../../../src/ssh/config/resolveConfig';
import { resolveHost } from '../../../../src/ssh/config/resolveHost';
import { resolveOptions } from '../../../../src/ssh/config/sshG';
import { configFileSpecs, sshConfigSource } from '../../../../src/ssh/config/source';
import { memFs } from './memfs';

const HOME = '/home/alice';
const base: ResolveOptions = { homeDir: HOME, localUser: 'alice', localHostname: 'laptop', uid: 1000, env: { HOME } };

function resolve(config: string, alias: string, extra: ResolveOptions = {}) {
  return resolveHost(alias, { ...base, configFiles: ['/cfg'], fs: memFs({ '/cfg': config }), ...extra });
}

describe('resolveHost', () => {
  it('gives the defaults ssh uses, expanded', () => {
    const h = resolve('', 'plain');
    assert.strictEqual(h.alias, 'plain');
    assert.strictEqual(h.hostname, 'plain');
    assert.strictEqual(h.port, 22);
    assert.strictEqual(h.user, 'alice');
    assert.deepStrictEqual(h.identityFiles, ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((k) => `${HOME}/.ssh/${k}`));
    assert.strictEqual(h.identityFilesAreDefaults, true);
    assert.strictEqual(h.identitiesOnly, false);
    assert.strictEqual(h.identityAgent, undefined);
    assert.deepStrictEqual(h.proxyJump, []);
    assert.strictEqual(h.proxyCommand, undefined);
    assert.strictEqual(h.strictHostKeyChecking, 'ask');
    assert.deepStrictEqual(h.userKnownHostsFiles, [`${HOME}/.ssh/known_hosts`, `${HOME}/.ssh/known_hosts2`]);
    assert.deepStrictEqual(h.globalKnownHostsFiles, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
    assert.strictEqual(h.serverAliveInterval, 0);
    assert.strictEqual(h.serverAliveCountMax, 3);
    assert.strictEqual(h.connectTimeout, undefined);
    assert.strictEqual(h.connectionAttempts, 1);
    assert.deepStrictEqual(h.preferredAuthentications, []);
    assert.deepStrictEqual(h.setEnv, {});
    assert.strictEqual(h.ciphers, undefined);
  });

  it('maps a full host block', () => {
    const h = resolve(
      [
        'Host box',
        '  HostName Box.Internal',
        '  User root',
        '  Port 2200',
        '  IdentityFile ~/.ssh/%n-%r',
        '  IdentitiesOnly yes',
        '  StrictHostKeyChecking off',
        '  UserKnownHostsFile ~/.sbx/known_hosts_%h none-is-a-file-here',
        '  ServerAliveInterval 1m',
        '  ServerAliveCountMax 4',
        '  ConnectTimeout 0',
        '  ConnectionAttempts 3',
        '  PreferredAuthentications PublicKey,password',
        '  SetEnv A=1 "B=two words" C=x=y',
        '  HostKeyAlias alias-key',
        '  Ciphers +aes128-cbc',
      ].join('\n'),
      'box',
    );
    assert.strictEqual(h.hostname, 'box.internal');
    assert.deepStrictEqual(h.identityFiles, [`${HOME}/.ssh/box-root`]);
    assert.strictEqual(h.identityFilesAreDefaults, false);
    assert.strictEqual(h.identitiesOnly, true);
    assert.strictEqual(h.strictHostKeyChecking, 'no');
    assert.deepStrictEqual(h.userKnownHostsFiles, [`${HOME}/.sbx/known_hosts_box.internal`, 'none-is-a-file-here']);
    assert.strictEqual(h.serverAliveInterval, 60);
    assert.strictEqual(h.serverAliveCountMax, 4);
    assert.strictEqual(h.connectTimeout, undefined, 'ConnectTimeout 0: no limit of its own');
    assert.strictEqual(h.connectionAttempts, 3);
    assert.deepStrictEqual(h.preferredAuthentications, ['publickey', 'password']);
    assert.deepStrictEqual(h.setEnv, { A: '1', B: 'two words', C: 'x=y' });
    assert.strictEqual(h.hostKeyAlias, 'alias-key');
    assert.strictEqual(h.ciphers, '+aes128-cbc');
  });

  it('maps every StrictHostKeyChecking spelling onto the contract', () => {
    const cases: Record<string, string> = { yes: 'yes', true: 'yes', no: 'no', off: 'no', false: 'no', ask: 'ask', 'accept-new': 'accept-new' };
    for (const [value, expected] of Object.entries(cases)) {
      assert.strictEqual(resolve(`StrictHostKeyChecking ${value}`, 'h').strictHostKeyChecking, expected, value);
    }
  });

  it('splits ProxyJump into typed hops with the ProxyCommand tokens expanded', () => {
    const h = resolve('Host t\n  User bob\n  ProxyJump ssh://j@bastion:2222,%r@[::1]:22,hop3', 't');
    assert.deepStrictEqual(h.proxyJump, [{ user: 'j', host: 'bastion', port: 2222 }, { user: 'bob', host: '::1', port: 22 }, { host: 'hop3' }]);
    assert.strictEqual(h.proxyCommand, undefined);
  });

  describe('a destination typed as user@host (the user is fixed before the config is read, as in ssh)', () => {
    const config = [
      'Host worker',
      '  User admin',
      '  IdentityFile ~/.ssh/id_%r',
      'Match user deploy',
      '  Port 2222',
      '  IdentityFile ~/.ssh/deploy_key',
      'Match originalhost deploy@worker',
      '  Port 3333',
    ].join('\n');

    it('keeps the user against a User line, lets Match user see it and expands %r to it', () => {
      const h = resolve(config, 'deploy@worker');
      assert.strictEqual(h.alias, 'worker', '%n and Match originalhost see the host without the user');
      assert.strictEqual(h.hostname, 'worker');
      assert.strictEqual(h.user, 'deploy');
      assert.strictEqual(h.port, 2222, 'Match user deploy applies');
      assert.deepStrictEqual(h.identityFiles, [`${HOME}/.ssh/id_deploy`, `${HOME}/.ssh/deploy_key`]);
    });

    it('splits at the last "@" and takes no port outside an ssh:// URI', () => {
      assert.strictEqual(resolve(config, 'a@b@worker').user, 'a@b');
      const uri = resolve(config, 'ssh://deploy@worker:2200');
      assert.deepStrictEqual([uri.user, uri.hostname, uri.port], ['deploy', 'worker', 2200]);
      assert.throws(() => resolve(config, '@worker'), (e) => SshError.is(e, 'config'));
    });

    it('takes the user and port of `ssh -l -p` before the destination and the config', () => {
      const h = resolve(config, 'deploy@worker', { user: 'ops', port: 44 });
      assert.deepStrictEqual([h.user, h.port], ['ops', 44]);
      assert.strictEqual(resolve(config, 'worker', { user: 'deploy' }).port, 2222);
    });

    it('without a user, the User line applies', () => {
      const h = resolve(config, 'worker');
      assert.deepStrictEqual([h.user, h.port], ['admin', 22]);
    });
  });

  it('carries the host\'s forwards, typed', () => {
    const h = resolve('Host f\n  LocalForward 8080 localhost:80\n  RemoteForward 9000 [::1]:9001\n  DynamicForward 1080', 'f');
    assert.deepStrictEqual(h.localForwards, [{ listenPort: 8080, connectHost: 'localhost', connectPort: 80 }]);
    assert.deepStrictEqual(h.remoteForwards, [{ listenPort: 9000, connectHost: '::1', connectPort: 9001 }]);
    assert.deepStrictEqual(h.dynamicForwards, [{ listenPort: 1080, connectHost: 'socks' }]);
  });

  it('leaves ProxyCommand raw and drops `none`', () => {
    assert.strictEqual(resolve('ProxyCommand sbx ssh serve %n --stdio', 'b').proxyCommand, 'sbx ssh serve %n --stdio');
    assert.strictEqual(resolve('ProxyCommand none\nProxyCommand nc %h %p', 'b').proxyCommand, undefined);
    assert.deepStrictEqual(resolve('ProxyJump none\nProxyJump bastion', 'b').proxyJump, []);
  });

  it('resolves IdentityAgent for the connection code', () => {
    const env = { HOME, SBX_SOCK: '/run/sbx.sock' };
    assert.strictEqual(resolve('IdentityAgent SSH_AUTH_SOCK', 'h').identityAgent, undefined);
    assert.strictEqual(resolve('IdentityAgent none', 'h').identityAgent, 'none');
    assert.strictEqual(resolve('IdentityAgent $SBX_SOCK', 'h', { env }).identityAgent, '/run/sbx.sock');
    assert.strictEqual(resolve('IdentityAgent $SBX_UNSET', 'h', { env }).identityAgent, 'none');
    assert.strictEqual(resolve('IdentityAgent ~/agent-%h', 'h').identityAgent, `${HOME}/agent-h`);
  });

  it('drops `IdentityFile none` and keeps the defaults away', () => {
    const h = resolve('IdentityFile none', 'h');
    assert.deepStrictEqual(h.identityFiles, []);
    assert.strictEqual(h.identityFilesAreDefaults, false);
  });

  it('follows Includes relative to ~/.ssh, taking ~ from $HOME like glob(3)', () => {
    const fs = memFs({
      '/cfg': 'Include conf.d/*.conf\nHost *\n  User fallback',
      '/tmp/h/.ssh/conf.d/b.conf': 'Host web\n  Port 2\n',
      '/tmp/h/.ssh/conf.d/a.conf': 'Host web\n  User from-a\n  Port 1\n',
    });
    const h = resolveHost('web', { ...base, env: { HOME: '/tmp/h' }, configFiles: ['/cfg'], fs });
    assert.strictEqual(h.user, 'from-a');
    assert.strictEqual(h.port, 1);
  });

  it('does not run Match exec unless asked to, and says so', () => {
    const config = 'Match exec "touch /tmp/never"\n  User exec';
    const warnings: string[] = [];
    assert.strictEqual(resolve(config, 'h', { onWarning: (m) => warnings.push(m) }).user, 'alice');
    assert.match(warnings.join('\n'), /not run/);
    assert.strictEqual(resolve('Match !exec "x"\n  User exec', 'h').user, 'alice', 'a negated exec does not match either');
    const seen: string[] = [];
    const ran = resolve('Host h\n  HostName real\nMatch exec "check %h %n"\n  User exec', 'h', { runMatchExec: (c) => (seen.push(c), true) });
    assert.strictEqual(ran.user, 'exec');
    assert.deepStrictEqual(seen, ['check real h']);
    // A host name that would be shell syntax in the command is refused, not run.
    const never: string[] = [];
    assert.throws(
      () => resolve('Host h\n  HostName $(touch${IFS}/tmp/x)\nMatch exec "check %h"\n  User exec', 'h', { runMatchExec: (c) => (never.push(c), true) }),
      /host name .* characters a shell would act on/,
    );
    assert.deepStrictEqual(never, []);
  });

  it('refuses a group-writable ~/.ssh/config or include, as ssh does', function () {
    if (process.getuid === undefined) this.skip();
    const uid = process.getuid();
    const fs = memFs({ '/home/alice/.ssh/config': 'User x\nInclude /inc', '/inc': 'Port 2' }, { '/home/alice/.ssh/config': { uid, mode: 0o100664 } });
    assert.throws(() => resolveHost('h', { ...base, fs }), /Bad owner or permissions/);
    const fs2 = memFs({ '/cfg': 'Include /inc', '/inc': 'Port 2' }, { '/inc': { uid: uid + 1, mode: 0o100644 } });
    assert.throws(() => resolveHost('h', { ...base, configFiles: ['/cfg'], fs: fs2 }), /Bad owner or permissions/);
  });

  it('reports config errors as SshError with file and line', () => {
    assert.throws(
      () => resolve('Host a\n  Port 99999', 'b'),
      (err) => SshError.is(err, 'config') && /\/cfg line 2: /.test(err.message),
    );
    assert.throws(() => resolve('', '-oProxyCommand=evil'), (err) => SshError.is(err, 'config'));
  });

  it('prints like ssh -G from resolveOptions', () => {
    const o = resolveOptions('x', { ...base, configFiles: ['/cfg'], fs: memFs({ '/cfg': 'Host x\n  StrictHostKeyChecking accept-new\n  SetEnv A=1\n  ForwardAgent yes' }) });
    assert.deepStrictEqual(o.stricthostkeychecking, ['accept-new']);
    assert.deepStrictEqual(o.setenv, ['A=1']);
    assert.deepStrictEqual(o.identityfile?.[0], '~/.ssh/id_rsa');
    assert.deepStrictEqual(o.forwardagent, ['yes'], 'other keywords: first value as written');
  });

  it('marks the system config and ~/.ssh/config for the hosts registry', () => {
    assert.deepStrictEqual(configFileSpecs([`${HOME}/.ssh/config`, '/etc/ssh/ssh_config', '/extra'], HOME), [
      { path: `${HOME}/.ssh/config`, checkPerm: true },
      { path: '/etc/ssh/ssh_config', system: true },
      { path: '/extra', checkPerm: false },
    ]);
    assert.strictEqual(typeof sshConfigSource.resolve, 'function');
  });
});
