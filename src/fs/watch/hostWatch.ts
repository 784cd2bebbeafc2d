// One host's watching, without the editor: `inotifywait -m` over one exec channel per kind
// (recursive roots, single folders) when the remote has it, else polling of the watched paths
// only. It reports RemoteChanges; the vscode adapter (remoteWatcher.ts) turns them into events.
import { StringDecoder } from 'string_decoder';
import { Logger } from '../../common/log';
import { backoffDelay } from '../../common/time';
import { SessionChannel } from '../../ssh/channels';
import { SshConnection } from '../../ssh/connection';
import { shellQuote } from '../../ssh/exec';
import { ConnectionPool, ConnectionRef } from '../../ssh/pool';
import { DirEntry, SftpSession, unlessUnreachable } from '../../ssh/sftp';
import { remoteDirname } from '../remotePath';
import { RemoteSessions } from '../remoteSessions';
import { ChangeCoalescer, coveringRoots, InotifyOutput, inotifyCommand, RemoteChange } from './inotifyEvents';

const POLL_MS = 5000;
/** Watched paths looked at per poll tick at most (in turn): polling cost stays bounded whatever is watched. */
const POLL_MAX_DIRS = 50;
/** A run that lasted this long had started, even if it never said so. */
const STARTED_MS = 30_000;
/** While watched paths are missing, how often to look whether they appeared. */
const MISSING_RECHECK_MS = 10_000;

type Run = [paths: string[], recursive: boolean];

export class HostWatch {
  private readonly recursive = new Map<string, number>();
  private readonly flat = new Map<string, number>();
  private readonly coalescer: ChangeCoalescer;
  private ref: Promise<ConnectionRef | undefined> | undefined;
  private channels: SessionChannel[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private restarting = false;
  private restartAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Per watched path: what it looked like at the last poll, by full path. */
  private snapshots = new Map<string, Map<string, string>>();
  /** The last path polled: the next tick goes on after it. */
  private pollAfter = '';
  private disposed = false;
  private failures = 0;
  /** Watched paths left out of the runs because they do not exist. */
  private missing: string[] = [];
  /** The inotifywait runs now active, to skip restarts that would change nothing. */
  private runningSignature: string | undefined;
  private readonly stateSubscription: { dispose(): void };
  /** A run that had started ended unexpectedly: changes since then are unknown. */
  private missedChanges = false;

  constructor(
    private readonly host: string,
    private readonly pool: ConnectionPool,
    private readonly sessions: RemoteSessions,
    deliver: (changes: RemoteChange[]) => void,
    private readonly log: Logger,
  ) {
    this.coalescer = new ChangeCoalescer(deliver);
    // Back after a drop or a Disconnect: watch again now, not when the backoff says.
    this.stateSubscription = pool.onDidChangeState((change) => {
      if (change.host === host && change.state === 'connected' && this.channels.length === 0 && !this.polling && !this.empty) this.scheduleRestart(0);
    });
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
    if (this.disposed) return; // the pool ref must be released once
    this.disposed = true;
    this.stateSubscription.dispose();
    clearTimeout(this.restartTimer);
    clearTimeout(this.pollTimer);
    this.stopChannels().forEach((c) => c.close());
    this.coalescer.dispose();
    void this.ref?.then((r) => r?.release());
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
      if (this.polling) {
        this.refreshIfMissed();
        return await this.poll();
      }
      const runs = await this.plannedRuns();
      if (this.disposed) return;
      // Editors drop and re-add the same watches often (e.g. around a save): keep what runs.
      const signature = JSON.stringify(runs);
      if (signature === this.runningSignature && this.channels.length === runs.length) return;
      await this.start(connection, runs, signature);
    } catch (err) {
      this.log.debug(`watch ${this.host}: ${err instanceof Error ? err.message : String(err)}`);
      this.retryLater();
    }
  }

