// `%` tokens, `${ENV}` references and `~` as OpenSSH 9.2 expands them (misc.c
// vdollar_percent_expand, tilde_expand_filename; ssh_config(5) TOKENS).
import { createHash } from 'crypto';
import * as fs from 'fs';
import { SshError } from '../errors';

/** Token letter → replacement, e.g. `{ h: 'example.com', p: '22' }`. `%%` is always a literal `%`. */
export type TokenValues = Readonly<Record<string, string>>;

/**
 * Expands `%x` tokens (and `${VAR}` when `env` is given) in one pass; replacements are not
 * re-scanned. An unknown token, a trailing `%` or an unset variable is an error, as in OpenSSH.
 */
export function expandTokens(template: string, values: TokenValues, env?: NodeJS.ProcessEnv): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (env && c === '$' && template[i + 1] === '{') {
      const end = template.indexOf('}', i + 2);
      if (end < 0) throw new SshError(`environment variable in "${template}" is missing its closing '}'`, 'config');
      const name = template.slice(i + 2, end);
      if (name === '') throw new SshError(`zero-length environment variable in "${template}"`, 'config');
      const value = env[name];
      if (value === undefined) throw new SshError(`environment variable \${${name}} is not set (in "${template}")`, 'config');
      out += value;
      i = end;
      continue;
    }
    if (c !== '%') {
      out += c;
      continue;
    }
    const key = template[++i];
    if (key === undefined) throw new SshError(`invalid format: "${template}" ends with %`, 'config');
    if (key === '%') out += '%';
    else if (Object.prototype.hasOwnProperty.call(values, key)) out += values[key];
    else throw new SshError(`unknown token %${key} in "${template}"`, 'config');
  }
  return out;
}

/** `${VAR}` only (OpenSSH dollar_expand), used where `%` is left for later. */
export function expandEnv(template: string, env: NodeJS.ProcessEnv): string {
  return expandTokens(template.replace(/%/g, '%%'), {}, env);
}

/** A user's home directory from /etc/passwd (OpenSSH uses getpwnam); undefined when unknown. */
export function passwdHome(user: string): string | undefined {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === user && f.length >= 7) return f[5];
    }
  } catch {
    // No /etc/passwd (Windows): only the local user's `~` can be expanded.
  }
  return undefined;
}

/**
 * misc.c tilde_expand(): `~`, `~/x` use the local home, `~user` and `~user/x` that user's home
 * (looked up in /etc/passwd; OpenSSH asks the password database, so NSS-only users are not
 * found here). An unknown user is an error, as in ssh. Repeated slashes after the name collapse.
 */
export function expandTilde(file: string, homeDir: string, localUser: string): string {
  if (!file.startsWith('~')) return file;
  const rest = file.slice(1);
  const slash = rest.indexOf('/');
  const user = slash < 0 ? rest : rest.slice(0, slash);
  const tail = slash < 0 ? '' : rest.slice(slash).replace(/^\/+/, '');
  const home = user === '' || user === localUser ? homeDir : passwdHome(user);
  if (home === undefined) throw new SshError(`no such user ${user} (in "${file}")`, 'config');
  return home + (home.endsWith('/') ? '' : '/') + tail;
}

/** %C: SHA-1 of %l%h%p%r, hex (OpenSSH 9.2 ssh_connection_hash). */
export function connectionHash(localHostname: string, host: string, port: string, remoteUser: string): string {
  return createHash('sha1').update(localHostname + host + port + remoteUser).digest('hex');
}

export interface LocalIdentity {
  readonly user: string;
  readonly homeDir: string;
  /** gethostname(), possibly with a domain (%l). */
  readonly hostname: string;
  readonly uid: number;
}

/**
 * The tokens CertificateFile, IdentityAgent, IdentityFile, UserKnownHostsFile, LocalForward,
 * RemoteForward and Match exec accept: %C %d %h %i %k %L %l %n %p %r %u.
 */
export function clientTokens(local: LocalIdentity, t: { hostname: string; port: number; user: string; alias: string; hostKeyAlias?: string }): TokenValues {
  const port = String(t.port);
  return {
    C: connectionHash(local.hostname, t.hostname, port, t.user),
    L: local.hostname.split('.')[0],
    d: local.homeDir,
    h: t.hostname,
    i: String(local.uid),
    k: t.hostKeyAlias ?? t.alias,
    l: local.hostname,
    n: t.alias,
    p: port,
    r: t.user,
    u: local.user,
  };
}

/**
 * Characters a shell would act on, as OpenSSH 9.6 refuses them in names from the command line
 * (valid_ruser / valid_hostname). A user or host name can come from somewhere the user did not
 * type (a sandbox gateway's API answer): such a name must never become shell syntax when a
 * ProxyCommand or `Match exec` line puts it in through %r, %h, %n or %k.
 */
const SHELL_SYNTAX = /['"`$\\;&<>|(){}\s\x00-\x1f\x7f*?[\]!~]|^[-#]/;

/** The values a command line (ProxyCommand, Match exec) puts in, refused when one would be shell syntax there. */
export function commandTokenValues(values: TokenValues, what: string): TokenValues {
  for (const key of ['h', 'n', 'r', 'k']) {
    const value = values[key];
    if (value !== undefined && SHELL_SYNTAX.test(value)) {
      const name = key === 'r' ? 'user name' : key === 'h' ? 'host name' : 'host alias';
      throw new SshError(`the ${name} ${JSON.stringify(value.slice(0, 80))} has characters a shell would act on, so it is not put into the ${what} (%${key})`, 'config');
    }
  }
  return values;
}

/** ProxyCommand (and ProxyJump) accept only %h %n %p %r and %%. */
export function proxyTokens(t: { hostname: string; port: number; user: string; alias: string }): TokenValues {
  return { h: t.hostname, n: t.alias, p: String(t.port), r: t.user };
}

/** Expands a resolved host's ProxyCommand at connect time (tokens only; the shell does the rest). */
export function expandProxyCommand(t: { hostname: string; port: number; user: string; alias: string; proxyCommand?: string }): string {
  if (t.proxyCommand === undefined) throw new SshError(`${t.alias}: no ProxyCommand to expand`, 'config');
  return expandTokens(t.proxyCommand, lazyCommandTokens(t.proxyCommand, proxyTokens(t), 'ProxyCommand'));
}

/** Checks only the tokens the template uses: an unused odd name (an IPv6 `[::1]`) does not stop a command that never sees it. */
export function lazyCommandTokens(template: string, values: TokenValues, what: string): TokenValues {
  const used: Record<string, string> = {};
  for (const m of template.matchAll(/%(.)/g)) if (m[1] !== '%' && Object.prototype.hasOwnProperty.call(values, m[1])) used[m[1]] = values[m[1]];
  commandTokenValues(used, what);
  return values;
}
