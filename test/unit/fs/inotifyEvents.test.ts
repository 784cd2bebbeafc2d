import * as assert from 'assert';
import { ChangeCoalescer, coveringRoots, InotifyOutput, parseInotifyLine, RemoteChange } from '../../../src/fs/watch/inotifyEvents';

describe('inotify events', () => {
  it('parses inotifywait lines into created/changed/deleted', () => {
    assert.deepStrictEqual(parseInotifyLine('CREATE\t/srv/app/new.txt'), { kind: 'created', path: '/srv/app/new.txt' });
    assert.deepStrictEqual(parseInotifyLine('MOVED_TO\t/srv/app/b'), { kind: 'created', path: '/srv/app/b' });
    assert.deepStrictEqual(parseInotifyLine('CLOSE_WRITE,CLOSE\t/srv/app/a.py'), { kind: 'changed', path: '/srv/app/a.py' });
    assert.deepStrictEqual(parseInotifyLine('DELETE,ISDIR\t/srv/app/old/'), { kind: 'deleted', path: '/srv/app/old' });
    assert.strictEqual(parseInotifyLine('garbage'), undefined);
  });

  it('reads names with newlines and tabs whole, also when a record spans chunks', () => {
    const output = new InotifyOutput(new Set(['/r']));
    assert.deepStrictEqual(output.push('CREATE\t/r/a\nb\t//\nCLOSE_WRITE,CLOSE\t/r/t\tx\t//\n'), [
      { kind: 'created', path: '/r/a\nb' },
      { kind: 'changed', path: '/r/t\tx' },
    ]);
    assert.deepStrictEqual(output.push('CREATE,ISDIR\t/r/d\n'), []);
    assert.deepStrictEqual(output.push('ir\t//\nDELETE\t/r/\n'), [{ kind: 'created', path: '/r/d\nir' }]);
    assert.deepStrictEqual(output.push('x\t//\n'), [{ kind: 'deleted', path: '/r/\nx' }]);
  });

  it('counts self events only for the watched roots (a renamed folder is reported under its new path)', () => {
    const output = new InotifyOutput(new Set(['/r', '/s']));
    // What inotifywait -r prints for `mv /r/sub /r/sub2`, then for the roots going away.
    const out = output.push('MOVED_FROM,ISDIR\t/r/sub\t//\nMOVED_TO,ISDIR\t/r/sub2\t//\nMOVE_SELF\t/r/sub2/\t//\nDELETE_SELF\t/r/\t//\nMOVE_SELF\t/s/\t//\n');
    assert.deepStrictEqual(out, [
      { kind: 'deleted', path: '/r/sub' },
      { kind: 'created', path: '/r/sub2' },
      { kind: 'deleted', path: '/r' },
      { kind: 'deleted', path: '/s' },
    ]);
  });

  it('coalesces a window of events and cancels create+delete pairs', async () => {
    const delivered: RemoteChange[][] = [];
    const c = new ChangeCoalescer((changes) => delivered.push(changes), 20);
    c.add({ kind: 'changed', path: '/a' });
    c.add({ kind: 'changed', path: '/a' });
    c.add({ kind: 'created', path: '/tmp1' });
    c.add({ kind: 'deleted', path: '/tmp1' });
    c.add({ kind: 'deleted', path: '/b' });
    c.add({ kind: 'created', path: '/b' });
    await new Promise((r) => setTimeout(r, 60));
    assert.deepStrictEqual(delivered, [[{ path: '/a', kind: 'changed' }, { path: '/b', kind: 'changed' }]]);
    c.dispose();
  });

  it('turns a storm of 10,000 file events into a few folder refreshes', () => {
    const delivered: RemoteChange[][] = [];
    const c = new ChangeCoalescer((changes) => delivered.push(changes), 1000, 500);
    for (let i = 0; i < 10_000; i++) c.add({ kind: 'changed', path: `/repo/src/dir${i % 7}/file${i}.ts` });
    c.flush();
    assert.strictEqual(delivered.length, 1);
    assert.deepStrictEqual(delivered[0].map((x) => x.path).sort(), Array.from({ length: 7 }, (_, i) => `/repo/src/dir${i}`).sort());
    c.dispose();
  });

  it('keeps only the covering roots', () => {
    assert.deepStrictEqual(coveringRoots(['/a/b', '/a', '/ab', '/c/d', '/c/d/e']), ['/a', '/ab', '/c/d']);
    assert.deepStrictEqual(coveringRoots(['/', '/x']), ['/']);
  });
});
