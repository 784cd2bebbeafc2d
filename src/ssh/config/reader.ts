// Reads one config file for one pass (readconf.c read_config_file_depth): `Host` and `Match`
// switch blocks on and off, `Include` reads other files in place, every other line goes to
// the options.
import { SshError } from '../errors';
import { ConfigFs, includeTargets, permissionProblem } from './includes';
import { ConfigLine, LexError, lexLine } from './lexer';
import { evaluateMatch } from './match';
import { ConfigOptions, ConfigSyntaxError, applyOption } from './options';
import { hostLineMatches } from './patterns';
import { LocalIdentity, expandTokens } from './tokens';

/** readconf.c READCONF_MAX_DEPTH. */
const MAX_INCLUDE_DEPTH = 16;

export interface PassContext {
  /** What `Host` patterns are compared with: the alias in the first pass, the final HostName in the second. */
  readonly host: string;
  readonly originalHost: string;
  readonly finalPass: boolean;
  readonly local: LocalIdentity;
  readonly env: NodeJS.ProcessEnv;
  readonly fs: ConfigFs;
  readonly systemDir: string;
  /** `~` in Include patterns (glob(3) uses $HOME). */
  readonly globHome: string;
  readonly options: ConfigOptions;
  readonly runMatchExec?: (command: string) => boolean;
  readonly warn?: (message: string) => void;
  /** Set when a `Match final` was seen. */
  wantFinalPass: boolean;
}

export interface FileMode {
  /** A user config (relative Includes under ~/.ssh) rather than the system one. */
  readonly userConfig: boolean;
  readonly checkPerm: boolean;
  /** Inside a block that does not apply: read for syntax only, nothing matches. */
  readonly neverMatch: boolean;
}

/** A config error that already names its file (and line), so an including file does not wrap it again. */
class LocatedConfigError extends SshError {
  constructor(message: string, cause?: unknown) {
    super(message, 'config', { cause });
  }
}

/** Reads `file` into `pass.options`; false when it does not exist. `state.active` is shared with the including file. */
export function readConfigFile(file: string, pass: PassContext, mode: FileMode, state: { active: boolean }, depth = 0): boolean {
  if (depth > MAX_INCLUDE_DEPTH) throw new LocatedConfigError(`${file}: too many recursive configuration includes`);
  let text: string | undefined;
  try {
    text = pass.fs.readFile(file);
  } catch (err) {
    throw new LocatedConfigError(`can't open config file ${file}: ${(err as Error).message}`, err);
  }
  if (text === undefined) return false;
  if (mode.checkPerm) {
    const problem = permissionProblem(file, pass.fs);
    if (problem) throw new LocatedConfigError(problem);
  }
  text.split('\n').forEach((raw, i) => {
    try {
      const line = lexLine(raw);
      if (line) processLine(line, pass, mode, state, depth);
    } catch (err) {
      if (err instanceof LocatedConfigError || !(err instanceof LexError || err instanceof ConfigSyntaxError || err instanceof SshError)) throw err;
      throw new LocatedConfigError(`${file} line ${i + 1}: ${err.message}`, err);
    }
  });
  return true;
}

function processLine(line: ConfigLine, pass: PassContext, mode: FileMode, state: { active: boolean }, depth: number): void {
  switch (line.keyword) {
    case 'host':
      if (line.args.length === 0 || line.args.includes('')) throw new ConfigSyntaxError('keyword host empty argument');
      state.active = !mode.neverMatch && hostLineMatches(pass.host, line.args);
      return;
    case 'match': {
      // Evaluated even where nothing can match: it may ask for the final pass, and bad syntax is fatal.
      const matched = evaluateMatch(line.rest, matchContext(pass));
      state.active = !mode.neverMatch && matched;
      return;
    }
    case 'include':
      return include(line, pass, mode, state, depth);
    default:
      applyOption(pass.options, line, state.active, { userConfig: mode.userConfig, env: pass.env });
  }
}

function include(line: ConfigLine, pass: PassContext, mode: FileMode, state: { active: boolean }, depth: number): void {
  if (line.args.length === 0 || line.args.includes('')) throw new ConfigSyntaxError('keyword include empty argument');
  for (const arg of line.args) {
    let targets: string[];
    try {
      targets = includeTargets(arg, { userConfig: mode.userConfig, globHome: pass.globHome, systemDir: pass.systemDir, homeDir: pass.local.homeDir, localUser: pass.local.user, fs: pass.fs });
    } catch (err) {
      throw new ConfigSyntaxError((err as Error).message);
    }
    const outerActive = state.active;
    for (const target of targets) {
      readConfigFile(target, pass, { userConfig: mode.userConfig, checkPerm: true, neverMatch: mode.neverMatch || !outerActive }, state, depth + 1);
      // A Host or Match in the included file does not change the including file's block.
      state.active = outerActive;
    }
  }
}

function matchContext(pass: PassContext) {
  const o = pass.options.values;
  const hostname = o.get('hostname');
  // First pass: HostName so far with %h expanded, else the alias; final pass: the final host name.
  const host = pass.finalPass && hostname !== undefined ? hostname : hostname !== undefined ? expandTokens(hostname, { h: pass.host }) : pass.host;
  return {
    host,
    originalHost: pass.originalHost,
    finalPass: pass.finalPass,
    remoteUser: o.get('user') ?? pass.local.user,
    port: Number(o.get('port') ?? 22),
    hostKeyAlias: o.get('hostkeyalias'),
    local: pass.local,
    requestFinalPass: () => {
      pass.wantFinalPass = true;
    },
    runExec: pass.runMatchExec,
    warn: pass.warn,
  };
}
