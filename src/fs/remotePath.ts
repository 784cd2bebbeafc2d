// sbx://<host>/<absolute remote path>. Paths are normalised once here: `..` resolved,
// NUL rejected (SFTP strings are NUL-safe but no remote file system allows it).
import * as posix from 'path/posix';

export const SCHEME = 'sbx';

export class InvalidRemotePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRemotePathError';
  }
}

export function normalizeRemotePath(uriPath: string): string {
  if (uriPath.includes('\0')) throw new InvalidRemotePathError('remote paths cannot contain NUL');
  const normalized = posix.normalize(posix.join('/', uriPath));
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

/** The parent of a remote path ('/' for '/'). */
export function remoteDirname(path: string): string {
  return posix.dirname(path);
}
