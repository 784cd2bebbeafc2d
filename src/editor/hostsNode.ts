// The Hosts view's tree nodes, told apart by `kind`, and recognised by one guard. Commands of
// every feature receive them as arguments (view/item/context passes the node), so the type and
// its guard live here, not in the hosts feature: features never import each other.
import * as vscode from 'vscode';
import { HostEntry } from '../common/hostEntry';

export type HostsNode =
  | { readonly kind: 'group'; readonly name: string; readonly hosts: HostEntry[] }
  | { readonly kind: 'host'; readonly host: HostEntry }
  | { readonly kind: 'entry'; readonly uri: vscode.Uri; readonly type: vscode.FileType }
  | { readonly kind: 'message'; readonly text: string; readonly error: boolean; readonly detail?: string; readonly command?: vscode.Command };

export type HostsNodeKind = HostsNode['kind'];
export type HostsNodeOf<K extends HostsNodeKind> = Extract<HostsNode, { kind: K }>;

const KINDS: readonly string[] = ['group', 'host', 'entry', 'message'] satisfies HostsNodeKind[];

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

/** How a command resolves its argument (tree node, sbx:// URI, host name, or nothing: ask) to a host. */
export type HostPicker = (arg: unknown, placeHolder: string) => Promise<HostEntry | undefined>;
