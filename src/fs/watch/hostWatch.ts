// One host's watching, without the editor: inotifywait runs (inotifyRuns.ts) when the remote
// has it, else polling of the watched paths only (poller.ts); watched paths that do not exist
// yet wait outside the runs (watchPlan.ts). It reports RemoteChanges; the vscode adapter
// (remoteWatcher.ts) turns them into events. Here: what is watched, when to (re)start, backoff.
import { DisposableStore, toDisposable } from '../../common/disposable';
import { Emitter, Event } from '../../common/event';
import { Logger } from '../../common/log';
import { backoffDelay } from '../../common/time';
import { ConnectionPool, ConnectionRef } from '../../ssh/pool';
import { remoteDirname } from '../remotePath';
import { RemoteSessions } from '../remoteSessions';
import { ChangeCoalescer, RemoteChange } from './inotifyEvents';
import { InotifyRuns, RunEnd } from './inotifyRuns';
import { Poller, POLL_MS } from './poller';
import { WatchExcludes } from './watchExcludes';
import { MISSING_RECHECK_MS, WatchPlan } from './watchPlan';

/** Watched paths (roots and folders) per host at most, and their total length: one bounded command line. */
export const MAX_WATCHED_PATHS = 256;
const MAX_WATCHED_PATH_BYTES = 64 * 1024;

export interface HostWatchOptions {
  /** Paths left out of watching; asked at every restart. */
  excludes?(): WatchExcludes;
  /** Most paths watched at once; default MAX_WATCHED_PATHS. */
  maxWatchedPaths?: number;
  /** Told (once per HostWatch) when not everything can be watched as asked, with what happens instead. */
  limited?(message: string): void;
}

/** Paths whose changes are reported from now on. */
export interface WatchStarted {
  readonly paths: readonly string[];
  readonly recursive: boolean;
  readonly polling: boolean;
}

export class HostWatch {
  private readonly recursive = new Map<string, number>();
  private readonly flat = new Map<string, number>();
  private readonly disposables = new DisposableStore();
  private readonly coalescer: ChangeCoalescer;
  private readonly runs: InotifyRuns;
  private readonly plan: WatchPlan;
  private poller: Poller | undefined;
  private readonly startedEmitter = this.disposables.add(new Emitter<WatchStarted>());
  /** Fires when watched paths start being watched (inotifywait set its watches, or polling took its first look). */
  readonly onDidStart: Event<WatchStarted> = this.startedEmitter.event;
  private ref: Promise<ConnectionRef | undefined> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarting = false;
  private restartAgain = false;
  private failures = 0;
  /** A run that had started ended unexpectedly: changes since then are unknown. */
  private missedChanges = false;
  private excludes = WatchExcludes.none();
  private toldLimited = false;

  constructor(
    private readonly host: string,
    private readonly pool: ConnectionPool,
    private readonly sessions: RemoteSessions,
    deliver: (changes: RemoteChange[]) => void,
    private readonly log: Logger,
    private readonly options: HostWatchOptions = {},
  ) {
    this.coalescer = this.disposables.add(new ChangeCoalescer(deliver));
    this.plan = new WatchPlan(host, sessions);
    this.runs = this.disposables.add(
      new InotifyRuns(
        host,
        {
          change: (change) => {
            this.report(change);
            if (change.kind !== 'deleted' && this.plan.mayBringBack(change.path)) this.scheduleRestart();
          },
          // inotifywait runs on without a root that went away, and does not see it come back: start
          // afresh, without it while it is missing, or with a new watch if it is already back.
          rootGone: () => this.scheduleRestart(),
          started: (paths, recursive) => {
            // Every watch is set: this run has started, so retries back off from scratch again.
            this.failures = 0;
            this.startedEmitter.fire({ paths, recursive, polling: false });
          },
          ended: (end) => this.runEnded(end),
        },
        log,
      ),
    );
    // Back after a drop or a Disconnect: watch again now, not when the backoff says.
    this.disposables.add(
      pool.onDidChangeState((change) => {
        if (change.host === host && change.state === 'connected' && !this.runs.running && !this.poller && !this.empty) this.scheduleRestart(0);
      }),
    );
    this.disposables.add(toDisposable(() => clearTimeout(this.restartTimer)));
  }

  get empty(): boolean {
    return this.recursive.size === 0 && this.flat.size === 0;
  }

  add(path: string, recursive: boolean): () => void {
    const set = recursive ? this.recursive : this.flat;
    set.set(path, (set.get(path) ?? 0) + 1);
    this.scheduleRestart();
    return () => {
      const n = (set.get(path) ?? 1) - 1;
      if (n > 0) set.set(path, n);
      else set.delete(path);
      if (!this.empty) this.scheduleRestart();
    };
  }

  dispose(): void {
    if (this.disposables.isDisposed) return; // the pool ref must be released once
    this.disposables.dispose();
    void this.ref?.then((r) => r?.release());
  }

  private get disposed(): boolean {
    return this.disposables.isDisposed;
  }

