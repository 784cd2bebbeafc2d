// What Add Host accepts, in plain Node (unit-tested without an editor): the destinations
// Remote-SSH users type — `user@host:port`, `[::1]:2222`, `ssh://user@host:2222`, or a whole
// `ssh user@host -p 2222 -i ~/.ssh/key` command line — and one message per mistake.
import * as net from 'net';
import { parseJump } from '../ssh/config/jump';
import { hpdelim, parseSshUri, splitUser } from '../ssh/config/userHostPort';

export interface Destination {
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
  readonly identityFile?: string;
  readonly proxyJump?: string;
  readonly proxyCommand?: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

export const DESTINATION_EXAMPLE = 'user@host:2222';

/** `ssh` options that carry a value and what they set; others are refused by name. */
const VALUE_OPTIONS: Record<string, keyof Omit<Destination, 'host'> | 'hostName'> = {
  p: 'port',
  l: 'user',
  i: 'identityFile',
  J: 'proxyJump',
};
/** `-o Key=Value` keywords Add Host understands (ssh_config keywords are case-insensitive). */
const CONFIG_KEYWORDS: Record<string, keyof Omit<Destination, 'host'> | 'hostName'> = {
  port: 'port',
  user: 'user',
  identityfile: 'identityFile',
  proxyjump: 'proxyJump',
  proxycommand: 'proxyCommand',
  hostname: 'hostName',
};
/** Flags that change only what ssh prints or how it allocates a terminal: harmless to drop. */
const IGNORED_FLAGS = new Set(['v', 'q', 'C', 'T', 't']);
const SUPPORTED = '-p, -l, -i, -J and -o Port/User/IdentityFile/ProxyJump/ProxyCommand/HostName';

/** Characters OpenSSH refuses in a remote user name given on the command line (ssh.c valid_ruser). */
const BAD_USER_CHARS = /['"`$\\;&<>|()\s]/;
/** Host names and IPv4 addresses; IPv6 is checked with net.isIPv6. */
const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;

/** Splits a command line like a POSIX shell would for plain words, '…' and "…" quotes and \ escapes. */
export function splitWords(text: string): Parsed<string[]> {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length && /["\\$`]/.test(text[i + 1])) word += text[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) return fail(`A ${quote === '"' ? 'double' : 'single'} quote is not closed.`);
  if (word !== undefined) words.push(word);
  return ok(words);
}

export function parsePort(text: string): Parsed<number> {
  if (!/^\d+$/.test(text)) return fail(`Port "${text}" is not a number.`);
  const port = Number(text);
  if (port < 1 || port > 65535) return fail(`Port ${text} is out of range: use 1–65535.`);
  return ok(port);
}

export function userProblem(user: string): string | undefined {
  if (user === '') return 'The user name before "@" is empty.';
  if (user.startsWith('-')) return `User name "${user}" cannot start with "-".`;
  const bad = BAD_USER_CHARS.exec(user);
  if (bad) return `User name "${user}" cannot contain ${/\s/.test(bad[0]) ? 'spaces' : `"${bad[0]}"`}.`;
  if (/[\x00-\x1f\x7f]/.test(user)) return 'The user name contains a control character.';
  return undefined;
}

export function hostProblem(host: string): string | undefined {
  if (host === '') return 'The host is empty.';
  if (net.isIPv6(host)) return undefined;
  if (host.startsWith('-')) return `Host "${host}" cannot start with "-".`;
  if (host.includes(':')) return `"${host}" is neither a host name nor an IPv6 address; write an IPv6 address with a port as [::1]:2222.`;
  if (!HOST_NAME.test(host)) return `Host "${host}" may only contain letters, digits, ".", "-" and "_".`;
  return undefined;
}

/**
 * `[user@]host[:port]`, `[user@][v6]:port`, a bare IPv6 address, or `ssh://[user@]host[:port]`.
 * The splitting is OpenSSH's (src/ssh/config/userHostPort); this adds one message per mistake.
 */
export function parseTarget(text: string): Parsed<{ host: string; user?: string; port?: number }> {
  if (/^ssh:\/\//i.test(text)) {
    const body = text.slice('ssh://'.length).replace(/\/$/, '');
    if (body.includes('/')) return fail('An ssh:// destination cannot have a path; give the remote folder in the next step.');
    const uri = parseSshUri(`ssh://${body}`);
    // What ssh refuses as a URI (an IPv6 address in one, say) is read like the plain form, with its messages.
    if (uri && (uri.user === undefined || !userProblem(uri.user))) return checked(uri.host, uri.user, uri.port === undefined ? undefined : String(uri.port));
    return parseTarget(body);
  }
  // OpenSSH splits at the last "@": user names of some gateways contain one.
  const { user, rest } = splitUser(text);
  if (user !== undefined) {
    const problem = userProblem(user);
    if (problem) return fail(problem);
  }
  let host = rest;
  let portText: string | undefined;
  // A bare IPv6 address has no port; more than one ":" outside brackets is no host:port either.
  if (!net.isIPv6(rest) && (rest.startsWith('[') || (rest.match(/:/g) ?? []).length === 1)) {
    const hp = hpdelim(rest);
    if (!hp) return fail(rest.includes(']') ? `Unexpected "${rest.slice(rest.indexOf(']') + 1)}" after "]".` : `"[" is not closed in "${rest}".`);
    if (hp.delim === '/') return fail(hostProblem(rest) ?? `Host "${rest}" may only contain letters, digits, ".", "-" and "_".`);
    host = hp.host;
    portText = hp.rest;
    if (host.startsWith('[')) {
      host = host.slice(1, -1);
      if (!net.isIPv6(host) && !net.isIPv4(host)) return fail(`"${host}" in brackets is not an IP address.`);
    }
  }
  return checked(host, user, portText);
}

function checked(host: string, user: string | undefined, portText: string | undefined): Parsed<{ host: string; user?: string; port?: number }> {
  if (portText !== undefined && portText === '') return fail('The port after ":" is empty.');
  const problem = hostProblem(host);
  if (problem) return fail(problem);
  let port: number | undefined;
  if (portText !== undefined) {
    const parsed = parsePort(portText);
    if (!parsed.ok) return parsed;
    port = parsed.value;
  }
  return ok({ host, user, port });
}

/** Everything Add Host's first box accepts; the message says what to change. */
export function parseDestination(input: string): Parsed<Destination> {
  const text = input.trim();
  if (text === '') return fail(`Type a destination, for example ${DESTINATION_EXAMPLE}.`);
  const split = splitWords(text);
  if (!split.ok) return split;
  const words = split.value;
  if (words[0] === 'ssh') words.shift();
  if (words.length === 0) return fail(`Type the host after "ssh", for example ssh ${DESTINATION_EXAMPLE}.`);

  const fields: { user?: string; port?: string; identityFile?: string; proxyJump?: string; proxyCommand?: string; hostName?: string } = {};
  const set = (field: keyof typeof fields, value: string) => {
    // Like ssh, the first value given wins.
    if (fields[field] === undefined) fields[field] = value;
  };
  let target: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word.startsWith('-') && word.length > 1) {
      const flag = word[1];
      if (IGNORED_FLAGS.has(flag) && word.length === 2) continue;
      if (flag === 'o' || VALUE_OPTIONS[flag]) {
        const value = word.length > 2 ? word.slice(2) : words[++i];
        if (value === undefined) return fail(`Option -${flag} needs a value.`);
        if (flag !== 'o') {
          set(VALUE_OPTIONS[flag] as keyof typeof fields, value);
          continue;
        }
        const m = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/.exec(value);
        if (!m) return fail(`-o needs Keyword=Value, got "${value}".`);
        const field = CONFIG_KEYWORDS[m[1].toLowerCase()];
        if (!field) return fail(`Add Host does not understand -o ${m[1]}; it understands ${SUPPORTED}. Put other options in ~/.ssh/config.`);
        set(field as keyof typeof fields, m[2].trim());
        continue;
      }
      return fail(`Unknown ssh option ${word}: Add Host understands ${SUPPORTED}. Put other options in ~/.ssh/config.`);
    }
    if (target !== undefined) return fail(`"${word}" after the host: Add Host takes no remote command.`);
    target = word;
  }
  if (target === undefined) return fail(`No host given, only options. Add one, for example ${DESTINATION_EXAMPLE}.`);

  const parsed = parseTarget(target);
  if (!parsed.ok) return parsed;
  let { host, user, port } = parsed.value;
  if (fields.hostName !== undefined) {
    const problem = hostProblem(fields.hostName);
    if (problem) return fail(problem);
    host = fields.hostName;
  }
  // A user or port in the destination wins over -l and -p, as in ssh.
  if (user === undefined && fields.user !== undefined) {
    const problem = userProblem(fields.user);
    if (problem) return fail(problem);
    user = fields.user;
  }
  if (port === undefined && fields.port !== undefined) {
    const p = parsePort(fields.port);
    if (!p.ok) return p;
    port = p.value;
  }
  if (fields.proxyJump !== undefined && fields.proxyCommand !== undefined) return fail('Give either a jump host (-J) or a ProxyCommand, not both.');
  if (fields.proxyJump !== undefined) {
    for (const hop of fields.proxyJump.split(',')) {
      const jump = parseTarget(hop.trim());
      if (!jump.ok) return fail(`Jump host "${hop}": ${jump.message}`);
    }
    // What Add Host writes, ssh must read as -J (src/ssh/config/jump).
    if (!parseJump(fields.proxyJump)) return fail(`Jump hosts "${fields.proxyJump}": OpenSSH does not read this as [user@]host[:port],…`);
  }
  if (fields.identityFile === '') return fail('Option -i needs a key file.');
  return ok({
    host,
    ...(user !== undefined ? { user } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(fields.identityFile !== undefined ? { identityFile: fields.identityFile } : {}),
    ...(fields.proxyJump !== undefined ? { proxyJump: fields.proxyJump } : {}),
    ...(fields.proxyCommand !== undefined ? { proxyCommand: fields.proxyCommand } : {}),
  });
}

/** The longest name we accept (a DNS name's limit). */
const MAX_NAME = 253;

/**
 * Why `name` cannot be a host name in sbx://<name>/ URIs, or undefined. The editor writes a
 * URI's authority in lower case and reads "@" and ":" as user and port, so only lower-case
 * letters, digits, ".", "-" and "_" round-trip.
 */
export function hostNameProblem(name: string): string | undefined {
  if (name === '') return 'Give the host a name.';
  if (name.length > MAX_NAME) return `A name has at most ${MAX_NAME} characters.`;
  const bad = /[^A-Za-z0-9._-]/.exec(name);
  if (bad) {
    const what = /\s/.test(bad[0]) ? 'spaces' : `"${bad[0]}"`;
    return `A name cannot contain ${what}: it becomes the host part of sbx://<name>/ addresses. Use lower-case letters, digits, ".", "-" and "_".`;
  }
  if (/[A-Z]/.test(name)) return `Use lower case ("${name.toLowerCase()}"): the editor writes the host part of sbx:// addresses in lower case.`;
  if (/^[.-]|[.-]$/.test(name)) return 'A name starts and ends with a letter, digit or "_".';
  return undefined;
}

/** A name for the new host, derived from the address and free among `taken`. */
export function suggestName(destination: Destination, taken: ReadonlySet<string>): string {
  const base =
    destination.host
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[.-]+|[.-]+$/g, '')
      .slice(0, 60) || 'host';
  const withPort = destination.port && destination.port !== 22 ? `${base}-${destination.port}` : base;
  if (!taken.has(withPort)) return withPort;
  for (let n = 2; ; n++) if (!taken.has(`${withPort}-${n}`)) return `${withPort}-${n}`;
}

/** The remote folder box: empty (login directory), `~`, `~/…` or an absolute path. */
export function remoteFolderProblem(text: string): string | undefined {
  const dir = text.trim();
  if (dir === '' || dir === '~' || dir.startsWith('~/') || dir.startsWith('/')) {
    if (dir.includes('\0')) return 'A path cannot contain NUL.';
    return undefined;
  }
  return 'Give an absolute path (/srv/app) or one under the home folder (~/project).';
}