  /**
   * The runs for what is watched now. inotifywait fails as a whole if one of its paths cannot
   * be watched, so paths that do not exist are left out, and looked at again later.
   */
  private async plannedRuns(): Promise<Run[]> {
    const roots = coveringRoots(this.recursive.keys());
    const flat = [...this.flat.keys()].filter((p) => !roots.some((r) => r === '/' || p === r || p.startsWith(r + '/')));
    const [rootAttrs, folders] = await this.sessions.run(this.host, (s) =>
      Promise.all([Promise.all(roots.map((p) => unlessUnreachable(s.stat(p)))), Promise.all(flat.map((p) => folderFor(s, p)))]),
    );
    this.missing = [...roots.filter((_, i) => !rootAttrs[i]), ...flat.filter((_, i) => !folders[i])];
    if (this.missing.length && !this.restartTimer) this.scheduleRestart(MISSING_RECHECK_MS);
    const runs: Run[] = [];
    const existingRoots = roots.filter((_, i) => rootAttrs[i]);
    const flatFolders = [...new Set(folders.filter((f): f is string => f !== undefined))];
    if (existingRoots.length) runs.push([existingRoots, true]);
    if (flatFolders.length) runs.push([flatFolders, false]);
    return runs;
  }

  /** Starts the new runs before stopping the old ones, so no change falls into a gap. */
  private async start(connection: SshConnection, runs: Run[], signature: string): Promise<void> {
    const previous = this.stopChannels();
    try {
      for (const [paths, recursive] of runs) {
        // Long-lived: the watcher never takes the session slots file operations need. If the new
        // run has to wait for a slot, the old runs hold it: end them now rather than wait forever.
        const onWaiting = () => previous.splice(0).forEach((c) => c.close());
        const channel = await connection.exec(inotifyCommand(paths, recursive, shellQuote), { kind: 'long-lived', onWaiting });
        // Disposed while it opened: nothing else would ever close it, and its inotifywait would run on.
        if (this.disposed) {
          channel.close();
          return;
        }
        this.channels.push(channel);
        this.follow(channel, paths, recursive);
      }
      this.runningSignature = signature;
      this.refreshIfMissed();
    } finally {
      // The old runs go whatever happened here: nobody tracks them any more.
      if (this.disposed) previous.forEach((c) => c.close());
      else setTimeout(() => previous.forEach((c) => c.close()), 500);
    }
  }

  private follow(channel: SessionChannel, roots: string[], recursive: boolean): void {
    const output = new InotifyOutput(new Set(roots));
    const openedAt = Date.now();
    let established = false;
    let stderr = '';
    const text = new StringDecoder('utf8');
    channel.onData((chunk) => {
      if (this.disposed) return;
      for (const change of output.push(text.write(chunk))) {
        this.coalescer.add(change);
        if (change.kind === 'deleted' && roots.includes(change.path)) this.rootGone();
        else if (change.kind !== 'deleted' && this.mayBringBack(change.path)) this.scheduleRestart();
      }
    });
    channel.onStderr((d) => {
      stderr = (stderr + d.toString()).slice(-4096);
      // Every watch is set: this run has started, so retries back off from scratch again.
      if (!established && /Watches established/.test(stderr)) {
        established = true;
        this.failures = 0;
      }
    });
    void channel.closed.then(({ code }) => {
      if (this.disposed || !this.channels.includes(channel)) return;
      if (code === 127 || /not found/i.test(stderr)) {
        this.log.info(`watch ${this.host}: inotifywait is not installed on the remote; polling watched folders every ${POLL_MS / 1000} s`);
        this.polling = true;
      } else {
        this.log.debug(`watch ${this.host}: inotifywait (${recursive ? 'recursive' : 'folders'}) ended with ${code}: ${stderr.trim()}`);
      }
      this.channels = this.channels.filter((c) => c !== channel);
      if (this.polling) return this.scheduleRestart(100);
      // A run that died setting up watched nothing: there is nothing to refresh.
      if (established || Date.now() - openedAt >= STARTED_MS) {
        this.failures = 0;
        // Changes made while we are not watching are unknown: the roots are refreshed once
        // watching again (now, nothing could be read: the link is down or the user disconnected).
        this.missedChanges = true;
      }
      this.retryLater();
    });
  }

  /** Watching again after a gap: tell the editor to look at every root, since changes may have been missed. */
  private refreshIfMissed(): void {
    if (!this.missedChanges) return;
    this.missedChanges = false;
    for (const root of [...this.recursive.keys(), ...this.flat.keys()]) this.coalescer.add({ kind: 'changed', path: root });
  }

  /**
   * inotifywait runs on without a root that went away, and does not see it come back: start
   * afresh, without it while it is missing, or with a new watch if it is already back.
   */
  private rootGone(): void {
    this.runningSignature = undefined;
    this.scheduleRestart();
  }

  /** A change at a missing watched path, or at a folder above one: it may exist now. */
  private mayBringBack(path: string): boolean {
    return this.missing.some((m) => m === path || m.startsWith(path + '/'));
  }

