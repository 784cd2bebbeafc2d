// Remote changes made by someone else (another session, an agent, a build) reach the
// editor: `inotifywait -m` over one exec channel per host and kind (recursive roots, single
// folders) when the remote has it, else polling of the watched folders only. Our own
// writes and temp files are not reported back.
import * as vscode from 'vscode';
import { ClientChannel } from 'ssh2';
import { Logger } from '../../common/log';
import { shellQuote } from '../../ssh/exec';
import { ConnectionPool, ConnectionRef } from '../../ssh/pool';
import { isTempPath } from '../../ssh/sftp';
import { RemoteWatching } from '../sbxFileSystemProvider';
import { SCHEME } from '../remotePath';
import { RemoteSessions } from '../remoteSessions';
import { ChangeCoalescer, coveringRoots, inotifyCommand, parseInotifyLine, RemoteChange } from './inotifyEvents';

/** How long after our own write finished its echo may still arrive (inotify → ssh → coalescing). */
const OWN_ECHO_MS = 1000;
const POLL_MS = 5000;
/** Folders listed per poll tick at most: polling cost stays bounded whatever is watched. */
const POLL_MAX_DIRS = 50;

type Fire = (events: vscode.FileChangeEvent[]) => void;

export class RemoteWatcher implements RemoteWatching, vscode.Disposable {
  private readonly hosts = new Map<string, HostWatch>();
  /**
   * Our own writes in progress or just finished: each swallows the one (coalesced) event it
   * causes. A token lives only until shortly after its write, so a missed echo (the watcher
   * was not running yet) cannot swallow someone else's change later.
   */
  private readonly own = new Map<string, { count: number; active: number; until: number }>();

  constructor(
    private readonly pool: ConnectionPool,
    private readonly sessions: RemoteSessions,
    private readonly fire: Fire,
    private readonly log: Logger,
  ) {}

  watch(uri: vscode.Uri, options: { recursive: boolean }): vscode.Disposable {
    let host = this.hosts.get(uri.authority);
    if (!host) {
      host = new HostWatch(uri.authority, this.pool, this.sessions, (changes) => this.deliver(uri.authority, changes), this.log);
      this.hosts.set(uri.authority, host);
    }
    const h = host;
    const remove = h.add(uri.path || '/', options.recursive);
    return new vscode.Disposable(() => {
      remove();
      if (h.empty) {
        h.dispose();
        this.hosts.delete(uri.authority);
      }
    });
  }

  noteOwnChange(uri: vscode.Uri): () => void {
    const key = `${uri.authority}\n${uri.path}`;
    const token = this.own.get(key) ?? { count: 0, active: 0, until: Infinity };
    token.count++;
    token.active++;
    token.until = Infinity;
    this.own.set(key, token);
    let settled = false;
    return () => {
      if (settled) return;
      settled = true;
      if (--token.active === 0) token.until = Date.now() + OWN_ECHO_MS;
    };
  }

  private consumeOwn(key: string): boolean {
    const own = this.own.get(key);
    if (!own) return false;
    if (--own.count <= 0) this.own.delete(key);
    return true;
  }

  dispose(): void {
    this.hosts.forEach((h) => h.dispose());
    this.hosts.clear();
  }

  private deliver(authority: string, changes: RemoteChange[]): void {
    const now = Date.now();
    for (const [key, own] of this.own) if (now > own.until) this.own.delete(key);
    const events = changes
      .filter((c) => !isTempPath(c.path) && !this.consumeOwn(`${authority}\n${c.path}`))
      .map((c) => ({
        type: c.kind === 'created' ? vscode.FileChangeType.Created : c.kind === 'deleted' ? vscode.FileChangeType.Deleted : vscode.FileChangeType.Changed,
        uri: vscode.Uri.from({ scheme: SCHEME, authority, path: c.path }),
      }));
    if (events.length) this.fire(events);
  }
}

class HostWatch {
  private readonly recursive = new Map<string, number>();
  private readonly flat = new Map<string, number>();
  private readonly coalescer: ChangeCoalescer;
  private ref: Promise<ConnectionRef | undefined> | undefined;
  private channels: ClientChannel[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private snapshots = new Map<string, Map<string, string>>();
  private disposed = false;
  private failures = 0;
  /** The inotifywait runs now active, to skip restarts that would change nothing. */
  private runningSignature: string | undefined;

  constructor(
    private readonly host: string,
    private readonly pool: ConnectionPool,
    private readonly sessions: RemoteSessions,
    deliver: (changes: RemoteChange[]) => void,
    private readonly log: Logger,
  ) {
    this.coalescer = new ChangeCoalescer(deliver);
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
    this.disposed = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.pollTimer);
    this.stopChannels().forEach((c) => c.close());
    this.coalescer.dispose();
    void this.ref?.then((r) => r?.release());
  }

