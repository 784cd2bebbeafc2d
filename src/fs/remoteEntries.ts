// What a remote entry is to the editor: its FileType, where a link leads, and names the
// editor may only read (not UTF-8 on the remote).
import * as vscode from 'vscode';
import { Attributes, isLossyName, joinRemotePath, LOSSY_NAME_REASON, SftpSession, unlessUnreachable } from '../ssh/sftp';
import { normalizeRemotePath } from './remotePath';

export function fileType(attrs: Attributes): vscode.FileType {
  if (attrs.isDirectory()) return vscode.FileType.Directory;
  if (attrs.isFile()) return vscode.FileType.File;
  if (attrs.isSymbolicLink()) return vscode.FileType.SymbolicLink;
  return vscode.FileType.Unknown;
}

export function refuseLossy(uri: vscode.Uri, path: string): void {
  // A name that was not UTF-8 cannot be written back under its decoded form without creating a different file.
  if (isLossyName(path)) throw vscode.FileSystemError.NoPermissions(`${uri.toString(true)}: ${LOSSY_NAME_REASON}; read-only here`);
}

/** A link's target, or undefined when it dangles, loops or is out of reach; a lost connection still fails. */
export function linkTarget(s: SftpSession, path: string): Promise<Attributes | undefined> {
  return unlessUnreachable(s.stat(path));
}

export function childUri(parent: vscode.Uri, name: string): vscode.Uri {
  return parent.with({ path: joinRemotePath(normalizeRemotePath(parent.path), name) });
}
