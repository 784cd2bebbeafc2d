// The one place where connection-core and SFTP errors become FileSystemErrors.
import * as vscode from 'vscode';
import { SshError } from '../ssh/errors';
import { ConflictError, SftpError, STATUS_CODE } from '../ssh/sftp';
import { InvalidRemotePathError } from './remotePath';

export function toFileSystemError(err: unknown, uri: vscode.Uri): Error {
  if (err instanceof vscode.FileSystemError) return err;
  if (SftpError.is(err)) {
    if (err.reason === 'exists') return vscode.FileSystemError.FileExists(uri);
    if (err.reason === 'lossy-name') return vscode.FileSystemError.NoPermissions(`${uri.toString(true)}: ${err.message}`);
    if (err.reason === 'too-many-entries') return new vscode.FileSystemError(`${uri.toString(true)}: ${err.message} (sandboxExplorer.files.maxListingEntries)`);
    switch (err.code) {
      case STATUS_CODE.NO_SUCH_FILE:
        return vscode.FileSystemError.FileNotFound(uri);
      case STATUS_CODE.PERMISSION_DENIED:
        return vscode.FileSystemError.NoPermissions(uri);
      case STATUS_CODE.NO_CONNECTION:
      case STATUS_CODE.CONNECTION_LOST:
        return vscode.FileSystemError.Unavailable(uri);
    }
    return new vscode.FileSystemError(`${uri.toString(true)}: ${err.message}`);
  }
  if (ConflictError.is(err)) {
    return new vscode.FileSystemError(`${uri.toString(true)} changed on the remote since it was read; the remote content was kept. Revert or compare before saving again.`);
  }
  if (SshError.is(err)) {
    if (err.reason === 'cancelled') return new vscode.CancellationError();
    // Auth, host key and config failures already told the user why; the editor needs "unavailable".
    return vscode.FileSystemError.Unavailable(`${uri.authority}: ${err.message}`);
  }
  if (err instanceof InvalidRemotePathError) return vscode.FileSystemError.FileNotFound(uri);
  return new vscode.FileSystemError(`${uri.toString(true)}: ${err instanceof Error ? err.message : String(err)}`);
}
