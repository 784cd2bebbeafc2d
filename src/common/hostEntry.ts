// A host as the tree and the connection pool see it, whatever its source.

export type HostSource = 'sshConfig' | 'settings';

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
