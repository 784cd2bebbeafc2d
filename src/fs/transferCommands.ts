// Upload… and Download…: the commands and how they read their arguments. From the Explorer
// they get (clickedUri, selectedUris); from the Hosts view a tree node; from the palette
// nothing. Local files are only ever chosen in a dialog: no remote URI is taken as a local
// path. The transfers themselves (plain Node) are in transfer/.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { entryOfNode, HostPicker } from '../editor/hostsNode';
import { toFileSystemError } from './fsErrors';
import { normalizeRemotePath, SCHEME } from './remotePath';
import { RemoteRoots } from './remoteRoots';
import { RemoteSessions } from './remoteSessions';
import { download, DownloadItem, intoFolder } from './transfer/download';
import { localNameProblem } from './transfer/localNames';
import { Skipped } from './transfer/transferReport';
import { upload } from './transfer/upload';
import { settings } from '../editor/settings';
import { askReplace, reportDone, withTransferProgress } from './transferUi';

interface Deps {
  /** Resolves a command's argument (tree node, URI, name, or nothing: ask) to a host. */
  pickHost: HostPicker;
  roots: RemoteRoots;
  sessions: RemoteSessions;
  /** Tells the file system provider (and so the Explorer) what changed. */
  changed: (uri: vscode.Uri) => void;
  log: Logger;
}

/**
 * Test-only stand-ins for the dialogs, as a third argument no menu passes. Only `file:` URIs
 * count, so nothing a menu hands over (sbx:// URIs, tree nodes) can become a local path.
 */
interface DialogAnswers {
  readonly localSources?: vscode.Uri[];
  readonly localTarget?: vscode.Uri;
}

function isLocalUri(value: unknown): value is vscode.Uri {
  return value instanceof vscode.Uri && value.scheme === 'file';
}

function dialogAnswers(arg: unknown): DialogAnswers {
  if (!arg || typeof arg !== 'object' || Array.isArray(arg) || arg instanceof vscode.Uri) return {};
  const { localSources, localTarget } = arg as Record<string, unknown>;
  return {
    localSources: Array.isArray(localSources) && localSources.length > 0 && localSources.every(isLocalUri) ? localSources : undefined,
    localTarget: isLocalUri(localTarget) ? localTarget : undefined,
  };
}

/** A tree node or an sbx:// URI, as the remote resource it names. */
function remoteOf(arg: unknown): { uri: vscode.Uri; type?: vscode.FileType } | undefined {
  const entry = entryOfNode(arg);
  if (entry) return entry;
  if (arg instanceof vscode.Uri && arg.scheme === SCHEME) return { uri: arg };
  return undefined;
}

/**
 * What the user chose: the selection when the clicked item is part of it (the Explorer passes
 * both), else the clicked item. Something inside another chosen folder comes with that folder.
 */
function remoteSelection(clicked: unknown, selection: unknown): vscode.Uri[] {
  const first = remoteOf(clicked)?.uri;
  const picked = (Array.isArray(selection) ? selection : []).map((s) => remoteOf(s)?.uri).filter((u): u is vscode.Uri => u !== undefined);
  const list = first && !picked.some((u) => u.toString() === first.toString()) ? [first] : picked.length ? picked : first ? [first] : [];
  const normalized = list.map((u) => u.with({ path: normalizeRemotePath(u.path) }));
  const within = (u: vscode.Uri, folder: vscode.Uri) => u.authority === folder.authority && u.path.startsWith(folder.path === '/' ? '/' : `${folder.path}/`) && u.path !== folder.path;
  return normalized.filter((u, i) => normalized.findIndex((v) => v.toString() === u.toString()) === i && !normalized.some((v) => within(u, v)));
}

function defaultLocalFolder(): string {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? os.homedir();
}

function label(uri: vscode.Uri): string {
  return `${uri.authority}:${uri.path}`;
}

async function uploadTarget(deps: Deps, clicked: unknown): Promise<vscode.Uri | undefined> {
  const remote = remoteOf(clicked);
  if (remote) {
    const type = remote.type ?? (await vscode.workspace.fs.stat(remote.uri).then((s) => s.type, () => vscode.FileType.Directory));
    return type & vscode.FileType.Directory ? remote.uri : remote.uri.with({ path: path.posix.dirname(remote.uri.path) });
  }
  const host = await deps.pickHost(clicked, 'Upload to which host?');
  return host ? deps.roots.rootUri(host) : undefined;
}

