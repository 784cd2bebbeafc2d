import * as assert from 'assert';
import * as path from 'path';
import { childPath, isInside, linkTargetProblem, localNameProblem } from '../../../../src/fs/transfer/localNames';

describe('local names for names received from a server', () => {
  const everywhere = ['..', '.', '', '../../.bashrc', '..\\..\\AppData\\x', 'a/b', 'a\\b', 'nul\0byte', '/etc/passwd'];

  for (const [platform, api] of [['posix', path.posix], ['win32', path.win32]] as const) {
    it(`refuses path separators, NUL, "." and ".." (${platform})`, () => {
      for (const name of everywhere) assert.ok(localNameProblem(name, api), `${JSON.stringify(name)} refused on ${platform}`);
    });

    it(`accepts ordinary names (${platform})`, () => {
      for (const name of ['report.csv', '.bashrc', '...x', 'a b', 'ünïcödé', 'console.log', 'CONFIG', 'com10', 'lpt', '.env.local']) {
        assert.strictEqual(localNameProblem(name, api), undefined, `${JSON.stringify(name)} on ${platform}`);
      }
    });
  }

  it('refuses on Windows what Windows would read as something else', () => {
    for (const name of ['C:', 'a:b', 'file:stream', 'CON', 'con', 'nul.txt', 'NUL .txt', 'Com1', 'LPT9.log', 'COM¹', 'conin$', 'aux.tar.gz', 'what?', 'a*b', 'a<b', 'a"b', 'a|b', 'tab\there', 'ends.', 'ends ', '...']) {
      assert.ok(localNameProblem(name, path.win32), `${JSON.stringify(name)} refused on Windows`);
    }
  });

  it('allows on Linux and macOS the names only Windows reserves', () => {
    for (const name of ['C:', 'a:b', 'CON', 'nul.txt', 'what?', 'ends.', 'ends ', '...']) {
      assert.strictEqual(localNameProblem(name, path.posix), undefined, `${JSON.stringify(name)} on posix`);
    }
  });

  it('tells whether a path stays inside a folder', () => {
    assert.ok(isInside('/dl/target', '/dl/target', path.posix));
    assert.ok(isInside('/dl/target', '/dl/target/a/b', path.posix));
    assert.ok(!isInside('/dl/target', '/dl/target/../../.bashrc', path.posix));
    assert.ok(!isInside('/dl/target', '/dl/targetx/a', path.posix));
    assert.ok(!isInside('/dl/target', '/etc', path.posix));
    assert.ok(isInside('C:\\dl\\target', 'C:\\dl\\target\\a', path.win32));
    assert.ok(isInside('C:\\dl\\target', 'c:\\DL\\Target\\a', path.win32), 'Windows paths compare without case');
    assert.ok(!isInside('C:\\dl\\target', 'C:\\dl\\target\\..\\..\\AppData\\x', path.win32));
    assert.ok(!isInside('C:\\dl\\target', 'D:\\dl\\target\\a', path.win32));
  });

  it('joins a server name as one segment below the root, or says why not', () => {
    assert.deepStrictEqual(childPath('/dl/t', '/dl/t/sub', 'a.txt', path.posix), { path: '/dl/t/sub/a.txt' });
    assert.ok('problem' in childPath('/dl/t', '/dl/t', '../../.bashrc', path.posix));
    assert.ok('problem' in childPath('C:\\dl\\t', 'C:\\dl\\t', '..\\..\\AppData\\x', path.win32));
    assert.ok('problem' in childPath('C:\\dl\\t', 'C:\\dl\\t', 'C:x', path.win32));
    assert.deepStrictEqual(childPath('C:\\dl\\t', 'C:\\dl\\t', 'report.csv', path.win32), { path: 'C:\\dl\\t\\report.csv' });
  });

  describe('link targets a download may recreate', () => {
    const cases = {
      posix: { api: path.posix, root: '/home/u/dl/proj', link: '/home/u/dl/proj/sub/l' },
      win32: { api: path.win32, root: 'C:\\Users\\u\\dl\\proj', link: 'C:\\Users\\u\\dl\\proj\\sub\\l' },
    };
    for (const [platform, { api, root, link }] of Object.entries(cases)) {
      it(`allows relative targets inside the download (${platform})`, () => {
        for (const target of ['file.txt', '.', '..', '../other/x', './a/b', 'a/./b', '..\\other']) {
          assert.strictEqual(linkTargetProblem(root, link, target, api), undefined, `${JSON.stringify(target)} on ${platform}`);
        }
      });

      it(`refuses absolute, drive, UNC and escaping targets (${platform})`, () => {
        const refused: [string, RegExp][] = [
          ['/etc/passwd', /absolute/],
          ['\\Windows', /absolute/],
          ['C:\\Windows', /drive letter/],
          ['c:x', /drive letter/],
          ['\\\\attacker\\share\\x', /UNC/],
          ['//attacker/share/x', /UNC/],
          ['\\\\?\\C:\\x', /UNC/],
          ['../../x', /outside/],
          ['..\\..\\..\\x', /outside/],
          ['a/../../..', /climbs/],
          ['sub/l2/..', /climbs/],
          ['', /unusable/],
          ['a\0b', /unusable/],
          ['x'.repeat(4097), /unusable/],
        ];
        for (const [target, why] of refused) {
          const problem = linkTargetProblem(root, link, target, api);
          assert.match(problem ?? 'allowed', why, `${JSON.stringify(target)} on ${platform}`);
        }
      });
    }
  });
});
