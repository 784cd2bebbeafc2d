// One host's watching (HostWatch, the editor-free core of the remote watcher) against real
// sshd: inotifywait runs (restarts, failures, disposal) and the polling fallback. The
// "remote" disk is this machine, so tests edit it directly.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RemoteSessions } from '../../../src/fs/remoteSessions';
import { HostWatch, HostWatchOptions, WatchStarted } from '../../../src/fs/watch/hostWatch';
import { DEFAULT_WATCH_EXCLUDES, WatchExcludes } from '../../../src/fs/watch/watchExcludes';
import { POLL_MS } from '../../../src/fs/watch/poller';
import { SessionChannel } from '../../../src/ssh/channels';
import { ConnectionPool } from '../../../src/ssh/pool';
import { Attributes, SftpSession } from '../../../src/ssh/sftp';
import { startSshd, Sshd, SshdOptions } from '../../support/sshd';
import { memoryLog, targetFor, testPool } from '../../support/targets';
import { hasInotifywait, inotifywaitsUnder, until } from './watchSupport';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Resolves once the inotifywait of a run's channel has set its watches, or the channel closed:
 * either way its process will not appear later (counts of processes are stable from then on).
 */
function settled(channel: SessionChannel): Promise<void> {
  return new Promise((resolve) => {
    let stderr = '';
    channel.onStderr((d) => {
      stderr += d.toString();
      if (/Watches established/.test(stderr)) resolve();
    });
    void channel.closed.then(() => resolve());
  });
}

type Kind = 'created' | 'changed' | 'deleted';

/** Sees every exec the watcher makes: `open` opens it for real. */
type ExecHook = (command: string, open: () => Promise<SessionChannel>) => Promise<SessionChannel>;
/** Sees every readdir the watcher makes, with the number of the sessions.run it belongs to. */
type ReaddirHook = (dir: string, run: number) => Promise<void> | void;
/** Sees every stat the watcher made, once it has its answer. */
type StatHook = (path: string, attrs: Attributes | undefined) => void;

interface Hooks {
  /** sshd and the pool both limited to this many sessions. */
  maxSessions?: number;
  exec?: ExecHook;
  readdir?: ReaddirHook;
  stat?: StatHook;
  options?: HostWatchOptions;
}

interface Bench {
  seen: Array<[Kind, string]>;
  watch(p: string, recursive: boolean): { dispose(): void };
  saw(kind: Kind, p: string): boolean;
  /** Whether the watcher logged a line matching `pattern`. */
  logged(pattern: RegExp): boolean;
  /** Resolves once `kind` was reported for `p`. */
  sees(kind: Kind, p: string, ms?: number): Promise<void>;
  /** Resolves once the watcher said `n` times that a watch covering `p` started (inotifywait set its watches, or polling took its first look). */
  started(p: string, n?: number, ms?: number): Promise<void>;
  dispose(): Promise<void>;
}

