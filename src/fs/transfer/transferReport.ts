// What a transfer did and is doing: counts for progress, and what it left out and why, so
// the user is told at the end (nothing is skipped silently).

export type SymlinkPolicy = 'skip' | 'recreate';

export interface Skipped {
  /** The path as the user knows it: remote for a download, local for an upload. */
  readonly path: string;
  readonly why: string;
}

export interface TransferReport {
  files: number;
  folders: number;
  links: number;
  bytes: number;
  /** The first MAX_SKIPPED_KEPT skipped items; the rest are only counted in `skippedMore`. */
  readonly skipped: Skipped[];
  skippedMore: number;
}

/**
 * Skipped items kept (and logged one by one): a hostile tree can make every one of a million
 * names unusable, and the report must not grow with it.
 */
export const MAX_SKIPPED_KEPT = 1000;

export function emptyReport(): TransferReport {
  return { files: 0, folders: 0, links: 0, bytes: 0, skipped: [], skippedMore: 0 };
}

/** Every item skipped, kept or only counted. */
export function skippedCount(r: TransferReport): number {
  return r.skipped.length + r.skippedMore;
}

/** Records a skipped item, or past the bound only counts it; returns whether it was kept (and so should be logged). */
export function addSkipped(r: TransferReport, item: Skipped, max = MAX_SKIPPED_KEPT): boolean {
  if (r.skipped.length < max) {
    r.skipped.push(item);
    return true;
  }
  r.skippedMore++;
  return false;
}

/** The log line for what was skipped past the bound, or undefined when nothing was. */
export function skippedMoreLine(verb: string, r: TransferReport): string | undefined {
  return r.skippedMore ? `${verb}: … and ${r.skippedMore} more skipped (not listed)` : undefined;
}

/** The answer to "replace this existing item?"; Replace All answers the rest of the transfer too. */
export type ReplaceAnswer = 'replace' | 'replaceAll' | 'skip' | 'cancel';

/**
 * One transfer's replace question: asks `confirm` until Replace All, and turns Cancel into the
 * transfer's cancellation (`cancelled()` builds that error). Used by Upload and Download alike.
 */
export function replaceQuestion<K>(confirm: (target: string, kind: K) => Promise<ReplaceAnswer>, cancelled: () => Error, signal?: AbortSignal): (target: string, kind: K) => Promise<boolean> {
  let replaceAll = false;
  return async (target, kind) => {
    if (replaceAll) return true;
    const answer = await confirm(target, kind);
    if (signal?.aborted || answer === 'cancel') throw cancelled();
    if (answer === 'replaceAll') replaceAll = true;
    return answer !== 'skip';
  };
}

export interface TransferProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly filesDone: number;
  readonly filesTotal: number;
  /** The file being transferred, for the message. */
  readonly current?: string;
}

/** Counts bytes and files against the totals the plan found, and tells `onProgress` at every step. */
export class ProgressCounter {
  private bytesDone = 0;
  private filesDone = 0;
  private current: string | undefined;

  constructor(
    private readonly bytesTotal: number,
    private readonly filesTotal: number,
    private readonly onProgress: ((p: TransferProgress) => void) | undefined,
  ) {}

  startFile(name: string): void {
    this.current = name;
    this.emit();
  }

  bytes(n: number): void {
    this.bytesDone += n;
    this.emit();
  }

  endFile(): void {
    this.filesDone++;
    this.emit();
  }

  private emit(): void {
    this.onProgress?.({ bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, filesDone: this.filesDone, filesTotal: this.filesTotal, current: this.current });
  }
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1,536 → "1.5 KB" (powers of 1,024, as the editor's own file sizes). */
export function formatBytes(n: number): string {
  let value = Math.max(0, n);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** Whole percent done, 0–100 (100 for an empty transfer; never past 100 if a file grew). */
export function percentDone(p: TransferProgress): number {
  if (p.bytesTotal <= 0) return p.filesTotal > 0 ? Math.min(100, Math.floor((100 * p.filesDone) / p.filesTotal)) : 100;
  return Math.min(100, Math.floor((100 * p.bytesDone) / p.bytesTotal));
}

/** "12 MB of 40 MB (30%) · report.csv" */
export function progressMessage(p: TransferProgress): string {
  const counts = `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} (${percentDone(p)}%)`;
  return p.current ? `${counts} · ${p.current}` : counts;
}

/** "3 files, 2 folders, 1.2 MB" */
export function reportSummary(r: TransferReport): string {
  const parts = [`${r.files} ${r.files === 1 ? 'file' : 'files'}`];
  if (r.folders) parts.push(`${r.folders} ${r.folders === 1 ? 'folder' : 'folders'}`);
  if (r.links) parts.push(`${r.links} ${r.links === 1 ? 'link' : 'links'}`);
  parts.push(formatBytes(r.bytes));
  return parts.join(', ');
}

/** The skipped items for a message: the first `max` with their reason, then a count. */
export function skippedSummary(skipped: readonly Skipped[], max = 5, more = 0): string {
  const shown = skipped.slice(0, max).map((s) => `${JSON.stringify(s.path)} (${s.why})`);
  const rest = Math.max(0, skipped.length - max) + more;
  if (rest > 0) shown.push(`and ${rest} more (see the log)`);
  return shown.join(', ');
}
