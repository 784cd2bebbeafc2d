// A copy within one host done by the server's cp(1) over an exec channel, for servers that do
// not offer SFTP's copy-data extension (copying through this machine would move every byte twice).
import * as vscode from 'vscode';
import { randomBytes } from 'crypto';
import { Logger } from '../common/log';
import { SshConnection } from '../ssh/connection';
import { exec, shellQuote } from '../ssh/exec';
import { isAbout, parseCpFailure } from './cpFailure';
import { normalizeRemotePath, remoteDirname } from './remotePath';

/**
 * Server-side copy with cp(1) into a temp name, then mv: a failed copy leaves no partial target.
 * Run in the C locale, so its failures map to the same errors as every other operation.
 */
export async function copyWithCp(connection: SshConnection, source: vscode.Uri, destination: vscode.Uri, log: Logger): Promise<void> {
  const from = normalizeRemotePath(source.path);
  const to = normalizeRemotePath(destination.path);
  const temp = `${remoteDirname(to)}/.${to.slice(to.lastIndexOf('/') + 1)}.sbx-${randomBytes(6).toString('hex')}.tmp`;
  const q = shellQuote;
  const result = await exec(connection, `cp -pR -- ${q(from)} ${q(temp)} && mv -f -- ${q(temp)} ${q(to)} || { rc=$?; rm -rf -- ${q(temp)}; exit $rc; }`, { env: { LC_ALL: 'C' } }, log);
  if (result.code === 0) return;
  const failure = parseCpFailure(result.stderr.toString());
  // "cannot stat 'from'" is about the source; everything else about where the copy goes.
  const uri = isAbout(failure.line, from) ? source : destination;
  const message = `${uri.toString(true)}: cp failed on the remote: ${failure.line || `exit ${result.code}`}`;
  switch (failure.kind) {
    case 'not-found':
      throw vscode.FileSystemError.FileNotFound(message);
    case 'no-permission':
      throw vscode.FileSystemError.NoPermissions(message);
    case 'exists':
      throw vscode.FileSystemError.FileExists(message);
  }
  throw new vscode.FileSystemError(message);
}