function bench(server: Sshd, hooks: Hooks = {}): Bench {
  const log = memoryLog();
  const pool = testPool({ targets: { box: targetFor(server) }, hostKeys: [server.hostKey.publicKey], settings: hooks.maxSessions ? { maxSessions: hooks.maxSessions } : undefined, log });
  const sessions = new RemoteSessions(pool, log);
  const seen: Array<[Kind, string]> = [];
  const starts: WatchStarted[] = [];
  // Waiters look again at every report: tests wait on the watcher's events, never on the clock.
  const waiters = new Set<() => void>();
  const when = (what: string, probe: () => boolean, ms = 10000) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      const check = () => {
        if (!probe()) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}; seen ${JSON.stringify(seen)}, started ${JSON.stringify(starts)}`));
      }, ms);
      waiters.add(check);
      check();
    });
  const notify = () => [...waiters].forEach((check) => check());
  const spied = hooks.readdir || hooks.stat ? spiedSessions(sessions, hooks) : sessions;
  const watcher = new HostWatch('box', hooks.exec ? hookedExec(pool, hooks.exec) : pool, spied, (changes) => {
    changes.forEach((c) => seen.push([c.kind, c.path]));
    notify();
  }, log, hooks.options);
  watcher.onDidStart((start) => {
    starts.push(start);
    notify();
  });
  const saw = (kind: Kind, p: string) => seen.some(([k, q]) => k === kind && q === p);
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
    saw,
    logged: (pattern) => log.lines.some((l) => pattern.test(l)),
    sees: (kind, p, ms) => when(`a ${kind} event for ${p}`, () => saw(kind, p), ms),
    started: (p, n = 1, ms) => when(`start ${n} of a watch of ${p}`, () => starts.filter((s) => s.paths.includes(p)).length >= n, ms),
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

function spiedSessions(sessions: RemoteSessions, hooks: Hooks): RemoteSessions {
  let runs = 0;
  const spy = (s: SftpSession, run: number) =>
    new Proxy(s, {
      get(target, key) {
        if (key === 'readdir' && hooks.readdir) {
          const hook = hooks.readdir;
          return async (dir: string, options?: { readAhead?: number }) => {
            await hook(dir, run);
            return target.readdir(dir, options);
          };
        }
        if (key === 'stat' && hooks.stat) {
          const hook = hooks.stat;
          return async (p: string) => {
            let attrs: Attributes | undefined;
            try {
              return (attrs = await target.stat(p));
            } finally {
              hook(p, attrs);
            }
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
    bench(hooks?: Hooks): Bench {
      return (current = bench(server!, hooks));
    },
    /** inotifywait processes of this sshd watching something under `dir`. */
    inotifywaitsUnder(dir: string): number {
      return inotifywaitsUnder(server!.pid, dir);
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
    await b.started(a);
    fs.writeFileSync(path.join(a, 'x.txt'), 'x');
    await b.sees('created', path.join(a, 'x.txt'));
    fs.mkdirSync(later);
    await b.started(later, 1, 5000);
    fs.writeFileSync(path.join(later, 'y.txt'), 'y');
    await b.sees('created', path.join(later, 'y.txt'), 5000);
  });

  it('leaves out excluded folders (VS Code\'s default files.watcherExclude): no watch inside node_modules packages, no events from them', async () => {
    const root = t.folder('excluded');
    fs.mkdirSync(path.join(root, 'node_modules/pkg/lib'), { recursive: true });
    const commands: string[] = [];
    const b = t.bench({
      options: { excludes: () => new WatchExcludes(DEFAULT_WATCH_EXCLUDES) },
      exec: (command, open) => {
        commands.push(command);
        return open();
      },
    });
    b.watch(root, true);
    await b.started(root);
    assert.ok(commands.some((c) => c.includes('--exclude ')), 'inotifywait is told what to leave out');
    fs.writeFileSync(path.join(root, 'node_modules/pkg/lib/x.js'), 'x');
    fs.writeFileSync(path.join(root, 'node_modules/pkg/index.js'), 'i');
    fs.mkdirSync(path.join(root, 'node_modules/new-pkg'));
    fs.writeFileSync(path.join(root, 'app.js'), 'a');
    await b.sees('created', path.join(root, 'app.js'));
    // Written first, so they would have been reported by now.
    assert.deepStrictEqual(b.seen.filter(([, p]) => p.includes('/node_modules/')), []);
  });

  it('applies excludes relative to the watched folder: a folder opened inside node_modules still hears its changes', async () => {
    const root = t.folder('opened/node_modules/pkg');
    fs.mkdirSync(path.join(root, 'lib'), { recursive: true });
    const b = t.bench({ options: { excludes: () => new WatchExcludes(DEFAULT_WATCH_EXCLUDES) } });
    b.watch(root, true);
    await b.started(root);
    fs.writeFileSync(path.join(root, 'lib', 'x.js'), 'x');
    await b.sees('created', path.join(root, 'lib', 'x.js'));
  });

  it('watches at most maxWatchedPaths paths and says so once', async () => {
    const [a, bb, c] = ['cap/a', 'cap/b', 'cap/c'].map((n) => t.folder(n));
    const told: string[] = [];
    const b = t.bench({ options: { maxWatchedPaths: 2, limited: (m) => told.push(m) } });
    for (const dir of [a, bb, c]) b.watch(dir, false);
    await b.started(a);
    fs.writeFileSync(path.join(c, 'unwatched.txt'), 'c');
    fs.writeFileSync(path.join(a, 'watched.txt'), 'a');
    await b.sees('created', path.join(a, 'watched.txt'));
    assert.ok(!b.seen.some(([, p]) => p.startsWith(c)), JSON.stringify(b.seen));
    assert.strictEqual(told.length, 1, JSON.stringify(told));
    assert.match(told[0], /3 folders and files are watched, more than 2/);
  });

  it('looks again for a missing root whose parent nobody watches', async () => {
    const root = path.join(t.folder('unwatched-parent'), 'root');
    const foundMissing = deferred();
    const b = t.bench({ stat: (p, attrs) => p === root && !attrs && foundMissing.resolve() });
    b.watch(root, true);
    await foundMissing.promise;
    fs.mkdirSync(root);
    await b.started(root, 1, 15000);
    fs.writeFileSync(path.join(root, 'z.txt'), 'z');
    await b.sees('created', path.join(root, 'z.txt'), 5000);
  });

  it('watches a root again after it was deleted and created again', async () => {
    const root = t.folder('recreated/root');
    const b = t.bench();
    b.watch(root, true);
    await b.started(root);
    fs.rmSync(root, { recursive: true });
    await b.sees('deleted', root, 5000);
    await until('the run without its root to end', () => t.inotifywaitsUnder(root) === 0, 5000);
    fs.mkdirSync(root);
    await b.started(root, 2, 15000);
    fs.writeFileSync(path.join(root, 'w.txt'), 'w');
    await b.sees('created', path.join(root, 'w.txt'), 5000);
    // Deleted and created again at once (`rm -rf out && mkdir out`): the old watch is gone all the same.
    fs.rmSync(root, { recursive: true });
    fs.mkdirSync(root);
    await b.started(root, 3, 15000);
    fs.writeFileSync(path.join(root, 'v.txt'), 'v');
    await b.sees('created', path.join(root, 'v.txt'), 5000);
  });

  it('reports a folder renamed inside a recursive watch under its new name, and follows it', async () => {
    const root = t.folder('rename');
    t.folder('rename/sub');
    const b = t.bench();
    b.watch(root, true);
    await b.started(root);
    fs.renameSync(path.join(root, 'sub'), path.join(root, 'sub2'));
    await b.sees('created', path.join(root, 'sub2'), 5000);
    assert.ok(b.saw('deleted', path.join(root, 'sub')), JSON.stringify(b.seen));
    fs.writeFileSync(path.join(root, 'sub2', 'inner.txt'), 'i');
    await b.sees('created', path.join(root, 'sub2', 'inner.txt'), 5000);
    assert.ok(!b.saw('deleted', path.join(root, 'sub2')), JSON.stringify(b.seen));
  });

  it('reports a name with a newline whole', async () => {
    const root = t.folder('newline');
    const b = t.bench();
    b.watch(root, true);
    await b.started(root);
    fs.writeFileSync(path.join(root, 'a\nb'), 'x');
    await b.sees('created', path.join(root, 'a\nb'), 5000);
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
    await until('inotifywait to run', () => t.inotifywaitsUnder(root) === 1);
    watch.dispose();
    gate.resolve();
    await until('inotifywait to end after the watch was disposed', () => t.inotifywaitsUnder(root) === 0, 5000);
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
          await settled(channel);
          firstOpened.resolve();
          await gate.promise;
        }
        return channel;
      },
    });
    b.watch(x, true);
    await firstOpened.promise;
    b.watch(y, true);
    // The second restart comes while the first one is still opening its run.
    await until('the second restart to queue', () => b.logged(/restart queued behind the running one/));
    gate.resolve();
    await b.started(y);
    await until('the replaced run to end', () => t.inotifywaitsUnder(root) === 1, 5000);
    fs.writeFileSync(path.join(y, 'n.txt'), 'n');
    await b.sees('created', path.join(y, 'n.txt'), 5000);
    assert.strictEqual(t.inotifywaitsUnder(root), 1);
  });

  it('closes the old runs when opening a new run fails', async () => {
    const root = t.folder('exec-fails');
    const x = t.folder('exec-fails/x');
    const f = t.folder('exec-fails/f');
    const g = t.folder('exec-fails/g');
    let failFolders = false;
    let failed = false;
    const retried = deferred();
    const runs: Promise<void>[] = [];
    const b = t.bench({
      exec: async (command, open) => {
        if (failFolders && !/ -r /.test(command)) {
          failFolders = false;
          failed = true;
          throw new Error('exec refused (test)');
        }
        const channel = await open();
        runs.push(settled(channel));
        // The retry's recursive run: the first one opened after the failure.
        if (failed && / -r /.test(command)) {
          failed = false;
          channel.onStderr((d) => /Watches established/.test(d.toString()) && retried.resolve());
        }
        return channel;
      },
    });
    b.watch(x, true);
    b.watch(f, false);
    await b.started(x);
    await b.started(f);
    failFolders = true;
    b.watch(g, false);
    // The retry opens both runs again; the runs of the failed restart are gone by then.
    await b.started(g, 1, 10000);
    await retried.promise;
    await Promise.all(runs);
    await until("two inotifywaits, the retry's", () => t.inotifywaitsUnder(root) === 2, 5000);
    fs.writeFileSync(path.join(g, 'n.txt'), 'n');
    await b.sees('created', path.join(g, 'n.txt'), 5000);
    assert.strictEqual(t.inotifywaitsUnder(root), 2);
  });
});

describe('the remote watcher when inotifywait dies at start-up (real sshd)', function () {
  this.timeout(60000);
  let runs: string;
  const t = useWatchServer(() => {
    // An inotifywait that fails like one given a path it cannot watch; it notes when it ran.
    const bin = fs.mkdtempSync('/tmp/sbx-fake-inotifywait-');
    runs = path.join(bin, 'runs.log');
    fs.writeFileSync(path.join(bin, 'inotifywait'), `#!/bin/sh\ndate +%s%N >> '${runs}'\necho "Couldn't watch $0: No such file or directory" >&2\nexit 1\n`, { mode: 0o755 });
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
    const started = () => (fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8').split('\n').filter(Boolean).map((ns) => Number(BigInt(ns) / 1_000_000n)) : []);
    await until('inotifywait to run three times', () => started().length >= 3, 30000);
    const [first, second, third] = started();
    // Backing off, each wait is longer than the one before (2 s, then 4 s); a fixed delay would repeat.
    assert.ok(third - second > second - first, `runs at +0, +${second - first}, +${third - first} ms`);
    assert.deepStrictEqual(b.seen, []);
  });
});

