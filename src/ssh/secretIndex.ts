// Where saved secrets live in the editor's secret storage, and the index that lists them for
// "Forget Saved Passwords…". Editors encrypt secret values but keep their keys in clear (VS Code:
// state.vscdb), so a password's or token's key is a hash of what it is for: it names no user
// (which may carry a gateway token), host or port.
import { createHash } from 'crypto';
import { displayDestination, displayUser } from '../common/userToken';
import { SecretKind, SecretTarget } from './credentials';

/** The index: a JSON array in secret storage (older versions: an array of key strings). */
export const INDEX_KEY = 'sandboxExplorer.storedSecrets';

/** Before ports were told apart: `sandboxExplorer.password:<user>@<host>`, shared by every port. */
const LEGACY_PASSWORD_PREFIX = 'sandboxExplorer.password:';
const PASSWORD_PREFIX = 'sandboxExplorer.password.v2:';
const USER_TOKEN_PREFIX = 'sandboxExplorer.userToken:';
const PASSPHRASE_PREFIX = 'sandboxExplorer.passphrase:';
const API_TOKEN_PREFIX = 'sandboxExplorer.apiToken:';

export interface IndexEntry {
  readonly key: string;
  /** What the Forget list shows; user names are masked. */
  readonly label: string;
  /** Same kind, user, host and port whatever the host key: a newer secret replaces older ones. */
  readonly endpoint?: string;
  /** Saved by an older version for `user@host` on any port: never used again, listed so it can be forgotten. */
  readonly legacy?: true;
}

function hash(parts: ReadonlyArray<string | number>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

function endpointParts(kind: string, t: SecretTarget): Array<string | number> {
  return [kind, t.user, t.host.toLowerCase(), t.port];
}

/** The secret storage key of one secret: user, host, port and (when known) the verified host key. */
export function secretKey(secret: SecretKind): string {
  if (secret.kind === 'passphrase') return `${PASSPHRASE_PREFIX}${secret.keyPath}`;
  const id = hash([...endpointParts(secret.kind, secret), secret.hostKeyFingerprint ?? '']);
  return `${secret.kind === 'password' ? PASSWORD_PREFIX : USER_TOKEN_PREFIX}${id}`;
}

/** A sandbox gateway's API token, keyed by a hash of the gateway's base URL (what the token is sent to). */
export function apiTokenKey(baseUrl: string): string {
  return `${API_TOKEN_PREFIX}${hash(['apiToken', baseUrl])}`;
}

export function isApiTokenKey(key: string): boolean {
  return key.startsWith(API_TOKEN_PREFIX);
}

/** "password for sbx-1#…@127.0.0.1:2222 (host key SHA256:AbCdEfGh…)". */
export function secretLabel(secret: SecretKind): string {
  if (secret.kind === 'passphrase') return `passphrase for ${secret.keyPath}`;
  const what = secret.kind === 'password' ? 'password' : 'user token';
  const key = secret.hostKeyFingerprint ? ` (host key ${secret.hostKeyFingerprint.slice(0, 'SHA256:'.length + 8)}…)` : '';
  return `${what} for ${displayDestination(secret.user, secret.host, secret.port)}${key}`;
}

export function indexEntry(secret: SecretKind): IndexEntry {
  if (secret.kind === 'passphrase') return { key: secretKey(secret), label: secretLabel(secret) };
  return { key: secretKey(secret), label: secretLabel(secret), endpoint: hash(endpointParts(secret.kind, secret)) };
}

/**
 * Reads the index, converting an older version's list of key strings once (`migrated` says it
 * happened, so the caller writes the result back). Passphrase keys did not change. A legacy
 * password key says only `user@host`: which port (which server) it was typed for is unknown,
 * so it is never sent anywhere again; it stays listed, marked, until the user forgets it.
 */
export function parseIndex(raw: string | undefined): { entries: IndexEntry[]; migrated: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '[]');
  } catch {
    return { entries: [], migrated: false };
  }
  if (!Array.isArray(parsed)) return { entries: [], migrated: false };
  let migrated = false;
  const entries: IndexEntry[] = [];
  for (const item of parsed) {
    if (typeof item === 'string') {
      migrated = true;
      entries.push(legacyEntry(item));
    } else if (item && typeof item === 'object' && typeof item.key === 'string' && typeof item.label === 'string') {
      entries.push(item as IndexEntry);
    }
  }
  return { entries, migrated };
}

function legacyEntry(key: string): IndexEntry {
  if (key.startsWith(PASSPHRASE_PREFIX)) return { key, label: `passphrase for ${key.slice(PASSPHRASE_PREFIX.length)}` };
  if (key.startsWith(LEGACY_PASSWORD_PREFIX)) {
    const target = key.slice(LEGACY_PASSWORD_PREFIX.length);
    const at = target.lastIndexOf('@');
    const shown = at < 0 ? target : `${displayUser(target.slice(0, at))}@${target.slice(at + 1)}`;
    return { key, label: `password for ${shown} (legacy, no port: no longer used)`, legacy: true };
  }
  return { key, label: key.replace(/[#][^@]*/, '#…') };
}
