// The options collected while reading config files, and how each keyword is applied to them
// (readconf.c process_config_line_depth). A value is checked whether or not its block applies,
// as OpenSSH does; it is stored only when the block applies and, for most keywords, only the
// first time (first obtained value wins).
import { ConfigLine } from './lexer';
import { ForwardSpec, parseForward, sameForward } from './forwards';
import { JumpSetting, parseJump } from './jump';
import { matchPattern } from './patterns';
import { expandEnv } from './tokens';
import * as v from './values';

export class ConfigSyntaxError extends Error {}

export interface IdentityFileEntry {
  readonly path: string;
  /** From a user config file (OpenSSH de-duplicates per origin). */
  readonly user: boolean;
}

export class ConfigOptions {
  /** First-wins single values, normalised as `ssh -G` prints them (keyword → value). */
  readonly values = new Map<string, string>();
  readonly identityFiles: IdentityFileEntry[] = [];
  readonly certificateFiles: IdentityFileEntry[] = [];
  readonly sendEnv: string[] = [];
  setEnv?: string[];
  userKnownHostsFiles?: string[];
  globalKnownHostsFiles?: string[];
  readonly forwards: { local: ForwardSpec[]; remote: ForwardSpec[] } = { local: [], remote: [] };
  proxyCommand?: string;
  jump?: JumpSetting;
}

type Handler = (o: ConfigOptions, line: ConfigLine, active: boolean, ctx: ApplyContext) => void;

export interface ApplyContext {
  readonly userConfig: boolean;
  readonly env: NodeJS.ProcessEnv;
}

function fail(message: string): never {
  throw new ConfigSyntaxError(message);
}

/** The single argument of a one-value keyword; more words are an error ("extra arguments at end of line"). */
function single(line: ConfigLine): string {
  const arg = line.args[0];
  if (arg === undefined || arg === '') fail(`missing argument for ${line.keyword}`);
  if (line.args.length > 1) fail(`keyword ${line.keyword} extra arguments at end of line`);
  return arg;
}

function setFirst(o: ConfigOptions, key: string, value: string, active: boolean): void {
  if (active && !o.values.has(key)) o.values.set(key, value);
}

const text: Handler = (o, line, active) => setFirst(o, line.keyword, single(line), active);

const number = (parse: (s: string) => number | undefined, what: 'port' | 'integer' | 'time'): Handler => (o, line, active) => {
  const arg = single(line);
  // `none` for a time leaves it unset, so a later line can still set it (readconf.c parse_time).
  if (what === 'time' && arg === 'none') return;
  const n = parse(arg);
  if (n === undefined) fail(`invalid ${what} for ${line.keyword}: "${line.args[0]}"`);
  setFirst(o, line.keyword, String(n), active);
};

const multistate = (table: Parameters<typeof v.parseMultistate>[1]): Handler => (o, line, active) => {
  const value = v.parseMultistate(single(line), table);
  if (value === undefined) fail(`unsupported value for ${line.keyword}: "${line.args[0]}"`);
  setFirst(o, line.keyword, value, active);
};

const fileList = (pick: (o: ConfigOptions) => IdentityFileEntry[]): Handler => (o, line, active, ctx) => {
  const file = single(line);
  const list = pick(o);
  if (active && !list.some((e) => e.path === file && e.user === ctx.userConfig)) list.push({ path: file, user: ctx.userConfig });
};

const knownHostsFiles = (key: 'userKnownHostsFiles' | 'globalKnownHostsFiles'): Handler => (o, line, active) => {
  if (line.args.length === 0) fail(`missing argument for ${line.keyword}`);
  for (const [i, arg] of line.args.entries()) {
    if (arg === '') fail(`keyword ${line.keyword} empty argument`);
    if (arg.toLowerCase() === 'none' && (i > 0 || line.args.length > 1)) fail(`keyword ${line.keyword} "none" argument must appear alone`);
  }
  // The first directive wins as a whole; later ones do not add to it.
  if (active && o[key] === undefined) o[key] = [...line.args];
};

const forward = (kind: 'local' | 'remote' | 'dynamic'): Handler => (o, line, active, ctx) => {
  const [listen, target] = line.args;
  if (listen === undefined || listen === '') fail(`missing port argument for ${line.keyword}`);
  const dynamic = kind === 'dynamic' || (kind === 'remote' && (target === undefined || target === ''));
  if (!dynamic && (target === undefined || target === '')) fail(`missing target argument for ${line.keyword}`);
  if (line.args.length > (kind === 'dynamic' ? 1 : 2)) fail(`keyword ${line.keyword} extra arguments at end of line`);
  let spec = dynamic ? listen : `${listen}:${target}`;
  try {
    spec = expandEnv(spec, ctx.env);
  } catch {
    fail(`bad forwarding specification "${spec}"`);
  }
  const fwd = parseForward(spec, dynamic, kind === 'remote');
  if (!fwd) fail(`bad forwarding specification "${spec}"`);
  const list = kind === 'remote' ? o.forwards.remote : o.forwards.local;
  if (active && !list.some((f) => sameForward(f, fwd))) list.push(fwd);
};

