// known_hosts lines (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
//   [@cert-authority|@revoked] hostpatterns keytype base64-key [comment]
// Lines OpenSSH would skip (bad marker, undecodable key, type field that disagrees with
// the blob) are skipped here too, so both clients see the same entries.
import { decodeKeyBlob, keyTypeOfBlob } from './keyBlob';
import { hashHostName, hostFieldMatches } from './hostPatterns';

export type KnownHostsMarker = 'cert-authority' | 'revoked';

export interface KnownHostsEntry {
  readonly file: string;
  /** 1-based, as OpenSSH reports it. */
  readonly line: number;
  readonly marker?: KnownHostsMarker;
  /** The host field as written: a pattern list or one hashed name. */
  readonly hosts: string;
  readonly keyType: string;
  readonly key: Buffer;
}

export function parseKnownHosts(text: string, file: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const entry = parseLine(lines[i], file, i + 1);
    if (entry) entries.push(entry);
  }
  return entries;
}

function parseLine(raw: string, file: string, line: number): KnownHostsEntry | undefined {
  const text = raw.replace(/\r$/, '').trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const fields = text.split(/[ \t]+/);
  let marker: KnownHostsMarker | undefined;
  if (fields[0].startsWith('@')) {
    const m = fields.shift()!;
    if (m === '@cert-authority') marker = 'cert-authority';
    else if (m === '@revoked') marker = 'revoked';
    else return undefined;
  }
  const [hosts, keyType, base64] = fields;
  if (!hosts || !keyType || !base64) return undefined;
  const key = decodeKeyBlob(base64);
  if (!key || keyTypeOfBlob(key) !== keyType) return undefined;
  return { file, line, marker, hosts, keyType, key };
}

/** Where to look a host up and record it under. */
export interface HostKeyTarget {
  readonly hostname: string;
  readonly port: number;
  readonly hostKeyAlias?: string;
}

/**
 * The name OpenSSH looks up and records (sshconnect.c get_hostfile_hostname_ipaddr):
 * HostKeyAlias as is (no port is added to it), else the host name, written
 * `[name]:port` when the port is not 22. Both are lower-cased, as ssh does.
 */
export function knownHostsName(target: HostKeyTarget): string {
  if (target.hostKeyAlias) return target.hostKeyAlias.toLowerCase();
  const name = target.hostname.toLowerCase();
  return target.port === 22 ? name : `[${name}]:${target.port}`;
}

/**
 * The port-less name ssh also accepts a matching key under when the `[name]:port` lookup
 * finds nothing ("checking without port identifier"); undefined when it does not apply.
 */
export function portlessFallbackName(target: HostKeyTarget): string | undefined {
  if (target.hostKeyAlias || target.port === 22) return undefined;
  return target.hostname.toLowerCase();
}

export function entryAppliesTo(entry: KnownHostsEntry, name: string): boolean {
  return hostFieldMatches(name, entry.hosts);
}

/** One known_hosts line (no newline) for `target`, plain or hashed like `HashKnownHosts yes`. */
export function formatKnownHostsLine(target: HostKeyTarget, keyType: string, key: Buffer, hashed = false): string {
  const name = knownHostsName(target);
  return `${hashed ? hashHostName(name) : name} ${keyType} ${key.toString('base64')}`;
}
