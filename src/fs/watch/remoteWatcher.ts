// Remote changes made by someone else (another session, an agent, a build) reach the
// editor: one HostWatch per host (hostWatch.ts: inotifywait or polling) turned into
// FileChangeEvents. Our own writes and temp files are not reported back.
import * as vscode from 'vscode';
import { DisposableStore, toDisposable } from '../../common/disposable';
import { Logger } from '../../common/log';
import { ConnectionPool } from '../../ssh/pool';
import { isTempPath } from '../../ssh/sftp';
import { SCHEME } from '../remotePath';
import { RemoteSessions } from '../remoteSessions';
import { RemoteWatching } from '../remoteWatching';
import { HostWatch } from './hostWatch';
import { userWatchExcludes } from './userWatchExcludes';
import { RemoteChange } from './inotifyEvents';

/** How long after our own write finished its echo may still arrive (inotify → ssh → coalescing). */
const OWN_ECHO_MS = 1000;

export class RemoteWatcher implements RemoteWatching, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly hosts = new Map<string, HostWatch>();
  private readonly changes = this.disposables.add(new vscode.EventEmitter<vscode.FileChangeEvent[]>());
  readonly onDidChangeFile = this.changes.event;
  /**
   * Our own writes in progress or just finished: each swallows the one (coalesced) event it
   * causes. A token lives only until shortly after its write, so a missed echo (the watcher
   * was not running yet) cannot swallow someone else's change later.
   */
  private readonly own = new Map<string, { count: number; active: number; until: number }>();
  /** Hosts whose watching limits the user was told about: once per host and session. */
  private readonly toldLimited = new Set<string>();

  constructor(
    private readonly pool: ConnectionPool,
    private readonly sessions: RemoteSessions,
    private readonly log: Logger,
  ) {
    this.disposables.add(
      toDisposable(() => {
        this.hosts.forEach((h) => h.dispose());
        this.hosts.clear();
      }),
    );
  }

  watch(uri: vscode.Uri, options: { recursive: boolean }): vscode.Disposable {
    let host = this.hosts.get(uri.authority);
    if (!host) {
      host = new HostWatch(uri.authority, this.pool, this.sessions, (changes) => this.deliver(uri.authority, changes), this.log, {
        excludes: () => userWatchExcludes(this.log),
        limited: (message) => this.tellLimited(uri.authority, message),
      });
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

  private tellLimited(host: string, message: string): void {
    if (this.toldLimited.has(host)) return;
    this.toldLimited.add(host);
    void vscode.window.showWarningMessage(`Remote changes: ${message}.`);
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
    this.disposables.dispose();
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
    if (events.length) this.changes.fire(events);
  }
}

