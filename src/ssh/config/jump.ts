// ProxyJump values (readconf.c parse_jump; misc.c parse_user_host_port, parse_ssh_uri):
// `none`, or a comma-separated chain of `[user@]host[:port]` / `ssh://[user@]host[:port]`.
import { JumpHop, formatHop, parseHop } from './userHostPort';

export { JumpHop, formatHop, parseHop, sameHop } from './userHostPort';

export type JumpSetting = { readonly none: true } | { readonly none: false; readonly hops: JumpHop[]; readonly printed: string };

/**
 * Parses a ProxyJump value (the rest of the line). Undefined when OpenSSH rejects it; OpenSSH
 * rejects it even inside a block that does not apply.
 */
export function parseJump(value: string): JumpSetting | undefined {
  if (value.toLowerCase() === 'none') return { none: true };
  // A `#` anywhere starts a comment here (parse_jump strips it before splitting).
  const chain = value.replace(/#.*$/, '').replace(/[ \t\r\n]+$/, '');
  const hops: JumpHop[] = [];
  for (const part of chain.split(',')) {
    const hop = parseHop(part);
    if (!hop) return undefined;
    hops.push(hop);
  }
  // ssh -G prints the earlier hops as written and only the last one normalised.
  const comma = value.lastIndexOf(',');
  const printed = (comma > 0 ? `${value.slice(0, comma)},` : '') + formatHop(hops[hops.length - 1]);
  return { none: false, hops, printed };
}
