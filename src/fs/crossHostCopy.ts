// Copies and moves between two hosts. VS Code hands one provider its copies and moves between
// two of its hosts too (it reads and writes by itself only between providers), so they go
// through this machine: files by readFile + writeFile (each a safe save), folders entry by
// entry, links recreated as links.
import * as vscode from 'vscode';
import { normalizeRemotePath, remoteDirname } from './remotePath';
import { childUri } from './remoteEntries';

/** Permission bits and times (seconds), as SFTP v3 carries them. */
export interface EntryMetadata {
  readonly mode: number;
  readonly atime: number;
  readonly mtime: number;
}

/** The provider's own operations, each with its checks, errors and change events. */
export type EntryOperations = Pick<vscode.FileSystemProvider, 'stat' | 'readDirectory' | 'createDirectory' | 'readFile' | 'delete'> & {
  /** writeFile, with the new file's permission bits from the start (never readable by others in between). */
  writeFile(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean; readonly mode?: number }): Promise<void>;
  readLink(uri: vscode.Uri): Promise<string>;
  createLink(uri: vscode.Uri, target: string): Promise<void>;
  /** The entry's metadata, following a link. */
  metadata(uri: vscode.Uri): Promise<EntryMetadata>;
  /** Sets the entry's permission bits (when given) and times. */
  setMetadata(uri: vscode.Uri, metadata: { readonly mode?: number; readonly atime: number; readonly mtime: number }): Promise<void>;
};

export async function copyAcrossHosts(ops: EntryOperations, source: vscode.Uri, destination: vscode.Uri, overwrite: boolean): Promise<void> {
  const [from, existing] = await Promise.all([ops.stat(source), Promise.resolve(ops.stat(destination)).catch(ifNotFound(undefined))]);
  if (existing) {
    if (!overwrite) throw vscode.FileSystemError.FileExists(destination);
    await ops.delete(destination, { recursive: true });
  }
  await ops.stat(destination.with({ path: remoteDirname(normalizeRemotePath(destination.path)) }));
  // The source itself is followed, as a copy within a host follows it; links inside folders stay links.
  await copyEntry(ops, source, destination, from.type & ~vscode.FileType.SymbolicLink);
}

export async function moveAcrossHosts(ops: EntryOperations, source: vscode.Uri, destination: vscode.Uri, overwrite: boolean): Promise<void> {
  await copyAcrossHosts(ops, source, destination, overwrite);
  await ops.delete(source, { recursive: true });
}

async function copyEntry(ops: EntryOperations, source: vscode.Uri, destination: vscode.Uri, type: vscode.FileType): Promise<void> {
  if (type & vscode.FileType.SymbolicLink) {
    await ops.createLink(destination, await ops.readLink(source));
  } else if (type & vscode.FileType.Directory) {
    const meta = await ops.metadata(source);
    await ops.createDirectory(destination);
    for (const [name, childType] of await ops.readDirectory(source)) {
      await copyEntry(ops, childUri(source, name), childUri(destination, name), childType);
    }
    // After the children: a folder without write permission (0555) would have refused them.
    await ops.setMetadata(destination, meta);
  } else {
    // Mode and times travel as a copy within one host keeps them (`.env` stays 0600, `deploy.sh` 0755).
    const [content, meta] = await Promise.all([ops.readFile(source), ops.metadata(source)]);
    await ops.writeFile(destination, content, { create: true, overwrite: false, mode: meta.mode });
    await ops.setMetadata(destination, { atime: meta.atime, mtime: meta.mtime });
  }
}

/** For `.catch`: FileNotFound becomes `value`, anything else is rethrown. */
function ifNotFound<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return value;
    throw err;
  };
}
