// The Hosts view's tree nodes, told apart by `kind`. Commands of every feature receive them as
// arguments (view/item/context passes the node), so the type and its guards live here, not in
// the hosts feature: features never import each other.
import * as vscode from 'vscode';
import { HostEntry } from '../common/hostEntry';

export type HostsNode =
  | { readonly kind: 'group'; readonly name: string; readonly hosts: HostEntry[] }
  | { readonly kind: 'host'; readonly host: HostEntry }
  | { readonly kind: 'entry'; readonly uri: vscode.Uri; readonly type: vscode.FileType }
  | { readonly kind: 'message'; readonly text: string; readonly error: boolean; readonly detail?: string; readonly command?: vscode.Command };

function nodeOf(arg: unknown): HostsNode | undefined {
  return arg && typeof arg === 'object' && 'kind' in arg ? (arg as HostsNode) : undefined;
}

/** A host node's host, or undefined for anything else (view/title passes no node, or another node). */
export function hostOfNode(arg: unknown): HostEntry | undefined {
  const node = nodeOf(arg);
  return node?.kind === 'host' ? node.host : undefined;
}

/** A file or folder node's resource, or undefined for anything else. */
export function entryOfNode(arg: unknown): { uri: vscode.Uri; type: vscode.FileType } | undefined {
  const node = nodeOf(arg);
  return node?.kind === 'entry' ? { uri: node.uri, type: node.type } : undefined;
}

/** How a command resolves its argument (tree node, sbx:// URI, host name, or nothing: ask) to a host. */
export type HostPicker = (arg: unknown, placeHolder: string) => Promise<HostEntry | undefined>;
