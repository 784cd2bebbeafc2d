// Remote commands for persistent terminals in tmux, as strings for a POSIX sh. Everything a
// remote login shell reads goes through `sh -c` (a csh or fish login shell cannot run these
// scripts itself); every session target is exact (`-t =name`); our sessions get their options
// per session (never `-g`, never the user's ~/.tmux.conf), and `destroy-unattached` is forced
// off so a dropped connection never ends them.
import { shellQuote } from '../../ssh/exec';
import { DETACHED_EXIT_CODE } from '../sandboxPseudoterminal';
import { exactOptionsTarget, exactTarget } from './tmuxNames';

/** A tmux server of our own: our sessions and options never touch the user's tmux server. */
export const DEFAULT_SOCKET = 'sandbox-explorer';

export interface TmuxProbe {
  readonly available: boolean;
  /** e.g. [3, 3] for "tmux 3.3a"; undefined when unparsable. */
  readonly version?: readonly [number, number];
  /** The remote has tmux's own terminfo (else our sessions use xterm-256color). */
  readonly hasTmuxTerminfo: boolean;
  /** We are already inside tmux ($TMUX set in the login environment): do not nest. */
  readonly insideTmux: boolean;
}

/** One probe: is tmux there, which version, its terminfo, and $TMUX. Run it as is (it starts with sh -c). */
export function probeCommand(): string {
  const script = [
    'if command -v tmux >/dev/null 2>&1; then echo "version=$(tmux -V 2>/dev/null)"; else echo version=; fi',
    'if infocmp tmux-256color >/dev/null 2>&1; then echo terminfo=yes; else echo terminfo=no; fi',
    'if [ -n "$TMUX" ]; then echo inside=yes; else echo inside=no; fi',
  ].join('; ');
  return `sh -c ${shellQuote(script)}`;
}

export function parseProbe(output: string): TmuxProbe {
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(output)?.[1]?.trim() ?? '';
  const versionText = field('version');
  const m = /^tmux (?:next-)?(\d+)\.(\d+)/.exec(versionText);
  return {
    available: versionText.startsWith('tmux'),
    version: m ? [Number(m[1]), Number(m[2])] : undefined,
    hasTmuxTerminfo: field('terminfo') === 'yes',
    insideTmux: field('inside') === 'yes',
  };
}

/** tmux ≥ 2.1 keeps a `wait-for -S` sent before the wait (so a pane can wait for its first client). */
function rememberedSignals(probe: TmuxProbe): boolean {
  const v = probe.version;
  return !!v && (v[0] > 2 || (v[0] === 2 && v[1] >= 1));
}

/** tmux ≥ 3.3 drops passthrough sequences (OSC 633, our open requests) unless allowed per pane. */
export function supportsAllowPassthrough(probe: TmuxProbe): boolean {
  const v = probe.version;
  return !!v && (v[0] > 3 || (v[0] === 3 && v[1] >= 3));
}

export interface AttachOptions {
  readonly socket?: string;
  readonly name: string;
  /** The shell to start in a new session (terminalCommand's output). */
  readonly shellCommand: string;
  readonly probe: TmuxProbe;
  readonly cols: number;
  readonly rows: number;
  /** Variables refreshed in a session we re-attach (SSH_AUTH_SOCK, ours). */
  readonly refreshEnv?: Readonly<Record<string, string>>;
  /**
   * Re-attaching after our own connection dropped: the client still attached is our old one
   * (the server may not have noticed the drop yet), so it is detached rather than refused.
   */
  readonly detachOthers?: boolean;
  /** Said first in the session when this command has to create it although it expected one (a re-attach found it gone). */
  readonly goneNotice?: string;
}

/**
 * The PTY command of a persistent terminal: create the session if it is not there (with our
 * per-session options), refuse to attach one another client holds (exit 75), else attach;
 * exit DETACHED_EXIT_CODE when the client was detached while the session runs on.
 * $1 is the shell command (one line, any login shell runs it: see bootstrap.ts), $2 the same wrapped to
 * record its exit status for the pane of a new session.
 */
