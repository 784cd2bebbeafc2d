import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { HostEntry } from '../../../src/common/hostEntry';
import { shellQuote, sshCommandLine } from '../../../src/hosts/sshCommandLine';

const settingsHost = (extra: Partial<HostEntry>): HostEntry => ({ name: 'box', source: 'settings', enabled: true, ...extra });

describe('Copy SSH Command', () => {
  it('an ssh config host is `ssh <alias>`', () => {
    assert.strictEqual(sshCommandLine({ name: 'gpu-1', source: 'sshConfig', enabled: true }), 'ssh gpu-1');
  });

  it('a settings host spells out port, key, jump, known_hosts and user@host', () => {
    assert.strictEqual(
      sshCommandLine(settingsHost({ hostname: '10.0.0.5', port: 2222, user: 'dev', identityFile: '~/.ssh/id ed', proxyJump: 'bastion', knownHostsFile: '/tmp/kh' })),
      "ssh -p 2222 -i ~/'id ed' -J bastion -o UserKnownHostsFile=/tmp/kh dev@10.0.0.5".replace("~/'id ed'", "~/'.ssh/id ed'"),
    );
    assert.strictEqual(sshCommandLine(settingsHost({ hostname: 'h', port: 22 })), 'ssh h');
    assert.strictEqual(sshCommandLine(settingsHost({ proxyCommand: 'nc %h %p' })), "ssh -o 'ProxyCommand=nc %h %p' box");
    assert.strictEqual(sshCommandLine(settingsHost({ hostname: '-oProxyCommand=x' })), 'ssh -- -oProxyCommand=x');
  });

  it('never copies a user token: the place for it is marked', () => {
    assert.strictEqual(sshCommandLine(settingsHost({ hostname: 'gw', user: 'sbx-1', userToken: true })), "ssh 'sbx-1#<token>@gw'");
    assert.strictEqual(sshCommandLine(settingsHost({ hostname: 'gw', user: 'sbx-1#s3cr3t' })), "ssh 'sbx-1#<token>@gw'");
  });

  it('quotes so a POSIX shell reads back exactly the words', () => {
    for (const word of ["it's", 'a b', '$(rm -rf /)', '`x`', 'semi;colon', '-oProxyCommand=x', 'plain-word']) {
      const echoed = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(word)}`], { encoding: 'utf8' });
      assert.strictEqual(echoed, word);
    }
  });
});
