import * as vscode from 'vscode';
import { HostEntry } from './hostEntry';

export type ConnectionStateName = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** Tree nodes are told apart by `kind`, never by duck typing. */
export type HostsNode = { kind: 'group'; name: string; hosts: HostEntry[] } | { kind: 'host'; host: HostEntry };

export interface HostsModel {
  readonly onDidChange: vscode.Event<void>;
  hosts(): Promise<HostEntry[]>;
  state(hostName: string): { state: ConnectionStateName; reason?: string };
}

const STATE_ICONS: Record<ConnectionStateName, vscode.ThemeIcon> = {
  disconnected: new vscode.ThemeIcon('vm-outline'),
  connecting: new vscode.ThemeIcon('loading~spin'),
  connected: new vscode.ThemeIcon('vm-active', new vscode.ThemeColor('testing.iconPassed')),
  reconnecting: new vscode.ThemeIcon('sync~spin'),
  failed: new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('list.errorForeground')),
};

export class HostsTreeProvider implements vscode.TreeDataProvider<HostsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HostsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly model: HostsModel) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: HostsNode): Promise<HostsNode[]> {
    if (node?.kind === 'group') return node.hosts.map((host) => ({ kind: 'host', host }));
    if (node) return [];
    const hosts = await this.model.hosts();
    const ungrouped = hosts.filter((h) => !h.group);
    const groups = new Map<string, HostEntry[]>();
    for (const h of hosts) if (h.group) groups.set(h.group, [...(groups.get(h.group) ?? []), h]);
    return [
      ...[...groups].sort(([a], [b]) => a.localeCompare(b)).map(([name, members]): HostsNode => ({ kind: 'group', name, hosts: members })),
      ...ungrouped.map((host): HostsNode => ({ kind: 'host', host })),
    ];
  }

  getTreeItem(node: HostsNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      item.contextValue = 'group';
      item.iconPath = new vscode.ThemeIcon('folder-library');
      return item;
    }
    const { host } = node;
    const { state, reason } = this.model.state(host.name);
    const item = new vscode.TreeItem(host.name, vscode.TreeItemCollapsibleState.None);
    item.id = `host:${host.name}`;
    const target = `${host.user ? host.user + '@' : ''}${host.hostname ?? host.name}${host.port ? ':' + host.port : ''}`;
    item.description = host.enabled ? (state === 'disconnected' ? target : state) : 'disabled';
    item.tooltip = new vscode.MarkdownString(
      [`**${host.name}** — ${target}`, `Source: ${host.source === 'sshConfig' ? 'ssh config' : 'settings'}`, `State: ${state}${reason ? ` (${reason})` : ''}`].join('\n\n'),
    );
    item.iconPath = host.enabled ? STATE_ICONS[state] : new vscode.ThemeIcon('circle-slash');
    item.contextValue = host.enabled ? (state === 'connected' ? 'host.connected' : 'host.disconnected') : 'host.disabled';
    if (host.enabled) {
      item.command = { command: 'sandboxExplorer.fs.openFolder', title: 'Open Remote Folder', arguments: [node] };
    }
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
