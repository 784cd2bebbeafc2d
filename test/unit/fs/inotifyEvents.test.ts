import * as assert from 'assert';
import { ChangeCoalescer, coveringRoots, DEFAULT_COALESCER_LIMITS, InotifyOutput, parseInotifyLine, RemoteChange } from '../../../src/fs/watch/inotifyEvents';

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
    const c = new ChangeCoalescer((changes) => delivered.push(changes), { ...DEFAULT_COALESCER_LIMITS, windowMs: 20 });
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

  it('hands a storm of 10,000 changes over exact, at most 500 per delivery, one delivery per interval', async () => {
    const delivered: RemoteChange[][] = [];
    const c = new ChangeCoalescer((changes) => delivered.push(changes), { windowMs: 1000, chunk: 500, chunkDelayMs: 5, maxQueued: 30_000 });
    const paths = Array.from({ length: 10_000 }, (_, i) => `/repo/src/dir${i % 7}/file${i}.ts`);
    for (const path of paths) c.add({ kind: 'changed', path });
    c.flush();
    assert.strictEqual(delivered.length, 1, 'only the first chunk goes out at once');
    const deadline = Date.now() + 5000;
    while (delivered.flat().length < paths.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.strictEqual(delivered.length, 20);
    assert.ok(delivered.every((d) => d.length <= 500));
    assert.deepStrictEqual(delivered.flat().map((x) => x.path), paths, 'every exact path, in order');
    c.dispose();
  });

  it('collapses what is queued past the bound into one refresh per parent folder', () => {
    const delivered: RemoteChange[][] = [];
    const c = new ChangeCoalescer((changes) => delivered.push(changes), { windowMs: 1000, chunk: 100_000, chunkDelayMs: 5, maxQueued: 1000 });
    for (let i = 0; i < 5000; i++) c.add({ kind: 'changed', path: `/repo/src/dir${i % 7}/file${i}.ts` });
    c.flush();
    const [batch] = delivered;
    assert.strictEqual(batch.length, 500 + 7, 'half the bound exact, then the folders of the rest');
    assert.deepStrictEqual(batch.slice(500).map((x) => x.path).sort(), Array.from({ length: 7 }, (_, i) => `/repo/src/dir${i}`));
    assert.ok(batch.slice(500).every((x) => x.kind === 'changed'));
    c.dispose();
  });

  it('delivers nothing after dispose, even what was queued', async () => {
    const delivered: RemoteChange[][] = [];
    const c = new ChangeCoalescer((changes) => delivered.push(changes), { windowMs: 1000, chunk: 10, chunkDelayMs: 5, maxQueued: 30_000 });
    for (let i = 0; i < 100; i++) c.add({ kind: 'created', path: `/d/f${i}` });
    c.flush();
    c.dispose();
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(delivered.flat().length, 10);
  });

  it('keeps only the covering roots', () => {
    assert.deepStrictEqual(coveringRoots(['/a/b', '/a', '/ab', '/c/d', '/c/d/e']), ['/a', '/ab', '/c/d']);
    assert.deepStrictEqual(coveringRoots(['/', '/x']), ['/']);
  });
});
