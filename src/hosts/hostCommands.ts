import * as vscode from 'vscode';
import { withTokenSignal } from '../common/cancellation';
import { SshError } from '../ssh/errors';
import { ConnectionPool, ConnectionRef } from '../ssh/pool';
import { ConnectionNotices } from './connectionNotices';
import { HostRegistry } from './hostRegistry';
import { HostsTreeProvider } from './hostsTreeProvider';
import { hostFromArgument } from './pickHost';

/**
 * Host commands; an explicit Connect holds a reference until Disconnect, so the link stays up.
 * Disconnect holds the host down (the pool fails its uses) until Connect.
 */
export function registerHostCommands(deps: {
  tree: HostsTreeProvider;
  registry: HostRegistry;
  pool: ConnectionPool;
  channel: vscode.LogOutputChannel;
  notices: ConnectionNotices;
  openSettings: () => Thenable<unknown>;
}): vscode.Disposable {
  const kept = new Map<string, ConnectionRef>();
  const hosts = () => deps.registry.hosts();
  return vscode.Disposable.from(
    { dispose: () => kept.forEach((ref) => ref.release()) },
    vscode.commands.registerCommand('sandboxExplorer.hosts.refresh', () => {
      deps.pool.retry();
      deps.tree.refresh();
    }),
    vscode.commands.registerCommand('sandboxExplorer.hosts.openSettings', () => deps.openSettings()),
    vscode.commands.registerCommand('sandboxExplorer.log.show', () => deps.channel.show()),
    vscode.commands.registerCommand('sandboxExplorer.hosts.connect', async (arg?: unknown) => {
      const host = await hostFromArgument(arg, hosts, 'Connect to which host?');
      if (!host) return;
      deps.pool.resume(host.name);
      try {
        const ref = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Connecting to ${host.name}…`, cancellable: true },
          (_p, token) => withTokenSignal(token, (signal) => deps.pool.acquire(host.name, signal)),
        );
        kept.get(host.name)?.release();
        kept.set(host.name, ref);
      } catch (err) {
        if (SshError.is(err, 'cancelled')) return;
        void deps.notices.show(host.name, err);
      }
    }),
    vscode.commands.registerCommand('sandboxExplorer.hosts.disconnect', async (arg?: unknown) => {
      const host = await hostFromArgument(arg, hosts, 'Disconnect which host?');
      if (!host) return;
      kept.get(host.name)?.release();
      kept.delete(host.name);
      await deps.pool.disconnect(host.name);
    }),
  );
}
