// The SSH Keys view: the public keys in ~/.ssh and the agent's, with type, comment, SHA256
// fingerprint and the hosts that last logged in with each.
import * as path from 'path';
import * as vscode from 'vscode';
import { AgentKey } from '../ssh/agent';
import { keyTypeLabel } from '../ssh/hostKeys/keyBlob';
import { listLocalPublicKeys, LocalPublicKey } from '../ssh/keys/localKeys';
import { parsePublicKey } from '../ssh/keys/authorizedKeys';
import { GatewayKeysNode, PlatformKeyNode, PlatformKeyRow, PlatformKeySource } from '../editor/keysNode';
import { KeyRow, keyRowDescription, keyRowLabel, keyRows } from './keyRows';
import { platformKeyList } from './platformKeyList';

export type KeysNode =
  | KeyRow
  | GatewayKeysNode
  | PlatformKeyNode
  | { readonly kind: 'keysMessage'; readonly text: string; readonly detail: string; readonly command?: vscode.Command };

export function isLocalKeyNode(arg: unknown): arg is Extract<KeysNode, { kind: 'localKey' }> {
  return typeof arg === 'object' && arg !== null && (arg as KeysNode).kind === 'localKey' && typeof (arg as { key?: { path?: unknown } }).key?.path === 'string';
}

export interface KeySources {
  /** ~/.ssh on this machine. */
  readonly sshDir: () => string;
  readonly agentKeys: () => Promise<AgentKey[]>;
  /** The hosts whose last login used this key, most recent first. */
  readonly usedBy: (fingerprint: string) => string[];
  /** Sandbox gateways' keys, listed under each gateway (wired by the composition root). */
  readonly platforms?: PlatformKeySource;
}

