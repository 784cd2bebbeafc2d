// Host name matching as OpenSSH does it for known_hosts (match.c, hostfile.c):
// comma-separated patterns with `*` and `?`, `!` negation, and hashed names.
import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import { matchPatternList } from '../config/patterns';

// One implementation of match.c for ssh_config and known_hosts alike.
export { matchPattern } from '../config/patterns';

const HASH_MAGIC = '|1|';
/** HMAC-SHA1 output and salt length in hashed known_hosts names. */
const SHA1_LEN = 20;

/** `|1|base64(salt)|base64(HMAC-SHA1(key = salt, name))`, as `ssh-keygen -H` writes it. */
export function hashHostName(name: string, salt: Buffer = randomBytes(SHA1_LEN)): string {
  const mac = createHmac('sha1', salt).update(name).digest();
  return `${HASH_MAGIC}${salt.toString('base64')}|${mac.toString('base64')}`;
}

/** True when `field` is a hashed name (`|1|salt|hash`) of `name`. */
function matchHashedName(name: string, field: string): boolean {
  if (!field.startsWith(HASH_MAGIC)) return false;
  const parts = field.slice(HASH_MAGIC.length).split('|');
  if (parts.length !== 2) return false;
  const salt = Buffer.from(parts[0], 'base64');
  const expected = Buffer.from(parts[1], 'base64');
  if (salt.length !== SHA1_LEN || expected.length !== SHA1_LEN) return false;
  const mac = createHmac('sha1', salt).update(name).digest();
  return timingSafeEqual(mac, expected);
}

/**
 * Whether a known_hosts host field applies to `name`: a hashed field is one name
 * (OpenSSH's match_maybe_hashed); a plain field is a pattern list where a negated
 * match makes the line not apply.
 */
export function hostFieldMatches(name: string, field: string): boolean {
  if (field.startsWith('|')) return matchHashedName(name, field);
  // `name` is already lower case (OpenSSH lower-cases host names and HostKeyAlias); patterns are lowered here.
  return matchPatternList(name, field, true) === 1;
}
