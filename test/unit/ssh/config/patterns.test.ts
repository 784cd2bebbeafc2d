import * as assert from 'assert';
import { hostLineMatches, isConcreteHostName, isValidHostArgument, matchHostname, matchPattern, matchPatternList } from '../../../../src/ssh/config/patterns';

describe('ssh_config patterns', () => {
  it('matches `*` as any run of characters and `?` as exactly one', () => {
    assert.ok(matchPattern('api.example.com', '*.example.com'));
    assert.ok(matchPattern('x', '*'));
    assert.ok(matchPattern('', '*'));
    assert.ok(matchPattern('web1', 'web?'));
    assert.ok(!matchPattern('web', 'web?'));
    assert.ok(!matchPattern('web12', 'web?'));
    assert.ok(matchPattern('aXbYc', 'a*b*c'));
    assert.ok(matchPattern('abcbc', '*bc'));
    assert.ok(!matchPattern('abcb', '*bc'));
    assert.ok(matchPattern('a.b', 'a?b'), '`.` is an ordinary character');
    assert.ok(!matchPattern('a[b', 'a[]b'), 'no character classes: `[` is literal');
    assert.ok(matchPattern('a[]b', 'a[]b'));
  });

  it('is case-sensitive by itself', () => {
    assert.ok(!matchPattern('Foo', 'foo'));
  });

  it('gives a matching negated entry of a list the last word', () => {
    assert.strictEqual(matchPatternList('db1', 'db*,!db1', false), -1);
    assert.strictEqual(matchPatternList('db1', '!db2,db*', false), 1);
    assert.strictEqual(matchPatternList('web', 'db*,!db1', false), 0);
    assert.strictEqual(matchPatternList('Bob', 'bob', false), 0, 'Match user is case-sensitive');
  });

  it('compares host names case-insensitively on both sides (Match host)', () => {
    assert.strictEqual(matchHostname('App-2.PROD.example', 'app-2.*'), 1);
    assert.strictEqual(matchHostname('app.example', 'APP.*'), 1);
  });

  it('treats each word of a Host line as one pattern, commas included', () => {
    assert.ok(hostLineMatches('beta', ['alpha', 'beta']));
    assert.ok(!hostLineMatches('delta', ['delta,epsilon']));
    assert.ok(!hostLineMatches('bastion', ['*', '!bastion']));
    assert.ok(!hostLineMatches('bastion', ['!bastion', '*']));
    assert.ok(!hostLineMatches('foo', ['!bar']), 'a negation alone matches nothing');
    assert.ok(!hostLineMatches('FOO', ['foo']));
  });

  it('tells concrete host names from patterns', () => {
    assert.deepStrictEqual(['web', '*.x', 'db?', '!bad', 'a.b'].filter(isConcreteHostName), ['web', 'a.b']);
  });

  it('refuses host arguments ssh refuses on its command line (CVE-2023-51385)', () => {
    for (const bad of ['-oProxyCommand=x', 'a b', 'a;b', 'a$b', 'a`b', "a'b", 'a,b', 'a|b', 'a\nb']) assert.ok(!isValidHostArgument(bad), bad);
    for (const good of ['web', 'sbx-01#tok', 'a@b', '10.0.0.1', 'fe80::1%eth0', 'a*b']) assert.ok(isValidHostArgument(good), good);
  });
});
