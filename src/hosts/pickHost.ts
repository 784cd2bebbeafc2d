import * as vscode from 'vscode';
import { displayUser } from '../common/userToken';
import { HostEntry } from './hostEntry';
import { HostsNode } from './hostsTreeProvider';

/** Commands accept a tree node, an sbx:// uri, a host name, or nothing (then ask). */
export async function hostFromArgument(arg: unknown, hosts: () => Promise<HostEntry[]>, placeHolder: string): Promise<HostEntry | undefined> {
  const all = await hosts();
  const node = arg as HostsNode | undefined;
  if (node && typeof node === 'object' && 'kind' in node && node.kind === 'host') return node.host;
  if (arg instanceof vscode.Uri) return all.find((h) => h.name === arg.authority);
  if (typeof arg === 'string') return all.find((h) => h.name === arg);
  const enabled = all.filter((h) => h.enabled);
  if (enabled.length === 0) {
    void vscode.window.showInformationMessage('No hosts yet: add one to ~/.ssh/config or to the sandboxExplorer.hosts setting.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    enabled.map((h) => ({ label: h.name, description: h.source === 'settings' ? [h.user && displayUser(h.user), h.hostname].filter(Boolean).join('@') : 'ssh config', detail: h.group, host: h })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.host;
}
