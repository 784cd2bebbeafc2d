// ssh2's `algorithms` option from the host's HostKeyAlgorithms / MACs / Ciphers / KexAlgorithms.
// The base is ssh2's own default lists (read from ssh2, so we never offer what this ssh2
// cannot do) minus weak algorithms; the config's OpenSSH syntax applies on top:
//   `a,b` replaces, `+a,b` appends, `-a,b*` removes, `^a,b` prepends; `*` and `?` expand
//   against what ssh2 supports. Naming a weak algorithm in the config is asking for it.
// Strict KEX: ssh2 appends `ext-info-c` and `kex-strict-c-v00@openssh.com` to any custom
// kex list itself (Protocol.js); they are not in SUPPORTED_KEX, so they never appear here.
import type { Algorithms } from 'ssh2';
import { Logger, nullLogger } from '../../common/log';
import { SshError } from '../errors';
import { matchPattern } from './hostPatterns';

interface Ssh2AlgorithmLists {
  readonly DEFAULT_KEX: readonly string[];
  readonly SUPPORTED_KEX: readonly string[];
  readonly DEFAULT_SERVER_HOST_KEY: readonly string[];
  readonly SUPPORTED_SERVER_HOST_KEY: readonly string[];
  readonly DEFAULT_CIPHER: readonly string[];
  readonly SUPPORTED_CIPHER: readonly string[];
  readonly DEFAULT_MAC: readonly string[];
  readonly SUPPORTED_MAC: readonly string[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ssh2Lists = require('ssh2/lib/protocol/constants') as Ssh2AlgorithmLists;

/** ssh-rsa signs with SHA-1; DSA is 1024-bit SHA-1 (both off by default since OpenSSH 8.8 / 7.0). */
const WEAK_HOST_KEY = (a: string) => a === 'ssh-rsa' || a === 'ssh-dss';
/** SHA-1/MD5/RIPEMD MACs and truncated (-96) tags. */
const WEAK_MAC = (a: string) => /^hmac-(sha1|md5|ripemd160)/.test(a) || /-96(@|$)/.test(a);
/** CBC modes (CVE-2008-5161 plaintext recovery), RC4, 3DES, Blowfish, CAST. */
const WEAK_CIPHER = (a: string) => /-cbc(@|$)/.test(a) || a.startsWith('arcfour');
/** SHA-1 key exchanges (group1, group14, group-exchange); group1 is also only 1024-bit. */
const WEAK_KEX = (a: string) => /-sha1(@|$)/.test(a);

const PREFERRED_CIPHER = 'aes128-gcm@openssh.com';

export interface AlgorithmConfig {
  readonly hostKeyAlgorithms?: string;
  readonly macs?: string;
  readonly ciphers?: string;
  readonly kexAlgorithms?: string;
}

export interface BuildAlgorithmsOptions {
  /**
   * Key types known_hosts holds for the host (check.ts knownHostKeyTypes). Their algorithms
   * are offered first, as ssh does, so a server with several host keys presents the one we
   * know instead of one that would look like a changed key.
   */
  readonly knownHostKeyTypes?: readonly string[];
  readonly log?: Logger;
}

/** Exact lists for ssh2's `algorithms` option. Throws SshError('config') when a list ends up empty. */
export function buildAlgorithms(config: AlgorithmConfig, options: BuildAlgorithmsOptions = {}): Algorithms {
  const log = options.log ?? nullLogger;
  const ciphers = ssh2Lists.DEFAULT_CIPHER.filter((a) => !WEAK_CIPHER(a));
  // AES-GCM beats chacha20-poly1305 on AES-NI machines (PERF.md); ssh2 without cpu-features may not put it first.
  if (ciphers.includes(PREFERRED_CIPHER)) ciphers.sort((a, b) => Number(b === PREFERRED_CIPHER) - Number(a === PREFERRED_CIPHER));

  let serverHostKey = assemble('HostKeyAlgorithms', config.hostKeyAlgorithms, ssh2Lists.DEFAULT_SERVER_HOST_KEY.filter((a) => !WEAK_HOST_KEY(a)), ssh2Lists.SUPPORTED_SERVER_HOST_KEY, log);
  const userOrdered = config.hostKeyAlgorithms !== undefined && !/^[+-]/.test(config.hostKeyAlgorithms.trim());
  if (!userOrdered && options.knownHostKeyTypes?.length) serverHostKey = preferKnownTypes(serverHostKey, options.knownHostKeyTypes);

  return {
    kex: assemble('KexAlgorithms', config.kexAlgorithms, ssh2Lists.DEFAULT_KEX.filter((a) => !WEAK_KEX(a)), ssh2Lists.SUPPORTED_KEX, log),
    serverHostKey,
    cipher: assemble('Ciphers', config.ciphers, ciphers, ssh2Lists.SUPPORTED_CIPHER, log),
    hmac: assemble('MACs', config.macs, ssh2Lists.DEFAULT_MAC.filter((a) => !WEAK_MAC(a)), ssh2Lists.SUPPORTED_MAC, log),
  } as Algorithms;
}

/** OpenSSH's kex_assemble_names over ssh2's lists. */
function assemble(option: string, spec: string | undefined, defaults: readonly string[], supported: readonly string[], log: Logger): string[] {
  const value = spec?.trim();
  if (!value) return [...defaults];
  const op = '+-^'.includes(value[0]) ? value[0] : '';
  const patterns = (op ? value.slice(1) : value).split(',').map((p) => p.trim()).filter(Boolean);
  let result: string[];
  if (op === '-') {
    result = defaults.filter((a) => !patterns.some((p) => matchPattern(a, p)));
  } else {
    const named = expand(option, patterns, supported, log);
    if (op === '+') result = [...defaults, ...named.filter((a) => !defaults.includes(a))];
    else if (op === '^') result = [...named, ...defaults.filter((a) => !named.includes(a))];
    else result = named;
  }
  if (result.length === 0) throw new SshError(`${option} ${value} leaves no algorithm that ssh2 supports`, 'config');
  return result;
}

function expand(option: string, patterns: readonly string[], supported: readonly string[], log: Logger): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    const matches = supported.filter((a) => matchPattern(a, pattern));
    if (matches.length === 0) log.warn(`${option}: ${pattern} is not supported by ssh2; ignored`);
    for (const a of matches) if (!out.includes(a)) out.push(a);
  }
  return out;
}

/** Host key algorithms usable with a key of `keyType` (RSA keys sign with three). */
function algorithmsForKeyType(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

function preferKnownTypes(list: readonly string[], knownTypes: readonly string[]): string[] {
  const known = new Set(knownTypes.flatMap(algorithmsForKeyType));
  return [...list.filter((a) => known.has(a)), ...list.filter((a) => !known.has(a))];
}
