// Download without the editor: remote files and folders to this machine. Every name and
// attribute from the server is untrusted: a name must be one local path segment (else it is
// skipped and reported), every local path stays under the item's target, links are never
// followed (skipped, or recreated verbatim as links), and each file streams with bounded
// memory into a temp file renamed into place. An existing local file is replaced, and an
// existing local folder merged into, only after the caller's confirmation; the plan is bounded
// in entries and depth.
import * as posix from 'path/posix';
import { Logger, nullLogger } from '../../common/log';
import { abortError } from '../../ssh/errors';
import { isLossyName, joinRemotePath, LOSSY_NAME_REASON, SftpSession } from '../../ssh/sftp';
import { enterFolder, LocalConflictError, localKind, writeFileAtomically, writeLinkAtomically } from './localFiles';
import { childPath, isInside, linkTargetProblem, UnsafeLocalPathError } from './localNames';
import { addSkipped, emptyReport, MAX_SKIPPED_KEPT, ProgressCounter, ReplaceAnswer, replaceQuestion, skippedMoreLine, SymlinkPolicy, TransferProgress, TransferReport } from './transferReport';

export interface DownloadItem {
  /** Absolute remote path. */
  readonly remote: string;
  /** Where it lands (the user's choice); nothing is written outside it. */
  readonly local: string;
}

export interface DownloadLimits {
  /** Entries listed in all (files, folders, links, refused names). */
  readonly maxEntries: number;
  /** Folders below the chosen item. */
  readonly maxDepth: number;
  /** Skipped items kept in the report and logged one by one; the rest are counted. */
  readonly maxSkipped: number;
}

/** A million entries is far past any tree worth downloading this way, and keeps the plan's memory bounded. PATH_MAX allows little more than 256 levels anyway. */
export const DOWNLOAD_LIMITS: DownloadLimits = { maxEntries: 1_000_000, maxDepth: 256, maxSkipped: MAX_SKIPPED_KEPT };

export interface DownloadOptions {
  readonly symlinks: SymlinkPolicy;
  /**
   * Asked once for each existing local file the download would replace ('file') and each
   * existing local folder it would merge into ('folder'), before anything is written;
   * 'replaceAll' answers the rest too, 'cancel' ends the download.
   */
  readonly confirmReplace: (local: string, kind: 'file' | 'folder') => Promise<ReplaceAnswer>;
  readonly limits?: Partial<DownloadLimits>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: TransferProgress) => void;
  /** While listing, before the totals are known: the files found so far. */
  readonly onListing?: (filesFound: number) => void;
  readonly log?: Logger;
}

type Planned =
  | { readonly kind: 'folder'; readonly remote: string; readonly local: string; readonly children: Planned[] }
  | { readonly kind: 'file'; readonly remote: string; readonly local: string; readonly size: number }
  | { readonly kind: 'link'; readonly remote: string; readonly local: string };

/** Each remote path into `folder` under its own name; names that cannot be local names are reported instead. */
export function intoFolder(folder: string, remotes: readonly string[]): { items: DownloadItem[]; skipped: { path: string; why: string }[] } {
  const items: DownloadItem[] = [];
  const skipped: { path: string; why: string }[] = [];
  const taken = new Set<string>();
  for (const remote of remotes) {
    const name = posix.basename(remote);
    const local = childPath(folder, folder, name);
    if ('problem' in local) skipped.push({ path: remote, why: `unsafe name: ${local.problem}` });
    else if (taken.has(local.path)) skipped.push({ path: remote, why: 'another selected item has the same name' });
    else {
      taken.add(local.path);
      items.push({ remote, local: local.path });
    }
  }
  return { items, skipped };
}

