// `Match` lines (readconf.c match_cfg_line, OpenSSH 9.2): criteria are ANDed, each may be
// negated with `!`; `all` stands alone; `final` and `canonical` are true only in the second
// pass, and seeing `final` anywhere asks for that second pass.
import { spawnSync } from 'child_process';
import { strdelim } from './lexer';
import { ConfigSyntaxError } from './options';
import { matchHostname, matchPatternList } from './patterns';
import { LocalIdentity, clientTokens, expandTokens, lazyCommandTokens } from './tokens';

export interface MatchContext {
  /** The host `Match host` compares: HostName so far (with %h expanded) or the alias. */
  readonly host: string;
  /** The alias as given (`Match originalhost`, %n). */
  readonly originalHost: string;
  readonly finalPass: boolean;
  /** User so far, or the local user. */
  readonly remoteUser: string;
  readonly port: number;
  readonly hostKeyAlias?: string;
  readonly local: LocalIdentity;
  requestFinalPass(): void;
  /**
   * Runs a `Match exec` command (tokens already expanded); true when it exits 0. Without it, a
   * Match line with `exec` never matches: running commands from config files is the caller's
   * decision (an untrusted workspace must not be able to trigger it).
   */
  readonly runExec?: (command: string) => boolean;
  readonly warn?: (message: string) => void;
}

/** Runs a `Match exec` command the way ssh does: `$SHELL -c command`, stdio to /dev/null. */
export function runMatchExecInShell(command: string): boolean {
  const shell = process.env.SHELL || '/bin/sh';
  return spawnSync(shell, ['-c', command], { stdio: 'ignore' }).status === 0;
}

/** Newer OpenSSH criteria that take an argument; they never match here (9.2 rejects them). */
const NEWER_CRITERIA = ['localnetwork', 'tagged', 'version', 'sessiontype', 'command'];

/** Evaluates the criteria after `Match`; throws ConfigSyntaxError where OpenSSH rejects the line. */
export function evaluateMatch(criteria: string, ctx: MatchContext): boolean {
  const cur = { s: criteria as string | undefined };
  let result = true;
  let attributes = 0;
  for (;;) {
    const word = strdelim(cur);
    if (word === undefined || word === '') break;
    if (word.startsWith('#')) break;
    const negate = word.startsWith('!');
    const attrib = (negate ? word.slice(1) : word).toLowerCase();
    if (attrib === 'all') {
      const next = strdelim(cur);
      if (attributes > 1 || (next !== undefined && next !== '' && !next.startsWith('#'))) {
        throw new ConfigSyntaxError(`'${word}' cannot be combined with other Match attributes`);
      }
      return result && !negate;
    }
    attributes++;
    if (attrib === 'canonical' || attrib === 'final') {
      if (attrib === 'final') ctx.requestFinalPass();
      if (ctx.finalPass === negate) result = false;
      continue;
    }
    const arg = strdelim(cur);
    if (arg === undefined || arg === '' || arg.startsWith('#')) throw new ConfigSyntaxError(`missing Match criteria for ${attrib}`);
    let hit: boolean;
    switch (attrib) {
      case 'host':
        hit = matchHostname(ctx.host, arg) === 1;
        break;
      case 'originalhost':
        hit = matchHostname(ctx.originalHost, arg) === 1;
        break;
      case 'user':
        hit = matchPatternList(ctx.remoteUser, arg, false) === 1;
        break;
      case 'localuser':
        hit = matchPatternList(ctx.local.user, arg, false) === 1;
        break;
      case 'exec': {
        const command = expandTokens(
          arg,
          lazyCommandTokens(arg, clientTokens(ctx.local, { hostname: ctx.host, port: ctx.port, user: ctx.remoteUser, alias: ctx.originalHost, hostKeyAlias: ctx.hostKeyAlias ?? ctx.host }), 'Match exec command'),
        );
        // Like ssh, the command is not run once an earlier criterion has failed.
        if (!result) continue;
        if (!ctx.runExec) {
          // Unknown outcome: the line does not match, whether or not `exec` is negated.
          ctx.warn?.(`Match exec "${command}" not run; the Match line is treated as not matching`);
          result = false;
          continue;
        }
        hit = ctx.runExec(command);
        break;
      }
      default:
        if (!NEWER_CRITERIA.includes(attrib)) throw new ConfigSyntaxError(`unsupported Match attribute ${attrib}`);
        ctx.warn?.(`Match ${attrib} is not supported by OpenSSH 9.2; treated as not matching`);
        hit = false;
    }
    if (hit === negate) result = false;
  }
  if (attributes === 0) throw new ConfigSyntaxError('one or more attributes required for Match');
  return result;
}
