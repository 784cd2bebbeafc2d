// Host name matching as OpenSSH does it for known_hosts (match.c, hostfile.c):
// comma-separated patterns with `*` and `?`, `!` negation, and hashed names.
import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

/** `*` matches any run of characters, `?` exactly one; everything else literally. */
export function matchPattern(text: string, pattern: string): boolean {
  // Iterative glob match with single-star backtracking: linear-ish, no regex blow-up.
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '?' || (c !== undefined && c !== '*' && c === text[t])) {
      t++;
      p++;
    } else if (c === '*') {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * OpenSSH's match_pattern_list with lower-casing: 1 when some pattern matches, -1 when a
 * negated pattern matches (that wins over any positive match), 0 otherwise.
 * `name` must already be lower case (OpenSSH lower-cases host names and HostKeyAlias).
 */
export function matchPatternList(name: string, list: string): 1 | 0 | -1 {
  let positive = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (!matchPattern(name, pattern)) continue;
    if (negated) return -1;
    positive = true;
  }
  return positive ? 1 : 0;
}

const HASH_MAGIC = '|1|';
/** HMAC-SHA1 output and salt length in hashed known_hosts names. */
const SHA1_LEN = 20;

/** `|1|base64(salt)|base64(HMAC-SHA1(key = salt, name))`, as `ssh-keygen -H` writes it. */
export function hashHostName(name: string, salt: Buffer = randomBytes(SHA1_LEN)): string {
  const mac = createHmac('sha1', salt).update(name).digest();
  return `${HASH_MAGIC}${salt.toString('base64')}|${mac.toString('base64')}`;
}

/** True when `field` is a hashed name (`|1|salt|hash`) of `name`. */
export function matchHashedName(name: string, field: string): boolean {
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
  return matchPatternList(name, field) === 1;
}
