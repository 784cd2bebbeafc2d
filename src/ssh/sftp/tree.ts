// Recursive delete and copy of a folder on one host. One bounded work queue per operation:
// however deep the tree, at most `width` requests (and handles) are outstanding, and the
// first failure stops it, so when the caller hears "failed" nothing more changes.
// Links are never followed: READDIR's attributes are only a hint (Apache MINA SSHD reports a
// link's target there, and a co-user can swap a folder for a link between READDIR and
// OPENDIR), so each folder is lstat'ed right before it is opened.
import { WorkQueue } from '../../common/workQueue';
import { abortError } from '../errors';
import { DirEntry } from './channel';
import { sftpError, STATUS_CODE } from './errors';
import { joinRemotePath } from './names';
import { SftpSession } from './session';

/** Handles a copy needs at once (source and temp file) and a delete or listing needs (one folder). */
const COPY_HANDLES = 2;
/** Jobs in flight when the server sets no handle limit: a delete is all small requests, a copy streams. */
const DELETE_WIDTH = 16;
const COPY_WIDTH = 4;
/** Handles left to everything else on the channel (the editor's reads and saves) and to the server's own files. */
const RESERVED_HANDLES = 8;

export interface TreeOptions {
  readonly signal?: AbortSignal;
  /** Entry limit per folder listing (see SftpSession.readdir). */
  readonly maxListingEntries?: number;
  /** Jobs in flight at once; default from the server's max-open-handles (limits@openssh.com). */
  readonly width?: number;
  /** A delete calls it after each entry it removed, with the count so far (for progress). */
  readonly onRemoved?: (count: number) => void;
}

function widthFor(s: SftpSession, preferred: number, handlesPerJob: number): number {
  const handles = s.limits.maxOpenHandles;
  if (!Number.isFinite(handles)) return preferred;
  return Math.max(1, Math.min(preferred, Math.floor((handles - RESERVED_HANDLES) / handlesPerJob)));
}

/**
 * A folder's entries for a tree operation. ssh2 decodes names as UTF-8 before we see them, so
 * a name that is not cannot be sent back: refuse the folder before anything in it changes.
 */
async function treeEntries(s: SftpSession, dir: string, what: string, options: TreeOptions): Promise<DirEntry[]> {
  const entries = await s.readdir(dir, { maxEntries: options.maxListingEntries, signal: options.signal });
  const lossy = entries.find((e) => e.lossyName);
  if (lossy) {
    throw sftpError(STATUS_CODE.PERMISSION_DENIED, what, dir, `it holds a name that is not valid UTF-8 (${JSON.stringify(lossy.name)}); do it in a terminal on the remote`, 'lossy-name');
  }
  return entries;
}

function queueFor(options: TreeOptions, width: number, what: string): WorkQueue {
  return new WorkQueue(options.width ?? width, options.signal, () => abortError(what));
}

/** Deletes `dir` and everything in it; a link anywhere in the tree is removed, never followed. */
export async function removeTree(s: SftpSession, dir: string, options: TreeOptions = {}): Promise<void> {
  const queue = queueFor(options, widthFor(s, DELETE_WIDTH, 1), `delete ${dir}`);
  let count = 0;
  const counted = (done: () => void) => () => {
    options.onRemoved?.(++count);
    done();
  };
  /** Removes `path`, which READDIR said is a folder; `removed` runs once it is gone. */
  const visit = async (path: string, gone: () => void): Promise<void> => {
    const removed = counted(gone);
    if (!(await s.lstat(path)).isDirectory()) {
      await s.unlink(path); // a link (or not a folder after all): the entry itself goes
      return removed();
    }
    const entries = await treeEntries(s, path, 'delete', options);
    let left = entries.length;
    const rmdir = () => queue.add(async () => {
      await s.rmdir(path);
      removed();
    });
    const childGone = () => {
      if (--left === 0) rmdir();
    };
    const childRemoved = counted(childGone);
    if (left === 0) return rmdir();
    // Added last to first: the queue takes the newest, so children go in listing order.
    for (const e of [...entries].reverse()) {
      const child = joinRemotePath(path, e.name);
      if (e.attrs.isDirectory()) queue.add(() => visit(child, childGone));
      else queue.add(async () => {
        await s.unlink(child);
        childRemoved();
      });
    }
  };
  await queue.run(() => visit(dir, () => undefined));
}

/**
 * Copies folder `from` to a new folder `to`: folders are made, links recreated as links, files
 * copied with SftpSession.copy (each through a temp file). `from` itself may be a link (the
 * caller decided to follow it); links inside are never followed.
 */
export async function copyTree(s: SftpSession, from: string, to: string, options: TreeOptions = {}): Promise<void> {
  const queue = queueFor(options, widthFor(s, COPY_WIDTH, COPY_HANDLES), `copy ${from}`);
  const copyFolder = async (src: string, dst: string): Promise<void> => {
    const entries = await treeEntries(s, src, 'copy', options);
    await s.mkdir(dst);
    for (const e of [...entries].reverse()) {
      const child = joinRemotePath(src, e.name);
      const target = joinRemotePath(dst, e.name);
      if (e.attrs.isDirectory()) queue.add(() => visit(child, target));
      else if (e.attrs.isSymbolicLink()) queue.add(() => copyLink(child, target));
      else queue.add(() => s.copy(child, target, { signal: options.signal }));
    }
  };
  const copyLink = async (src: string, dst: string) => s.symlink(await s.readlink(src), dst);
  /** READDIR said `src` is a folder: look again right before opening it. */
  const visit = async (src: string, dst: string): Promise<void> => {
    const attrs = await s.lstat(src);
    if (attrs.isDirectory()) return copyFolder(src, dst);
    if (attrs.isSymbolicLink()) return copyLink(src, dst);
    await s.copy(src, dst, { signal: options.signal });
  };
  if (options.signal?.aborted) throw abortError(`copy ${from}`);
  await queue.run(() => copyFolder(from, to));
}
