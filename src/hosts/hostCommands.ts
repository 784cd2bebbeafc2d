import * as vscode from 'vscode';
import { Commands } from '../editor/commands';
import { withTokenSignal } from '../common/cancellation';
import { ConnectionPool, ConnectionRef } from '../ssh/pool';
import { HostsTreeProvider } from './hostsTreeProvider';

/**
 * Host commands; an explicit Connect holds a reference until Disconnect, so the link stays up.
 * Disconnect holds the host down (the pool fails its uses) until Connect.
 */
export function registerHostCommands(
  commands: Commands,
  deps: {
    tree: HostsTreeProvider;
    pool: ConnectionPool;
    channel: vscode.LogOutputChannel;
    openSettings: () => Thenable<unknown>;
    /** Lists other sources (sandbox gateways) again. */
    reloadSources?: () => void;
  },
): vscode.Disposable {
  const kept = new Map<string, ConnectionRef>();
  return vscode.Disposable.from(
    { dispose: () => kept.forEach((ref) => ref.release()) },
    commands.plain('sandboxExplorer.hosts.refresh', 'Refresh', () => {
      deps.pool.retry();
      deps.reloadSources?.();
      deps.tree.refresh();
    }),
    commands.plain('sandboxExplorer.hosts.openSettings', 'Open Host Settings', () => deps.openSettings()),
    commands.plain('sandboxExplorer.log.show', 'Show Log', () => deps.channel.show()),
    // A connection failure is shown with its fixes (the helper hands it to ConnectionNotices).
    commands.host('sandboxExplorer.hosts.connect', 'Connect', 'Connect to which host?', async (host) => {
      deps.pool.resume(host.name);
      const ref = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Connecting to ${host.name}…`, cancellable: true },
        (_p, token) => withTokenSignal(token, (signal) => deps.pool.acquire(host.name, signal)),
      );
      kept.get(host.name)?.release();
      kept.set(host.name, ref);
    }),
    commands.host('sandboxExplorer.hosts.disconnect', 'Disconnect', 'Disconnect which host?', async (host) => {
      kept.get(host.name)?.release();
      kept.delete(host.name);
      await deps.pool.disconnect(host.name);
    }),
  );
}
