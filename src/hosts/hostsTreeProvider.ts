import * as vscode from 'vscode';
import { HostEntry } from './hostEntry';
import { ConnectionStateName, HostTarget, shortText, STATE_WORDS, targetText, viaText } from './hostLabels';

export type { ConnectionStateName } from './hostLabels';

/** Tree nodes are told apart by `kind`, never by duck typing. */
export type HostsNode =
  | { readonly kind: 'group'; readonly name: string; readonly hosts: HostEntry[] }
  | { readonly kind: 'host'; readonly host: HostEntry }
  | { readonly kind: 'entry'; readonly uri: vscode.Uri; readonly type: vscode.FileType }
  | { readonly kind: 'message'; readonly text: string; readonly error: boolean };

export interface HostsModel {
  readonly onDidChange: vscode.Event<void>;
  hosts(): Promise<HostEntry[]>;
  state(hostName: string): { state: ConnectionStateName; reason?: string };
  /** Where the host points (its settings resolved through ssh config). */
  target(host: HostEntry): Promise<HostTarget>;
}

/** The sbx:// folder a host opens at (its remote working directory, else the login directory). */
export type RootUri = (host: HostEntry) => Promise<vscode.Uri>;

/** The state is shown by the icon (and said in the tooltip and to screen readers), never in the row text. */
const STATE_ICONS: Record<ConnectionStateName, vscode.ThemeIcon> = {
  disconnected: new vscode.ThemeIcon('vm-outline'),
  connecting: new vscode.ThemeIcon('sync~spin'),
  connected: new vscode.ThemeIcon('vm-active', new vscode.ThemeColor('testing.iconPassed')),
  reconnecting: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('list.warningForeground')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
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
        return this.listing(() => this.rootUri(node.host));
      case 'entry':
        return node.type & vscode.FileType.Directory ? this.listing(async () => node.uri) : [];
      case 'message':
        return [];
    }
  }

  getTreeItem(node: HostsNode): vscode.TreeItem | Thenable<vscode.TreeItem> {
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
        // A long error would be cut anywhere by the row's width: the row gets its first
        // sentence, the tooltip all of it.
        const item = new vscode.TreeItem(node.error ? shortText(node.text) : node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info');
        item.tooltip = node.text;
        item.contextValue = node.error ? 'message.error' : 'message';
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

  private async hostItem(host: HostEntry): Promise<vscode.TreeItem> {
    const { state, reason } = this.model.state(host.name);
    const target = await this.model.target(host);
    const item = new vscode.TreeItem(host.name, host.enabled ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `host:${host.name}`;
    const where = targetText(target);
    const stateWords = host.enabled ? STATE_WORDS[state] : 'disabled';
    // The description is where the host is, whatever its state; the state is the icon.
    item.description = host.enabled ? where : `${where} · disabled`;
    const via = viaText(target);
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**').appendText(host.name).appendMarkdown('**\n\n');
    tooltip.appendText(via ? `${where}, ${via}` : where).appendMarkdown('\n\n');
    tooltip.appendText(`State: ${stateWords}`);
    if (reason && host.enabled) tooltip.appendMarkdown('\n\n').appendText(`${state === 'failed' ? 'Failed' : 'Last failure'}: ${reason}`);
    tooltip.appendMarkdown('\n\n').appendText(`From ${host.source === 'sshConfig' ? '~/.ssh/config' : 'the sandboxExplorer.hosts setting'}`);
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: `${host.name}, ${where}, ${stateWords}` };
    item.iconPath = host.enabled ? STATE_ICONS[state] : new vscode.ThemeIcon('circle-slash');
    item.contextValue = host.enabled ? (state === 'connected' || state === 'reconnecting' ? 'host.connected' : 'host.disconnected') : 'host.disabled';
    return item;
  }
}
