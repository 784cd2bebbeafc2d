// Composition root: builds the services in order and hands them to the context.
// No logic here and no side effects at module load.
import * as vscode from 'vscode';
import { HostsTreeProvider } from './hosts/hostsTreeProvider';
import { HostRegistry } from './hosts/hostRegistry';
import { registerHostCommands } from './hosts/hostCommands';
import { outputChannelLogger } from './ui/logChannel';

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel('Sandbox Explorer', { log: true });
  context.subscriptions.push(channel);
  const log = outputChannelLogger(channel);

  const registry = new HostRegistry(log);
  context.subscriptions.push(registry);

  const tree = new HostsTreeProvider(registry);
  context.subscriptions.push(tree, vscode.window.createTreeView('sandboxExplorer.hosts', { treeDataProvider: tree, showCollapseAll: true }));

  context.subscriptions.push(registerHostCommands({ tree, channel }));
  log.info(`Sandbox Explorer activated (VS Code ${vscode.version}, Node ${process.version})`);
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
