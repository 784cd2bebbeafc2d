import * as assert from 'assert';
import { SshError } from '../../../../src/ssh/errors';
import { clientTokens, connectionHash, expandProxyCommand, expandTilde, expandTokens } from '../../../../src/ssh/config/tokens';

const local = { user: 'alice', homeDir: '/home/alice', hostname: 'laptop.corp.example', uid: 1000 };

describe('ssh_config tokens', () => {
  it('expands the client tokens', () => {
    const t = clientTokens(local, { hostname: 'real.example', port: 2222, user: 'bob', alias: 'web' });
    assert.strictEqual(
      expandTokens('%h %p %r %u %n %d %l %L %i %k %%', t),
      'real.example 2222 bob alice web /home/alice laptop.corp.example laptop 1000 web %',
    );
    assert.strictEqual(t.C, connectionHash('laptop.corp.example', 'real.example', '2222', 'bob'));
    assert.match(t.C, /^[0-9a-f]{40}$/);
  });

  it('uses HostKeyAlias for %k when set', () => {
    const t = clientTokens(local, { hostname: 'h', port: 22, user: 'u', alias: 'a', hostKeyAlias: 'kalias' });
    assert.strictEqual(expandTokens('%k', t), 'kalias');
  });

  it('does not re-scan replacements', () => {
    assert.strictEqual(expandTokens('%h', { h: '%p' }), '%p');
  });

  it('never puts a user or host name a shell would act on into a ProxyCommand (names from a gateway API are not typed by the user)', () => {
    const proxy = (user: string, hostname = 'sbx.example', proxyCommand = 'ssh -W %h:%p -l %r bastion') => expandProxyCommand({ hostname, port: 22, user, alias: 'box', proxyCommand });
    for (const user of ['$(touch /tmp/pwned)', '`id`', 'a;id', 'a|id', 'a b', 'x&y', '-oProxyCommand=x', '#comment', "o'brien", 'a\nb', 'a>b']) {
      assert.throws(() => proxy(user), (e: unknown) => SshError.is(e, 'config') && /user name .* characters a shell would act on/.test((e as Error).message), user);
    }
    assert.throws(() => proxy('ok', 'h$(id)'), (e: unknown) => SshError.is(e, 'config') && /host name/.test((e as Error).message));
    // Sandbox ids and ordinary names pass.
    assert.strictEqual(proxy('rs-abc123-default-x7k9m'), 'ssh -W sbx.example:22 -l rs-abc123-default-x7k9m bastion');
    assert.strictEqual(proxy('sbx.1#x', '::1'), 'ssh -W ::1:22 -l sbx.1#x bastion');
    assert.strictEqual(proxy('first.last@corp'), 'ssh -W sbx.example:22 -l first.last@corp bastion');
    // Only the tokens the command uses are checked.
    assert.strictEqual(proxy('a b', 'sbx.example', 'nc %h %p'), 'nc sbx.example 22');
  });

  it('rejects unknown tokens and a trailing %', () => {
    assert.throws(() => expandTokens('%x', { h: 'a' }), (e) => SshError.is(e, 'config'));
    assert.throws(() => expandTokens('abc%', { h: 'a' }), (e) => SshError.is(e, 'config'));
  });

  it('expands ${VAR} only when an environment is given, and requires it to be set', () => {
    assert.strictEqual(expandTokens('${A}/%h', { h: 'x' }, { A: '/opt' }), '/opt/x');
    assert.strictEqual(expandTokens('${A}', {}), '${A}');
    assert.strictEqual(expandTokens('$A', {}, { A: 'v' }), '$A', 'only the braced form');
    assert.throws(() => expandTokens('${UNSET}', {}, {}), /not set/);
    assert.throws(() => expandTokens('${A', {}, { A: 'v' }), /closing/);
  });

  it('expands ~ the way ssh does', () => {
    assert.strictEqual(expandTilde('~', '/home/alice', 'alice'), '/home/alice/');
    assert.strictEqual(expandTilde('~/', '/home/alice', 'alice'), '/home/alice/');
    assert.strictEqual(expandTilde('~/.ssh/id', '/home/alice', 'alice'), '/home/alice/.ssh/id');
    assert.strictEqual(expandTilde('~//x', '/home/alice', 'alice'), '/home/alice/x');
    assert.strictEqual(expandTilde('~alice/x', '/home/alice', 'alice'), '/home/alice/x');
    assert.strictEqual(expandTilde('/abs/~', '/home/alice', 'alice'), '/abs/~');
    assert.throws(() => expandTilde('~sbx-no-such-user/x', '/home/alice', 'alice'), /no such user/);
  });

  it('expands a ProxyCommand with %h %p %r %n %% only', () => {
    const host = { alias: 'box', hostname: 'box.internal', port: 2200, user: 'root', proxyCommand: 'sbx ssh serve %n --stdio %h:%p %r 100%%' };
    assert.strictEqual(expandProxyCommand(host), 'sbx ssh serve box --stdio box.internal:2200 root 100%');
    assert.throws(() => expandProxyCommand({ ...host, proxyCommand: 'nc %d' }), /unknown token %d/);
    assert.throws(() => expandProxyCommand({ ...host, proxyCommand: undefined }), (e) => SshError.is(e, 'config'));
  });
});