const HANDLERS: Record<string, Handler> = {
  hostname: text,
  user: text,
  hostkeyalias: text,
  preferredauthentications: text,
  ciphers: text,
  macs: text,
  kexalgorithms: text,
  hostkeyalgorithms: text,
  port: number(v.parsePort, 'port'),
  connectionattempts: number(v.parseInteger, 'integer'),
  serveralivecountmax: number(v.parseInteger, 'integer'),
  connecttimeout: number(v.parseTime, 'time'),
  serveraliveinterval: number(v.parseTime, 'time'),
  identitiesonly: multistate(v.FLAG),
  stricthostkeychecking: multistate(v.STRICT_HOST_KEY_CHECKING),
  canonicalizehostname: multistate(v.CANONICALIZE_HOSTNAME),
  identityfile: fileList((o) => o.identityFiles),
  certificatefile: fileList((o) => o.certificateFiles),
  userknownhostsfile: knownHostsFiles('userKnownHostsFiles'),
  globalknownhostsfile: knownHostsFiles('globalKnownHostsFiles'),
  localforward: forward('local'),
  remoteforward: forward('remote'),
  dynamicforward: forward('dynamic'),
  identityagent: (o, line, active, ctx) => {
    const arg = single(line);
    // Checked even where the block does not apply: a ${VAR} must be set, a $VAR well formed.
    try {
      expandEnv(arg, ctx.env);
    } catch {
      fail(`invalid environment expansion ${arg}`);
    }
    if (arg.startsWith('$') && arg[1] !== '{' && !v.isValidEnvName(arg.slice(1))) fail(`invalid environment name ${arg}`);
    setFirst(o, 'identityagent', arg, active);
  },
  sendenv: (o, line, active) => {
    for (const arg of line.args) {
      if (arg === '' || arg.includes('=')) fail('invalid environment name in SendEnv');
      if (!active) continue;
      if (!arg.startsWith('-')) o.sendEnv.push(arg);
      else for (let i = o.sendEnv.length - 1; i >= 0; i--) if (matchPattern(o.sendEnv[i], arg.slice(1))) o.sendEnv.splice(i, 1);
    }
  },
  setenv: (o, line, active) => {
    // OpenSSH 9.2: the first SetEnv line that applies wins as a whole; a name repeated on it is ignored.
    const first = o.setEnv === undefined;
    const found: string[] = [];
    for (const arg of line.args) {
      if (!arg.includes('=')) fail('invalid SetEnv');
      const name = arg.slice(0, arg.indexOf('='));
      if (!found.some((e) => e.slice(0, e.indexOf('=')) === name)) found.push(arg);
    }
    if (active && first && found.length > 0) o.setEnv = found;
  },
  proxycommand: (o, line, active) => {
    // The rest of the line, verbatim: quotes, spacing and `#` belong to the shell command.
    if (active && o.proxyCommand === undefined) o.proxyCommand = line.rest.replace(/^[ \t\r\n=]+/, '');
  },
  proxyjump: (o, line, active) => {
    if (line.args.length === 0 || line.args[0] === '') fail('missing ProxyJump argument');
    const value = line.rest.replace(/^[ \t\r\n=]+/, '');
    const jump = parseJump(value);
    if (!jump) fail(`invalid ProxyJump "${value}"`);
    // ProxyJump and ProxyCommand exclude each other: a ProxyJump counts only if neither is set
    // yet, and a real chain also fills ProxyCommand (with "none") so a later one is ignored.
    if (!active || o.proxyCommand !== undefined || o.jump !== undefined) return;
    o.jump = jump;
    if (!jump.none) o.proxyCommand = 'none';
  },
};

/**
 * Applies one keyword line. Keywords this resolver does not interpret keep their first value
 * as written (not normalised); OpenSSH would reject a keyword it does not know, we do not,
 * because the user's ssh may be newer than the one emulated here.
 */
export function applyOption(o: ConfigOptions, line: ConfigLine, active: boolean, ctx: ApplyContext): void {
  const handler = HANDLERS[line.keyword];
  if (handler) handler(o, line, active, ctx);
  else if (line.args.length > 0) setFirst(o, line.keyword, line.args.join(' '), active);
}
