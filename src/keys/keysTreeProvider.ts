// The SSH Keys view: the public keys in ~/.ssh with type, comment and SHA256 fingerprint.
import * as path from 'path';
import * as vscode from 'vscode';
import { keyTypeLabel } from '../ssh/hostKeys/keyBlob';
import { listLocalPublicKeys, LocalPublicKey } from '../ssh/keys/localKeys';

export type KeysNode = { readonly kind: 'localKey'; readonly key: LocalPublicKey };

export function isLocalKeyNode(arg: unknown): arg is KeysNode {
  return typeof arg === 'object' && arg !== null && (arg as KeysNode).kind === 'localKey' && typeof (arg as KeysNode).key?.path === 'string';
}

export class KeysTreeProvider implements vscode.TreeDataProvider<KeysNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly sshDir: () => string) {}

  refresh(): void {
    this.changed.fire();
  }

  keys(): Promise<LocalPublicKey[]> {
    return listLocalPublicKeys(this.sshDir());
  }

  async getChildren(node?: KeysNode): Promise<KeysNode[]> {
    if (node) return [];
    return (await this.keys()).map((key) => ({ kind: 'localKey', key }));
  }

  getTreeItem(node: KeysNode): vscode.TreeItem {
    const { key } = node;
    const item = new vscode.TreeItem(path.basename(key.path, '.pub'));
    item.description = `${keyTypeLabel(key.keyType)}${key.comment ? ` · ${key.comment}` : ''}`;
    item.iconPath = new vscode.ThemeIcon('key');
    item.contextValue = 'localKey';
    item.tooltip = new vscode.MarkdownString(
      [`**${path.basename(key.path)}**`, `${keyTypeLabel(key.keyType)} \`${key.fingerprint}\``, key.comment ? `Comment: ${key.comment}` : '', key.privatePath ? '' : '_No private key next to it._']
        .filter(Boolean)
        .map((l) => l.replace(/[<>]/g, ''))
        .join('\n\n'),
    );
    item.accessibilityInformation = { label: `${path.basename(key.path, '.pub')}, ${keyTypeLabel(key.keyType)} key, ${key.fingerprint}` };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
