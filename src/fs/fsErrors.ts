// The one place where connection-core and SFTP errors become FileSystemErrors.
import * as vscode from 'vscode';
import { SshError } from '../ssh/errors';
import { ConflictError, SftpError, STATUS_CODE } from '../ssh/sftp';
import { describeConnectionError, nextStep } from '../editor/connectionMessages';
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
        return unavailable(err, uri);
    }
    return new vscode.FileSystemError(`${uri.toString(true)}: ${err.message}`);
  }
  if (ConflictError.is(err)) {
    return new vscode.FileSystemError(`${uri.toString(true)} changed on the remote since it was read; the remote content was kept. Revert or compare before saving again.`);
  }
  if (SshError.is(err)) {
    if (err.reason === 'cancelled') return new vscode.CancellationError();
    // Whatever the connection's trouble, the editor needs "unavailable" (a failed save stays dirty
    // and offers Retry); the message says what happened and what to do.
    return unavailable(err, uri);
  }
  if (err instanceof InvalidRemotePathError) return vscode.FileSystemError.FileNotFound(uri);
  return new vscode.FileSystemError(`${uri.toString(true)}: ${err instanceof Error ? err.message : String(err)}`);
}

/** The connection is the problem, not the file: what happened and what to do, in sentences. */
function unavailable(err: unknown, uri: vscode.Uri): vscode.FileSystemError {
  return vscode.FileSystemError.Unavailable(`${describeConnectionError(err, uri.authority)} ${nextStep(err, uri.authority)}`);
}
