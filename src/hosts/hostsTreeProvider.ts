import * as vscode from 'vscode';
import { displayDestination } from '../common/userToken';
import { HostEntry } from './hostEntry';

export type ConnectionStateName = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** Tree nodes are told apart by `kind`, never by duck typing. */
export type HostsNode =
  | { readonly kind: 'group'; readonly name: string; readonly hosts: HostEntry[] }
  | { readonly kind: 'host'; readonly host: HostEntry }
  | { readonly kind: 'entry'; readonly uri: vscode.Uri; readonly type: vscode.FileType }
  | { readonly kind: 'message'; readonly text: string; readonly error: boolean };

export interface HostsModel {
  readonly onDidChange: vscode.Event<void>;
  hosts(): Promise<HostEntry[]>;
  state(hostName: string): { state: ConnectionStateName; reason?: string; held?: boolean };
}

/** The sbx:// folder a host opens at (its remote working directory, else the login directory). */
export type RootUri = (host: HostEntry) => Promise<vscode.Uri>;

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

  constructor(
    private readonly model: HostsModel,
    private readonly rootUri: RootUri,
  ) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: HostsNode): Promise<HostsNode[]> {
    if (!node) return this.roots();
    switch (node.kind) {
      case 'group':
        return node.hosts.map((host) => ({ kind: 'host', host }));
      case 'host':
        // Disconnected by the user: listing would fail (and notify) until they connect again.
        if (this.model.state(node.host.name).held) return [{ kind: 'message', text: 'Disconnected. Connect to browse its files.', error: false }];
        return this.listing(() => this.rootUri(node.host));
      case 'entry':
        return node.type & vscode.FileType.Directory ? this.listing(async () => node.uri) : [];
      case 'message':
        return [];
    }
  }

  getTreeItem(node: HostsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.contextValue = 'group';
        item.iconPath = new vscode.ThemeIcon('folder-library');
        return item;
      }
      case 'host':
        return this.hostItem(node.host);
      case 'entry': {
        const isDir = !!(node.type & vscode.FileType.Directory);
        const item = new vscode.TreeItem(node.uri, isDir ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.contextValue = isDir ? 'remoteFolder' : 'remoteFile';
        item.iconPath = isDir ? vscode.ThemeIcon.Folder : vscode.ThemeIcon.File;
        if (!isDir) item.command = { command: 'vscode.open', title: 'Open', arguments: [node.uri] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info');
        item.tooltip = node.text;
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private async roots(): Promise<HostsNode[]> {
    const hosts = await this.model.hosts();
    const groups = new Map<string, HostEntry[]>();
    for (const h of hosts) if (h.group) groups.set(h.group, [...(groups.get(h.group) ?? []), h]);
    return [
      ...[...groups].sort(([a], [b]) => a.localeCompare(b)).map(([name, members]): HostsNode => ({ kind: 'group', name, hosts: members })),
      ...hosts.filter((h) => !h.group).map((host): HostsNode => ({ kind: 'host', host })),
    ];
  }

  /** A folder's entries, folders first; a failure shows as a node instead of a silent empty folder. */
  private async listing(folder: () => Promise<vscode.Uri>): Promise<HostsNode[]> {
    try {
      const uri = await folder();
      const entries = await vscode.workspace.fs.readDirectory(uri);
      const isDir = (t: vscode.FileType) => (t & vscode.FileType.Directory ? 0 : 1);
      entries.sort(([a, ta], [b, tb]) => isDir(ta) - isDir(tb) || a.localeCompare(b));
      if (entries.length === 0) return [{ kind: 'message', text: 'Empty folder', error: false }];
      return entries.map(([name, type]): HostsNode => ({ kind: 'entry', uri: vscode.Uri.joinPath(uri, name), type }));
    } catch (err) {
      return [{ kind: 'message', text: err instanceof Error ? err.message : String(err), error: true }];
    }
  }

  private hostItem(host: HostEntry): vscode.TreeItem {
    const { state, reason } = this.model.state(host.name);
    const item = new vscode.TreeItem(host.name, host.enabled ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    // The id carries the state so a failed host collapses and lists again when retried.
    item.id = `host:${host.name}`;
    const target = displayDestination(host.user, host.hostname ?? host.name, host.port);
    item.description = !host.enabled ? 'disabled' : state === 'disconnected' ? (host.source === 'sshConfig' ? 'ssh config' : target) : state;
    item.tooltip = new vscode.MarkdownString(
      [`**${host.name}**${host.source === 'settings' ? ` — ${target}` : ''}`, `Source: ${host.source === 'sshConfig' ? '~/.ssh/config' : 'settings'}`, `State: ${state}${reason ? ` — ${reason}` : ''}`].join('\n\n'),
    );
    item.iconPath = host.enabled ? STATE_ICONS[state] : new vscode.ThemeIcon('circle-slash');
    item.contextValue = host.enabled ? (state === 'connected' || state === 'reconnecting' ? 'host.connected' : 'host.disconnected') : 'host.disabled';
    return item;
  }
}