async function uploadCommand(deps: Deps, clicked: unknown, answers: DialogAnswers): Promise<void> {
  const target = await uploadTarget(deps, clicked);
  if (!target) return;
  const picked =
    answers.localSources ??
    (await vscode.window.showOpenDialog({
      canSelectFiles: true,
      canSelectFolders: true,
      canSelectMany: true,
      openLabel: 'Upload',
      title: `Upload to ${label(target)}`,
      defaultUri: vscode.Uri.file(defaultLocalFolder()),
    }));
  const sources = (picked ?? []).filter(isLocalUri).map((u) => u.fsPath);
  if (!sources.length) return;
  const folder = normalizeRemotePath(target.path);
  const where = label(target.with({ path: folder }));
  try {
    const report = await withTransferProgress(`Uploading to ${where}`, deps.log, (signal, sink) =>
      deps.sessions.run(
        target.authority,
        (s) =>
          upload(s, sources, folder, {
            symlinks: settings.transferSymlinks(),
            confirmReplace: (remote) => askReplace(target.with({ path: remote })),
            signal,
            onProgress: sink.progress,
            onListing: sink.listing,
            log: deps.log,
          }),
        signal,
      ),
    );
    deps.changed(target);
    if (report) reportDone('Uploaded', sources.length === 1 ? path.basename(sources[0]) : `${sources.length} items`, where, report, deps.log);
  } catch (err) {
    deps.log.error(`upload to ${where} failed: ${err instanceof Error ? err.message : String(err)}`);
    void vscode.window.showErrorMessage(`Upload failed: ${toFileSystemError(err, target).message}`);
  }
}

/** Asks where the download goes: a file name for one item, a folder for several. */
async function downloadDestination(sources: vscode.Uri[], answers: DialogAnswers): Promise<{ items: DownloadItem[]; skipped: Skipped[]; where: vscode.Uri } | undefined> {
  const remotes = sources.map((u) => u.path);
  if (sources.length === 1) {
    const name = path.posix.basename(remotes[0]);
    const destination =
      answers.localTarget ??
      (await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(defaultLocalFolder(), localNameProblem(name) ? 'download' : name)),
        saveLabel: 'Download',
        title: `Download ${label(sources[0])}`,
      }));
    if (!isLocalUri(destination)) return undefined;
    // Only the folder the dialog returned is resolved; the name in it is lstat-ed when written.
    const local = path.join(await resolvedFolder(path.dirname(destination.fsPath)), path.basename(destination.fsPath));
    return { items: [{ remote: remotes[0], local }], skipped: [], where: destination };
  }
  const folder =
    answers.localTarget ??
    (await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Download', title: `Download ${sources.length} items from ${sources[0].authority}`, defaultUri: vscode.Uri.file(defaultLocalFolder()) }))?.[0];
  if (!isLocalUri(folder)) return undefined;
  // The folder the user picked may be a link (resolved here, once); folder/<name> never is.
  return { ...intoFolder(await resolvedFolder(folder.fsPath), remotes), where: folder };
}

/** The real path of a folder the user picked, or the path as given when it cannot be resolved (the download then reports why). */
function resolvedFolder(folder: string): Promise<string> {
  return fs.promises.realpath(folder).catch(() => folder);
}

async function downloadCommand(deps: Deps, clicked: unknown, selection: unknown, answers: DialogAnswers): Promise<void> {
  let sources = remoteSelection(clicked, selection);
  const active = vscode.window.activeTextEditor?.document.uri;
  if (!sources.length && active?.scheme === SCHEME) sources = [active.with({ path: normalizeRemotePath(active.path) })];
  if (!sources.length) {
    void vscode.window.showInformationMessage('Pick a remote file or folder in the Explorer or the Sandbox Explorer view to download.');
    return;
  }
  const host = sources[0].authority;
  if (sources.some((u) => u.authority !== host)) {
    void vscode.window.showInformationMessage('Download from one host at a time.');
    return;
  }
  const destination = await downloadDestination(sources, answers);
  if (!destination) return;
  const what = sources.length === 1 ? path.posix.basename(sources[0].path) : `${sources.length} items`;
  try {
    const report = await withTransferProgress(`Downloading ${sources.length === 1 ? label(sources[0]) : `${what} from ${host}`}`, deps.log, (signal, sink) =>
      deps.sessions.run(
        host,
        (s) =>
          download(s, destination.items, {
            symlinks: settings.transferSymlinks(),
            confirmReplace: (local, kind) => askReplace(vscode.Uri.file(local), kind),
            signal,
            onProgress: sink.progress,
            onListing: sink.listing,
            log: deps.log,
          }),
        signal,
      ),
    );
    if (!report) return;
    for (const s of destination.skipped) deps.log.warn(`download: skipped ${JSON.stringify(s.path)}: ${s.why}`);
    report.skipped.unshift(...destination.skipped);
    reportDone('Downloaded', what, destination.where.fsPath, report, deps.log, destination.where);
  } catch (err) {
    deps.log.error(`download from ${host} failed: ${err instanceof Error ? err.message : String(err)}`);
    void vscode.window.showErrorMessage(`Download failed: ${toFileSystemError(err, sources[0]).message}`);
  }
}

export function registerTransferCommands(deps: Deps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('sandboxExplorer.fs.upload', (clicked?: unknown, _selection?: unknown, answers?: unknown) => uploadCommand(deps, clicked, dialogAnswers(answers))),
    vscode.commands.registerCommand('sandboxExplorer.fs.download', (clicked?: unknown, selection?: unknown, answers?: unknown) => downloadCommand(deps, clicked, selection, dialogAnswers(answers))),
  );
}
