// Saves that never lose data: write a temp file next to the target, check every
// acknowledgement, fsync, restore owner and mode, re-check that nobody changed the target,
// then posix-rename over it. Any failure leaves the target untouched and removes the temp.
import { utils } from 'ssh2';
import { abortError } from '../errors';
import { Attributes, SftpChannel, SftpHandle } from './channel';
import { ConflictError, sftpError, SftpError, STATUS_CODE, withReason } from './errors';
import { isTempPath, tempPathFor, TempRegistry } from './tempFiles';
import { TransferOptions, writeWhole } from './transfer';

const { OPEN_MODE } = utils.sftp;

/** What the editor last read. `mtime` in seconds, as `stat` returns it (SFTP v3 has no finer times). */
export interface FileVersion {
  readonly mtime: number;
  readonly size: number;
}

export interface WriteOptions extends TransferOptions {
  /** Permission bits; default: the target's current mode, or the server's umask default for a new file. */
  readonly mode?: number;
  /**
   * What the caller last read. A target that differs (or is gone) fails with ConflictError
   * and is left as it is. Without it, only a change during the save itself is a conflict.
   */
  readonly expected?: FileVersion;
  /** fsync@openssh.com before the rename, when the server offers it. Default true. */
  readonly fsync?: boolean;
  /** Refuse (reason 'exists') a target that exists when the save starts: a file someone else created is never replaced unasked. */
  readonly createOnly?: boolean;
  /**
   * For a new file without `mode`: the source's exec bits, added to the server's default mode
   * (its umask applied) wherever that default grants read, as cp(1) does for a new file.
   */
  readonly newFileExecBits?: number;
}

export function versionOf(attrs: Attributes | undefined): FileVersion | undefined {
  return attrs ? { mtime: attrs.mtime, size: attrs.size } : undefined;
}

function assertUnchanged(path: string, expected: FileVersion | undefined, actual: Attributes | undefined): void {
  const now = versionOf(actual);
  const same = expected === undefined || now === undefined ? expected === now : expected.mtime === now.mtime && expected.size === now.size;
  if (!same) throw new ConflictError(path, expected, now);
}

async function tryStat(ch: SftpChannel, path: string): Promise<Attributes | undefined> {
  try {
    return await ch.stat(path);
  } catch (err) {
    if (SftpError.is(err, STATUS_CODE.NO_SUCH_FILE)) return undefined;
    throw err;
  }
}

/** The file a save replaces: a symlink's target (renaming over the link would replace the link itself). */
async function resolveTarget(ch: SftpChannel, path: string): Promise<{ path: string; attrs: Attributes | undefined }> {
  const attrs = await ch.tryLstat(path);
  if (attrs?.isSymbolicLink()) {
    const real = await ch.realpath(path).catch(() => undefined);
    const realAttrs = real === undefined ? undefined : await tryStat(ch, real);
    if (real === undefined || !realAttrs) {
      throw sftpError(STATUS_CODE.NO_SUCH_FILE, 'save', path, 'dangling symbolic link: its target cannot be replaced atomically', 'unsafe-save');
    }
    return resolveRegular(real, realAttrs, path);
  }
  return resolveRegular(path, attrs, path);
}

function resolveRegular(path: string, attrs: Attributes | undefined, asked: string) {
  if (attrs && !attrs.isFile()) throw sftpError(STATUS_CODE.FAILURE, 'save', asked, 'not a regular file', 'not-a-file');
  return { path, attrs };
}

/** Removes a temp file; it stays in the registry (removed after the next reconnect) if the server cannot be told. */
export async function removeTemp(ch: SftpChannel, temps: TempRegistry, path: string): Promise<boolean> {
  try {
    await ch.unlink(path);
  } catch (err) {
    if (!SftpError.is(err, STATUS_CODE.NO_SUCH_FILE)) return false;
  }
  temps.delete(path);
  return true;
}

export function writeFileAtomic(ch: SftpChannel, temps: TempRegistry, path: string, data: Uint8Array, options: WriteOptions = {}): Promise<Attributes> {
  return writeFileAtomicWith(ch, temps, path, (h) => writeWhole(ch, h, data, options), options);
}

/** The exec bits of `source` that a new file with the server's default `created` mode may have: only where it grants read. */
export function withExecBits(created: number, source: number): number {
  return (created & 0o7777) | (source & 0o111 & ((created & 0o444) >> 2));
}

