// Watching without inotifywait: every few seconds, look at the watched paths (a bounded
// number per tick, in turn) and report what changed since the last look.
import { DirEntry, joinRemotePath, SftpSession, unlessUnreachable } from '../../ssh/sftp';
import { remoteDirname } from '../remotePath';
import { RemoteSessions } from '../remoteSessions';
import { RemoteChange } from './inotifyEvents';

export const POLL_MS = 5000;
/** Watched paths looked at per poll tick at most (in turn): polling cost stays bounded whatever is watched. */
const POLL_MAX_DIRS = 50;

export interface PollListener {
  change(change: RemoteChange): void;
  /** These paths were looked at for the first time: changes to them are reported from now on. */
  started(paths: string[]): void;
}

export class Poller {
  private timer: NodeJS.Timeout | undefined;
  /** Per watched path: what it looked like at the last poll, by full path. */
  private readonly snapshots = new Map<string, Map<string, string>>();
  /** The last path polled: the next tick goes on after it. */
  private pollAfter = '';
  private disposed = false;

  constructor(
    private readonly host: string,
    private readonly sessions: RemoteSessions,
    /** The paths watched now. */
    private readonly watched: () => string[],
    private readonly listener: PollListener,
  ) {}

  /** Polls now, then every POLL_MS. */
  async poll(): Promise<void> {
    if (this.disposed) return;
    const paths = [...new Set(this.watched())].sort();
    const watched = new Set(paths);
    for (const path of this.snapshots.keys()) if (!watched.has(path)) this.snapshots.delete(path);
    const batch = this.nextBatch(paths);
    const firstLooks: string[] = [];
    try {
      await this.sessions.run(this.host, async (s) => {
        const list = listingsOf(s);
        for (const path of batch) {
          const now = await lookAt(path, list);
          if (this.disposed) return;
          if (this.compare(path, now)) firstLooks.push(path);
        }
      });
    } catch {
      /* the connection is down; the next tick tries again */
    }
    // Disposed while this tick ran: nothing may run, or report, after dispose.
    if (this.disposed) return;
    if (firstLooks.length) this.listener.started(firstLooks);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }

  /** Up to POLL_MAX_DIRS paths, going on after the last one polled: every path gets its turn. */
  private nextBatch(sorted: string[]): string[] {
    if (sorted.length <= POLL_MAX_DIRS) return sorted;
    const start = Math.max(0, sorted.findIndex((p) => p > this.pollAfter));
    const batch = [...sorted.slice(start), ...sorted.slice(0, start)].slice(0, POLL_MAX_DIRS);
    this.pollAfter = batch[batch.length - 1];
    return batch;
  }

  /** Reports what changed at `watched` since the last look; true if this was the first look. */
  private compare(watched: string, now: Map<string, string>): boolean {
    const before = this.snapshots.get(watched);
    this.snapshots.set(watched, now);
    if (!before) return true;
    for (const [path, sig] of now) {
      if (!before.has(path)) this.listener.change({ kind: 'created', path });
      else if (before.get(path) !== sig) this.listener.change({ kind: 'changed', path });
    }
    for (const path of before.keys()) if (!now.has(path)) this.listener.change({ kind: 'deleted', path });
    return false;
  }
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
    // The SFTP channel already leaves out `.` and `..`.
    return new Map(entries.map((e) => [joinRemotePath(path, e.name), signature(e)]));
  }
  const name = path.slice(path.lastIndexOf('/') + 1);
  const own = (await list(remoteDirname(path)))?.find((e) => e.name === name);
  return new Map(own ? [[path, signature(own)]] : []);
}
