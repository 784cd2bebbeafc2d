import * as assert from 'assert';
import { hostNameProblem, parseDestination, remoteFolderProblem, splitWords, suggestName } from '../../../src/hosts/destination';

const value = (text: string) => {
  const parsed = parseDestination(text);
  assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.message}`);
  return parsed.value;
};
const message = (text: string) => {
  const parsed = parseDestination(text);
  assert.ok(!parsed.ok, `${text} was accepted as ${JSON.stringify(parsed.ok && parsed.value)}`);
  return parsed.message;
};

describe('Add Host destinations', () => {
  it('takes what Remote-SSH users type', () => {
    assert.deepStrictEqual(value('sandbox.example'), { host: 'sandbox.example' });
    assert.deepStrictEqual(value('  root@sandbox.example:2222 '), { host: 'sandbox.example', user: 'root', port: 2222 });
    assert.deepStrictEqual(value('[::1]:2222'), { host: '::1', port: 2222 });
    assert.deepStrictEqual(value('me@[fe80::1]'), { host: 'fe80::1', user: 'me' });
    assert.deepStrictEqual(value('::1'), { host: '::1' }, 'a bare IPv6 address has no port');
    assert.deepStrictEqual(value('ssh://agent@10.0.0.5:2200'), { host: '10.0.0.5', user: 'agent', port: 2200 });
    assert.deepStrictEqual(value('sandbox-1#tok@gw.example'), { host: 'gw.example', user: 'sandbox-1#tok' });
    assert.deepStrictEqual(value('me@corp.example@gw.example'), { host: 'gw.example', user: 'me@corp.example' }, 'split at the last @, as ssh does');
    assert.deepStrictEqual(value('ssh://deploy;fingerprint=x@gw.example/'), { host: 'gw.example', user: 'deploy' }, 'URI parameters after ";" dropped, as ssh does');
    assert.deepStrictEqual(value('ssh://me@[::1]:2200'), { host: '::1', user: 'me', port: 2200 }, 'still taken, though ssh refuses an IPv6 URI');
  });

  it('takes a whole ssh command line', () => {
    assert.deepStrictEqual(value('ssh user@host -p 2222 -i ~/.ssh/key'), { host: 'host', user: 'user', port: 2222, identityFile: '~/.ssh/key' });
    assert.deepStrictEqual(value('ssh -p2222 -l deploy -J bastion,me@hop:2200 box.internal'), { host: 'box.internal', user: 'deploy', port: 2222, proxyJump: 'bastion,me@hop:2200' });
    assert.deepStrictEqual(value(`ssh -o 'ProxyCommand=cli ssh serve %n --stdio' -o Port=22 -v gw`), { host: 'gw', port: 22, proxyCommand: 'cli ssh serve %n --stdio' });
    assert.deepStrictEqual(value('ssh -i "/keys/my key" h'), { host: 'h', identityFile: '/keys/my key' });
    assert.deepStrictEqual(value('ssh -o HostName=10.1.2.3 alias'), { host: '10.1.2.3' });
    assert.deepStrictEqual(value('ssh -p 2222 me@h:2200'), { host: 'h', user: 'me', port: 2200 }, 'the destination port wins over -p');
  });

  it('says what is wrong, one message per mistake', () => {
    assert.match(message(''), /Type a destination/);
    assert.match(message('   '), /Type a destination/);
    assert.match(message('host:70000'), /Port 70000 is out of range: use 1–65535/);
    assert.match(message('host:0'), /Port 0 is out of range/);
    assert.match(message('host:ssh'), /Port "ssh" is not a number/);
    assert.match(message('host:'), /port after ":" is empty/);
    assert.match(message('ssh -p 99999 host'), /Port 99999 is out of range/);
    assert.match(message('@host'), /user name before "@" is empty/);
    assert.match(message('bad;user@host'), /User name "bad;user" cannot contain ";"/);
    assert.match(message('ssh -A host'), /Unknown ssh option -A: Add Host understands -p, -l, -i, -J and -o/);
    assert.match(message('ssh -L 8080:localhost:80 host'), /Unknown ssh option -L/);
    assert.match(message('ssh -o ForwardAgent=yes host'), /does not understand -o ForwardAgent/);
    assert.match(message('ssh host ls -la'), /"ls" after the host: Add Host takes no remote command/);
    assert.match(message('ssh -p'), /Option -p needs a value/);
    assert.match(message('ssh -v'), /No host given/);
    assert.match(message('ssh'), /Type the host after "ssh"/);
    assert.match(message('ssh "host'), /double quote is not closed/);
    assert.match(message('ho st@x y'), /after the host/);
    assert.match(message('host_with$dollar'), /may only contain letters, digits/);
    assert.match(message('[::1'), /"\[" is not closed/);
    assert.match(message('[not-an-ip]:22'), /not an IP address/);
    assert.match(message('fe80::1::2:22'), /neither a host name nor an IPv6 address/);
    assert.match(message('ssh -J "bad hop" host'), /Jump host "bad hop"/);
    assert.match(message('ssh -J ::1 host'), /OpenSSH does not read this/, 'a bare IPv6 jump host is no hop ssh reads');
    assert.match(message('ssh://h/path'), /cannot have a path/);
  });

  it('splits words like a shell for quotes and escapes', () => {
    assert.deepStrictEqual(splitWords(`a 'b c' "d \\"e\\"" f\\ g`), { ok: true, value: ['a', 'b c', 'd "e"', 'f g'] });
    assert.deepStrictEqual(splitWords(`''`), { ok: true, value: [''] });
  });

  it('refuses names that cannot be the host part of an sbx:// address', () => {
    assert.strictEqual(hostNameProblem('gpu-box_2.dev'), undefined);
    assert.match(hostNameProblem('')!, /Give the host a name/);
    assert.match(hostNameProblem('My-Box')!, /Use lower case \("my-box"\)/);
    assert.match(hostNameProblem('my box')!, /cannot contain spaces/);
    assert.match(hostNameProblem('me@box')!, /cannot contain "@"/);
    assert.match(hostNameProblem('box:22')!, /cannot contain ":"/);
    assert.match(hostNameProblem('a/b')!, /cannot contain "\/"/);
    assert.match(hostNameProblem('-box')!, /starts and ends with a letter/);
    assert.match(hostNameProblem('x'.repeat(254))!, /at most 253/);
  });

  it('suggests a free name from the address', () => {
    assert.strictEqual(suggestName({ host: 'Sandbox.Example' }, new Set()), 'sandbox.example');
    assert.strictEqual(suggestName({ host: '::1', port: 2222 }, new Set()), '1-2222');
    assert.strictEqual(suggestName({ host: 'box', port: 22 }, new Set(['box'])), 'box-2');
    for (const host of ['::1', 'Sandbox.Example', '10.0.0.1']) assert.strictEqual(hostNameProblem(suggestName({ host }, new Set())), undefined, host);
  });

  it('checks the optional remote folder', () => {
    for (const ok of ['', '  ', '~', '~/project', '/srv/app']) assert.strictEqual(remoteFolderProblem(ok), undefined, ok);
    assert.match(remoteFolderProblem('project')!, /absolute path/);
  });
});
