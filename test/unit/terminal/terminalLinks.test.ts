import * as assert from 'assert';
import { findFileLinks, resolveRemotePath } from '../../../src/terminal/terminalLinks';

describe('terminal file links', () => {
  const found = (text: string) => findFileLinks(text).map((l) => [text.substr(l.startIndex, l.length), l.path, l.line, l.column]);

  it('finds paths with line and column in the forms compilers and test runners print', () => {
    assert.deepStrictEqual(found('src/app.ts:12:5 - error TS2322'), [['src/app.ts:12:5', 'src/app.ts', 12, 5]]);
    assert.deepStrictEqual(found('  File "/srv/app/main.py", line 3'), [['/srv/app/main.py', '/srv/app/main.py', undefined, undefined]]);
    assert.deepStrictEqual(found('at ./lib/x.js:40 and ../y.rs(7,2)'), [['./lib/x.js:40', './lib/x.js', 40, undefined], ['../y.rs(7,2)', '../y.rs', 7, 2]]);
    assert.deepStrictEqual(found('see ~/notes.md'), [['~/notes.md', '~/notes.md', undefined, undefined]]);
    assert.deepStrictEqual(found('cat /etc/hosts'), [['/etc/hosts', '/etc/hosts', undefined, undefined]]);
  });

  it('ignores version numbers and URLs, and bounds what one line can produce', () => {
    assert.deepStrictEqual(found('node 20.1.0 ready'), []);
    assert.deepStrictEqual(found('open https://example.com/index.html'), []);
    assert.strictEqual(findFileLinks('a.ts '.repeat(500)).length, 32);
  });

  it('resolves against the current folder and home, collapsing . and ..', () => {
    assert.strictEqual(resolveRemotePath('src/app.ts', '/home/u/proj', '/home/u'), '/home/u/proj/src/app.ts');
    assert.strictEqual(resolveRemotePath('../x/./y.ts', '/home/u/proj', undefined), '/home/u/x/y.ts');
    assert.strictEqual(resolveRemotePath('~/a.md', undefined, '/home/u'), '/home/u/a.md');
    assert.strictEqual(resolveRemotePath('/../../etc/hosts', undefined, undefined), '/etc/hosts');
    assert.strictEqual(resolveRemotePath('a.ts', undefined, undefined), undefined);
  });
});