  /** Watch sets change in bursts when a window opens; restart once they settle. */
  private scheduleRestart(delayMs = 200): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.restart(), delayMs);
  }

  private async restart(): Promise<void> {
    if (this.disposed) return;
    // A reference keeps the connection (and its reconnects) alive while anything is watched.
    this.ref ??= this.pool.acquire(this.host).catch(() => undefined);
    const ref = await this.ref;
    if (!ref) {
      this.ref = undefined;
      return this.retryLater();
    }
    try {
      const connection = await ref.connection();
      if (this.polling) return this.poll();
      const recursiveRoots = coveringRoots(this.recursive.keys());
      const uncovered = [...this.flat.keys()].filter((p) => !recursiveRoots.some((r) => r === '/' || p === r || p.startsWith(r + '/')));
      const flatPaths = await this.foldersFor(uncovered);
      const runs: Array<[string[], boolean]> = [];
      if (recursiveRoots.length) runs.push([recursiveRoots, true]);
      if (flatPaths.length) runs.push([flatPaths, false]);
      // Editors drop and re-add the same watches often (e.g. around a save): keep what runs.
      const signature = JSON.stringify(runs);
      if (signature === this.runningSignature && this.channels.length === runs.length) return;
      // Start the new watchers before stopping the old ones, so no change falls into a gap.
      const previous = this.stopChannels();
      for (const [paths, recursive] of runs) {
        const channel = await connection.exec(inotifyCommand(paths, recursive, shellQuote), {});
        this.channels.push(channel);
        this.follow(channel, recursive);
      }
      this.runningSignature = signature;
      setTimeout(() => previous.forEach((c) => c.close()), 500);
      this.failures = 0;
    } catch (err) {
      this.log.debug(`watch ${this.host}: ${err instanceof Error ? err.message : String(err)}`);
      this.retryLater();
    }
  }

  /**
   * A watched file is followed through its folder: saves replace files by rename (ours and
   * most editors'), which would end an inotify watch on the file itself.
   */
  private async foldersFor(paths: string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const folders = await this.sessions.run(this.host, (s) =>
      Promise.all(paths.map(async (p) => ((await s.stat(p).catch(() => undefined))?.isDirectory() ? p : p.slice(0, p.lastIndexOf('/')) || '/'))),
    );
    return [...new Set(folders)];
  }

  private follow(channel: ClientChannel, recursive: boolean): void {
    let buffer = '';
    let stderr = '';
    channel.setEncoding('utf8');
    channel.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const change = parseInotifyLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        if (change) this.coalescer.add(change);
      }
    });
    channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()).length > 4096 && (stderr = stderr.slice(-4096)));
    channel.once('exit', (code: number | null) => {
      if (this.disposed || !this.channels.includes(channel)) return;
      if (code === 127 || /not found/i.test(stderr)) {
        this.log.info(`watch ${this.host}: inotifywait is not installed on the remote; polling watched folders every ${POLL_MS / 1000} s`);
        this.polling = true;
      } else {
        this.log.debug(`watch ${this.host}: inotifywait (${recursive ? 'recursive' : 'folders'}) ended with ${code}: ${stderr.trim()}`);
      }
    });
    channel.once('close', () => {
      if (this.disposed || !this.channels.includes(channel)) return;
      this.channels = this.channels.filter((c) => c !== channel);
      if (this.polling) return this.scheduleRestart(100);
      // Changes made while we were not watching (a reconnect) are unknown: refresh the roots.
      for (const root of [...this.recursive.keys(), ...this.flat.keys()]) this.coalescer.add({ kind: 'changed', path: root });
      this.retryLater();
    });
  }

  private retryLater(): void {
    if (this.disposed) return;
    this.failures++;
    this.scheduleRestart(Math.min(30_000, 1000 * 2 ** Math.min(this.failures, 5)));
  }

  /** Lists watched folders (bounded) and reports what changed since the last look. */
  private async poll(): Promise<void> {
    if (this.disposed) return;
    const dirs = [...new Set([...this.recursive.keys(), ...this.flat.keys()])].slice(0, POLL_MAX_DIRS);
    try {
      await this.sessions.run(this.host, async (s) => {
        for (const dir of dirs) {
          const entries = await s.readdir(dir).catch(() => undefined);
          const now = new Map((entries ?? []).filter((e) => e.name !== '.' && e.name !== '..').map((e) => [e.name, `${e.attrs.mtime}:${e.attrs.size}:${e.attrs.mode}`]));
          const before = this.snapshots.get(dir);
          this.snapshots.set(dir, now);
          if (!before) continue;
          const join = (n: string) => (dir === '/' ? `/${n}` : `${dir}/${n}`);
          for (const [name, sig] of now) {
            if (!before.has(name)) this.coalescer.add({ kind: 'created', path: join(name) });
            else if (before.get(name) !== sig) this.coalescer.add({ kind: 'changed', path: join(name) });
          }
          for (const name of before.keys()) if (!now.has(name)) this.coalescer.add({ kind: 'deleted', path: join(name) });
        }
      });
    } catch {
      /* the connection is down; the next tick tries again */
    }
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.poll(), POLL_MS);
  }

  /** Forgets the running watchers and returns them; the caller closes them (now, or once replaced). */
  private stopChannels(): ClientChannel[] {
    const channels = this.channels;
    this.channels = [];
    this.runningSignature = undefined;
    return channels;
  }
}
