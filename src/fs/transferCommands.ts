// Upload… and Download…: files and folders between this machine and a host, with a
// cancellable progress notification. Each file lands through a temp file and a rename,
// so a cancelled or failed transfer leaves no partial target.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { HostEntry } from '../hosts/hostEntry';
import { HostsNode } from '../hosts/hostsTreeProvider';
import { hostFromArgument } from '../hosts/pickHost';
import { SftpSession } from '../ssh/sftp';
import { toFileSystemError } from './fsErrors';
import { SCHEME } from './remotePath';
import { RemoteRoots } from './remoteRoots';
import { RemoteSessions } from './remoteSessions';

interface Deps {
  hosts: () => Promise<HostEntry[]>;
  roots: RemoteRoots;
  sessions: RemoteSessions;
  /** Tells the file system provider (and so the Explorer) what changed. */
  changed: (uri: vscode.Uri) => void;
}

function entryOf(arg: unknown): { uri: vscode.Uri; type: vscode.FileType } | undefined {
  const node = arg as HostsNode | undefined;
  if (node && typeof node === 'object' && 'kind' in node && node.kind === 'entry') return { uri: node.uri, type: node.type };
  return undefined;
}

async function withTransferProgress(title: string, work: (signal: AbortSignal, report: (message: string) => void) => Promise<void>): Promise<void> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    try {
      await work(controller.signal, (message) => progress.report({ message }));
    } finally {
      sub.dispose();
    }
  });
}

async function uploadPath(s: SftpSession, local: string, remote: string, signal: AbortSignal, report: (m: string) => void): Promise<void> {
  if (signal.aborted) throw new vscode.CancellationError();
  const stat = await fs.promises.stat(local);
  if (stat.isDirectory()) {
    await s.mkdir(remote).catch(async (err) => {
      if (!(await s.tryLstat(remote))?.isDirectory()) throw err;
    });
    for (const name of await fs.promises.readdir(local)) await uploadPath(s, path.join(local, name), `${remote}/${name}`, signal, report);
    return;
  }
  report(path.basename(local));
  await s.writeFileAtomic(remote, await fs.promises.readFile(local), { mode: stat.mode & 0o777, signal });
}

async function downloadPath(s: SftpSession, remote: string, local: string, signal: AbortSignal, report: (m: string) => void): Promise<void> {
  if (signal.aborted) throw new vscode.CancellationError();
  const attrs = await s.stat(remote);
  if (attrs.isDirectory()) {
    await fs.promises.mkdir(local, { recursive: true });
    for (const entry of await s.readdir(remote)) {
      if (entry.name === '.' || entry.name === '..' || entry.lossyName) continue;
      await downloadPath(s, `${remote}/${entry.name}`, path.join(local, entry.name), signal, report);
    }
    return;
  }
  report(path.posix.basename(remote));
  const data = await s.readFile(remote, { signal });
  const temp = path.join(path.dirname(local), `.${path.basename(local)}.sbx-download-${process.pid}.tmp`);
  try {
    await fs.promises.writeFile(temp, data, { mode: attrs.mode & 0o777 });
    await fs.promises.rename(temp, local);
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    throw err;
  }
}

export function registerTransferCommands(deps: Deps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('sandboxExplorer.fs.upload', async (arg?: unknown, localPaths?: vscode.Uri[]) => {
      const entry = entryOf(arg);
      let folder = entry && entry.type & vscode.FileType.Directory ? entry.uri : arg instanceof vscode.Uri && arg.scheme === SCHEME ? arg : undefined;
      if (!folder) {
        const host = await hostFromArgument(arg, deps.hosts, 'Upload to which host?');
        if (!host) return;
        folder = await deps.roots.rootUri(host);
      }
      const sources = localPaths ?? (await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, openLabel: `Upload to ${folder.authority}:${folder.path}` }));
      if (!sources?.length) return;
      const target = folder;
      try {
        await withTransferProgress(`Uploading to ${target.authority}:${target.path}`, (signal, report) =>
          deps.sessions.run(target.authority, async (s) => {
            for (const src of sources) await uploadPath(s, src.fsPath, `${target.path.replace(/\/$/, '')}/${path.basename(src.fsPath)}`, signal, report);
          }, signal),
        );
        deps.changed(target);
      } catch (err) {
        if (!(err instanceof vscode.CancellationError)) void vscode.window.showErrorMessage(`Upload failed: ${toFileSystemError(err, target).message}`);
      }
    }),
    vscode.commands.registerCommand('sandboxExplorer.fs.download', async (arg?: unknown, localTarget?: vscode.Uri) => {
      const source = entryOf(arg)?.uri ?? (arg instanceof vscode.Uri && arg.scheme === SCHEME ? arg : vscode.window.activeTextEditor?.document.uri);
      if (!source || source.scheme !== SCHEME) {
        void vscode.window.showInformationMessage('Pick a remote file or folder in the Sandbox Explorer view to download.');
        return;
      }
      const name = path.posix.basename(source.path);
      const destination =
        localTarget ??
        (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? os.homedir(), name)), saveLabel: 'Download' }));
      if (!destination) return;
      try {
        await withTransferProgress(`Downloading ${source.authority}:${source.path}`, (signal, report) =>
          deps.sessions.run(source.authority, (s) => downloadPath(s, source.path, destination.fsPath, signal, report), signal),
        );
      } catch (err) {
        if (!(err instanceof vscode.CancellationError)) void vscode.window.showErrorMessage(`Download failed: ${toFileSystemError(err, source).message}`);
      }
    }),
  );
}