export class KeysTreeProvider implements vscode.TreeDataProvider<KeysNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  private readonly subscription: { dispose(): void } | undefined;
  /** SHA256 fingerprints of the keys each gateway trusts, as last listed: marks local keys. */
  private readonly onPlatform = new Map<string, Set<string>>();
  /** ~/.ssh as read once when a gateway's keys were listed, by fingerprint: its rows match against it. */
  private localByFingerprint = new Map<string, LocalPublicKey>();

  constructor(private readonly sources: KeySources) {
    this.subscription = sources.platforms?.onDidChangeKeys(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire();
  }

  keys(): Promise<LocalPublicKey[]> {
    return listLocalPublicKeys(this.sources.sshDir());
  }

  async getChildren(node?: KeysNode): Promise<KeysNode[]> {
    if (node?.kind === 'gatewayKeys') return this.platformChildren(node.gateway);
    if (node) return [];
    const [local, agent] = await Promise.all([this.keys(), this.sources.agentKeys().catch(() => [])]);
    const gateways = (this.sources.platforms?.gatewayNames() ?? []).map((gateway): KeysNode => ({ kind: 'gatewayKeys', gateway }));
    return [...keyRows(local, agent, this.sources.usedBy), ...gateways];
  }

  /** A platform key's SHA256 fingerprint, computed from its public key (what the platform says about it is not trusted). */
  static fingerprintOf(key: PlatformKeyRow): string | undefined {
    try {
      return parsePublicKey(key.publicKey).fingerprint;
    } catch {
      return undefined;
    }
  }

  private async platformChildren(gateway: string): Promise<KeysNode[]> {
    try {
      const { shown: keys, omitted } = platformKeyList((await this.sources.platforms?.platformKeys(gateway)) ?? []);
      this.localByFingerprint = new Map((await this.keys()).map((k) => [k.fingerprint, k]));
      const fingerprints = new Set(keys.map((k) => KeysTreeProvider.fingerprintOf(k)).filter((f): f is string => !!f));
      const before = this.onPlatform.get(gateway);
      this.onPlatform.set(gateway, fingerprints);
      // Local rows were drawn before this listing: mark them now (only when the set changed, so this settles).
      if (before === undefined ? fingerprints.size > 0 : before.size !== fingerprints.size || [...fingerprints].some((f) => !before.has(f))) this.changed.fire();
      if (keys.length === 0) {
        return [{ kind: 'keysMessage', text: 'No keys on this gateway: Upload Key…', detail: `${gateway} trusts no SSH keys yet.`, command: { command: 'sandboxExplorer.gateways.uploadKey', title: 'Upload Key to Gateway…', arguments: [{ kind: 'gatewayKeys', gateway }] } }];
      }
      const rows = keys.map((key): KeysNode => ({ kind: 'platformKey', gateway, key }));
      return omitted ? [...rows, { kind: 'keysMessage', text: `${omitted} more keys not shown`, detail: `${gateway} lists more keys than the view shows.` }] : rows;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const token = (err as { needsToken?: unknown } | null)?.needsToken === true;
      return [{ kind: 'keysMessage', text: token ? 'Enter API Token…' : 'Could not list keys', detail: message, command: token ? { command: 'sandboxExplorer.gateways.enterToken', title: 'Enter API Token…', arguments: [gateway] } : { command: 'sandboxExplorer.log.show', title: 'Show Log' } }];
    }
  }

  getTreeItem(node: KeysNode): vscode.TreeItem | Thenable<vscode.TreeItem> {
    switch (node.kind) {
      case 'gatewayKeys': {
        const item = new vscode.TreeItem(node.gateway, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `gatewayKeys:${node.gateway}`;
        item.description = 'sandbox gateway';
        item.iconPath = new vscode.ThemeIcon('cloud');
        item.contextValue = 'gatewayKeys';
        item.tooltip = `The SSH keys gateway ${node.gateway} trusts for you`;
        return item;
      }
      case 'platformKey':
        return this.platformKeyItem(node);
      case 'keysMessage': {
        const item = new vscode.TreeItem(node.text);
        item.iconPath = new vscode.ThemeIcon('info');
        item.tooltip = node.detail;
        item.command = node.command;
        item.contextValue = 'keysMessage';
        return item;
      }
      default:
        return this.keyItem(node);
    }
  }

  /** A platform key, marked with the local key it matches (by the fingerprint computed here). */
  private platformKeyItem(node: PlatformKeyNode): vscode.TreeItem {
    const { key } = node;
    const fingerprint = KeysTreeProvider.fingerprintOf(key);
    const local = fingerprint ? this.localByFingerprint.get(fingerprint) : undefined;
    const item = new vscode.TreeItem(key.name || key.comment || key.id);
    item.id = `platformKey:${node.gateway}:${key.id}`;
    item.description = [key.keyType ? keyTypeLabel(key.keyType) : undefined, local ? `this machine: ${path.basename(local.path, '.pub')}` : undefined].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(local ? 'pass' : 'key');
    item.contextValue = 'platformKey';
    item.tooltip = [key.name || key.id, fingerprint ?? 'not a parsable public key', key.comment ? `Comment: ${key.comment}` : '', local ? `Matches ${local.path}` : 'No key in ~/.ssh matches it'].filter(Boolean).join('\n');
    item.accessibilityInformation = { label: `${key.name || key.id} on gateway ${node.gateway}, ${fingerprint ?? 'unknown fingerprint'}${local ? `, matches ${path.basename(local.path, '.pub')}` : ''}` };
    return item;
  }

  private keyItem(node: KeyRow): vscode.TreeItem {
    const label = keyRowLabel(node);
    const item = new vscode.TreeItem(label);
    const trustedBy = [...this.onPlatform].filter(([, fps]) => fps.has(node.key.fingerprint)).map(([gateway]) => gateway);
    item.description = `${keyRowDescription(node)}${trustedBy.length ? ` · on ${trustedBy.join(', ')}` : ''}`;
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
    this.subscription?.dispose();
    this.changed.dispose();
  }
}