  private retryLater(): void {
    // Disconnected by the user: nothing to retry until they connect (the state change restarts us).
    if (this.disposed || this.pool.state(this.host).held) return;
    this.failures++;
    this.scheduleRestart(backoffDelay({ initialDelayMs: 1000, maxDelayMs: 30_000 }, this.failures));
  }

  /** Looks at watched paths (a bounded number per tick, in turn) and reports what changed since the last look. */
  private async poll(): Promise<void> {
    if (this.disposed) return;
    const paths = [...new Set([...this.recursive.keys(), ...this.flat.keys()])].sort();
    const watched = new Set(paths);
    for (const path of this.snapshots.keys()) if (!watched.has(path)) this.snapshots.delete(path);
    const batch = this.nextPollBatch(paths);
    try {
      await this.sessions.run(this.host, async (s) => {
        const list = listingsOf(s);
        for (const path of batch) {
          const now = await lookAt(path, list);
          if (this.disposed) return;
          this.compare(path, now);
        }
      });
    } catch {
      /* the connection is down; the next tick tries again */
    }
    // Disposed while this tick ran: nothing may run, or report, after dispose.
    if (this.disposed) return;
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.poll(), POLL_MS);
  }

  /** Up to POLL_MAX_DIRS paths, going on after the last one polled: every path gets its turn. */
  private nextPollBatch(sorted: string[]): string[] {
    if (sorted.length <= POLL_MAX_DIRS) return sorted;
    const start = Math.max(0, sorted.findIndex((p) => p > this.pollAfter));
    const batch = [...sorted.slice(start), ...sorted.slice(0, start)].slice(0, POLL_MAX_DIRS);
    this.pollAfter = batch[batch.length - 1];
    return batch;
  }

  private compare(watched: string, now: Map<string, string>): void {
    const before = this.snapshots.get(watched);
    this.snapshots.set(watched, now);
    if (!before) return;
    for (const [path, sig] of now) {
      if (!before.has(path)) this.coalescer.add({ kind: 'created', path });
      else if (before.get(path) !== sig) this.coalescer.add({ kind: 'changed', path });
    }
    for (const path of before.keys()) if (!now.has(path)) this.coalescer.add({ kind: 'deleted', path });
  }

  /** Forgets the running watchers and returns them; the caller closes them (now, or once replaced). */
  private stopChannels(): SessionChannel[] {
    const channels = this.channels;
    this.channels = [];
    this.runningSignature = undefined;
    return channels;
  }
}

/**
 * A watched file is followed through its folder: saves replace files by rename (ours and
 * most editors'), which would end an inotify watch on the file itself. Undefined: neither exists.
 */
async function folderFor(s: SftpSession, path: string): Promise<string | undefined> {
  const attrs = await unlessUnreachable(s.stat(path));
  if (attrs?.isDirectory()) return path;
  const parent = remoteDirname(path);
  if (attrs) return parent;
  return (await unlessUnreachable(s.stat(parent)))?.isDirectory() ? parent : undefined;
}

type Lister = (dir: string) => Promise<DirEntry[] | undefined>;

/** Lists each folder at most once per poll tick: files watched in one folder share its listing. */
function listingsOf(s: SftpSession): Lister {
  const listings = new Map<string, Promise<DirEntry[] | undefined>>();
  return (dir) => {
    let listing = listings.get(dir);
    if (!listing) listings.set(dir, (listing = unlessUnreachable(s.readdir(dir))));
    return listing;
  };
}

/**
 * A watched path as it looks now, by full path: a folder's entries; a file (or a missing
 * path) as its folder lists it, since a file cannot be listed.
 */
async function lookAt(path: string, list: Lister): Promise<Map<string, string>> {
  const signature = (e: DirEntry) => `${e.attrs.mtime}:${e.attrs.size}:${e.attrs.mode}`;
  const entries = await list(path);
  if (entries) {
    const join = (n: string) => (path === '/' ? `/${n}` : `${path}/${n}`);
    return new Map(entries.filter((e) => e.name !== '.' && e.name !== '..').map((e) => [join(e.name), signature(e)]));
  }
  const name = path.slice(path.lastIndexOf('/') + 1);
  const own = (await list(remoteDirname(path)))?.find((e) => e.name === name);
  return new Map(own ? [[path, signature(own)]] : []);
}
