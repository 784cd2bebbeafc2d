import * as vscode from 'vscode';
import { HostsTreeProvider } from './hostsTreeProvider';

export function registerHostCommands(deps: { tree: HostsTreeProvider; channel: vscode.LogOutputChannel }): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('sandboxExplorer.hosts.refresh', () => deps.tree.refresh()),
    vscode.commands.registerCommand('sandboxExplorer.hosts.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', 'sandboxExplorer.hosts'),
    ),
    vscode.commands.registerCommand('sandboxExplorer.log.show', () => deps.channel.show()),
  );
}
