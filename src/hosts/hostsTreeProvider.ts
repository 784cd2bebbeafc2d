import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { SshError } from '../ssh/errors';
import { joinRemotePath } from '../ssh/sftp';
import { HostEntry } from '../common/hostEntry';
import { ConnectionState } from '../ssh/hostConnection';
import { groupHosts } from './hostFilter';
import { shortText, STATE_WORDS, targetText, viaText } from './hostLabels';
import { HostsModel } from './hostsModel';
import { HostChildNode, HostChildSource, HostsNode } from '../editor/hostsNode';

export type { HostsNode } from '../editor/hostsNode';
export type { HostsModel } from './hostsModel';

/** The sbx:// folder a host opens at (its remote working directory, else the login directory). */
export type RootUri = (host: HostEntry) => Promise<vscode.Uri>;

/** The state is shown by the icon (and said in the tooltip and to screen readers), never in the row text. */
const STATE_ICONS: Record<ConnectionState, vscode.ThemeIcon> = {
  disconnected: new vscode.ThemeIcon('vm-outline'),
  connecting: new vscode.ThemeIcon('sync~spin'),
  connected: new vscode.ThemeIcon('vm-active', new vscode.ThemeColor('testing.iconPassed')),
  reconnecting: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('list.warningForeground')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
};
/** Refused (login, host key, gateway token): unlike a generic failure, trying again alone will not help. */
const REFUSED_ICON = new vscode.ThemeIcon('shield', new vscode.ThemeColor('list.errorForeground'));
/** Connected, with requests queued for a free session channel (MaxSessions reached). */
const WAITING_ICON = new vscode.ThemeIcon('watch', new vscode.ThemeColor('list.warningForeground'));

