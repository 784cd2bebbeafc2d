// Glob patterns (files.watcherExclude's form) as the remote watcher applies them.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { DEFAULT_WATCH_EXCLUDES, WatchExcludes } from '../../../src/fs/watch/watchExcludes';

describe('WatchExcludes', () => {
  const defaults = new WatchExcludes(DEFAULT_WATCH_EXCLUDES);

  it('excludes what VS Code excludes by default, at any depth, and nothing else', () => {
    for (const p of ['/w/.git/objects', '/w/.git/objects/ab/cdef', '/w/a/b/node_modules/pkg', '/w/node_modules/pkg/lib/x.js', '/w/node_modules/top.txt', '/w/.hg/store/data']) {
      assert.ok(defaults.excludes(p), p);
    }
    for (const p of ['/w/node_modules', '/w/.git', '/w/.git/HEAD', '/w/src/objects/x', '/w/my_node_modules/pkg', '/w/.gitobjects']) {
      assert.ok(!defaults.excludes(p), p);
    }
  });

  it('reads * and ? within one name, other characters literally, and relative patterns at any depth', () => {
    const ex = new WatchExcludes(['build', '/abs/only/**', '**/*.log', 'tmp?/**', 'a.b+(c)']);
    assert.ok(ex.excludes('/w/build') && ex.excludes('/w/x/build/out.js') === false, 'a relative name matches that entry');
    assert.ok(ex.excludes('/abs/only') && ex.excludes('/abs/only/x/y') && !ex.excludes('/w/abs/only/x'));
    assert.ok(ex.excludes('/w/x/run.log') && !ex.excludes('/w/x/run.log/y'));
    assert.ok(ex.excludes('/w/tmp1/x') && !ex.excludes('/w/tmp12/x'));
    assert.ok(ex.excludes('/w/a.b+(c)') && !ex.excludes('/w/aXb+(c)'));
  });

  it('uses at most 64 patterns of at most 256 characters and 4 "**", saying which it skipped', () => {
    const skipped: string[] = [];
    const many = Array.from({ length: 70 }, (_, i) => `**/n${i}/**`);
    const ex = new WatchExcludes([...many, 'x'.repeat(300), '**/a/**/b/**/c/**/d/**/e'], (p) => skipped.push(p));
    assert.strictEqual(skipped.length, 6 + 2);
    assert.ok(ex.excludes('/w/n63/x') && !ex.excludes('/w/n64/x'));
  });

  it('gives inotifywait a regex that POSIX extended regex (grep -E) reads the same way', function () {
    const regex = defaults.inotifyRegex()!;
    assert.match('/w/build/', new RegExp(new WatchExcludes(['build']).inotifyRegex()!), 'a folder named by a pattern without /** takes no watch either');
    const input = ['/w/node_modules/pkg/', '/w/node_modules/', '/w/.git/objects/', '/w/.git/', '/w/src/'].join('\n') + '\n';
    const out = execFileSync('grep', ['-E', regex], { input }).toString().split('\n').filter(Boolean);
    assert.deepStrictEqual(out, ['/w/node_modules/pkg/', '/w/.git/objects/']);
    assert.strictEqual(WatchExcludes.none().inotifyRegex(), undefined);
  });
});