export async function download(session: SftpSession, items: readonly DownloadItem[], options: DownloadOptions): Promise<TransferReport> {
  const report = emptyReport();
  const log = options.log ?? nullLogger;
  const limits = { ...DOWNLOAD_LIMITS, ...options.limits };
  const skip = (p: string, why: string) => {
    if (addSkipped(report, { path: p, why }, limits.maxSkipped)) log.warn(`download: skipped ${JSON.stringify(p)}: ${why}`);
  };
  const checkCancel = () => {
    if (options.signal?.aborted) throw abortError('download');
  };
  const mayReplace = replaceQuestion(options.confirmReplace, () => abortError('download'), options.signal);
  /**
   * Whether the planned item may go to `local`: nothing there, or the user agreed to replace
   * the file / merge into the folder. Other kinds there are conflicts, skipped when written.
   */
  const mayWrite = async (remote: string, local: string, kind: 'file' | 'folder'): Promise<boolean> => {
    const there = await localKind(local);
    if (kind === 'folder' ? there !== 'folder' : there !== 'file' && there !== 'other') return true;
    if (await mayReplace(local, kind)) return true;
    skip(remote, kind === 'folder' ? 'a folder of that name exists here; not merged into' : 'exists here; the local file was kept');
    return false;
  };
  let entries = 0;
  const countEntry = () => {
    if (++entries > limits.maxEntries) throw new Error(`more than ${limits.maxEntries} entries to download; nothing was written. Download smaller folders.`);
  };

  // 1. Plan: list everything first, for the totals the progress shows.
  let bytesTotal = 0;
  let filesTotal = 0;

  /** `exists`: the local folder exists already, so its children may too. */
  const walk = async (folder: { remote: string; local: string; children: Planned[] }, root: string, exists: boolean, depth: number): Promise<void> => {
    checkCancel();
    const seen = new Set<string>();
    const entries = await session.readdir(folder.remote, { signal: options.signal });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      countEntry();
      const remote = joinRemotePath(folder.remote, entry.name);
      if (entry.lossyName) {
        skip(remote, LOSSY_NAME_REASON);
        continue;
      }
      const local = childPath(root, folder.local, entry.name);
      if ('problem' in local) {
        skip(remote, `unsafe name: ${local.problem}`);
        continue;
      }
      if (seen.has(entry.name)) {
        skip(remote, 'listed twice');
        continue;
      }
      seen.add(entry.name);
      let attrs = entry.attrs;
      if (attrs.isDirectory()) {
        // READDIR's attributes may describe a link's target (some servers do); a folder is
        // entered only after lstat says it is one, so no link is ever descended through.
        attrs = await session.lstat(remote);
      }
      if (attrs.isSymbolicLink()) {
        if (options.symlinks !== 'recreate') skip(remote, 'symbolic link, not followed');
        else if (!exists || (await mayWrite(remote, local.path, 'file'))) folder.children.push({ kind: 'link', remote, local: local.path });
      } else if (attrs.isDirectory()) {
        if (depth + 1 > limits.maxDepth) {
          skip(remote, `folder nested more than ${limits.maxDepth} levels deep`);
          continue;
        }
        if (exists && !(await mayWrite(remote, local.path, 'folder'))) continue;
        const child = { kind: 'folder' as const, remote, local: local.path, children: [] as Planned[] };
        folder.children.push(child);
        await walk(child, root, exists && (await localKind(local.path)) === 'folder', depth + 1);
      } else if (attrs.isFile()) {
        if (!hasSize(attrs)) {
          skip(remote, 'the server did not send its size');
          continue;
        }
        if (exists && !(await mayWrite(remote, local.path, 'file'))) continue;
        folder.children.push({ kind: 'file', remote, local: local.path, size: attrs.size });
        bytesTotal += attrs.size;
        filesTotal++;
        options.onListing?.(filesTotal);
      } else {
        skip(remote, 'not a regular file, folder or link');
      }
    }
  };

  const plan: { item: Planned; root: string }[] = [];
  for (const item of items) {
    checkCancel();
    // The item itself is what the user chose in the Explorer, which shows a link's target:
    // it is resolved (stat). Nothing below it is.
    countEntry();
    // The same rule as the provider's: a path holding a lossily decoded name is not the file's real path.
    if (isLossyName(item.remote)) {
      skip(item.remote, LOSSY_NAME_REASON);
      continue;
    }
    const attrs = await session.stat(item.remote);
    if (attrs.isDirectory()) {
      if (!(await mayWrite(item.remote, item.local, 'folder'))) continue;
      const folder = { kind: 'folder' as const, remote: item.remote, local: item.local, children: [] as Planned[] };
      await walk(folder, item.local, (await localKind(item.local)) === 'folder', 0);
      plan.push({ item: folder, root: item.local });
    } else if (attrs.isFile()) {
      if (!hasSize(attrs)) {
        skip(item.remote, 'the server did not send its size');
        continue;
      }
      if (!(await mayWrite(item.remote, item.local, 'file'))) continue;
      plan.push({ item: { kind: 'file', remote: item.remote, local: item.local, size: attrs.size }, root: item.local });
      bytesTotal += attrs.size;
      filesTotal++;
    } else {
      skip(item.remote, 'not a regular file or folder');
    }
  }

  // 2. Transfer, in plan order.
  const progress = new ProgressCounter(bytesTotal, filesTotal, options.onProgress);

  const guard = (root: string, local: string) => {
    if (!isInside(root, local)) throw new UnsafeLocalPathError(root, local);
  };

  const get = async (p: Planned, root: string, top: boolean): Promise<void> => {
    checkCancel();
    guard(root, p.local);
    try {
      switch (p.kind) {
        case 'folder':
          if ((await enterFolder(p.local)) === 'created') report.folders++;
          for (const child of p.children) await get(child, root, false);
          return;
        case 'link':
          return await getLink(p, root);
        case 'file':
          return await getFile(p, top);
      }
    } catch (err) {
      if (!(err instanceof LocalConflictError)) throw err;
      skip(p.remote, err.why);
    }
  };

  const getLink = async (p: Planned, root: string): Promise<void> => {
    const target = await session.readlink(p.remote);
    const problem = linkTargetProblem(root, p.local, target);
    if (problem) {
      skip(p.remote, `symbolic link not recreated: ${problem}`);
      return;
    }
    try {
      await writeLinkAtomically(p.local, target);
    } catch (err) {
      if (err instanceof LocalConflictError) throw err;
      // Windows without the symlink privilege, a file system without links, …
      skip(p.remote, `symbolic link not created here: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    report.links++;
  };

  const getFile = async (p: Planned, top: boolean): Promise<void> => {
    // lstat, never stat: if the file became a link since it was listed, it is not followed.
    const attrs = top ? await session.stat(p.remote) : await session.lstat(p.remote);
    if (!attrs.isFile()) {
      skip(p.remote, attrs.isSymbolicLink() ? 'became a symbolic link while listed; not followed' : 'no longer a regular file');
      return;
    }
    if (!hasSize(attrs)) {
      // Read with size 0, it would land as an empty file reported as downloaded.
      skip(p.remote, 'the server did not send its size');
      return;
    }
    progress.startFile(posix.basename(p.remote));
    let bytes = 0;
    await writeFileAtomically(p.local, attrs.mode & 0o777, (file) =>
      session
        .readFileInto(p.remote, attrs, async (data, position) => void (await file.write(data, 0, data.length, position)), {
          signal: options.signal,
          onBytes: (n) => {
            bytes += n;
            progress.bytes(n);
          },
        })
        .then(() => undefined),
    );
    progress.endFile();
    report.files++;
    report.bytes += bytes;
  };

  for (const { item, root } of plan) await get(item, root, true);
  const more = skippedMoreLine('download', report);
  if (more) log.warn(more);
  return report;
}

/** SFTP v3 ATTRS may leave the size out (its flag unset); ssh2 then leaves it undefined. */
function hasSize(attrs: { size?: number }): boolean {
  return typeof attrs.size === 'number' && Number.isSafeInteger(attrs.size) && attrs.size >= 0;
}
