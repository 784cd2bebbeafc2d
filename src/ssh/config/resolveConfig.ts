// The two passes ssh makes over its config files (ssh.c main, OpenSSH 9.2): the first with the
// alias; then, if a `Match final` was seen or CanonicalizeHostname is on, a second one in which
// `Host` patterns see the final, lower-cased host name and `Match final`/`canonical` are true.
// Values from the first pass stay; the second can only fill in what is still unset.
import { SshError } from '../errors';
import { ConfigFileSpec, DEFAULT_CONNECTION_ATTEMPTS, DEFAULT_PORT, SYSTEM_CONFIG_DIR, defaultConfigFiles, localIdentity } from './defaults';
import { ConfigFs, nodeConfigFs } from './includes';
import { ConfigOptions } from './options';
import { isValidHostArgument } from './patterns';
import { PassContext, readConfigFile } from './reader';
import { LocalIdentity, TokenValues, clientTokens, expandTokens } from './tokens';
import { parseDestination } from './userHostPort';

export interface ResolveOptions {
  /** `ssh -l`: the remote user, fixed before the config is read (wins over a destination's `user@`). */
  readonly user?: string;
  /** `ssh -p`: the port, fixed before the config is read (wins over an ssh:// destination's port). */
  readonly port?: number;
  /** Files in the order ssh reads them; default ~/.ssh/config then /etc/ssh/ssh_config. Missing files are skipped. */
  readonly configFiles?: readonly ConfigFileSpec[];
  /** The local user's home (%d, `~`); default the password database's, as ssh uses. */
  readonly homeDir?: string;
  readonly localUser?: string;
  /** %l; %L is its first label. Default os.hostname(). */
  readonly localHostname?: string;
  readonly uid?: number;
  /** For `${VAR}` references, and $HOME for `~` in Include patterns. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly fs?: ConfigFs;
  /** Where relative Includes of the system config live; default /etc/ssh. */
  readonly systemDir?: string;
  /** Runs `Match exec` commands; without it a Match line with `exec` never matches. */
  readonly runMatchExec?: (command: string) => boolean;
  readonly onWarning?: (message: string) => void;
}

/** Everything resolved for one alias, before it is shaped for `ssh -G` or for the connection code. */
export interface ResolvedConfig {
  readonly alias: string;
  /** Lower-cased, %h expanded. */
  readonly hostname: string;
  readonly user: string;
  readonly port: number;
  readonly connectionAttempts: number;
  readonly options: ConfigOptions;
  readonly local: LocalIdentity;
  readonly env: NodeJS.ProcessEnv;
  /** %C %d %h %i %k %L %l %n %p %r %u for this host. */
  readonly tokens: TokenValues;
}

/**
 * Resolves `destination` as `ssh [-l user] [-p port] destination` would: `user@host` and
 * `ssh://user@host:port` fix the user (and port) before any config line is read, so a `User`
 * line does not replace them, `Match user` sees them and `%r` expands to them.
 */
export function resolveConfig(destination: string, opts: ResolveOptions = {}): ResolvedConfig {
  const dest = parseDestination(destination);
  if (!dest) throw new SshError(`${destination}: not a valid destination ([user@]host or ssh://[user@]host[:port])`, 'config');
  const alias = dest.host;
  if (!isValidHostArgument(alias)) throw new SshError(`${alias}: host name contains invalid characters`, 'config');
  const local = localIdentity(opts);
  const env = opts.env ?? process.env;
  const files = opts.configFiles ?? defaultConfigFiles(local.homeDir);
  const options = new ConfigOptions();
  // Set first, so they win as the first value of their keyword does (ssh.c sets options.user/port before reading).
  const user = opts.user ?? dest.user;
  const presetPort = opts.port ?? dest.port;
  if (user !== undefined) options.values.set('user', user);
  if (presetPort !== undefined) options.values.set('port', String(presetPort));
  const base = {
    originalHost: alias,
    local,
    env,
    fs: opts.fs ?? nodeConfigFs,
    systemDir: opts.systemDir ?? SYSTEM_CONFIG_DIR,
    globHome: env.HOME || local.homeDir,
    options,
    runMatchExec: opts.runMatchExec,
    warn: opts.onWarning,
  };
  const first: PassContext = { ...base, host: alias, finalPass: false, wantFinalPass: false };
  readAll(files, first);

  const configured = options.values.get('hostname');
  const hostname = (configured === undefined ? alias : expandTokens(configured, { h: alias })).toLowerCase();
  const canonicalize = options.values.get('canonicalizehostname');
  // CanonicalizeHostname would also rewrite the name through DNS (CanonicalDomains); that is not
  // done here, but it still makes ssh re-read the config, so the second pass happens.
  if (first.wantFinalPass || canonicalize === 'true' || canonicalize === 'always') {
    options.values.set('hostname', hostname);
    readAll(files, { ...base, host: hostname, finalPass: true, wantFinalPass: false });
  }

  if (options.proxyCommand?.toLowerCase() === 'none') options.proxyCommand = undefined;
  if (options.jump?.none) options.jump = undefined;
  const finalUser = options.values.get('user') ?? local.user;
  const port = Number(options.values.get('port') ?? DEFAULT_PORT);
  const connectionAttempts = Number(options.values.get('connectionattempts') ?? DEFAULT_CONNECTION_ATTEMPTS);
  if (connectionAttempts <= 0) throw new SshError(`${alias}: invalid number of ConnectionAttempts`, 'config');
  const tokens = clientTokens(local, { hostname, port, user: finalUser, alias, hostKeyAlias: options.values.get('hostkeyalias') });
  return { alias, hostname, user: finalUser, port, connectionAttempts, options, local, env, tokens };
}

function readAll(files: readonly ConfigFileSpec[], pass: PassContext): void {
  for (const spec of files) {
    const file = typeof spec === 'string' ? { path: spec } : spec;
    // Each top-level file starts with its options applying (until its first Host or Match).
    readConfigFile(file.path, pass, { userConfig: !file.system, checkPerm: file.checkPerm ?? false, neverMatch: false }, { active: true });
  }
}
