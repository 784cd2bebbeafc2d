// One host's watching (HostWatch, the editor-free core of the remote watcher) against real
// sshd: inotifywait runs (restarts, failures, disposal) and the polling fallback. The
// "remote" disk is this machine, so tests edit it directly.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RemoteSessions } from '../../../src/fs/remoteSessions';
import { HostWatch } from '../../../src/fs/watch/hostWatch';
import { SessionChannel } from '../../../src/ssh/channels';
import { ConnectionPool } from '../../../src/ssh/pool';
import { SftpSession } from '../../../src/ssh/sftp';
import { startSshd, Sshd, SshdOptions } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { hasInotifywait, inotifywaitsUnder, sleep, until } from './watchSupport';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

type Kind = 'created' | 'changed' | 'deleted';

/** Sees every exec the watcher makes: `open` opens it for real. */
type ExecHook = (command: string, open: () => Promise<SessionChannel>) => Promise<SessionChannel>;
/** Sees every readdir the watcher makes, with the number of the sessions.run it belongs to. */
type ReaddirHook = (dir: string, run: number) => Promise<void> | void;

interface Bench {
  seen: Array<[Kind, string]>;
  watch(p: string, recursive: boolean): { dispose(): void };
  saw(kind: Kind, p: string): boolean;
  dispose(): Promise<void>;
}

function bench(server: Sshd, hooks: { exec?: ExecHook; readdir?: ReaddirHook; maxSessions?: number } = {}): Bench {
  const log = memoryLog();
  const pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], settings: hooks.maxSessions ? { maxSessions: hooks.maxSessions } : undefined, log });
  const sessions = new RemoteSessions(pool, log);
  const seen: Array<[Kind, string]> = [];
  const watcher = new HostWatch('box', hooks.exec ? hookedExec(pool, hooks.exec) : pool, hooks.readdir ? spiedReaddir(sessions, hooks.readdir) : sessions, (changes) => changes.forEach((c) => seen.push([c.kind, c.path])), log);
  return {
    seen,
    // As RemoteWatcher does: the host's watching ends with its last watch.
    watch: (p, recursive) => {
      const remove = watcher.add(p, recursive);
      return {
        dispose: () => {
          remove();
          if (watcher.empty) watcher.dispose();
        },
      };
    },
    saw: (kind, p) => seen.some(([k, q]) => k === kind && q === p),
    async dispose() {
      watcher.dispose();
      await pool.dispose();
    },
  };
}

function hookedExec(pool: ConnectionPool, hook: ExecHook): ConnectionPool {
  return {
    onDidChangeState: pool.onDidChangeState,
    state: (name: string) => pool.state(name),
    acquire: async (name: string) => {
      const ref = await pool.acquire(name);
      return {
        release: () => ref.release(),
        connection: async () => {
          const c = await ref.connection();
          return { exec: (command: string, options: object) => hook(command, () => c.exec(command, options)) };
        },
      };
    },
  } as unknown as ConnectionPool;
}

