import * as vscode from 'vscode';
import { HostEntry } from '../hosts/hostEntry';
import { HostsNode } from '../hosts/hostsTreeProvider';
import { hostFromArgument } from '../hosts/pickHost';
import { SCHEME } from './remotePath';
import { RemoteRoots } from './remoteRoots';

export function registerFsCommands(deps: { hosts: () => Promise<HostEntry[]>; roots: RemoteRoots }): vscode.Disposable {
  const rootOf = async (arg: unknown, placeHolder: string): Promise<vscode.Uri | undefined> => {
    const node = arg as HostsNode | undefined;
    if (node && typeof node === 'object' && 'kind' in node && node.kind === 'entry') return node.uri;
    if (arg instanceof vscode.Uri && arg.scheme === SCHEME && arg.path !== '/' && arg.path !== '') return arg;
    const host = await hostFromArgument(arg, deps.hosts, placeHolder);
    if (!host) return undefined;
    try {
      return await deps.roots.rootUri(host);
    } catch (err) {
      void vscode.window.showErrorMessage(`Could not open ${host.name}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand('sandboxExplorer.fs.openFolder', async (arg?: unknown) => {
      const uri = await rootOf(arg, 'Open which host?');
      if (uri) await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
    }),
    vscode.commands.registerCommand('sandboxExplorer.fs.addToWorkspace', async (arg?: unknown) => {
      const uri = await rootOf(arg, 'Add which host to the workspace?');
      if (!uri) return;
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.some((f) => f.uri.toString() === uri.toString())) return;
      vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: `${uri.authority}: ${uri.path}` });
    }),
    vscode.commands.registerCommand('sandboxExplorer.fs.copyRemotePath', async (arg?: unknown) => {
      const node = arg as HostsNode | undefined;
      const uri = arg instanceof vscode.Uri ? arg : node && typeof node === 'object' && 'kind' in node && node.kind === 'entry' ? node.uri : vscode.window.activeTextEditor?.document.uri;
      if (!uri || uri.scheme !== SCHEME) return;
      await vscode.env.clipboard.writeText(uri.path);
      vscode.window.setStatusBarMessage(`Copied ${uri.path}`, 3000);
    }),
  );
}
