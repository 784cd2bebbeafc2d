// Which inotifywait runs to start for what is watched, and the watched paths left out because
// they do not exist: inotifywait fails as a whole if one of its paths cannot be watched, so
// missing paths wait outside the runs and are looked at again later.
import { SftpSession, unlessUnreachable } from '../../ssh/sftp';
import { remoteDirname } from '../remotePath';
import { RemoteSessions } from '../remoteSessions';
import { coveringRoots } from './inotifyEvents';
import { Run } from './inotifyRuns';

/** While watched paths are missing, how often to look whether they appeared. */
export const MISSING_RECHECK_MS = 10_000;

export class WatchPlan {
  /** Watched paths left out of the runs because they do not exist. */
  private missing: string[] = [];

  constructor(
    private readonly host: string,
    private readonly sessions: RemoteSessions,
  ) {}

  get hasMissing(): boolean {
    return this.missing.length > 0;
  }

  /** The runs for what is watched now; paths that do not exist are left out (and remembered). */
  async runs(recursive: Iterable<string>, flat: Iterable<string>): Promise<Run[]> {
    const roots = coveringRoots(recursive);
    const folders = [...flat].filter((p) => !roots.some((r) => r === '/' || p === r || p.startsWith(r + '/')));
    const [rootAttrs, flatFolders] = await this.sessions.run(this.host, (s) =>
      Promise.all([Promise.all(roots.map((p) => unlessUnreachable(s.stat(p)))), Promise.all(folders.map((p) => folderFor(s, p)))]),
    );
    this.missing = [...roots.filter((_, i) => !rootAttrs[i]), ...folders.filter((_, i) => !flatFolders[i])];
    const runs: Run[] = [];
    const existingRoots = roots.filter((_, i) => rootAttrs[i]);
    const uniqueFolders = [...new Set(flatFolders.filter((f): f is string => f !== undefined))];
    if (existingRoots.length) runs.push([existingRoots, true]);
    if (uniqueFolders.length) runs.push([uniqueFolders, false]);
    return runs;
  }

  /** A change at a missing watched path, or at a folder above one: it may exist now. */
  mayBringBack(path: string): boolean {
    return this.missing.some((m) => m === path || m.startsWith(path + '/'));
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
