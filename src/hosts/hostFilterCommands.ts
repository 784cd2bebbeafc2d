// Filter Hosts… / Clear Filter: the view's description shows the active filter, and a context
// key swaps the title's filter icon for a clear icon.
import * as vscode from 'vscode';
import { Commands } from '../editor/commands';
import { HostsNode, HostsTreeProvider } from './hostsTreeProvider';

export function registerHostFilterCommands(commands: Commands, tree: HostsTreeProvider, view: vscode.TreeView<HostsNode>): vscode.Disposable {
  const apply = async (text: string) => {
    tree.setFilter(text);
    view.description = tree.filter ? `filter: ${tree.filter}` : undefined;
    await vscode.commands.executeCommand('setContext', 'sandboxExplorer.hostsFiltered', tree.filter !== '');
  };
  return vscode.Disposable.from(
    // The view title passes nothing (then it asks); a string is applied as it is.
    commands.plain('sandboxExplorer.hosts.filter', 'Filter Hosts', async (arg?: unknown) => {
      if (typeof arg === 'string') return apply(arg);
      const text = await vscode.window.showInputBox({ title: 'Filter Hosts', prompt: 'Words to match in host names, addresses, users and groups', value: tree.filter });
      if (text !== undefined) await apply(text);
    }),
    commands.plain('sandboxExplorer.hosts.clearFilter', 'Clear Hosts Filter', () => apply('')),
  );
}
