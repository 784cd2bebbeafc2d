// An alias resolved for the connection code: what ssh would use when it connects, with the
// expansions ssh does at that point (IdentityFile, known_hosts files, IdentityAgent).
import * as d from './defaults';
import { isDynamic } from './forwards';
import { ResolveOptions, ResolvedConfig, resolveConfig } from './resolveConfig';
import { ResolvedHost, StrictHostKeyChecking } from './resolvedHost';
import { expandPath } from './sshG';
import { TokenValues, expandTokens, proxyTokens } from './tokens';
import { JumpHop } from './userHostPort';

export function resolveHost(alias: string, opts: ResolveOptions = {}): ResolvedHost {
  return toResolvedHost(resolveConfig(alias, opts));
}

const STRICT: Record<string, StrictHostKeyChecking> = { true: 'yes', false: 'no', ask: 'ask', 'accept-new': 'accept-new' };

export function toResolvedHost(cfg: ResolvedConfig): ResolvedHost {
  const o = cfg.options;
  const get = (key: string) => o.values.get(key);
  const configured = o.identityFiles.map((e) => e.path);
  // `IdentityFile none` is skipped when keys are loaded (and, being set, keeps the defaults away).
  const identityFiles = (configured.length > 0 ? configured : d.DEFAULT_IDENTITY_FILES)
    .filter((f) => f.toLowerCase() !== 'none')
    .map((f) => expandPath(cfg, f));
  const knownHosts = (files: readonly string[], expand: boolean) =>
    files.length === 1 && files[0].toLowerCase() === 'none' ? [] : files.map((f) => (expand ? expandPath(cfg, f) : f));
  const interval = Number(get('serveraliveinterval') ?? 0);
  const timeout = get('connecttimeout');
  const preferred = get('preferredauthentications');
  return {
    alias: cfg.alias,
    hostname: cfg.hostname,
    port: cfg.port,
    user: cfg.user,
    identityFiles,
    identityFilesAreDefaults: configured.length === 0,
    identitiesOnly: get('identitiesonly') === 'yes',
    identityAgent: identityAgent(cfg),
    proxyJump: o.jump && !o.jump.none ? o.jump.hops.map((h) => expandHop(h, proxyTokens(cfg))) : [],
    proxyCommand: o.jump ? undefined : o.proxyCommand,
    strictHostKeyChecking: STRICT[get('stricthostkeychecking') ?? d.DEFAULT_STRICT_HOST_KEY_CHECKING],
    userKnownHostsFiles: knownHosts(o.userKnownHostsFiles ?? d.DEFAULT_USER_KNOWN_HOSTS_FILES, true),
    globalKnownHostsFiles: knownHosts(o.globalKnownHostsFiles ?? d.DEFAULT_GLOBAL_KNOWN_HOSTS_FILES, false),
    hostKeyAlias: get('hostkeyalias'),
    serverAliveInterval: interval,
    serverAliveCountMax: Number(get('serveralivecountmax') ?? d.DEFAULT_SERVER_ALIVE_COUNT_MAX),
    // ConnectTimeout 0 means "no limit of ssh's own" (the system TCP timeout): left to our default.
    connectTimeout: timeout !== undefined && Number(timeout) > 0 ? Number(timeout) : undefined,
    connectionAttempts: cfg.connectionAttempts,
    preferredAuthentications: preferred ? preferred.split(',').map((m) => m.trim().toLowerCase()).filter(Boolean) : [],
    setEnv: Object.fromEntries((o.setEnv ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
    hostKeyAlgorithms: get('hostkeyalgorithms'),
    macs: get('macs'),
    ciphers: get('ciphers'),
    kexAlgorithms: get('kexalgorithms'),
    localForwards: o.forwards.local.filter((f) => !isDynamic(f)),
    remoteForwards: [...o.forwards.remote],
    dynamicForwards: o.forwards.local.filter(isDynamic),
  };
}

/** Tokens in a hop's user and host (%h %n %p %r), field by field: the hop is never re-parsed. */
function expandHop(hop: JumpHop, tokens: TokenValues): JumpHop {
  return {
    ...(hop.user !== undefined ? { user: expandTokens(hop.user, tokens) } : {}),
    host: expandTokens(hop.host, tokens),
    ...(hop.port !== undefined ? { port: hop.port } : {}),
  };
}

/**
 * IdentityAgent: `SSH_AUTH_SOCK` means the usual variable (undefined here), `$NAME` another
 * variable ('none' when it is unset: ssh then has no agent), `none` no agent, else a path.
 */
function identityAgent(cfg: ResolvedConfig): string | undefined {
  const raw = cfg.options.values.get('identityagent');
  if (raw === undefined || raw === 'SSH_AUTH_SOCK') return undefined;
  if (raw.toLowerCase() === 'none') return 'none';
  const expanded = expandPath(cfg, raw);
  if (expanded.startsWith('$')) return cfg.env[expanded.slice(1)] ?? 'none';
  return expanded;
}
