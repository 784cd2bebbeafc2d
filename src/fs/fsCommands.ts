import * as vscode from 'vscode';
import { HostEntry } from '../common/hostEntry';
import { entryOfNode, HostPicker } from '../editor/hostsNode';
import { SCHEME } from './remotePath';
import { RemoteRoots } from './remoteRoots';
import { scpHost, scpPaths } from './scpPath';

const isSbx = (u: unknown): u is vscode.Uri => u instanceof vscode.Uri && u.scheme === SCHEME;

/**
 * The sbx:// resources a command was invoked on: Explorer context passes (clickedUri,
 * selectedUris[]), a Hosts view node passes itself, the palette nothing (the active editor's).
 */
export function resourcesOf(arg: unknown, selected: unknown): vscode.Uri[] {
  if (Array.isArray(selected) && selected.some(isSbx)) return selected.filter(isSbx);
  const entry = entryOfNode(arg);
  if (entry) return [entry.uri];
  if (isSbx(arg)) return [arg];
  const active = vscode.window.activeTextEditor?.document.uri;
  return isSbx(active) ? [active] : [];
}

export function registerFsCommands(deps: { hosts: () => Promise<HostEntry[]>; pickHost: HostPicker; roots: RemoteRoots }): vscode.Disposable {
  const rootOf = async (host: HostEntry): Promise<vscode.Uri | undefined> => {
    try {
      return await deps.roots.rootUri(host);
    } catch (err) {
      void vscode.window.showErrorMessage(`Could not open ${host.name}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };
  /** A folder node or a non-root sbx:// folder is taken as is; a host (node, name, or picked) opens at its root. */
  const folderOrHost = async (arg: unknown, placeHolder: string): Promise<{ folder: vscode.Uri } | { host: HostEntry } | undefined> => {
    const entry = entryOfNode(arg);
    if (entry) return { folder: entry.uri };
    if (isSbx(arg) && arg.path !== '/' && arg.path !== '') return { folder: arg };
    const host = await deps.pickHost(arg, placeHolder);
    return host ? { host } : undefined;
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand('sandboxExplorer.fs.openFolder', async (arg?: unknown) => {
      const target = await folderOrHost(arg, 'Open a folder of which host?');
      if (!target) return;
      let folder: vscode.Uri | undefined;
      if ('folder' in target) folder = target.folder;
      else {
        const root = await rootOf(target.host);
        if (!root) return;
        // The editor's own open dialog browses sbx:// through our file system provider.
        const picked = await vscode.window.showOpenDialog({
          title: `Open Remote Folder on ${target.host.name}`,
          defaultUri: root,
          canSelectFolders: true,
          canSelectFiles: false,
          canSelectMany: false,
          openLabel: 'Open Folder',
        });
        folder = picked?.[0];
        if (folder && folder.scheme !== SCHEME) {
          void vscode.window.showErrorMessage(`${folder.toString(true)} is not on ${target.host.name}; choose a folder under sbx://${target.host.name}/.`);
          return;
        }
      }
      if (folder) await vscode.commands.executeCommand('vscode.openFolder', folder, { forceNewWindow: true });
    }),
    vscode.commands.registerCommand('sandboxExplorer.fs.addToWorkspace', async (arg?: unknown) => {
      const target = await folderOrHost(arg, 'Add which host to the workspace?');
      const uri = !target ? undefined : 'folder' in target ? target.folder : await rootOf(target.host);
      if (!uri) return;
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.some((f) => f.uri.toString() === uri.toString())) return;
      vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: `${uri.authority}: ${uri.path}` });
    }),
    // The Hosts view has no "Copy Path" of its own; the Explorer and editors do, so this one is offered only here.
    vscode.commands.registerCommand('sandboxExplorer.fs.copyRemotePath', async (arg?: unknown, selected?: unknown) => {
      const uris = resourcesOf(arg, selected);
      if (uris.length === 0) return;
      await vscode.env.clipboard.writeText(uris.map((u) => u.path).join('\n'));
      vscode.window.setStatusBarMessage(`Copied ${uris.length === 1 ? uris[0].path : `${uris.length} paths`}`, 3000);
    }),
    vscode.commands.registerCommand('sandboxExplorer.fs.copyScpPath', async (arg?: unknown, selected?: unknown) => {
      const uris = resourcesOf(arg, selected);
      if (uris.length === 0) return;
      const hosts = await deps.hosts();
      const hostPart = (name: string) => {
        const h = hosts.find((e) => e.name === name);
        // A settings host is no ssh alias: scp needs its address. ssh config hosts are aliases scp knows.
        return h?.source === 'settings' ? scpHost({ user: h.user, hostname: h.hostname ?? h.name }) : scpHost({ alias: name });
      };
      await vscode.env.clipboard.writeText(scpPaths(uris.map((u) => ({ host: hostPart(u.authority), path: u.path }))));
      const ports = [...new Set(uris.map((u) => hosts.find((e) => e.name === u.authority)?.port).filter((p): p is number => p !== undefined && p !== 22))];
      vscode.window.setStatusBarMessage(`Copied ${uris.length === 1 ? uris[0].path : `${uris.length} paths`} as host:path${ports.length ? ` (port ${ports.join(', ')}: scp -P, rsync -e 'ssh -p')` : ''}`, 5000);
    }),
  );
}
