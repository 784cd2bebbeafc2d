// The one `[user@]host[:port]` parser, faithful to OpenSSH 9.2 (misc.c parse_user_host_port,
// parse_ssh_uri, hpdelim2; ssh.c main for the destination argument). Everything that splits
// a user, host and port goes through here.
import { parsePort } from './values';

/** A typed `[user@]host[:port]`: a ProxyJump hop, or a destination as ssh reads it. */
export interface JumpHop {
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
}

export function sameHop(a: JumpHop, b: JumpHop): boolean {
  return a.user === b.user && a.host === b.host && a.port === b.port;
}

/** `[user@]host[:port]`, with brackets around an IPv6 host, as `ssh -G` prints a hop. */
export function formatHop(h: JumpHop): string {
  const host = h.host.includes(':') ? `[${h.host}]` : h.host;
  return `${h.user !== undefined ? `${h.user}@` : ''}${host}${h.port !== undefined ? `:${h.port}` : ''}`;
}

/** misc.c hpdelim2(): host part (brackets kept) and what follows a `:` or `/`. */
export function hpdelim(s: string): { host: string; rest?: string; delim?: string } | undefined {
  let end: number;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return undefined;
    end = close + 1;
  } else {
    const m = /[:/]/.exec(s);
    end = m ? m.index : s.length;
  }
  if (end === s.length) return { host: s };
  if (s[end] !== ':' && s[end] !== '/') return undefined;
  return { host: s.slice(0, end), rest: s.slice(end + 1), delim: s[end] };
}

function cleanHost(h: string): string {
  return h.length > 1 && h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function urldecode(s: string): string | undefined {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '+') out += ' ';
    else if (s[i] !== '%') out += s[i];
    else {
      if (!/^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) return undefined;
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    }
  }
  return out;
}

/** misc.c valid_domain() for ssh:// URIs. */
function validDomain(h: string): boolean {
  return /^[A-Za-z0-9]/.test(h) && !/\.\./.test(h) && /^[A-Za-z0-9._-]+$/.test(h);
}

/** misc.c parse_ssh_uri(): `ssh://[user[;params]@]host[:port][/]`; undefined when ssh rejects it. */
export function parseSshUri(s: string): JumpHop | undefined {
  let rest = s.slice('ssh://'.length);
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const info = rest.slice(0, at).split(';')[0];
    if (info === '') return undefined;
    user = urldecode(info);
    if (user === undefined) return undefined;
    rest = rest.slice(at + 1);
  }
  const hp = hpdelim(rest);
  if (!hp || hp.host === '') return undefined;
  const host = cleanHost(hp.host);
  if (!validDomain(host)) return undefined;
  let port: number | undefined;
  let tail = hp.rest ?? '';
  if (tail !== '' && hp.delim === ':') {
    const slash = tail.indexOf('/');
    port = parsePort(slash < 0 ? tail : tail.slice(0, slash));
    if (port === undefined) return undefined;
    tail = slash < 0 ? '' : tail.slice(slash + 1);
  }
  // A path is not allowed in an ssh:// ProxyJump URI.
  return tail === '' ? { user, host, port } : undefined;
}

/**
 * One ProxyJump hop (misc.c parse_user_host_port, or an ssh:// URI): the user is everything
 * before the last `@`, the port follows the host (`[v6]:port` for IPv6). Undefined when
 * OpenSSH would reject its syntax.
 */
export function parseHop(s: string): JumpHop | undefined {
  if (s.startsWith('ssh://')) return parseSshUri(s);
  const { user, rest } = splitUser(s);
  if (user === '') return undefined;
  const hp = hpdelim(rest);
  if (!hp || hp.host === '') return undefined;
  let port: number | undefined;
  if (hp.rest !== undefined && hp.rest !== '') {
    port = parsePort(hp.rest);
    if (port === undefined) return undefined;
  }
  return { user, host: cleanHost(hp.host), port };
}

/**
 * The destination argument of `ssh` (ssh.c main): an ssh:// URI, else `[user@]host` split at
 * the last `@` with no port (`ssh a@b:22` asks for the host `b:22`). Undefined where ssh
 * prints its usage (an empty user, a bad URI).
 */
export function parseDestination(s: string): JumpHop | undefined {
  if (s.startsWith('ssh://')) return parseSshUri(s);
  const { user, rest } = splitUser(s);
  if (user === '') return undefined;
  return user === undefined ? { host: rest } : { user, host: rest };
}

/** The user is everything before the last `@` (gateways put `@` in user names); '' when the text starts with `@`. */
export function splitUser(s: string): { user?: string; rest: string } {
  const at = s.lastIndexOf('@');
  return at < 0 ? { rest: s } : { user: s.slice(0, at), rest: s.slice(at + 1) };
}
