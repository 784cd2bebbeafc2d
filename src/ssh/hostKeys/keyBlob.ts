// Facts about a raw SSH public key blob (RFC 4253 §6.6: `string type, ...`), the form
// ssh2 hands to `hostVerifier` and known_hosts stores in base64.
import { createHash } from 'crypto';

/** The key type named by the blob's first string, e.g. `ssh-ed25519`; undefined when malformed. */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return undefined;
  const type = blob.toString('latin1', 4, 4 + len);
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}

/** OpenSSH's default fingerprint (`ssh-keygen -lf`): `SHA256:` + unpadded base64 of sha256(blob). */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Decodes a known_hosts key field; undefined unless it is canonical base64 of a well-formed blob. */
export function decodeKeyBlob(base64: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  const blob = Buffer.from(base64, 'base64');
  return keyTypeOfBlob(blob) === undefined ? undefined : blob;
}

/** Short, human name for messages, as OpenSSH prints it (`ED25519`, `ECDSA`, `RSA`). */
export function keyTypeLabel(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (keyType === 'ssh-rsa') return 'RSA';
  if (keyType === 'ssh-dss') return 'DSA';
  return keyType;
}
