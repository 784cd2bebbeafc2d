import * as vscode from 'vscode';
import { SshError } from '../ssh/errors';
import { ConnectionPool, ConnectionRef } from '../ssh/pool';
import { HostRegistry } from './hostRegistry';
import { HostsTreeProvider } from './hostsTreeProvider';
import { hostFromArgument } from './pickHost';

/** Host commands; an explicit Connect holds a reference until Disconnect, so the link stays up. */
export function registerHostCommands(deps: {
  tree: HostsTreeProvider;
  registry: HostRegistry;
  pool: ConnectionPool;
  channel: vscode.LogOutputChannel;
  openSettings: () => Thenable<unknown>;
}): vscode.Disposable {
  const held = new Map<string, ConnectionRef>();
  const hosts = () => deps.registry.hosts();
  return vscode.Disposable.from(
    { dispose: () => held.forEach((ref) => ref.release()) },
    vscode.commands.registerCommand('sandboxExplorer.hosts.refresh', () => {
      deps.pool.retry();
      deps.tree.refresh();
    }),
    vscode.commands.registerCommand('sandboxExplorer.hosts.openSettings', () => deps.openSettings()),
    vscode.commands.registerCommand('sandboxExplorer.log.show', () => deps.channel.show()),
    vscode.commands.registerCommand('sandboxExplorer.hosts.connect', async (arg?: unknown) => {
      const host = await hostFromArgument(arg, hosts, 'Connect to which host?');
      if (!host) return;
      deps.pool.retry(host.name);
      try {
        const ref = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Connecting to ${host.name}…`, cancellable: true },
          async (_p, token) => {
            const controller = new AbortController();
            const sub = token.onCancellationRequested(() => controller.abort());
            try {
              return await deps.pool.acquire(host.name, controller.signal);
            } finally {
              sub.dispose();
            }
          },
        );
        held.get(host.name)?.release();
        held.set(host.name, ref);
      } catch (err) {
        if (SshError.is(err, 'cancelled')) return;
        void vscode.window.showErrorMessage(`Could not connect to ${host.name}: ${err instanceof Error ? err.message : String(err)}`, 'Show Log').then((c) => c && deps.channel.show());
      }
    }),
    vscode.commands.registerCommand('sandboxExplorer.hosts.disconnect', async (arg?: unknown) => {
      const host = await hostFromArgument(arg, hosts, 'Disconnect which host?');
      if (!host) return;
      held.get(host.name)?.release();
      held.delete(host.name);
      await deps.pool.disconnect(host.name);
    }),
  );
}