function spiedReaddir(sessions: RemoteSessions, hook: ReaddirHook): RemoteSessions {
  let runs = 0;
  const spy = (s: SftpSession, run: number) =>
    new Proxy(s, {
      get(target, key) {
        if (key === 'readdir') {
          return async (dir: string, options?: { readAhead?: number }) => {
            await hook(dir, run);
            return target.readdir(dir, options);
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return {
    run: <T>(host: string, op: (s: SftpSession, c: unknown) => Promise<T>) => {
      const run = ++runs;
      return sessions.run(host, (s, c) => op(spy(s, run), c));
    },
  } as unknown as RemoteSessions;
}

/**
 * One sshd per describe block, a bench per test (disposed after it), folders under the sshd's
 * root. `options` runs in `before`, so it may prepare files first.
 */
function useWatchServer(options: () => SshdOptions = () => ({}), requireInotifywait = false) {
  let server: Sshd | undefined;
  let current: Bench | undefined;
  before(async function () {
    if (requireInotifywait && !hasInotifywait) this.skip();
    server = await startSshd(options());
  });
  after(async () => server?.stop());
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return {
    get root(): string {
      return server!.root;
    },
    bench(hooks?: { exec?: ExecHook; readdir?: ReaddirHook; maxSessions?: number }): Bench {
      return (current = bench(server!, hooks));
    },
    folder(name: string): string {
      const dir = path.join(server!.root, name);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
  };
}

describe('the remote watcher over inotifywait (real sshd)', function () {
  this.timeout(60000);
  const t = useWatchServer(() => ({}), true);

  it('keeps watching the other roots when one does not exist, and picks it up when its parent shows it', async () => {
    const a = t.folder('missing/a');
    const parent = t.folder('missing/p');
    const later = path.join(parent, 'later');
    const b = t.bench();
    b.watch(a, true);
    b.watch(parent, false);
    b.watch(later, true);
    await until('inotifywait to run', () => inotifywaitsUnder(a) === 1);
    await sleep(1000);
    fs.writeFileSync(path.join(a, 'x.txt'), 'x');
    await until('a created event in the root that exists', () => b!.saw('created', path.join(a, 'x.txt')));
    fs.mkdirSync(later);
    await until('the missing root to be watched once created', () => inotifywaitsUnder(later) === 1, 5000);
    await sleep(1000);
    fs.writeFileSync(path.join(later, 'y.txt'), 'y');
    await until('a created event in the root that appeared', () => b!.saw('created', path.join(later, 'y.txt')), 5000);
  });

  it('looks again for a missing root whose parent nobody watches', async () => {
    const root = path.join(t.folder('unwatched-parent'), 'root');
    const b = t.bench();
    b.watch(root, true);
    await sleep(1500);
    fs.mkdirSync(root);
    await until('the missing root to be watched once created', () => inotifywaitsUnder(root) === 1, 15000);
    await sleep(1000);
    fs.writeFileSync(path.join(root, 'z.txt'), 'z');
    await until('a created event in the root that appeared', () => b!.saw('created', path.join(root, 'z.txt')), 5000);
  });

  it('watches a root again after it was deleted and created again', async () => {
    const root = t.folder('recreated/root');
    const b = t.bench();
    b.watch(root, true);
    await until('inotifywait to run', () => inotifywaitsUnder(root) === 1);
    await sleep(1000);
    fs.rmSync(root, { recursive: true });
    await until('the deletion reported', () => b!.saw('deleted', root), 5000);
    await until('the run without its root to end', () => inotifywaitsUnder(root) === 0, 5000);
    fs.mkdirSync(root);
    await until('the root to be watched again', () => inotifywaitsUnder(root) === 1, 15000);
    await sleep(1000);
    fs.writeFileSync(path.join(root, 'w.txt'), 'w');
    await until('a created event in the root created again', () => b!.saw('created', path.join(root, 'w.txt')), 5000);
    // Deleted and created again at once (`rm -rf out && mkdir out`): the old watch is gone all the same.
    fs.rmSync(root, { recursive: true });
    fs.mkdirSync(root);
    await sleep(2000);
    fs.writeFileSync(path.join(root, 'v.txt'), 'v');
    await until('a created event in the root replaced at once', () => b!.saw('created', path.join(root, 'v.txt')), 5000);
  });

  it('reports a folder renamed inside a recursive watch under its new name, and follows it', async () => {
    const root = t.folder('rename');
    t.folder('rename/sub');
    const b = t.bench();
    b.watch(root, true);
    await until('inotifywait to run', () => inotifywaitsUnder(root) === 1);
    await sleep(1000);
    fs.renameSync(path.join(root, 'sub'), path.join(root, 'sub2'));
    await until('the renamed folder reported as created', () => b!.saw('created', path.join(root, 'sub2')), 5000);
    assert.ok(b.saw('deleted', path.join(root, 'sub')), JSON.stringify(b.seen));
    fs.writeFileSync(path.join(root, 'sub2', 'inner.txt'), 'i');
    await until('a created event inside the renamed folder', () => b!.saw('created', path.join(root, 'sub2', 'inner.txt')), 5000);
    assert.ok(!b.saw('deleted', path.join(root, 'sub2')), JSON.stringify(b.seen));
  });

  it('reports a name with a newline whole', async () => {
    const root = t.folder('newline');
    const b = t.bench();
    b.watch(root, true);
    await until('inotifywait to run', () => inotifywaitsUnder(root) === 1);
    await sleep(1000);
    fs.writeFileSync(path.join(root, 'a\nb'), 'x');
    await until('a created event for the whole name', () => b!.saw('created', path.join(root, 'a\nb')), 5000);
    assert.ok(!b.seen.some(([, p]) => p === path.join(root, 'a')), JSON.stringify(b.seen));
  });

  it('closes a run whose channel opened after the watch was disposed', async () => {
    const root = t.folder('dispose-open');
    const opened = deferred();
    const gate = deferred();
    const b = t.bench({
      exec: async (_command, open) => {
        const channel = await open();
        opened.resolve();
        await gate.promise;
        return channel;
      },
    });
    const watch = b.watch(root, true);
    await opened.promise;
    await until('inotifywait to run', () => inotifywaitsUnder(root) === 1);
    watch.dispose();
    gate.resolve();
    await until('inotifywait to end after the watch was disposed', () => inotifywaitsUnder(root) === 0, 5000);
  });

  it('runs one restart at a time: a restart while another opens its run leaves one inotifywait', async () => {
    const root = t.folder('serial');
    const x = t.folder('serial/x');
    const y = t.folder('serial/y');
    const firstOpened = deferred();
    const gate = deferred();
    let first = true;
    const b = t.bench({
      exec: async (_command, open) => {
        const channel = await open();
        if (first) {
          first = false;
          firstOpened.resolve();
          await gate.promise;
        }
        return channel;
      },
    });
    b.watch(x, true);
    await firstOpened.promise;
    b.watch(y, true);
    await sleep(1500); // the second restart is due after 200 ms
    gate.resolve();
    await sleep(2000);
    assert.strictEqual(inotifywaitsUnder(root), 1);
    fs.writeFileSync(path.join(y, 'n.txt'), 'n');
    await until('a created event from the second watch', () => b!.saw('created', path.join(y, 'n.txt')), 5000);
  });

  it('closes the old runs when opening a new run fails', async () => {
    const root = t.folder('exec-fails');
    const x = t.folder('exec-fails/x');
    const f = t.folder('exec-fails/f');
    const g = t.folder('exec-fails/g');
    let failFolders = false;
    let execsAfterFailure = -1;
    const b = t.bench({
      exec: async (command, open) => {
        if (execsAfterFailure >= 0) execsAfterFailure++;
        if (failFolders && !/ -r /.test(command)) {
          failFolders = false;
          execsAfterFailure = 0;
          throw new Error('exec refused (test)');
        }
        return open();
      },
    });
    b.watch(x, true);
    b.watch(f, false);
    await until('both runs to start', () => inotifywaitsUnder(root) === 2);
    failFolders = true;
    b.watch(g, false);
    await until('the retry to open both runs again', () => execsAfterFailure >= 2, 10000);
    await sleep(1500);
    assert.strictEqual(inotifywaitsUnder(root), 2);
  });
});

describe('the remote watcher when inotifywait dies at start-up (real sshd)', function () {
  this.timeout(60000);
  let runs: string;
  const t = useWatchServer(() => {
    // An inotifywait that fails like one given a path it cannot watch.
    const bin = fs.mkdtempSync('/tmp/sbx-fake-inotifywait-');
    runs = path.join(bin, 'runs.log');
    fs.writeFileSync(path.join(bin, 'inotifywait'), `#!/bin/sh\necho run >> '${runs}'\necho "Couldn't watch $0: No such file or directory" >&2\nexit 1\n`, { mode: 0o755 });
    return { extraConfig: [`SetEnv PATH=${bin}:/usr/bin:/bin`] };
  });
  after(() => {
    if (runs) fs.rmSync(path.dirname(runs), { recursive: true, force: true });
  });

  it('backs off between restarts and reports no changes for runs that never started', async () => {
    const root = path.join(t.root, 'dies');
    fs.mkdirSync(root);
    const b = t.bench();
    b.watch(root, true);
    await sleep(9000);
    const started = fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0;
    assert.ok(started >= 2, `inotifywait ran ${started} times`);
    // Backing off (2 s, 4 s, 8 s …) there is room for 3 runs in 9 s; a fixed 2 s has 5.
    assert.ok(started <= 3, `inotifywait ran ${started} times in 9 s`);
    assert.deepStrictEqual(b.seen, []);
  });
});

describe('the remote watcher polling, without inotifywait (real sshd)', function () {
  this.timeout(60000);
  const t = useWatchServer(() => ({ extraConfig: ['SetEnv PATH=/nonexistent'] }));

  it('polls the folder of a file watched on its own, and reports only that file', async () => {
    const dir = t.folder('poll-file');
    const file = path.join(dir, 'notes.md');
    fs.writeFileSync(file, 'first\n');
    let listed = 0;
    const b = t.bench({ readdir: () => void listed++ });
    b.watch(file, false);
    await until('the first poll', () => listed > 0);
    await sleep(500);
    fs.writeFileSync(file, 'changed by a build\n');
    fs.writeFileSync(path.join(dir, 'other.txt'), 'o');
    await until('a changed event for the file', () => b!.saw('changed', file), 15000);
    assert.ok(!b.seen.some(([, p]) => p.endsWith('/other.txt')), JSON.stringify(b.seen));
  });

  it('polls every watched folder in turn, at most 50 per tick', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    const dirs = names.map((n) => t.folder(`poll-many/${n}`));
    const last = dirs[dirs.length - 1];
    const perRun = new Map<number, number>();
    let lastListed = false;
    const b = t.bench({
      readdir: (dir, run) => {
        perRun.set(run, (perRun.get(run) ?? 0) + 1);
        if (dir === last) lastListed = true;
      },
    });
    for (const dir of dirs) b.watch(dir, false);
    await until('the 60th folder to be polled', () => lastListed, 15000);
    fs.writeFileSync(path.join(last, 'new.txt'), 'n');
    await until('a created event in the 60th folder', () => b!.saw('created', path.join(last, 'new.txt')), 15000);
    assert.ok(Math.max(...perRun.values()) <= 50, `one tick listed ${Math.max(...perRun.values())} folders`);
  });

  it('reports nothing and stops polling when disposed while a poll is running', async () => {
    const dir = t.folder('poll-dispose');
    const secondPoll = deferred();
    const gate = deferred();
    let listed = 0;
    const b = t.bench({
      readdir: async () => {
        if (++listed !== 2) return;
        secondPoll.resolve();
        await gate.promise;
      },
    });
    const watch = b.watch(dir, false);
    await until('the first poll', () => listed === 1);
    await sleep(500);
    fs.writeFileSync(path.join(dir, 'late.txt'), 'l');
    await secondPoll.promise;
    watch.dispose();
    gate.resolve();
    await sleep(6500); // longer than a poll interval
    assert.deepStrictEqual(b.seen, []);
    assert.strictEqual(listed, 2);
  });
});

describe('the remote watcher on a server with few sessions (real sshd, MaxSessions 5)', function () {
  this.timeout(60000);
  const t = useWatchServer(() => ({ maxSessions: 5 }), true);

  it('restarts its runs when the new ones must wait for the slots the old ones hold', async () => {
    const a = t.folder('few/a');
    const f = t.folder('few/f');
    const c = t.folder('few/c');
    const b = t.bench({ maxSessions: 5 });
    b.watch(a, true);
    b.watch(f, false);
    await until('both runs', () => inotifywaitsUnder(a) === 1 && inotifywaitsUnder(f) === 1);
    // Long-lived channels get 3 of 5 slots: the second new run waits until the old runs end.
    b.watch(c, true);
    await until('the new runs, and the old ones gone', () => inotifywaitsUnder(a) === 1 && inotifywaitsUnder(c) === 1 && inotifywaitsUnder(f) === 1, 10000);
    await sleep(1000);
    fs.writeFileSync(path.join(c, 'n.txt'), 'n');
    await until('a created event in the new root', () => b.saw('created', path.join(c, 'n.txt')), 5000);
  });
});