describe('the remote watcher when the sandbox\'s inotify limit is reached (real sshd)', function () {
  this.timeout(60000);
  let bin: string;
  const t = useWatchServer(() => {
    // An inotifywait that fails as the real one does when fs.inotify.max_user_watches is used up.
    bin = fs.mkdtempSync('/tmp/sbx-full-inotifywait-');
    fs.writeFileSync(path.join(bin, 'inotifywait'), `#!/bin/sh\necho "Failed to watch $0; upper limit on inotify watches reached!" >&2\necho "Please increase the amount of inotify watches allowed per user via \\\`/proc/sys/fs/inotify/max_user_watches'." >&2\nexit 1\n`, { mode: 0o755 });
    return { extraConfig: [`SetEnv PATH=${bin}:/usr/bin:/bin`] };
  });
  after(() => {
    if (bin) fs.rmSync(bin, { recursive: true, force: true });
  });

  it('polls the watched folders instead of retrying, and says so once', async () => {
    const root = path.join(t.root, 'full');
    fs.mkdirSync(root);
    const told: string[] = [];
    const b = t.bench({ options: { limited: (m) => told.push(m) } });
    b.watch(root, true);
    await b.started(root, 1, 15000);
    fs.writeFileSync(path.join(root, 'polled.txt'), 'p');
    await b.sees('created', path.join(root, 'polled.txt'), 15000);
    assert.strictEqual(told.length, 1, JSON.stringify(told));
    assert.match(told[0], /inotify limit is reached .*polling/);
  });
});

