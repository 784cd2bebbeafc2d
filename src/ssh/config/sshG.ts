// The resolved options in the shape `ssh -G` prints them (readconf.c dump_client_config), so
// tests can compare with the real thing: lower-case keyword → one string per printed line.
import * as d from './defaults';
import { formatForward, isDynamic } from './forwards';
import { ResolveOptions, ResolvedConfig, resolveConfig } from './resolveConfig';
import { expandTilde, expandTokens } from './tokens';

export type SshGOptions = Record<string, string[]>;

/**
 * Resolves `alias` and returns what `ssh -G alias` would print for the keywords this resolver
 * interprets (plus, verbatim, the first value of any other keyword it saw). Algorithm lists
 * are given as written: ssh prints them merged with its compiled-in defaults.
 */
export function resolveOptions(alias: string, opts: ResolveOptions = {}): SshGOptions {
  return toSshG(resolveConfig(alias, opts));
}

/** Tilde, then %tokens and ${VAR}, as ssh does for UserKnownHostsFile and IdentityAgent. */
export function expandPath(cfg: ResolvedConfig, file: string): string {
  return expandTokens(expandTilde(file, cfg.local.homeDir, cfg.local.user), cfg.tokens, cfg.env);
}

export function toSshG(cfg: ResolvedConfig): SshGOptions {
  const o = cfg.options;
  const out: SshGOptions = {};
  for (const [key, value] of o.values) out[key] = [value];
  const identityFiles = o.identityFiles.length > 0 ? o.identityFiles.map((e) => e.path) : d.DEFAULT_IDENTITY_FILES;
  Object.assign(out, {
    host: [cfg.alias],
    user: [cfg.user],
    hostname: [cfg.hostname],
    port: [String(cfg.port)],
    identityfile: identityFiles,
    identitiesonly: [o.values.get('identitiesonly') ?? 'no'],
    stricthostkeychecking: [o.values.get('stricthostkeychecking') ?? d.DEFAULT_STRICT_HOST_KEY_CHECKING],
    canonicalizehostname: [o.values.get('canonicalizehostname') ?? 'false'],
    userknownhostsfile: [(o.userKnownHostsFiles ?? d.DEFAULT_USER_KNOWN_HOSTS_FILES).map((f) => expandPath(cfg, f)).join(' ')],
    globalknownhostsfile: [(o.globalKnownHostsFiles ?? d.DEFAULT_GLOBAL_KNOWN_HOSTS_FILES).join(' ')],
    serveraliveinterval: [o.values.get('serveraliveinterval') ?? '0'],
    serveralivecountmax: [o.values.get('serveralivecountmax') ?? String(d.DEFAULT_SERVER_ALIVE_COUNT_MAX)],
    connecttimeout: [o.values.get('connecttimeout') ?? 'none'],
    connectionattempts: [String(cfg.connectionAttempts)],
  });
  const identityAgent = o.values.get('identityagent');
  if (identityAgent !== undefined) out.identityagent = [expandPath(cfg, identityAgent)];
  setList(out, 'certificatefile', o.certificateFiles.map((e) => e.path));
  setList(out, 'sendenv', o.sendEnv);
  setList(out, 'setenv', o.setEnv ?? []);
  setList(out, 'localforward', o.forwards.local.filter((f) => !isDynamic(f)).map((f) => formatForward(f, true)));
  setList(out, 'dynamicforward', o.forwards.local.filter(isDynamic).map((f) => formatForward(f, false)));
  setList(out, 'remoteforward', o.forwards.remote.map((f) => formatForward(f, true)));
  delete out.proxycommand;
  delete out.proxyjump;
  if (o.jump && !o.jump.none) out.proxyjump = [o.jump.printed];
  else if (o.proxyCommand !== undefined) out.proxycommand = [o.proxyCommand];
  return out;
}

function setList(out: SshGOptions, key: string, values: string[]): void {
  if (values.length > 0) out[key] = values;
  else delete out[key];
}
