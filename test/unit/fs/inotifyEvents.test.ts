import * as assert from 'assert';
import { ChangeCoalescer, coveringRoots, parseInotifyLine, RemoteChange } from '../../../src/fs/watch/inotifyEvents';

describe('inotify events', () => {
  it('parses inotifywait lines into created/changed/deleted', () => {
    assert.deepStrictEqual(parseInotifyLine('CREATE\t/srv/app/new.txt'), { kind: 'created', path: '/srv/app/new.txt' });
    assert.deepStrictEqual(parseInotifyLine('MOVED_TO\t/srv/app/b'), { kind: 'created', path: '/srv/app/b' });
    assert.deepStrictEqual(parseInotifyLine('CLOSE_WRITE,CLOSE\t/srv/app/a.py'), { kind: 'changed', path: '/srv/app/a.py' });
    assert.deepStrictEqual(parseInotifyLine('DELETE,ISDIR\t/srv/app/old/'), { kind: 'deleted', path: '/srv/app/old' });
    assert.strictEqual(parseInotifyLine('garbage'), undefined);
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
