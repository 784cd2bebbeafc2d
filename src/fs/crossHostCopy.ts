// Copies and moves between two hosts. VS Code hands one provider its copies and moves between
// two of its hosts too (it reads and writes by itself only between providers), so they go
// through this machine: files by readFile + writeFile (each a safe save), folders entry by
// entry, links recreated as links.
import * as vscode from 'vscode';
import { normalizeRemotePath, remoteDirname } from './remotePath';
import { childUri } from './remoteEntries';

/** The provider's own operations, each with its checks, errors and change events. */
export type EntryOperations = Pick<vscode.FileSystemProvider, 'stat' | 'readDirectory' | 'createDirectory' | 'readFile' | 'writeFile' | 'delete'> & {
  readLink(uri: vscode.Uri): Promise<string>;
  createLink(uri: vscode.Uri, target: string): Promise<void>;
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
    await ops.createDirectory(destination);
    for (const [name, childType] of await ops.readDirectory(source)) {
      await copyEntry(ops, childUri(source, name), childUri(destination, name), childType);
    }
  } else {
    await ops.writeFile(destination, await ops.readFile(source), { create: true, overwrite: false });
  }
}

/** For `.catch`: FileNotFound becomes `value`, anything else is rethrown. */
function ifNotFound<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return value;
    throw err;
  };
}