describe('the remote watcher polling, without inotifywait (real sshd)', function () {
  this.timeout(60000);
  const t = useWatchServer(() => ({ extraConfig: ['SetEnv PATH=/nonexistent'] }));

  it('polls the folder of a file watched on its own, and reports only that file', async () => {
    const dir = t.folder('poll-file');
    const file = path.join(dir, 'notes.md');
    fs.writeFileSync(file, 'first\n');
    const b = t.bench();
    b.watch(file, false);
    await b.started(file);
    fs.writeFileSync(file, 'changed by a build\n');
    fs.writeFileSync(path.join(dir, 'other.txt'), 'o');
    await b.sees('changed', file, 15000);
    assert.ok(!b.seen.some(([, p]) => p.endsWith('/other.txt')), JSON.stringify(b.seen));
  });

  it('polls every watched folder in turn, at most 50 per tick', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    const dirs = names.map((n) => t.folder(`poll-many/${n}`));
    const last = dirs[dirs.length - 1];
    const perRun = new Map<number, number>();
    const b = t.bench({ readdir: (_dir, run) => void perRun.set(run, (perRun.get(run) ?? 0) + 1) });
    for (const dir of dirs) b.watch(dir, false);
    await b.started(last, 1, 15000);
    fs.writeFileSync(path.join(last, 'new.txt'), 'n');
    await b.sees('created', path.join(last, 'new.txt'), 15000);
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
    await b.started(dir);
    fs.writeFileSync(path.join(dir, 'late.txt'), 'l');
    await secondPoll.promise;
    watch.dispose();
    gate.resolve();
    // Nothing announces what must not happen: stay quiet for longer than a poll interval.
    await new Promise((r) => setTimeout(r, POLL_MS + 1500));
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
    await until('both runs', () => t.inotifywaitsUnder(a) === 1 && t.inotifywaitsUnder(f) === 1);
    // Long-lived channels get 3 of 5 slots: the second new run waits until the old runs end.
    b.watch(c, true);
    await until('the new runs, and the old ones gone', () => t.inotifywaitsUnder(a) === 1 && t.inotifywaitsUnder(c) === 1 && t.inotifywaitsUnder(f) === 1, 10000);
    await b.started(c);
    fs.writeFileSync(path.join(c, 'n.txt'), 'n');
    await until('a created event in the new root', () => b.saw('created', path.join(c, 'n.txt')), 5000);
  });
});
