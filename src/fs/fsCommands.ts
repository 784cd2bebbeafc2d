import * as vscode from 'vscode';
import { Commands, ResourceOrHost } from '../editor/commands';
import { HostEntry } from '../common/hostEntry';
import { SCHEME } from './remotePath';
import { RemoteRoots } from './remoteRoots';
import { scpHost, scpPaths } from './scpPath';

export function registerFsCommands(commands: Commands, deps: { hosts: () => Promise<HostEntry[]>; roots: RemoteRoots }): vscode.Disposable {
  /** A folder node or a non-root sbx:// folder is opened as is; a host (node, name, or picked) is browsed from its root. */
  const openFolder = async (target: ResourceOrHost) => {
    let folder: vscode.Uri | undefined;
    if ('resource' in target) folder = target.resource.uri;
    else {
      // The editor's own open dialog browses sbx:// through our file system provider.
      const picked = await vscode.window.showOpenDialog({
        title: `Open Remote Folder on ${target.host.name}`,
        defaultUri: await deps.roots.rootUri(target.host),
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
  };
  const addToWorkspace = async (target: ResourceOrHost) => {
    const uri = 'resource' in target ? target.resource.uri : await deps.roots.rootUri(target.host);
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.some((f) => f.uri.toString() === uri.toString())) return;
    vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: `${uri.authority}: ${uri.path}` });
  };

  return vscode.Disposable.from(
    commands.resourceOrHost('sandboxExplorer.fs.openFolder', 'Open Remote Folder', 'Open a folder of which host?', openFolder, { rootIsHost: true }),
    commands.resourceOrHost('sandboxExplorer.fs.addToWorkspace', 'Add Remote Folder to Workspace', 'Add which host to the workspace?', addToWorkspace, { rootIsHost: true }),
    // The Hosts view has no "Copy Path" of its own; the Explorer and editors do, so this one is offered only here.
    commands.resources('sandboxExplorer.fs.copyRemotePath', 'Copy Remote Path', async (uris) => {
      if (uris.length === 0) return;
      await vscode.env.clipboard.writeText(uris.map((u) => u.path).join('\n'));
      vscode.window.setStatusBarMessage(`Copied ${uris.length === 1 ? uris[0].path : `${uris.length} paths`}`, 3000);
    }),
    commands.resources('sandboxExplorer.fs.copyScpPath', 'Copy as host:path', async (uris) => {
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
