// Writing on this machine for a download: a folder is entered only if it is a real folder
// (never a link, so nothing is written through one), and a file or link lands through a
// temp name and a rename, so a failed or cancelled download leaves no partial file.
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** A local name is taken by something of another kind; the item is skipped, not the whole transfer. */
export class LocalConflictError extends Error {
  constructor(
    readonly local: string,
    readonly why: string,
  ) {
    super(`${local}: ${why}`);
    this.name = 'LocalConflictError';
  }
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Makes `dir` a folder we may write into: creates it, or accepts an existing real folder.
 * An existing link is refused, the top item included: its name comes from the server (or a
 * hostile listing had us create the link earlier, or a case-insensitive file system folds it
 * onto another name), so writing through it could land anywhere. Only the folder the user
 * picked in the dialog is resolved, by the caller, before its children's paths are built.
 */
export async function enterFolder(dir: string): Promise<'created' | 'existed'> {
  try {
    await fs.promises.mkdir(dir);
    return 'created';
  } catch (err) {
    if (code(err) !== 'EEXIST') throw err;
  }
  const st = await fs.promises.lstat(dir);
  if (!st.isDirectory()) throw new LocalConflictError(dir, st.isSymbolicLink() ? 'a link of that name exists here' : 'a file of that name exists here');
  return 'existed';
}

/** A fresh hidden name next to `target`, short whatever the target's name (NAME_MAX is 255 bytes). */
function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.sbx-download-${randomBytes(6).toString('hex')}.tmp`);
}

async function renameInto(temp: string, target: string): Promise<void> {
  try {
    await fs.promises.rename(temp, target);
  } catch (err) {
    // rename(2) replaces a file or a link, never a folder.
    if (code(err) === 'EISDIR' || code(err) === 'ENOTEMPTY' || code(err) === 'EEXIST' || code(err) === 'ENOTDIR') throw new LocalConflictError(target, 'a folder of that name exists here');
    throw err;
  }
}

/**
 * Writes `target` through a temp file created exclusively (O_EXCL never follows a link) in
 * the same folder, then renames it into place. `fill` writes the content into the handle.
 */
export async function writeFileAtomically(target: string, mode: number, fill: (file: fs.promises.FileHandle) => Promise<void>): Promise<void> {
  const temp = tempNameFor(target);
  const file = await fs.promises.open(temp, 'wx', mode);
  let closed = false;
  try {
    await fill(file);
    closed = true;
    await file.close();
    await renameInto(temp, target);
  } catch (err) {
    // close() waits for writes still in flight, so nothing lands after the removal.
    if (!closed) await file.close().catch(() => undefined);
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** What exists at `local` (lstat: a link is a link). */
export async function localKind(local: string): Promise<'none' | 'folder' | 'file' | 'other'> {
  try {
    const st = await fs.promises.lstat(local);
    return st.isDirectory() ? 'folder' : st.isFile() ? 'file' : 'other';
  } catch (err) {
    if (code(err) === 'ENOENT') return 'none';
    throw err;
  }
}

/**
 * Creates a link at `target` holding `linkTarget` verbatim (never resolved, never followed).
 * The type is always given: without one Node on Windows stats the target to pick it, which
 * for a UNC target is a connection to a server the sandbox chose.
 */
export async function writeLinkAtomically(target: string, linkTarget: string): Promise<void> {
  const temp = tempNameFor(target);
  await fs.promises.symlink(linkTarget, temp, 'file');
  try {
    await renameInto(temp, target);
  } catch (err) {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}