export class HostsTreeProvider implements vscode.TreeDataProvider<HostsNode>, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly changed = this.disposables.add(new vscode.EventEmitter<HostsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  /**
   * The host nodes last handed out, by name. A state change refreshes only its host's node:
   * a whole-tree refresh drops the editor's handles for a moment, and a context-menu click
   * landing in that moment would reach the command without its node.
   */
  private hostNodes = new Map<string, Extract<HostsNode, { kind: 'host' }>>();
  /** Failed hosts to list (and so connect) once more; others show their failure instead. */
  private retryListing = new Set<string>();

  constructor(
    private readonly model: HostsModel,
    private readonly rootUri: RootUri,
    /** Other features' rows under a connected host (terminals, forwards), shown above its files. */
    private readonly childSources: readonly HostChildSource[] = [],
  ) {
    for (const source of childSources) {
      this.disposables.add(
        source.onDidChange((name) => {
          const node = name === undefined ? undefined : this.hostNodes.get(name);
          if (name === undefined || node) this.changed.fire(node);
        }),
      );
    }
    this.disposables.add(model.onDidChange(() => this.changed.fire(undefined)));
    this.disposables.add(
      model.onDidChangeState((name) => {
        // Jump hosts have states too but no row.
        const node = this.hostNodes.get(name);
        if (node) this.changed.fire(node);
      }),
    );
  }

  private filterText = '';

  /** Shows only hosts matching `text` (empty: all). */
  setFilter(text: string): void {
    this.filterText = text.trim();
    this.changed.fire(undefined);
  }

  get filter(): string {
    return this.filterText;
  }

  /** Everything again; hosts that failed are tried again once. */
  refresh(): void {
    this.retryListing = new Set(this.hostNodes.keys());
    this.changed.fire(undefined);
  }

  async getChildren(node?: HostsNode): Promise<HostsNode[]> {
    if (!node) return this.roots();
    switch (node.kind) {
      case 'group': {
        const hosts = node.hosts.map((host): HostsNode => this.hostNode(host));
        if (!node.gateway) return hosts;
        // A gateway's problem (token missing or rejected, API down) is said where its sandboxes would be.
        const problem = node.gateway.problem;
        const rows: HostsNode[] = problem ? [{ kind: 'message', text: shortText(problem), detail: problem, error: true, command: problemCommand(node.name, node.gateway.needsToken === true) }] : [];
        if (!problem && hosts.length === 0) rows.push({ kind: 'message', text: 'No sandboxes yet: Add Sandbox…', error: false, command: { command: 'sandboxExplorer.gateways.addSandbox', title: 'Add Sandbox…', arguments: [node.name] } });
        return [...rows, ...hosts];
      }
      case 'host': {
        // A failed host shows why instead of connecting again: listing it would connect, fail and
        // change its state, which refreshes this node and lists it again, without end.
        const { state, reason, held } = this.model.state(node.host.name);
        // Disconnected by the user: listing would fail (and notify) until they connect again.
        const features = this.featureRows(node.host.name);
        if (held) return [...features, { kind: 'message', text: 'Disconnected. Connect to browse its files.', error: false }];
        if (state === 'failed' && !this.retryListing.delete(node.host.name)) return [...features, ...this.failureRows(node.host, reason)];
        return [...features, ...(await this.listing(() => this.rootUri(node.host)))];
      }
      case 'entry':
        return node.type & vscode.FileType.Directory ? this.listing(async () => node.uri) : [];
      case 'message':
      case 'child':
        return [];
    }
  }

  getTreeItem(node: HostsNode): vscode.TreeItem | Thenable<vscode.TreeItem> {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.contextValue = node.gateway ? 'gateway' : 'group';
        item.iconPath = new vscode.ThemeIcon(node.gateway ? 'cloud' : 'folder-library');
        if (node.gateway) {
          item.id = `gateway:${node.name}`;
          item.description = 'sandbox gateway';
        }
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
        // The row's width would cut a long error anywhere: the row says what failed in a few
        // words, the tooltip gives the whole reason, a click opens the log.
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : node.command ? 'refresh' : 'info');
        // Markdown, so the workbench's own hover shows it (a plain string becomes a native title).
        item.tooltip = new vscode.MarkdownString().appendText(node.detail ?? node.text);
        item.contextValue = node.error ? 'message.error' : 'message';
        item.command = node.command ?? (node.error ? { command: 'sandboxExplorer.log.show', title: 'Show Log' } : undefined);
        return item;
      }
      case 'child':
        return childItem(node);
    }
  }

  dispose(): void {
    this.disposables.dispose();
  }

  /** The node last handed out for this host, while its entry is unchanged. */
  private hostNode(host: HostEntry): Extract<HostsNode, { kind: 'host' }> {
    const known = this.hostNodes.get(host.name);
    if (known && JSON.stringify(known.host) === JSON.stringify(host)) return known;
    const node = { kind: 'host', host } as const;
    this.hostNodes.set(host.name, node);
    return node;
  }

  private async roots(): Promise<HostsNode[]> {
    const hosts = await this.model.hosts();
    const names = new Set(hosts.map((h) => h.name));
    for (const name of [...this.hostNodes.keys()]) if (!names.has(name)) this.hostNodes.delete(name);
    const { groups, ungrouped } = groupHosts(hosts, this.filterText);
    if (this.filterText && groups.length === 0 && ungrouped.length === 0) {
      return [{ kind: 'message', text: `No host matches "${this.filterText}"`, error: false, command: { command: 'sandboxExplorer.hosts.clearFilter', title: 'Clear Filter' } }];
    }
    // Gateways are groups even when empty (sandboxes are added under them); a filter hides the empty ones.
    const gateways = new Map((this.model.gatewayGroups?.() ?? []).map((g) => [g.name, g]));
    const listed = groups.map(({ name, hosts: members }): HostsNode => ({ kind: 'group', name, hosts: members, gateway: gateways.get(name) }));
    const empty = this.filterText ? [] : [...gateways.values()].filter((g) => !groups.some((l) => l.name === g.name)).map((g): HostsNode => ({ kind: 'group', name: g.name, hosts: [], gateway: g }));
    return [...[...listed, ...empty].sort((a, b) => (a.kind === 'group' && b.kind === 'group' ? a.name.localeCompare(b.name) : 0)), ...ungrouped.map((host): HostsNode => this.hostNode(host))];
  }

  /** The rows other features put under this host; one that throws loses its rows, not the host's. */
  private featureRows(host: string): HostsNode[] {
    const rows: HostsNode[] = [];
    for (const source of this.childSources) {
      try {
        rows.push(...source.children(host));
      } catch {
        // A feature's bug must not hide the host's files.
      }
    }
    return rows;
  }

  private failureRows(host: HostEntry, reason: string | undefined): HostsNode[] {
    return [
      { kind: 'message', text: 'Could not connect', detail: reason ?? 'The last connection attempt failed.', error: true },
      { kind: 'message', text: 'Try Again', error: false, command: { command: 'sandboxExplorer.hosts.connect', title: 'Connect', arguments: [host.name] } },
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
      // A listed name is one segment, joined as it is (Uri.joinPath would resolve a `..` inside it).
      return entries.map(([name, type]): HostsNode => ({ kind: 'entry', uri: uri.with({ path: joinRemotePath(uri.path, name) }), type }));
    } catch (err) {
      return [{ kind: 'message', text: failureLabel(err), detail: err instanceof Error ? err.message : String(err), error: true }];
    }
  }

  private async hostItem(host: HostEntry): Promise<vscode.TreeItem> {
    const { state, reason, refused, waiting } = this.model.state(host.name);
    const target = await this.model.target(host);
    // A gateway sandbox is labelled by its id (its name is derived from it: see src/gateways/sandboxNames.ts).
    const item = new vscode.TreeItem(host.sandboxId ?? host.name, host.enabled ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `host:${host.name}`;
    const where = targetText(target);
    const activity = state === 'connecting' ? this.model.activity?.(host.name) : undefined;
    const stateWords = !host.enabled ? 'disabled' : refused ? 'refused' : waiting && state === 'connected' ? 'waiting for a session' : (activity ?? STATE_WORDS[state]);
    // The description is where the host is, whatever its state (the state is the icon), or what a slow connect waits for.
    item.description = host.enabled ? (activity ?? where) : `${where} · disabled`;
    const via = viaText(target);
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**').appendText(host.sandboxId ?? host.name).appendMarkdown('**\n\n');
    // As code: the renderer would otherwise turn user@host into a mail link.
    tooltip.appendMarkdown(codeSpan(where)).appendText(via ? `, ${via}` : '').appendMarkdown('\n\n');
    tooltip.appendText(`State: ${stateWords}`);
    if (reason && host.enabled) tooltip.appendMarkdown('\n\n').appendText(`${state === 'failed' ? 'Failed' : 'Last failure'}: ${reason}`);
    tooltip.appendMarkdown('\n\n').appendText(`From ${sourceText(host)}`);
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: `${host.sandboxId ?? host.name}, ${where}, ${stateWords}` };
    item.iconPath = !host.enabled ? new vscode.ThemeIcon('circle-slash') : refused ? REFUSED_ICON : waiting && state === 'connected' ? WAITING_ICON : STATE_ICONS[state];
    item.contextValue = host.enabled ? (state === 'connected' || state === 'reconnecting' ? 'host.connected' : 'host.disconnected') : 'host.disabled';
    return item;
  }
}

