import * as assert from 'assert';
import { listHostAliases, listHostDeclarations } from '../../../../src/ssh/config/aliases';
import { memFs } from './memfs';

describe('listHostAliases', () => {
  it('lists concrete Host names in order, following Includes anywhere, once each', () => {
    const fs = memFs({
      '/home/a/.ssh/config': ['Host web db *.corp !bad', '  User x', 'Host gpu?', 'Match host x', '  Include conf.d/*', 'Host web build'].join('\n'),
      '/home/a/.ssh/conf.d/1': 'Host sandbox-1 sandbox-2\nInclude ~/.ssh/nested',
      '/home/a/.ssh/nested': 'Host deep "a b" a,b',
      '/etc/ssh/ssh_config': 'Include sys.d/*.conf\nHost *\n  SendEnv LANG',
      '/etc/ssh/sys.d/x.conf': 'Host from-system',
    });
    const aliases = listHostAliases(['/home/a/.ssh/config', { path: '/etc/ssh/ssh_config', system: true }], { homeDir: '/home/a', localUser: 'a', env: { HOME: '/home/a' }, fs });
    assert.deepStrictEqual(aliases, ['web', 'db', 'sandbox-1', 'sandbox-2', 'deep', 'build', 'from-system']);
  });

  it('skips missing files and lines it cannot read', () => {
    const fs = memFs({ '/cfg': 'Host ok\nUser "unterminated\nHost also-ok' });
    assert.deepStrictEqual(listHostAliases(['/missing', '/cfg'], { homeDir: '/h', env: {}, fs }), ['ok', 'also-ok']);
  });

  it('says where each name is first declared: file and 1-based Host line, through Includes', () => {
    const fs = memFs({
      '/home/a/.ssh/config': ['# top', 'Host web', '  User x', '', 'Include conf.d/*', 'Host web db'].join('\n'),
      '/home/a/.ssh/conf.d/1': '\n\nHost sandbox-1',
    });
    assert.deepStrictEqual(listHostDeclarations(['/home/a/.ssh/config'], { homeDir: '/home/a', localUser: 'a', env: { HOME: '/home/a' }, fs }), [
      { name: 'web', file: '/home/a/.ssh/config', line: 2 },
      { name: 'sandbox-1', file: '/home/a/.ssh/conf.d/1', line: 3 },
      { name: 'db', file: '/home/a/.ssh/config', line: 6 },
    ]);
  });
});
