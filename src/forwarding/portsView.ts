// The Ports view (one row per forward and per detected port) and the forward rows under each
// host in the Hosts view. Both show PortsService's entries; refreshes are throttled, and while
// a forward carries connections the byte counts are refreshed every few seconds.
import * as vscode from 'vscode';
import { HostChildNode, HostChildSource } from '../editor/hostsNode';
import { ForwardRow } from './forwardManager';
import { formatEndpoint } from './forwardSpec';
import { PortsEntry, PortsService } from './hostPorts';

export const PORTS_VIEW = 'sandboxExplorer.ports';
export const FORWARD_FEATURE = 'forward';
const REFRESH_THROTTLE_MS = 250;
const TRAFFIC_REFRESH_MS = 2000;

/** A row of the Ports view; commands receive it (view/item/context passes the node). */
export type PortsNode = PortsEntry & { readonly view: 'ports' };

/** Remote ports that are not web servers: no "Open in Browser" for them. */
const NOT_HTTP = new Set([21, 22, 23, 25, 53, 110, 143, 389, 445, 636, 1433, 1521, 2049, 2375, 2376, 3306, 5432, 5672, 6379, 9042, 9092, 11211, 27017]);

export function looksLikeHttp(row: ForwardRow): boolean {
  return row.spec.kind === 'local' && row.localPort !== undefined && (row.spec.target.kind === 'unix' ? false : !NOT_HTTP.has(row.spec.target.port));
}

/** `forward.<kind>.<state>[.http]`, or `detectedPort`: the menus' `viewItem` tests read it. */
export function contextValueOf(entry: PortsEntry): string {
  if (entry.kind === 'detected') return 'detectedPort';
  const { row } = entry;
  return `${FORWARD_FEATURE}.${row.spec.kind}.${row.state}${looksLikeHttp(row) ? '.http' : ''}`;
}

function kindWord(entry: PortsEntry): string {
  if (entry.kind === 'detected') return 'detected';
  return entry.row.spec.kind;
}

export function labelOf(entry: PortsEntry): string {
  if (entry.kind === 'detected') return `${entry.port}`;
  const r = entry.row;
  if (r.spec.kind === 'dynamic') return `SOCKS ${r.localAddress ?? formatEndpoint(r.spec.listen)}`;
  if (r.spec.kind === 'remote') return `${r.remoteAddress} → ${r.localAddress}`;
  return `${r.localAddress?.split(', ')[0] ?? formatEndpoint(r.spec.listen)} → ${r.remoteAddress}`;
}

export function descriptionOf(entry: PortsEntry, withHost: boolean, withTraffic = true): string {
  const parts: string[] = [];
  if (withHost) parts.push(entry.host);
  parts.push(kindWord(entry));
  if (entry.kind === 'forward') {
    const r = entry.row;
    parts.push(r.state === 'failed' ? `failed: ${r.reason ?? ''}` : r.state);
    if (r.portChanged) parts.push(`local port changed to ${r.localPort}`);
    if (withTraffic) {
      if (r.traffic.active) parts.push(`${r.traffic.active} conn`);
      if (r.traffic.failed) parts.push(`${r.traffic.failed} failed`);
      const bytes = r.traffic.bytesUp + r.traffic.bytesDown;
      if (bytes) parts.push(formatBytes(bytes));
    }
  } else {
    parts.push('not forwarded');
  }
  return parts.join(' · ');
}

function tooltipOf(entry: PortsEntry): string {
  if (entry.kind === 'detected') return `${entry.host}: remote port ${entry.port} is listening; not forwarded. Forward it to reach it from this machine.`;
  const r = entry.row;
  const lines = [
    `${entry.host} · ${r.spec.kind} forward (${r.origin === 'user' ? 'yours' : r.origin === 'config' ? 'from ssh config' : 'forwarded automatically'})`,
    `Local: ${r.localAddress ?? '—'}`,
    `Remote: ${r.remoteAddress}`,
    `State: ${r.state}${r.reason ? ` — ${r.reason}` : ''}`,
  ];
  if (r.portChanged) lines.push(`The local port had to change: ${r.localPort} instead of ${(r.spec.listen as { port: number }).port}.`);
  lines.push(`Connections: ${r.traffic.active} open, ${r.traffic.opened} in all, ${r.traffic.failed} failed; ${formatBytes(r.traffic.bytesUp)} sent, ${formatBytes(r.traffic.bytesDown)} received`);
  if (r.traffic.lastFailure) lines.push(`Last failed connection: ${r.traffic.lastFailure}`);
  return lines.join('\n');
}