function childItem(node: HostChildNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = `${node.feature}:${node.host}:${node.id}`;
  item.description = node.description;
  if (node.tooltip) item.tooltip = new vscode.MarkdownString().appendText(node.tooltip);
  if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon, node.iconColor ? new vscode.ThemeColor(node.iconColor) : undefined);
  item.contextValue = node.contextValue;
  item.command = node.command;
  return item;
}

function sourceText(host: HostEntry): string {
  if (host.source === 'gateway') return `sandbox ${host.sandboxId ?? host.name} on gateway ${host.gateway ?? '?'}`;
  return host.source === 'sshConfig' ? '~/.ssh/config' : 'the sandboxExplorer.hosts setting';
}

/** A gateway problem's row: a click offers the fix (a token to enter), else the log. */
function problemCommand(gateway: string, needsToken: boolean): vscode.Command {
  return needsToken
    ? { command: 'sandboxExplorer.gateways.enterToken', title: 'Enter API Token…', arguments: [gateway] }
    : { command: 'sandboxExplorer.log.show', title: 'Show Log' };
}

/** Markdown inline code holding `text` literally, whatever backticks it contains. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${text} ${fence}`;
}

/** A few words for a folder that could not be listed: by the file system error's code, or the connection error's reason. */
function failureLabel(err: unknown): string {
  if (SshError.is(err)) {
    if (err.reason === 'auth-failed') return 'Login refused';
    if (err.reason === 'host-key') return 'Host key refused';
    if (err.reason === 'config') return 'Host settings unusable';
    return 'Could not connect';
  }
  switch (err instanceof vscode.FileSystemError ? err.code : undefined) {
    case 'Unavailable':
      return 'Could not connect';
    case 'FileNotFound':
      return 'Folder not found';
    case 'NoPermissions':
      return 'Permission denied';
    default:
      return 'Could not list this folder';
  }
}
