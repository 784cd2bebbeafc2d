// Typed SFTP errors. Every error ssh2 hands us becomes an SftpError in toSftpError(),
// and nowhere else; the fs/ adapter maps these to FileSystemError once, by `code`/`reason`.
import { utils } from 'ssh2';

/** SFTP v3 status codes (draft-ietf-secsh-filexfer-02 §7), from ssh2 rather than bare numbers. */
export const STATUS_CODE = utils.sftp.STATUS_CODE;
export type SftpStatus = utils.sftp.STATUS_CODE;

/**
 * What the status code alone cannot say. SFTP v3 has no EEXIST (mkdir and rename on an
 * existing target answer a bare FAILURE), so we find out with an extra lstat and say so here.
 */
export type SftpErrorReason =
  /** The target exists (mkdir, rename/copy without overwrite, exclusive create). */
  | 'exists'
  /** The operation needs a regular file (copy of a directory, read of a FIFO). */
  | 'not-a-file'
  /**
   * The temp-file save route is impossible here (no posix-rename, ownership cannot be kept,
   * temp cannot be created in the directory); the caller may choose writeFileInPlace.
   */
  | 'unsafe-save'
  /** A listing passed its entry limit (a server that never ends a listing, or a huge folder). */
  | 'too-many-entries'
  /** A listing the server would not end or bound: empty batches without EOF, too many requests, names too long or too many bytes of them. */
  | 'bad-listing'
  /** A folder holds a name that is not UTF-8 (ssh2 decoded it lossily), so it cannot be copied or deleted whole. */
  | 'lossy-name'
  /** The server did not answer this request in time; the channel was closed and is reopened. */
  | 'timeout'
  /**
   * Another request on the channel timed out, so this one was failed unanswered and the channel
   * reopened: an operation that only reads may run again once on the new channel.
   */
  | 'channel-reset';

// ssh2's STATUS_CODE is a plain name → number object (no reverse mapping like a TS enum).
const CODE_NAMES = new Map<number, string>(Object.entries(STATUS_CODE as unknown as Record<string, number>).map(([name, code]) => [code, name]));

export class SftpError extends Error {
  constructor(
    message: string,
    /** An ssh2 `utils.sftp.STATUS_CODE` value. */
    readonly code: SftpStatus,
    /** The request that failed: `stat`, `open`, `write`, `posix-rename`, … */
    readonly op: string,
    /** The remote path the request was about (the first one for two-path requests). */
    readonly path?: string,
    readonly reason?: SftpErrorReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SftpError';
  }

  static is(err: unknown, code?: SftpStatus): err is SftpError {
    return err instanceof SftpError && (code === undefined || err.code === code);
  }

  /** The channel or connection is gone: every later request on this session fails the same way. */
  static isConnectionLost(err: unknown): err is SftpError {
    return SftpError.is(err) && (err.code === STATUS_CODE.CONNECTION_LOST || err.code === STATUS_CODE.NO_CONNECTION);
  }

  static codeName(code: number): string {
    return CODE_NAMES.get(code) ?? `status ${code}`;
  }
}

/** What the editor last read no longer matches the remote file; the remote content was kept. */
export class ConflictError extends Error {
  constructor(
    readonly path: string,
    /** What the caller said it last read; undefined when it expected no file. */
    readonly expected: { readonly mtime: number; readonly size: number } | undefined,
    /** What is on the remote now; undefined when the file is gone. */
    readonly actual: { readonly mtime: number; readonly size: number } | undefined,
  ) {
    const show = (v?: { mtime: number; size: number }) => (v ? `mtime ${v.mtime}, size ${v.size}` : 'no file');
    super(`${path} changed on the remote (expected ${show(expected)}, found ${show(actual)}); the remote content was kept`);
    this.name = 'ConflictError';
  }

  static is(err: unknown): err is ConflictError {
    return err instanceof ConflictError;
  }
}

/**
 * The one place ssh2's SFTP errors become SftpErrors. ssh2 reports server statuses as
 * `Error` with a numeric `code`; requests cut off by the channel closing get
 * `No response from server` and no code; unsupported extensions and bad arguments throw
 * synchronously with no code.
 */
export function toSftpError(
  err: unknown,
  op: string,
  path: string | undefined,
  extra: { channelClosed?: boolean; reason?: SftpErrorReason } = {},
): SftpError {
  if (err instanceof SftpError) return err;
  const e = err as Partial<Error & { code: unknown }> | undefined;
  const serverMessage = e?.message ?? String(err);
  let code: SftpStatus;
  if (typeof e?.code === 'number' && CODE_NAMES.has(e.code)) code = e.code as SftpStatus;
  else if (extra.channelClosed || serverMessage === 'No response from server') code = STATUS_CODE.CONNECTION_LOST;
  else if (/does not support this extended request/.test(serverMessage)) code = STATUS_CODE.OP_UNSUPPORTED;
  else code = STATUS_CODE.FAILURE;
  const where = path === undefined ? op : `${op} ${path}`;
  return new SftpError(`${where}: ${serverMessage} (${SftpError.codeName(code)})`, code, op, path, extra.reason, { cause: err });
}

/** For conditions we detect ourselves (exists, not a file, closed channel); same shape as a server error. */
export function sftpError(code: SftpStatus, op: string, path: string | undefined, message: string, reason?: SftpErrorReason): SftpError {
  const where = path === undefined ? op : `${op} ${path}`;
  return new SftpError(`${where}: ${message} (${SftpError.codeName(code)})`, code, op, path, reason);
}

/** The same server error, with what we learned about it (e.g. that the temp route is closed). */
export function withReason(err: SftpError, reason: SftpErrorReason): SftpError {
  return new SftpError(err.message, err.code, err.op, err.path, reason, { cause: err.cause ?? err });
}

/**
 * For lookups where "cannot look" (missing, not allowed, a symlink loop) means "nothing there":
 * any SFTP status becomes undefined, but a lost connection, or an error that is not the
 * server's answer, still fails.
 */
export async function unlessUnreachable<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (err) {
    if (!SftpError.is(err) || SftpError.isConnectionLost(err)) throw err;
    return undefined;
  }
}