  /** Watch sets change in bursts when a window opens; restart once they settle. */
  private scheduleRestart(delayMs = 200): void {
    if (this.disposed) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart();
    }, delayMs);
  }

  /** One restart at a time: two interleaved would each open runs, and only one is tracked. */
  private async restart(): Promise<void> {
    if (this.restarting) {
      this.restartAgain = true;
      this.log.trace(`watch ${this.host}: restart queued behind the running one`);
      return;
    }
    this.restarting = true;
    try {
      do {
        this.restartAgain = false;
        await this.restartOnce();
      } while (this.restartAgain && !this.disposed);
    } finally {
      this.restarting = false;
    }
  }

  private async restartOnce(): Promise<void> {
    if (this.disposed) return;
    // A reference keeps the connection (and its reconnects) alive while anything is watched.
    this.ref ??= this.pool.acquire(this.host).catch(() => undefined);
    const ref = await this.ref;
    if (this.disposed) return;
    if (!ref) {
      this.ref = undefined;
      return this.retryLater();
    }
    try {
      const connection = await ref.connection();
      if (this.disposed) return;
      if (this.poller) {
        this.refreshIfMissed();
        return await this.poller.poll();
      }
      this.excludes = this.options.excludes?.() ?? WatchExcludes.none();
      const [recursive, flat] = this.capped();
      const runs = await this.plan.runs(recursive, flat);
      if (this.disposed) return;
      if (this.plan.hasMissing && !this.restartTimer) this.scheduleRestart(MISSING_RECHECK_MS);
      // Editors drop and re-add the same watches often (e.g. around a save): keep what runs.
      // inotifywait matches absolute paths: a root inside an excluded folder (…/node_modules/pkg)
      // would not be watched at all, so then the filtering is left to report() alone.
      const exclude = recursive.some((root) => this.excludes.excludes(root)) ? undefined : this.excludes.inotifyRegex();
      if (this.runs.areRunning(runs, exclude)) return;
      await this.runs.start(connection, runs, exclude);
      if (!this.disposed) this.refreshIfMissed();
    } catch (err) {
      if (this.runs.oneSession && !this.poller) {
        this.startPolling(`the server allows one session at a time, which SFTP holds; polling watched folders every ${POLL_MS / 1000} s`);
        return this.scheduleRestart(100);
      }
      this.log.debug(`watch ${this.host}: ${err instanceof Error ? err.message : String(err)}`);
      this.retryLater();
    }
  }

  private startPolling(why: string): void {
    this.log.info(`watch ${this.host}: ${why}`);
    this.poller = this.disposables.add(
      new Poller(this.host, this.sessions, () => this.capped().flat(), {
        change: (change) => this.report(change),
        started: (paths) => this.startedEmitter.fire({ paths, recursive: false, polling: true }),
      }),
    );
  }

  private runEnded(end: RunEnd): void {
    if ((end.toolMissing || end.limitReached) && !this.poller) {
      const polling = `polling watched folders every ${POLL_MS / 1000} s`;
      if (end.limitReached) this.tellLimited(`${this.host}: the sandbox's inotify limit is reached (fs.inotify.max_user_watches); ${polling} instead, without their subfolders`);
      this.startPolling(end.toolMissing ? `inotifywait is not installed on the remote; ${polling}` : `inotify limit reached; ${polling}`);
    }
    if (this.poller) return this.scheduleRestart(100);
    if (end.started) {
      this.failures = 0;
      // Changes made while we are not watching are unknown: the roots are refreshed once
      // watching again (now, nothing could be read: the link is down or the user disconnected).
      this.missedChanges = true;
    }
    this.retryLater();
  }

  /** A change, unless it is excluded. A path watched on its own (or its folder) is reported all the same, as VS Code does. */
  private report(change: RemoteChange): void {
    if (this.excludes.excludes(this.relativeToRoot(change.path)) && !this.flat.has(change.path) && !this.flat.has(remoteDirname(change.path))) return;
    this.coalescer.add(change);
  }

  /**
   * `path` below the deepest recursive root holding it, as `/rel/path` (VS Code applies excludes
   * relative to the watched folder: a folder opened at …/node_modules/pkg still hears its changes).
   */
  private relativeToRoot(path: string): string {
    let root = '';
    for (const r of this.recursive.keys()) {
      const prefix = r.endsWith('/') ? r : `${r}/`;
      if ((path === r || path.startsWith(prefix)) && r.length > root.length) root = r;
    }
    if (!root || root === '/') return path;
    return path === root ? '/' : path.slice(root.endsWith('/') ? root.length - 1 : root.length);
  }

  /** The watched paths, recursive roots first, within MAX_WATCHED_PATHS and MAX_WATCHED_PATH_BYTES. */
  private capped(): [recursive: string[], flat: string[]] {
    const max = this.options.maxWatchedPaths ?? MAX_WATCHED_PATHS;
    const recursive = [...this.recursive.keys()].sort();
    const flat = [...this.flat.keys()].sort();
    let bytes = 0;
    let kept = 0;
    for (const p of [...recursive, ...flat]) {
      bytes += Buffer.byteLength(p) + 3;
      if (kept >= max || bytes > MAX_WATCHED_PATH_BYTES) break;
      kept++;
    }
    const total = recursive.length + flat.length;
    if (kept < total) this.tellLimited(`${this.host}: ${total} folders and files are watched, more than ${max} (or ${MAX_WATCHED_PATH_BYTES / 1024} KiB of paths); changes in ${total - kept} of them are not reported`);
    return [recursive.slice(0, kept), flat.slice(0, Math.max(0, kept - recursive.length))];
  }

  private tellLimited(message: string): void {
    if (this.toldLimited) return;
    this.toldLimited = true;
    this.log.warn(`watch ${message}`);
    this.options.limited?.(message);
  }

  /** Watching again after a gap: tell the editor to look at every root, since changes may have been missed. */
  private refreshIfMissed(): void {
    if (!this.missedChanges) return;
    this.missedChanges = false;
    for (const root of [...this.recursive.keys(), ...this.flat.keys()]) this.coalescer.add({ kind: 'changed', path: root });
  }

  private retryLater(): void {
    // Disconnected by the user: nothing to retry until they connect (the state change restarts us).
    if (this.disposed || this.pool.state(this.host).held) return;
    this.failures++;
    this.scheduleRestart(backoffDelay({ initialDelayMs: 1000, maxDelayMs: 30_000 }, this.failures));
  }
}
