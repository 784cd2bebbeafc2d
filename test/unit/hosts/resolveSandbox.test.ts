// A gateway sandbox through a real ssh config: the API's answer (untrusted) fills in where to
// connect; which config blocks apply is decided by the sandbox's own host name.
import * as assert from 'assert';
import { GatewayEndpoint } from '../../../src/common/hostEntry';
import { resolveSandbox } from '../../../src/hosts/resolveSandbox';
import { resolveHost } from '../../../src/ssh/config/resolveHost';
import { memFs } from '../ssh/config/memfs';

describe('gateway sandboxes through ssh config', () => {
  const HOME = '/home/alice';
  const config = [
    'Host victim.internal',
    '  ProxyCommand nc %h %p',
    '  IdentityFile ~/.ssh/victim_key',
    '  LocalForward 5432 db:5432',
    'Host *.acme',
    '  IdentityFile ~/.ssh/acme_key',
    '  ServerAliveInterval 7',
  ].join('\n');
  const resolveAlias = (alias: string, preset: { user?: string; port?: number }) =>
    resolveHost(alias, { homeDir: HOME, localUser: 'alice', localHostname: 'laptop', uid: 1000, env: { HOME }, configFiles: ['/cfg'], fs: memFs({ '/cfg': config }), ...preset });
  const endpoint = (hostname: string): GatewayEndpoint => ({ hostname, port: 2222, user: 'rs-1', connectTimeoutSeconds: 120, connectionAttempts: 3, pinnedHostKeys: { keys: ['AAAA'] } });

  it('an API answer naming another config host does not pull in that block (ProxyCommand, keys, forwards)', () => {
    const r = resolveSandbox('rs-1.acme', endpoint('victim.internal'), resolveAlias);
    assert.strictEqual(r.proxyCommand, undefined);
    assert.deepStrictEqual(r.localForwards, []);
    assert.deepStrictEqual(r.identityFiles, [`${HOME}/.ssh/acme_key`]);
    assert.deepStrictEqual([r.alias, r.hostname, r.port, r.user, r.connectTimeout, r.connectionAttempts], ['rs-1.acme', 'victim.internal', 2222, 'rs-1', 120, 3]);
    assert.deepStrictEqual(r.pinnedHostKeys, { keys: ['AAAA'] });
  });

  it('a `Host *.acme` block applies to the gateway\'s sandboxes wherever the API places them', () => {
    const r = resolveSandbox('rs-1.acme', endpoint('10.0.0.5'), resolveAlias);
    assert.deepStrictEqual(r.identityFiles, [`${HOME}/.ssh/acme_key`]);
    assert.strictEqual(r.serverAliveInterval, 7);
  });
});