export function attachCommand(o: AttachOptions): string {
  const tmux = `tmux -L ${shellQuote(o.socket ?? DEFAULT_SOCKET)}`;
  const t = shellQuote(exactTarget(o.name));
  const ot = shellQuote(exactOptionsTarget(o.name));
  const term = o.probe.hasTmuxTerminfo ? 'tmux-256color' : 'xterm-256color';
  const options = [
    `${tmux} set-option -t ${ot} destroy-unattached off`,
    `${tmux} set-option -t ${ot} default-terminal ${term}`,
    `${tmux} set-option -t ${ot} mouse on`,
    `${tmux} set-option -t ${ot} history-limit 10000`,
    `${tmux} set-option -t ${ot} status off`,
    // No prefix key on our sessions: Ctrl-B must reach the shell (readline's back-a-character),
    // and a stray C-b d would detach. Users who want tmux's keys run their own tmux.
    `${tmux} set-option -t ${ot} prefix None`,
    `${tmux} set-option -t ${ot} prefix2 None`,
    ...(supportsAllowPassthrough(o.probe) ? [`${tmux} set-option -t ${ot} allow-passthrough on`] : []),
  ];
  const refresh = Object.entries(o.refreshEnv ?? {})
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `${tmux} set-environment -t ${t} ${k} ${shellQuote(v)}`);
  // The pane's shell leaves its exit status next to our tmux socket (a private 0700 folder), so
  // the terminal closes with it after tmux's attach ends (tmux itself exits 0).
  const exitName = `.exit-${o.name}`;
  // A passthrough reaches only clients attached (and drawn) at that moment: the shell of a new
  // session waits for its first client, so its first prompt's shell-integration marks are seen.
  // Every attach signals, as an attach may have failed before the first one got there.
  const attached = shellQuote(`${o.name}-attached`);
  const waitForClient = rememberedSignals(o.probe) ? `${tmux} wait-for ${attached} 2>/dev/null; ` : '';
  const signalAttached = rememberedSignals(o.probe) ? ` \\; wait-for -S ${attached}` : '';
  const notice = o.goneNotice ? `printf '\\033[33m%s\\033[0m\\n' ${shellQuote(o.goneNotice.replace(/[\x00-\x1f\x7f]/g, ''))}; ` : '';
  const inPane = `/bin/sh -c ${shellQuote(`${waitForClient}${notice}${o.shellCommand.replace(/^exec /, '')}; s=$?; [ -n "$TMUX" ] && echo "$s" > "\${TMUX%%,*}${exitName}"`)}`;
  const script = [
    // Already inside tmux (an rc that starts it): run the shell itself rather than nest.
    'if [ -n "$TMUX" ]; then eval "$1"; exit $?; fi',
    `if ! ${tmux} has-session -t ${t} 2>/dev/null; then ${tmux} new-session -d -s ${shellQuote(o.name)} -x ${o.cols} -y ${o.rows} "$2" || exit 1; created=1; else created=; fi`,
    ...options.map((c) => `${c} >/dev/null`),
    ...refresh.map((c) => `${c} >/dev/null`),
    ...(o.detachOthers ? [] : [`if [ -n "$(${tmux} list-clients -t ${t} 2>/dev/null)" ]; then echo "this terminal is attached elsewhere" >&2; exit 75; fi`]),
    `p=$(${tmux} display-message -p -t ${ot} '#{socket_path}' 2>/dev/null)`,
    // A shell of ours waiting at its prompt (integrationHook.ts leaves its state next to the
    // socket) gets a private key once this client is attached: it redraws its prompt, marks
    // included, which tmux's redraw of the screen lacks. Never sent to a running program.
    `if [ -z "$created" ] && [ -n "$p" ] && [ "$(cat "$p.state-${o.name}" 2>/dev/null)" = prompt ]; then redraw=1; else redraw=; fi`,
    `if [ -n "$redraw" ]; then ${tmux} attach-session${o.detachOthers ? ' -d' : ''} -t ${t}${signalAttached} \\; send-keys -t ${ot} -H 1b 5b 35 33 37 39 7e; else ${tmux} attach-session${o.detachOthers ? ' -d' : ''} -t ${t}${signalAttached}; fi`,
    'a=$?',
    `f="$p${exitName}"`,
    // The session is over when its exit status is there: its state file goes with it.
    `if [ -n "$p" ] && [ -f "$f" ]; then s=$(cat "$f"); rm -f "$f" "$p.state-${o.name}"; case $s in ""|*[!0-9]*) s=1;; esac; exit "$s"; fi`,
    // No exit status and the session still there: the client was detached (C-b d, another attach -d).
    `if [ "$a" = 0 ] && ${tmux} has-session -t ${t} 2>/dev/null; then exit ${DETACHED_EXIT_CODE}; fi`,
    'exit $a',
  ].join('; ');
  // One line of single-quoted words: every login shell (sh, csh, fish) reads it the same way.
  return `exec /bin/sh -c ${shellQuote(script)} sbx-tmux ${shellQuote(o.shellCommand)} ${shellQuote(inPane)}`;
}

/** Ends a session the user closed (exact target); harmless when it is already gone. */
export function killCommand(name: string, socket = DEFAULT_SOCKET): string {
  const tmux = `tmux -L ${shellQuote(socket)}`;
  const t = shellQuote(exactTarget(name));
  // The shell's state file (integrationHook.ts) lives next to the socket and goes with the session.
  return `sh -c ${shellQuote(`p=$(${tmux} display-message -p -t ${t}: '#{socket_path}' 2>/dev/null); ${tmux} kill-session -t ${t} 2>/dev/null; [ -n "$p" ] && rm -f "$p.state-${name}"; true`)}`;
}

/** Our sessions still alive on the remote (to offer back after a window reload). */
export function listCommand(socket = DEFAULT_SOCKET): string {
  return `sh -c ${shellQuote(`tmux -L ${shellQuote(socket)} list-sessions -F '#{session_name} #{session_attached}' 2>/dev/null; true`)}`;
}

export function parseList(output: string): { name: string; attached: number }[] {
  return output
    .split('\n')
    .map((line) => /^(\S+) (\d+)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ name: m[1], attached: Number(m[2]) }));
}
