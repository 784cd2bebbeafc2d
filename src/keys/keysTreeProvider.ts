// The SSH Keys view: the public keys in ~/.ssh and the agent's, with type, comment, SHA256
// fingerprint and the hosts that last logged in with each.
import * as path from 'path';
import * as vscode from 'vscode';
import { AgentKey } from '../ssh/agent';
import { keyTypeLabel } from '../ssh/hostKeys/keyBlob';
import { listLocalPublicKeys, LocalPublicKey } from '../ssh/keys/localKeys';
import { KeyRow, keyRowDescription, keyRowLabel, keyRows } from './keyRows';

export type KeysNode = KeyRow;

export function isLocalKeyNode(arg: unknown): arg is Extract<KeysNode, { kind: 'localKey' }> {
  return typeof arg === 'object' && arg !== null && (arg as KeysNode).kind === 'localKey' && typeof (arg as { key?: { path?: unknown } }).key?.path === 'string';
}

export interface KeySources {
  /** ~/.ssh on this machine. */
  readonly sshDir: () => string;
  readonly agentKeys: () => Promise<AgentKey[]>;
  /** The hosts whose last login used this key, most recent first. */
  readonly usedBy: (fingerprint: string) => string[];
}

export class KeysTreeProvider implements vscode.TreeDataProvider<KeysNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly sources: KeySources) {}

  refresh(): void {
    this.changed.fire();
  }

  keys(): Promise<LocalPublicKey[]> {
    return listLocalPublicKeys(this.sources.sshDir());
  }

  async getChildren(node?: KeysNode): Promise<KeysNode[]> {
    if (node) return [];
    const [local, agent] = await Promise.all([this.keys(), this.sources.agentKeys().catch(() => [])]);
    return keyRows(local, agent, this.sources.usedBy);
  }

  getTreeItem(node: KeysNode): vscode.TreeItem {
    const label = keyRowLabel(node);
    const item = new vscode.TreeItem(label);
    item.description = keyRowDescription(node);
    item.iconPath = new vscode.ThemeIcon(node.kind === 'agentKey' ? 'shield' : 'key');
    item.contextValue = node.kind;
    const lines = [
      node.kind === 'localKey' ? `**${path.basename(node.key.path)}**` : `**${label}** (in ssh-agent, no file in ~/.ssh)`,
      `${keyTypeLabel(node.key.keyType)} \`${node.key.fingerprint}\``,
      node.kind === 'localKey' && node.key.comment ? `Comment: ${node.key.comment}` : '',
      node.kind === 'localKey' && !node.key.privatePath ? '_No private key next to it._' : '',
      node.usedBy.length ? `Last logged in to: ${node.usedBy.join(', ')}` : '',
    ];
    item.tooltip = new vscode.MarkdownString(
      lines
        .filter(Boolean)
        .map((l) => l.replace(/[<>]/g, ''))
        .join('\n\n'),
    );
    item.accessibilityInformation = { label: `${label}, ${item.description}, ${node.key.fingerprint}` };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
