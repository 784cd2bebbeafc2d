// A host as the tree and the connection pool see it, whatever its source.

/** `gateway`: a sandbox a gateway lists or the user added under it (see src/gateways). */
export type HostSource = 'sshConfig' | 'settings' | 'gateway';

export interface HostEntry {
  /** Name shown in the tree and used as the authority of sbx:// URIs. */
  readonly name: string;
  readonly source: HostSource;
  readonly hostname?: string;
  readonly port?: number;
  readonly user?: string;
  /** The server expects `<user>#<token>`; the token is asked once and kept in secret storage. */
  readonly userToken?: boolean;
  readonly identityFile?: string;
  readonly proxyJump?: string;
  readonly proxyCommand?: string;
  readonly knownHostsFile?: string;
  readonly remoteDirectory?: string;
  readonly group?: string;
  readonly enabled: boolean;
  /** Gateway sandboxes: the gateway's name (also the group) and the sandbox id, which `name` is derived from. */
  readonly gateway?: string;
  readonly sandboxId?: string;
}

/** Where a gateway sandbox connects, as its gateway's API answered (untrusted input, already validated). */
export interface GatewayEndpoint {
  readonly hostname: string;
  readonly port: number;
  readonly user: string;
  /** Host keys the platform vouches for: base64 blobs and/or `SHA256:` fingerprints. */
  readonly pinnedHostKeys?: { readonly keys?: readonly string[]; readonly fingerprints?: readonly string[] };
  /** No pin to check against (the SSH fallback without remembered keys): the host key must already be known, never trusted on first use. */
  readonly requireKnownHost?: boolean;
  /** The gateway's longer connect timeout (a paused sandbox resumes on connect). */
  readonly connectTimeoutSeconds: number;
  /** Bounded retry of the SSH connect (ConnectionAttempts). */
  readonly connectionAttempts: number;
}

/** A sandbox gateway as a Hosts view group. */
export interface GatewayGroup {
  readonly name: string;
  /** Why no sandboxes can be listed (no token, token rejected, API down); shown in place of them. */
  readonly problem?: string;
  /** The fix is a (new) API token. */
  readonly needsToken?: boolean;
}

/**
 * Hosts listed by another feature (sandbox gateways), handed to the host registry by the
 * composition root: the registry lists them and resolves them through this, without importing
 * the feature.
 */
export interface ExternalHosts {
  /** The list (or a group's state) changed. */
  onDidChange(listener: () => void): { dispose(): void };
  hosts(): Promise<HostEntry[]>;
  /** The host named `name`, asking only the source that can own that name. */
  host(name: string): Promise<HostEntry | undefined>;
  /** The groups to show even when empty, with a problem to show in place of hosts. */
  groups(): GatewayGroup[];
  /** Where `host` connects now (may ask the gateway's API; errors are the connection core's SshError). */
  endpoint(host: HostEntry, signal?: AbortSignal): Promise<GatewayEndpoint>;
  /** Where `host` points for display, without any request. */
  target(host: HostEntry): { user?: string; hostname: string; port?: number };
  /** A few words on what the host waits for ("resuming sandbox…"), or undefined. */
  activity(name: string): string | undefined;
  /** `activity(name)` changed. */
  onDidChangeActivity(listener: (name: string) => void): { dispose(): void };
}

/** A settings entry as the user typed it; validated into a HostEntry. */
export function hostFromSettings(raw: unknown): HostEntry | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const str = (k: string) => (typeof r[k] === 'string' && (r[k] as string).trim() !== '' ? (r[k] as string).trim() : undefined);
  const name = str('name');
  if (!name || /[\s/\\]/.test(name)) return undefined;
  const port = typeof r.port === 'number' && Number.isInteger(r.port) && r.port > 0 && r.port < 65536 ? r.port : undefined;
  return {
    name,
    source: 'settings',
    hostname: str('host'),
    port,
    user: str('user'),
    userToken: r.userToken === true ? true : undefined,
    identityFile: str('identityFile'),
    proxyJump: str('proxyJump'),
    proxyCommand: str('proxyCommand'),
    knownHostsFile: str('knownHostsFile'),
    remoteDirectory: str('remoteDirectory'),
    group: str('group'),
    enabled: r.enabled !== false,
  };
}
