// The SSH Keys view's nodes for sandbox gateways' keys. The Keys view (src/keys) shows them and
// the gateway commands (src/gateways) receive them from its menus, so the types and their guards
// live here: features never import each other.

/** One key the platform trusts for the user (untrusted input, already validated by the API client). */
export interface PlatformKeyRow {
  readonly id: string;
  readonly name: string;
  readonly publicKey: string;
  readonly keyType?: string;
  readonly comment?: string;
}

export type GatewayKeysNode = { readonly kind: 'gatewayKeys'; readonly gateway: string };
export type PlatformKeyNode = { readonly kind: 'platformKey'; readonly gateway: string; readonly key: PlatformKeyRow };

/** What the Keys view needs of the gateways (wired by the composition root). */
export interface PlatformKeySource {
  /** Keys were added or deleted, or the gateways or a token changed. */
  onDidChangeKeys(listener: () => void): { dispose(): void };
  gatewayNames(): string[];
  /** The platform's keys; rejects with a message (no token, token rejected, API down), with `needsToken: true` when a (new) token is the fix. */
  platformKeys(gateway: string): Promise<PlatformKeyRow[]>;
}

export function gatewayKeysNodeOf(arg: unknown): GatewayKeysNode | undefined {
  const n = arg as Partial<GatewayKeysNode> | null;
  return n && typeof n === 'object' && n.kind === 'gatewayKeys' && typeof n.gateway === 'string' ? (n as GatewayKeysNode) : undefined;
}

export function platformKeyNodeOf(arg: unknown): PlatformKeyNode | undefined {
  const n = arg as Partial<PlatformKeyNode> | null;
  return n && typeof n === 'object' && n.kind === 'platformKey' && typeof n.gateway === 'string' && typeof n.key?.id === 'string' ? (n as PlatformKeyNode) : undefined;
}
