// Operations on a whole remote entry within one host: list a folder with its links' types,
// remove a tree, copy a tree (SFTP copy-data, entry by entry, or the server's cp).
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { SshConnection } from '../ssh/connection';
import { Attributes, copyTree, joinRemotePath, removeTree, SftpSession, TreeOptions } from '../ssh/sftp';
import { copyWithCp } from './copyWithCp';
import { fileType, linkTarget } from './remoteEntries';

/** Symlink targets stat'ed at once while listing a directory. */
const STAT_CONCURRENCY = 16;

export interface TreeLimits {
  /** Most entries one folder listing may hold. */
  maxListingEntries: number;
}

/** A folder's entries by name and type; a link reports its target's type too. */
export async function listDirectory(s: SftpSession, path: string, uri: vscode.Uri, limits: TreeLimits): Promise<[string, vscode.FileType][]> {
  const listed = await s.readdir(path, { maxEntries: limits.maxListingEntries }).catch(async (err) => {
    // OPENDIR on a file answers a bare FAILURE in SFTP v3: say what it really is.
    const attrs = await s.stat(path).catch(() => undefined);
    throw attrs && !attrs.isDirectory() ? vscode.FileSystemError.FileNotADirectory(uri) : err;
  });
  const entries = listed.filter((e) => e.name !== '.' && e.name !== '..');
  const result: [string, vscode.FileType][] = entries.map((e) => [e.name, fileType(e.attrs)]);
  // READDIR's attributes describe links themselves: stat only those, a few at a time.
  const links = result.map((_entry, i) => i).filter((i) => entries[i].attrs.isSymbolicLink() && !entries[i].lossyName);
  await forEachLimited(links, STAT_CONCURRENCY, async (i) => {
    const target = await linkTarget(s, joinRemotePath(path, entries[i].name));
    if (target) result[i][1] = vscode.FileType.SymbolicLink | fileType(target);
  });
  return result;
}

/** Removes the entry at `path` as lstat saw it (`attrs`): links are removed, never followed. */
export async function removeEntry(s: SftpSession, path: string, attrs: Attributes, recursive: boolean, limits: TreeLimits, progress: Pick<TreeOptions, 'signal' | 'onRemoved'> = {}): Promise<void> {
  if (!attrs.isDirectory()) return s.unlink(path);
  if (recursive) await removeTree(s, path, { ...limits, ...progress });
  else await s.rmdir(path);
}

export interface WithinHostCopy {
  source: vscode.Uri;
  destination: vscode.Uri;
  from: string;
  to: string;
  /** The source, followed. */
  attrs: Attributes;
  /** The destination as lstat saw it, when it exists (and may be overwritten). */
  existing: Attributes | undefined;
  overwrite: boolean;
}

export interface CopyMeans {
  /** Copy with `cp` over an exec channel when the server does not offer the copy-data extension. */
  useCp: boolean;
  limits: TreeLimits;
  log: Logger;
}

export async function copyWithinHost(s: SftpSession, connection: SshConnection, copy: WithinHostCopy, means: CopyMeans): Promise<void> {
  const { attrs, existing, from, to } = copy;
  // What to remove is decided by the destination itself (lstat): a link to a folder is
  // unlinked, never followed into.
  if (attrs.isDirectory() && existing) await (existing.isDirectory() ? removeTree(s, to, means.limits) : s.unlink(to));
  if (!s.hasCopyData && means.useCp) {
    await copyWithCp(connection, copy.source, copy.destination, means.log);
  } else if (attrs.isDirectory()) {
    await copyTree(s, from, to, means.limits);
  } else {
    await s.copy(from, to, { overwrite: copy.overwrite });
  }
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
