import * as vscode from 'vscode';
import { HostEntry } from '../common/hostEntry';
import { targetText } from './hostLabels';
import { hostsNodeOf } from '../editor/hostsNode';

export interface PickOptions {
  readonly placeHolder: string;
  /** Which hosts the picker offers; enabled hosts when left out. */
  readonly filter?: (host: HostEntry) => boolean;
  /** Said when no host passes the filter. */
  readonly none?: string;
}

/** A tree node's host, or undefined for anything else (view/title passes no node, or another node). */
export function hostOfNode(arg: unknown): HostEntry | undefined {
  return hostsNodeOf(arg, 'host')?.host;
}

/** `user@host:port` of a settings entry as written; ssh config hosts say where they come from. */
export function entryDescription(h: HostEntry): string {
  if (h.source === 'gateway') return `sandbox ${h.sandboxId ?? ''} on gateway ${h.gateway ?? ''}`;
  return h.source === 'settings' ? targetText({ user: h.user, hostname: h.hostname ?? h.name, port: h.port }) : 'ssh config';
}

/** Commands accept a tree node, an sbx:// uri, a host name, or nothing (then ask). */
export async function hostFromArgument(arg: unknown, hosts: () => Promise<HostEntry[]>, options: string | PickOptions): Promise<HostEntry | undefined> {
  const { placeHolder, filter = (h: HostEntry) => h.enabled, none } = typeof options === 'string' ? { placeHolder: options } : options;
  // A tree node names its host: no listing (a slow gateway) is waited for.
  const fromNode = hostOfNode(arg);
  if (fromNode) return fromNode;
  const all = await hosts();
  if (arg instanceof vscode.Uri) return all.find((h) => h.name === arg.authority);
  if (typeof arg === 'string') return all.find((h) => h.name === arg);
  const offered = all.filter(filter);
  if (offered.length === 0) {
    void vscode.window.showInformationMessage(none ?? 'No hosts yet: add one to ~/.ssh/config or to the sandboxExplorer.hosts setting.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    offered.map((h) => ({ label: h.name, description: entryDescription(h), detail: h.group, host: h })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.host;
}