/** Safe save whose content `write` puts into the open temp file (e.g. streamed from a local file). */
export async function writeFileAtomicWith(ch: SftpChannel, temps: TempRegistry, path: string, write: (h: SftpHandle) => Promise<unknown>, options: WriteOptions = {}): Promise<Attributes> {
  const target = await resolveTarget(ch, path);
  if (options.createOnly && target.attrs) throw sftpError(STATUS_CODE.FAILURE, 'save', path, 'exists', 'exists');
  if (options.expected) assertUnchanged(path, options.expected, target.attrs);
  const baseline = options.expected ?? versionOf(target.attrs);
  if (target.attrs && !ch.hasPosixRename) {
    // SSH_FXP_RENAME refuses an existing target; unlink + rename would leave a window with no file.
    throw sftpError(STATUS_CODE.OP_UNSUPPORTED, 'save', path, 'the server offers no posix-rename@openssh.com', 'unsafe-save');
  }
  const tempPath = tempPathFor(target.path);
  let h: SftpHandle | undefined;
  // Registered before the open: if its answer is lost the file may exist all the same.
  temps.add(tempPath);
  try {
    try {
      // Private until complete; a new file without an explicit mode gets the server's umask default.
      const create = target.attrs || options.mode !== undefined ? { mode: 0o600 } : undefined;
      h = await ch.open(tempPath, 'wx', create);
    } catch (err) {
      if (target.attrs && SftpError.is(err, STATUS_CODE.PERMISSION_DENIED)) throw withReason(err, 'unsafe-save');
      throw err;
    }
    const handle = h;
    // A new file created with the server's default mode: learn that mode (in flight with the writes) to add exec bits to it.
    const created = !target.attrs && options.mode === undefined && options.newFileExecBits ? ch.fstat(handle) : undefined;
    created?.catch(() => undefined);
    await write(handle);
    if (options.signal?.aborted) throw abortError(`save ${path}`);

    // SFTP answers in order, so these go out together: one round trip instead of six.
    const mode = options.mode ?? (target.attrs ? target.attrs.mode & 0o7777 : created ? withExecBits((await created).mode, options.newFileExecBits!) : undefined);
    const steps: Promise<unknown>[] = [];
    if (target.attrs) {
      // chown before chmod: chown(2) clears set-id bits. Failing means another user owns the
      // file (or a group we are not in): replacing it would change its owner.
      const { uid, gid } = target.attrs;
      steps.push(ch.fsetstat(handle, { uid, gid }).catch((err) => {
        throw SftpError.is(err) ? withReason(err, 'unsafe-save') : err;
      }));
    }
    if (mode !== undefined) steps.push(ch.fsetstat(handle, { mode }));
    if (options.fsync !== false && ch.hasFsync) steps.push(ch.fsync(handle));
    const written = ch.fstat(handle);
    steps.push(written);
    steps.push(ch.close(handle).then(() => (h = undefined)));
    const current = tryStat(ch, target.path);
    steps.push(current);
    await Promise.all(steps);

    assertUnchanged(path, baseline, await current);
    if (options.signal?.aborted) throw abortError(`save ${path}`);
    if (ch.hasPosixRename) await ch.posixRename(tempPath, target.path).catch((err) => {
      // An existing file that cannot be renamed over, once everything else worked, is a
      // mount point (Docker's `-v file:file`, Kubernetes subPath): EBUSY/EXDEV arrive as a
      // generic FAILURE. Only writing in place can save it.
      if (target.attrs && SftpError.is(err, STATUS_CODE.FAILURE)) {
        throw sftpError(STATUS_CODE.FAILURE, 'save', path, 'the file cannot be replaced by a rename (is it a mount point?)', 'unsafe-save');
      }
      throw err;
    });
    else await ch.renameRaw(tempPath, target.path); // new file only: refuses a target created meanwhile
    temps.delete(tempPath);
    return await written;
  } catch (err) {
    if (h) await ch.closeQuietly(h);
    await removeTemp(ch, temps, tempPath);
    throw err;
  }
}

/**
 * Writes over the file itself, for when the temp route is impossible and the user agreed.
 * Opened without O_TRUNC and cut to length after the last acknowledged write, so the file
 * is never empty in between; a failure part-way still leaves it mixed old and new.
 */
export async function writeFileInPlace(ch: SftpChannel, path: string, data: Uint8Array, options: WriteOptions = {}): Promise<Attributes> {
  if (options.expected) assertUnchanged(path, options.expected, await tryStat(ch, path));
  const create = options.mode !== undefined ? { mode: options.mode } : undefined;
  const h = await ch.open(path, OPEN_MODE.WRITE | OPEN_MODE.CREAT, create);
  try {
    await writeWhole(ch, h, data, options);
    const steps: Promise<unknown>[] = [ch.fsetstat(h, { size: data.byteLength })];
    if (options.fsync !== false && ch.hasFsync) steps.push(ch.fsync(h));
    const written = ch.fstat(h);
    steps.push(written);
    await Promise.all(steps);
    await ch.close(h);
    return await written;
  } catch (err) {
    await ch.closeQuietly(h);
    throw err;
  }
}

/**
 * Removes temp files by path (e.g. a previous session's registry); non-temp names are refused.
 * Each is registered here first, so one that cannot be removed now (the link drops again) is
 * still known to the next session instead of being forgotten with the old one.
 */
export async function removeTempFiles(ch: SftpChannel, temps: TempRegistry, paths: Iterable<string>): Promise<string[]> {
  const removed: string[] = [];
  await Promise.all([...paths].filter(isTempPath).map(async (p) => {
    temps.add(p);
    if (await removeTemp(ch, temps, p)) removed.push(p);
  }));
  return removed;
}