function iconOf(entry: PortsEntry): vscode.ThemeIcon {
  if (entry.kind === 'detected') return new vscode.ThemeIcon('eye');
  switch (entry.row.state) {
    case 'active':
      return new vscode.ThemeIcon('plug', new vscode.ThemeColor('testing.iconPassed'));
    case 'starting':
    case 'reconnecting':
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('list.warningForeground'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function idOf(entry: PortsEntry): string {
  return entry.kind === 'forward' ? `${entry.row.id}` : `detected:${entry.port}`;
}

export class PortsTreeProvider implements vscode.TreeDataProvider<PortsNode>, HostChildSource, vscode.Disposable {
  private readonly treeChanged = new vscode.EventEmitter<PortsNode | undefined>();
  readonly onDidChangeTreeData = this.treeChanged.event;
  private readonly hostChanged = new vscode.EventEmitter<string | undefined>();
  /** For the Hosts view: the host whose forward rows changed. */
  readonly onDidChange = this.hostChanged.event;
  private readonly dirtyHosts = new Set<string>();
  /** What each host's Hosts view rows showed last: its node is refreshed only when they change. */
  private readonly hostRowsShown = new Map<string, string>();
  private throttle: NodeJS.Timeout | undefined;
  private traffic: NodeJS.Timeout | undefined;
  private readonly sub: { dispose(): void };

  constructor(private readonly ports: PortsService) {
    this.sub = ports.onDidChange((host) => this.schedule(host));
  }

  getChildren(node?: PortsNode): PortsNode[] {
    if (node) return [];
    return this.ports.entries().map((e) => ({ ...e, view: 'ports' as const }));
  }

  getTreeItem(node: PortsNode): vscode.TreeItem {
    const item = new vscode.TreeItem(labelOf(node), vscode.TreeItemCollapsibleState.None);
    item.id = `${node.host}:${idOf(node)}`;
    item.description = descriptionOf(node, true);
    item.tooltip = tooltipOf(node);
    item.iconPath = iconOf(node);
    item.contextValue = contextValueOf(node);
    return item;
  }

  /** HostChildSource: the host's forwards (not its detected ports) as Hosts view rows. */
  children(host: string): readonly HostChildNode[] {
    return this.ports
      .entries(host)
      .filter((e) => e.kind === 'forward')
      .map((e) => ({
        kind: 'child',
        host,
        feature: FORWARD_FEATURE,
        id: idOf(e),
        label: labelOf(e),
        // No live numbers here: each refresh of a host's row lists its folder again.
        description: descriptionOf(e, false, false),
        tooltip: tooltipOf(e),
        icon: iconOf(e).id,
        iconColor: (iconOf(e).color as { id?: string } | undefined)?.id,
        contextValue: contextValueOf(e),
      }));
  }

  private schedule(host: string): void {
    this.dirtyHosts.add(host);
    if (this.throttle) return;
    this.throttle = setTimeout(() => this.flush(), REFRESH_THROTTLE_MS);
  }

  private flush(): void {
    this.throttle = undefined;
    const hosts = [...this.dirtyHosts];
    this.dirtyHosts.clear();
    this.treeChanged.fire(undefined);
    for (const h of hosts) {
      // Refreshing a host's node lists its remote folder again: only when its forward rows changed.
      const shown = JSON.stringify(this.children(h).map((c) => [c.id, c.label, c.description, c.contextValue, c.icon]));
      if (this.hostRowsShown.get(h) === shown) continue;
      this.hostRowsShown.set(h, shown);
      this.hostChanged.fire(h);
    }
    // Bytes move without events (one per chunk would be too many): poll while anything is open.
    const busy = this.ports.entries().filter((e) => e.kind === 'forward' && e.row.traffic.active > 0);
    if (busy.length && !this.traffic) {
      this.traffic = setTimeout(() => {
        this.traffic = undefined;
        for (const e of busy) this.dirtyHosts.add(e.host);
        this.flush();
      }, TRAFFIC_REFRESH_MS);
    }
  }

  dispose(): void {
    clearTimeout(this.throttle);
    clearTimeout(this.traffic);
    this.sub.dispose();
    this.treeChanged.dispose();
    this.hostChanged.dispose();
  }
}
