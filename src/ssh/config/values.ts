// Argument parsers for ssh_config values, with OpenSSH 9.2's rules (misc.c convtime, a2port;
// readconf.c multistate tables). Each returns undefined for a value OpenSSH rejects.
import * as fs from 'fs';

/** misc.c convtime(): `90`, `1m30s`, `2h`, … in seconds. */
export function parseTime(s: string): number | undefined {
  if (s === '') return undefined;
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  let rest = s;
  while (rest !== '') {
    const m = /^\s*[+]?(\d+)([sSmMhHdDwW]?)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2].toLowerCase()];
    if (total > 0x7fffffff) return undefined;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** atoi_err(): a non-negative decimal integer. */
export function parseInteger(s: string): number | undefined {
  if (!/^\s*\+?\d+$/.test(s)) return undefined;
  const n = Number(s.trim());
  return n <= 0x7fffffff ? n : undefined;
}

let services: Map<string, number> | undefined;

/** misc.c a2port(): 1–65535, or a TCP service name from /etc/services (`ssh` → 22). */
export function parsePort(s: string): number | undefined {
  if (/^\s*\+?\d+$/.test(s)) {
    const n = Number(s.trim());
    return n >= 1 && n <= 65535 ? n : undefined;
  }
  if (!services) {
    services = new Map([['ssh', 22]]);
    try {
      for (const line of fs.readFileSync('/etc/services', 'utf8').split('\n')) {
        const m = /^([^\s#]+)\s+(\d+)\/tcp((?:\s+[^\s#]+)*)/.exec(line);
        if (!m) continue;
        for (const name of [m[1], ...m[3].trim().split(/\s+/)]) if (name && !services.has(name)) services.set(name, Number(m[2]));
      }
    } catch {
      // No services database: numeric ports and `ssh` only.
    }
  }
  const port = services.get(s);
  return port !== undefined && port >= 1 ? port : undefined;
}

type Multistate = ReadonlyArray<readonly [string, string]>;

/** Spelling → the value `ssh -G` prints for it. */
export const FLAG: Multistate = [['true', 'yes'], ['false', 'no'], ['yes', 'yes'], ['no', 'no']];
export const STRICT_HOST_KEY_CHECKING: Multistate = [
  ['true', 'true'], ['false', 'false'], ['yes', 'true'], ['no', 'false'], ['ask', 'ask'], ['off', 'false'], ['accept-new', 'accept-new'],
];
export const CANONICALIZE_HOSTNAME: Multistate = [['true', 'true'], ['false', 'false'], ['yes', 'true'], ['no', 'false'], ['always', 'always']];

/** Case-insensitive lookup in a multistate table (readconf.c parse_multistate). */
export function parseMultistate(s: string, table: Multistate): string | undefined {
  const hit = table.find(([spelling]) => spelling === s.toLowerCase());
  return hit?.[1];
}

/** misc.c valid_env_name(). */
export function isValidEnvName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}
