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

describe('WatchExcludes against paths a hostile sandbox prints', () => {
  const hostilePatterns = ['**/*a*a*a*a*a*a*a*b', '**/*-*-*-*.log', '**/build/**/tmp/**', '**/a/**/b/**/c/**', '**/*.*.*.map'];

  it('matches name by name exactly as the anchored regex inotifywait gets would (small cases)', () => {
    const patterns = [...DEFAULT_WATCH_EXCLUDES, ...hostilePatterns, 'build', '/abs/**', 'x?y/**', '*', '**'];
    const names = ['a', 'b', 'ab', 'aab', 'build', 'tmp', 'x-y', 'x.y.z.map', 'node_modules', '.git', 'objects', 'c', 'xzy'];
    const paths: string[] = ['/', '/abs'];
    for (const a of names) {
      paths.push(`/${a}`, `/${a}/`);
      for (const b of names) paths.push(`/${a}/${b}`, `/w/${a}/${b}/c`);
    }
    for (const pattern of patterns) {
      const ex = new WatchExcludes([pattern]);
      const regex = new RegExp(ex.inotifyRegex()!);
      for (const p of paths) assert.strictEqual(ex.excludes(p), regex.test(p), `${pattern} on ${p}`);
    }
  });

  it('answers at once for names crafted against backtracking (a regex took seconds on each)', () => {
    const ex = new WatchExcludes([...DEFAULT_WATCH_EXCLUDES, ...hostilePatterns]);
    assert.strictEqual(ex.excludes('/' + 'a'.repeat(255)), false);
    assert.strictEqual(ex.excludes('/' + '-'.repeat(255)), false);
    assert.strictEqual(ex.excludes('/build'.repeat(600) + '/x'), false);
    assert.strictEqual(ex.excludes('/a'.repeat(400) + '/b'.repeat(400) + '/x'), false);
    assert.strictEqual(ex.excludes('/w/' + 'a'.repeat(200) + 'b'), true, 'a real match still matches');
    assert.strictEqual(ex.excludes('/x'.repeat(3000)), false, 'longer than PATH_MAX: not matched');
  });
});
