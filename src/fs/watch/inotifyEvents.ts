// Plain Node: parsing inotifywait output and coalescing bursts into few events.

export type ChangeKind = 'created' | 'changed' | 'deleted';

export interface RemoteChange {
  readonly kind: ChangeKind;
  readonly path: string;
}

/**
 * Ends every record. File names may contain newlines, so a newline alone does not end one; they
 * never contain '/', and watched paths have no empty segment, so no printed path has `//`.
 */
const RECORD_END = '\t//';
/** More than any real record (PATH_MAX is 4096): output without record ends is not ours. */
const MAX_RECORD = 65536;

/**
 * The remote command that watches `paths`; output is `EVENTS<TAB>PATH<TAB>//` per event, and
 * PATH may span lines. Without -q, inotifywait says "Watches established." on stderr once it
 * has set every watch. inotifywait notices a closed channel only when it next writes (and sshd
 * does not signal non-pty sessions), so a reader of stdin ends it as soon as the channel or the
 * connection goes away. Exit code 127 means inotifywait is missing.
 */
export function inotifyCommand(paths: string[], recursive: boolean, quote: (s: string) => string, exclude?: string): string {
  const events = ['modify', 'close_write', 'attrib', 'create', 'delete', 'moved_from', 'moved_to', 'delete_self', 'move_self'];
  const watch = [
    'inotifywait -m',
    recursive ? '-r' : '',
    ...events.map((e) => `-e ${e}`),
    `--format '%e\t%w%f${RECORD_END}'`,
    // Paths matching it get no watch (a recursive run does not descend) and no events.
    exclude ? `--exclude ${quote(exclude)}` : '',
    ...paths.map(quote),
  ]
    .filter(Boolean)
    .join(' ');
  // fd 3 keeps the channel's stdin for the reader: background jobs get /dev/null as stdin.
  // If inotifywait ends by itself (it failed to set a watch), `wait` returns and the channel closes.
  return `command -v inotifywait >/dev/null 2>&1 || exit 127; exec 3<&0; ${watch} </dev/null & w=$!; (cat <&3 >/dev/null 2>&1; kill $w 2>/dev/null) >/dev/null 2>&1 & exec 3<&-; wait $w`;
}

/** One record (`EVENTS<TAB>PATH`, with or without its RECORD_END) as a change. */
export function parseInotifyLine(line: string): RemoteChange | undefined {
  return parseRecord(line)?.change;
}

function parseRecord(record: string): { change: RemoteChange; self: boolean } | undefined {
  if (record.endsWith(RECORD_END)) record = record.slice(0, -RECORD_END.length);
  const tab = record.indexOf('\t');
  if (tab < 0) return undefined;
  const events = record.slice(0, tab).split(',');
  let path = record.slice(tab + 1);
  if (!path.startsWith('/')) return undefined;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const self = events.some((e) => e === 'DELETE_SELF' || e === 'MOVE_SELF');
  if (self || events.some((e) => e === 'DELETE' || e === 'MOVED_FROM')) return { change: { kind: 'deleted', path }, self };
  if (events.some((e) => e === 'CREATE' || e === 'MOVED_TO')) return { change: { kind: 'created', path }, self };
  return { change: { kind: 'changed', path }, self };
}

/**
 * Turns the output of one inotifyCommand run, chunk by chunk, into changes. Self events
 * (DELETE_SELF, MOVE_SELF) count only for the run's roots: inside a recursive watch,
 * inotifywait names a moved folder's own watch by its new path, and the parent's
 * MOVED_FROM/DELETE already reported it.
 */
export class InotifyOutput {
  private buffer = '';

  constructor(private readonly roots: ReadonlySet<string>) {}

  push(chunk: string): RemoteChange[] {
    this.buffer += chunk;
    const changes: RemoteChange[] = [];
    let end: number;
    while ((end = this.buffer.indexOf(RECORD_END + '\n')) >= 0) {
      const parsed = parseRecord(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + RECORD_END.length + 1);
      if (parsed && (!parsed.self || this.roots.has(parsed.change.path))) changes.push(parsed.change);
    }
    if (this.buffer.length > MAX_RECORD) this.buffer = '';
    return changes;
  }
}

export interface CoalescerLimits {
  /** Changes collected before a batch goes out, so a burst is deduplicated first. */
  readonly windowMs: number;
  /** Changes per delivery; bigger sets go out in chunks this size, `chunkDelayMs` apart. */
  readonly chunk: number;
  readonly chunkDelayMs: number;
  /** Undelivered changes beyond this collapse into one `changed` per parent folder. */
  readonly maxQueued: number;
}

/** VS Code's own file watcher hands the editor 500 events per 200 ms and buffers 30,000. */
export const DEFAULT_COALESCER_LIMITS: CoalescerLimits = { windowMs: 100, chunk: 500, chunkDelayMs: 200, maxQueued: 30_000 };

/**
 * Collects changes for a short window and hands them over deduplicated. A storm (a `git
 * checkout` of 10,000 files) goes out as exact changes, a bounded number at a time: the
 * editor reloads an open file and refreshes the Explorer only for exact paths, and is never
 * flooded. Only past `maxQueued` do the rest collapse into their parent folders.
 */
export class ChangeCoalescer {
  private pending = new Map<string, ChangeKind>();
  private timer: NodeJS.Timeout | undefined;
  private queue: RemoteChange[] = [];
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deliver: (changes: RemoteChange[]) => void,
    private readonly limits: CoalescerLimits = DEFAULT_COALESCER_LIMITS,
  ) {}

  add(change: RemoteChange): void {
    const before = this.pending.get(change.path);
    // created then deleted in one window: nothing to report; deleted then created: changed.
    if (before === 'created' && change.kind === 'deleted') this.pending.delete(change.path);
    else if (before === 'deleted' && change.kind === 'created') this.pending.set(change.path, 'changed');
    else if (before === 'created' && change.kind === 'changed') return;
    else this.pending.set(change.path, change.kind);
    this.timer ??= setTimeout(() => this.flush(), this.limits.windowMs);
  }

  /** Ends the window now: its changes join the queue, whose first chunk goes out at once. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = new Map();
    for (const [path, kind] of pending) this.queue.push({ path, kind });
    if (this.queue.length > this.limits.maxQueued) this.collapse();
    if (!this.drainTimer) this.drain();
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.drainTimer);
    this.timer = this.drainTimer = undefined;
    this.pending.clear();
    this.queue = [];
  }

  private drain(): void {
    this.drainTimer = undefined;
    if (this.queue.length === 0) return;
    this.deliver(this.queue.splice(0, this.limits.chunk));
    if (this.queue.length) this.drainTimer = setTimeout(() => this.drain(), this.limits.chunkDelayMs);
  }

  /** Keeps the first maxQueued - (room for the folders) exact; the rest become their folders. */
  private collapse(): void {
    const parents = new Set<string>();
    for (const change of this.queue.slice(this.limits.maxQueued / 2)) parents.add(change.path.slice(0, change.path.lastIndexOf('/')) || '/');
    this.queue = [...this.queue.slice(0, this.limits.maxQueued / 2), ...[...parents].slice(0, this.limits.maxQueued / 2).map((path) => ({ path, kind: 'changed' as const }))];
  }
}

/** The smallest set of roots: paths inside a recursive root are already covered. */
export function coveringRoots(roots: Iterable<string>): string[] {
  const sorted = [...new Set(roots)].sort();
  const result: string[] = [];
  for (const root of sorted) {
    if (!result.some((r) => r === '/' || root === r || root.startsWith(r + '/'))) result.push(root);
  }
  return result;
}
