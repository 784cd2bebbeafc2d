// What a remote entry is to the editor: its FileType, where a link leads, and names the
// editor may only read (not UTF-8 on the remote).
import * as vscode from 'vscode';
import { Attributes, SftpSession, unlessUnreachable } from '../ssh/sftp';
import { normalizeRemotePath } from './remotePath';

/** ssh2 decodes names as UTF-8; a name that was not comes back with U+FFFD in it. */
export const LOSSY = '\uFFFD';

export function fileType(attrs: Attributes): vscode.FileType {
  if (attrs.isDirectory()) return vscode.FileType.Directory;
  if (attrs.isFile()) return vscode.FileType.File;
  if (attrs.isSymbolicLink()) return vscode.FileType.SymbolicLink;
  return vscode.FileType.Unknown;
}

export function refuseLossy(uri: vscode.Uri, path: string): void {
  // A name that was not UTF-8 cannot be written back under its decoded form without creating a different file.
  if (path.includes(LOSSY)) throw vscode.FileSystemError.NoPermissions(`${uri.toString(true)}: the remote name is not valid UTF-8 and is read-only here`);
}

/** A link's target, or undefined when it dangles, loops or is out of reach; a lost connection still fails. */
export function linkTarget(s: SftpSession, path: string): Promise<Attributes | undefined> {
  return unlessUnreachable(s.stat(path));
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function childUri(parent: vscode.Uri, name: string): vscode.Uri {
  return parent.with({ path: joinPath(normalizeRemotePath(parent.path), name) });
}
