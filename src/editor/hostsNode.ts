// The Hosts view's tree nodes, told apart by `kind`, and recognised by one guard. Commands of
// every feature receive them as arguments (view/item/context passes the node), so the type and
// its guard live here, not in the hosts feature: features never import each other.
import * as vscode from 'vscode';
import { GatewayGroup, HostEntry } from '../common/hostEntry';

export type HostsNode =
  | { readonly kind: 'group'; readonly name: string; readonly hosts: HostEntry[]; readonly gateway?: GatewayGroup }
  | { readonly kind: 'host'; readonly host: HostEntry }
  | { readonly kind: 'entry'; readonly uri: vscode.Uri; readonly type: vscode.FileType }
  | { readonly kind: 'message'; readonly text: string; readonly error: boolean; readonly detail?: string; readonly command?: vscode.Command }
  | HostChildNode;

/**
 * A row another feature puts under a host (an open terminal, an active forward). The feature
 * builds it and recognises it again by `feature` + `id` when one of its commands receives it.
 */
export interface HostChildNode {
  readonly kind: 'child';
  /** The host's name. */
  readonly host: string;
  /** The feature that owns the row (e.g. 'terminal', 'forward'); its contextValue starts with it. */
  readonly feature: string;
  /** Unique within the feature and host; the feature's own key for the thing shown. */
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  /** A codicon id, optionally with a theme colour id. */
  readonly icon?: string;
  readonly iconColor?: string;
  readonly contextValue: string;
  readonly command?: vscode.Command;
}

/** What a feature gives the Hosts view: rows under a host, and when they changed (the host's name, or undefined for all). */
export interface HostChildSource {
  children(host: string): readonly HostChildNode[];
  readonly onDidChange: vscode.Event<string | undefined>;
}

export type HostsNodeKind = HostsNode['kind'];
export type HostsNodeOf<K extends HostsNodeKind> = Extract<HostsNode, { kind: K }>;

const KINDS: readonly string[] = ['group', 'host', 'entry', 'message', 'child'] satisfies HostsNodeKind[];

/** `value` as a Hosts view node of that kind, or undefined for anything else (a Uri, a name, null, another kind). */
export function hostsNodeOf<K extends HostsNodeKind>(value: unknown, kind: K): HostsNodeOf<K> | undefined {
  if (!value || typeof value !== 'object' || value instanceof vscode.Uri) return undefined;
  const node = value as { kind?: unknown };
  if (typeof node.kind !== 'string' || !KINDS.includes(node.kind) || node.kind !== kind) return undefined;
  if (kind === 'host') return isHostEntry((value as { host?: unknown }).host) ? (value as HostsNodeOf<K>) : undefined;
  if (kind === 'entry') {
    const entry = value as { uri?: unknown; type?: unknown };
    return entry.uri instanceof vscode.Uri && typeof entry.type === 'number' ? (value as HostsNodeOf<K>) : undefined;
  }
  if (kind === 'child') {
    const child = value as { host?: unknown; feature?: unknown; id?: unknown };
    return typeof child.host === 'string' && typeof child.feature === 'string' && typeof child.id === 'string' ? (value as HostsNodeOf<K>) : undefined;
  }
  return value as HostsNodeOf<K>;
}

function isHostEntry(value: unknown): value is HostEntry {
  return !!value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string';
}

/** A host node's host, or undefined for anything else (view/title passes no node, or another node). */
export function hostOfNode(arg: unknown): HostEntry | undefined {
  return hostsNodeOf(arg, 'host')?.host;
}

/** A file or folder node's resource, or undefined for anything else. */
export function entryOfNode(arg: unknown): { uri: vscode.Uri; type: vscode.FileType } | undefined {
  const node = hostsNodeOf(arg, 'entry');
  return node ? { uri: node.uri, type: node.type } : undefined;
}

/** A row of `feature` that a feature's command received (view/item/context passes the node), or undefined for anything else. */
export function childOfNode(arg: unknown, feature: string): HostChildNode | undefined {
  const node = hostsNodeOf(arg, 'child');
  return node?.feature === feature ? node : undefined;
}

/** How a command resolves its argument (tree node, sbx:// URI, host name, or nothing: ask) to a host. */
export type HostPicker = (arg: unknown, placeHolder: string) => Promise<HostEntry | undefined>;
