// What a gateway answers is untrusted input: every field is checked before it picks a host,
// a port or a user name to connect with.
import { GatewayError } from './gatewayError';

export interface SandboxSsh {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** Pinned host key (its base64 blob, as the host key verifier takes it), when the platform gives one. */
  readonly hostKey?: string;
  /** Pinned `SHA256:…` fingerprint, when the platform gives one. */
  readonly hostKeyFingerprint?: string;
}

export interface PlatformKey {
  readonly id: string;
  readonly name: string;
  readonly publicKey: string;
  readonly keyType?: string;
  readonly fingerprint?: string;
  readonly comment?: string;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** An id (sandbox, key) as one URL path segment; `.`/`..`, slashes and control characters are refused. */
export function pathSegment(id: string, what: string): string {
  if (id === '' || id.length > 256 || id === '.' || id === '..' || /[\/\\]/.test(id) || CONTROL.test(id)) {
    throw new GatewayError(`not a ${what} id: ${JSON.stringify(id.slice(0, 80))}`, 'bad-response');
  }
  return encodeURIComponent(id);
}

/**
 * A sandbox id or SSH user name: it becomes the SSH user, `%r` in IdentityFile/UserKnownHostsFile
 * paths and a URL path segment, so only letters, digits and `._@#+-`, not starting with `-` (an
 * ssh option) or `#`, no `..`, at most 128 characters.
 */
const SAFE_ID = /^[A-Za-z0-9._@+][A-Za-z0-9._@#+-]{0,127}$/;

export function isSafeId(id: string): boolean {
  return SAFE_ID.test(id) && !id.includes('..');
}

function bad(gateway: string, what: string): GatewayError {
  return new GatewayError(`${gateway} answered with ${what}`, 'bad-response');
}

function str(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max && !CONTROL.test(v) ? v : undefined;
}

/** A DNS name or an IP address: no blanks, no `@`, `/`, `%`, no leading `-` (ssh would read an option). */
function hostName(v: unknown): string | undefined {
  const s = str(v, 253);
  if (!s) return undefined;
  if (/^\[?[0-9a-fA-F:.]+\]?$/.test(s) && s.includes(':')) return s.replace(/^\[|\]$/g, '');
  return /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(s) ? s : undefined;
}

/** The base64 blob of a `type base64 [comment]` key, when its blob really is a key of that type (what the host key verifier pins). */
function pinnableKey(line: string): string | undefined {
  const [type, base64] = line.trim().split(/\s+/);
  if (!type || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  const blob = Buffer.from(base64, 'base64');
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  return len > 0 && len <= 64 && 4 + len <= blob.length && blob.toString('latin1', 4, 4 + len) === type ? base64 : undefined;
}

export function parseSandboxSsh(gateway: string, body: unknown): SandboxSsh {
  const ssh = (body as { ssh?: unknown } | null)?.ssh as Record<string, unknown> | undefined;
  if (!ssh || typeof ssh !== 'object') throw bad(gateway, 'no "ssh" object');
  const host = hostName(ssh.host);
  if (!host) throw bad(gateway, 'an unusable ssh.host');
  const port = typeof ssh.port === 'string' && /^\d{1,5}$/.test(ssh.port) ? Number(ssh.port) : ssh.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw bad(gateway, 'an unusable ssh.port');
  const username = str(ssh.username, 256);
  if (!username || !isSafeId(username)) throw bad(gateway, 'an unusable ssh.username');
  const hostKey = str(ssh.host_key ?? ssh.hostKey, 16 * 1024);
  const fingerprint = str(ssh.host_key_fingerprint ?? ssh.hostKeyFingerprint, 128);
  return {
    host,
    port,
    username,
    hostKey: hostKey ? pinnableKey(hostKey) : undefined,
    hostKeyFingerprint: fingerprint && /^SHA256:[A-Za-z0-9+/]{43}=?$/.test(fingerprint) ? fingerprint.replace(/=$/, '') : undefined,
  };
}

/** Sandbox ids from a listing: `[…]` or `{ sandboxes: […] }` of strings or `{ id }` objects; anything else is skipped. */
export function parseSandboxList(gateway: string, body: unknown, max: number): string[] {
  const items = Array.isArray(body) ? body : Array.isArray((body as { sandboxes?: unknown })?.sandboxes) ? (body as { sandboxes: unknown[] }).sandboxes : undefined;
  if (!items) throw bad(gateway, 'no sandbox list');
  const ids: string[] = [];
  for (const item of items.slice(0, max)) {
    const id = str(typeof item === 'string' ? item : (item as { id?: unknown } | null)?.id, 256);
    if (id && isSafeId(id)) ids.push(id);
  }
  return ids;
}

export function parsePlatformKeys(gateway: string, body: unknown, max: number): PlatformKey[] {
  const items = Array.isArray(body) ? body : Array.isArray((body as { keys?: unknown })?.keys) ? (body as { keys: unknown[] }).keys : undefined;
  if (!items) throw bad(gateway, 'no key list');
  const keys: PlatformKey[] = [];
  for (const raw of items.slice(0, max)) {
    const k = raw as Record<string, unknown> | null;
    if (!k || typeof k !== 'object') continue;
    const id = typeof k.id === 'number' && Number.isSafeInteger(k.id) ? String(k.id) : str(k.id, 256);
    const publicKey = str(k.public_key, 16 * 1024);
    if (!id || !publicKey) continue;
    keys.push({
      id,
      name: str(k.name, 256) ?? '',
      publicKey,
      keyType: str(k.key_type, 64),
      fingerprint: str(k.fingerprint_sha256, 128),
      comment: str(k.comment, 1024),
    });
  }
  return keys;
}
