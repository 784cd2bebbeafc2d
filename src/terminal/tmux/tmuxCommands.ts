// Remote commands for persistent terminals in tmux, as strings for a POSIX sh. Everything a
// remote login shell reads goes through portableSh (a csh or fish login shell can neither run
// these scripts nor parse nested sh quoting); every session target is exact (`-t =name`); our
// tmux server reads no ~/.tmux.conf, our sessions get their options per session (never `-g`),
// and `destroy-unattached` is forced off so a dropped connection never ends them.
import { shellQuote } from '../../ssh/exec';
import { printfEscape } from '../shell/bootstrap';
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

/** One probe: is tmux there, which version, its terminfo, and $TMUX. Run it as is (any login shell). */
export function probeCommand(): string {
  const script = [
    'if command -v tmux >/dev/null 2>&1; then echo "version=$(tmux -V 2>/dev/null)"; else echo version=; fi',
    'if infocmp tmux-256color >/dev/null 2>&1; then echo terminfo=yes; else echo terminfo=no; fi',
    'if [ -n "$TMUX" ]; then echo inside=yes; else echo inside=no; fi',
  ].join('; ');
  return portableSh(script);
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

/** tmux older than 3.3 passes passthrough sequences on without being asked (and lacks the option). */
function passthroughUnneeded(probe: TmuxProbe): boolean {
  const v = probe.version;
  return !!v && (v[0] < 3 || (v[0] === 3 && v[1] < 3));
}

/**
 * Our tmux server, never configured by the user's ~/.tmux.conf (its errors would hold the first
 * pane); `-u`: the editor's terminal is UTF-8 whatever the remote's locale says (else tmux draws
 * every non-ASCII character as _).
 */
function tmuxOf(socket: string): string {
  return `tmux -u -L ${shellQuote(socket)} -f /dev/null`;
}

// The fixed decoder portableSh hands everything to (no ' \ ! inside, so fish and csh read it as
// sh does): the arguments go to the script as SBX_ARG1… in its environment (readable by the
// user only), and the script runs in a fresh /bin/sh whose command line holds the script alone.
const DECODE = 's=$(printf "%b" "$1"); shift; i=0; for a; do i=$((i+1)); export "SBX_ARG$i=$(printf "%b" "$a")"; done; exec /bin/sh -c "$s" sbx';

/**
 * `/bin/sh` running `script`, as one line that any login shell (sh, bash, zsh, fish, csh) passes
 * on unchanged: the script and its arguments travel printf-%b-encoded in plain single-quoted
 * words (no quote, backslash or `!` inside, see printfEscape) and a fixed decoder runs them.
 * Arguments may be secret (a terminal's nonce): other users of the sandbox can list command
 * lines, not environments, so the script reads them as SBX_ARG1… and unsets them before it
 * starts anything.
 */
export function portableSh(script: string, args: readonly string[] = [], label = 'sbx'): string {
  return `/bin/sh -c '${DECODE}' ${label} ${[script, ...args].map((a) => `'${printfEscape(a)}'`).join(' ')}`;
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
 * exit DETACHED_EXIT_CODE when the client was detached while the session runs on. Without a
 * usable tmux it runs the plain shell. The shell's start-up command (bootstrap.ts) and the new
 * pane's script travel in the script's environment (portableSh).
 */
export function attachCommand(o: AttachOptions): string {
  const tmux = tmuxOf(o.socket ?? DEFAULT_SOCKET);
  const t = shellQuote(exactTarget(o.name));
  const ot = shellQuote(exactOptionsTarget(o.name));
  const term = o.probe.hasTmuxTerminfo ? 'tmux-256color' : 'xterm-256color';
  // Set in the same tmux call as new-session (one process, not one per option), the
  // long-standing options first: a tmux that lacks a later one stops the chain there.
  const options = [
    `set-option -t ${ot} destroy-unattached off`,
    `set-option -t ${ot} default-terminal ${term}`,
    // Wheel scrolling through tmux's own history: tmux draws in the editor's alternate screen and
    // coalesces fast output, so the editor's scrollback would miss lines (shift-drag selects).
    `set-option -t ${ot} mouse on`,
    `set-option -t ${ot} history-limit 10000`,
    `set-option -t ${ot} status off`,
    // No prefix key on our sessions: Ctrl-B must reach the shell (readline's back-a-character),
    // and a stray C-b d would detach. Users who want tmux's keys run their own tmux.
    `set-option -t ${ot} prefix None`,
    `set-option -t ${ot} prefix2 None`,
    // tmux ≥ 3.3 drops passthrough sequences (OSC 633, our open requests) unless allowed; also
    // tried when the version is unknown.
    ...(passthroughUnneeded(o.probe) ? [] : [`set-option -t ${ot} allow-passthrough on`]),
  ];
  const refresh = Object.entries(o.refreshEnv ?? {})
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    // tmux ends a command at an argument ending in ";" (it stays the value's with "\;").
    .map(([k, v]) => `set-environment -t ${t} ${k} ${shellQuote(v.replace(/;$/, '\\;'))}`);
  // The pane's shell leaves its exit status next to our tmux socket (a private 0700 folder), so
  // the terminal closes with it after tmux's attach ends (tmux itself exits 0).
  const exitName = `.exit-${o.name}`;
  // A passthrough reaches only clients attached (and drawn) at that moment: the shell of a new
  // session waits (at most 5 s) for its first client, so its first prompt's marks are seen.
  const waitForClient = `i=0; while [ "$i" -lt 500 ] && [ "$(${tmux} display-message -p -t "$TMUX_PANE" '#{session_attached}' 2>/dev/null)" = 0 ]; do if sleep 0.01 2>/dev/null; then i=$((i+1)); else sleep 1; i=$((i+100)); fi; done`;
  const notice = o.goneNotice ? `printf '\\033[33m%s\\033[0m\\n' ${shellQuote(o.goneNotice.replace(/[\x00-\x1f\x7f-\x9f]/g, ''))}` : ':';
  // Where our hook in this pane leaves its state (integrationHook.ts), and the $TMUX it may trust.
  const stateEnv = `export SBX_TMUX="$TMUX" SBX_TMUX_STATE="\${TMUX%,*,*}.state-${o.name}"`;
  // The pane runs a script file the attach script writes into a private folder (with the shell's
  // start-up command next to it): tmux's command line stays short (tmux refuses a long one) and
  // holds no nonce, and the login shell that tmux runs it with reads only a plain path. The
  // folder is gone once the pane has read it.
  // The shell runs in the background of this script (on the pane's terminal, fd 3) so that the
  // hang-up tmux sends when the session is killed (closing the terminal) is passed on to it: the
  // shell is not the pane's first process, and a loop it runs would otherwise outlive the pane.
  // A session killed so leaves no exit status behind.
  const paneScript = `d=\${0%/*}; c=$(cat "$d/run"); rm -rf -- "$d"; ${waitForClient}; ${notice}; ${stateEnv}; exec 3<&0; /bin/sh -c "$c" <&3 3<&- & k=$!; exec 3<&-; c=; h=; trap 'h=1; kill -HUP "$k" 2>/dev/null' HUP TERM; wait "$k"; s=$?; while kill -0 "$k" 2>/dev/null; do wait "$k"; s=$?; done; [ -z "$h" ] && [ -n "$TMUX" ] && echo "$s" > "\${TMUX%,*,*}${exitName}"`;
  const attach = `${tmux} attach-session${o.detachOthers ? ' -d' : ''} -t ${t}`;
  const script = [
    // Already inside tmux (an rc that starts it): run the shell itself rather than nest.
    // SBX_ARG1: the shell's start-up command; SBX_ARG2: the new pane's script (kept out of this
    // long-lived process's command line: they hold the terminal's nonce).
    'sc=$SBX_ARG1; pn=$SBX_ARG2; unset SBX_ARG1 SBX_ARG2',
    'if [ -n "$TMUX" ]; then eval "$sc"; exit $?; fi',
    // A tmux that cannot start a session (a broken install, an unusable socket folder): a plain shell.
    'plain() { echo "sandbox terminal: tmux could not start a session, so this shell will not survive a dropped connection" >&2; eval "$sc"; exit $?; }',
    // mktemp's name, under a TMPDIR of plain characters only: the path passes any login shell as is.
    'mkpane() { pd=$(umask 077; mktemp -d "${TMPDIR:-/tmp}/sbx-pane.XXXXXX" 2>/dev/null); case $pd in ""|*[!A-Za-z0-9/._-]*) [ -n "$pd" ] && rm -rf -- "$pd"; pd=$(umask 077; mktemp -d /tmp/sbx-pane.XXXXXX 2>/dev/null) || return 1;; esac; printf "%s\\n" "$sc" > "$pd/run" && printf "%s\\n" "$pn" > "$pd/pane"; }',
    // -P -F ok: "ok" only when this call made the session (another window may win the race to the
    // same name; then its pane folder is ours to remove and the session is not "created" here).
    `created=; if ${tmux} has-session -t ${t} 2>/dev/null; then :; elif mkpane; then o=$(${tmux} new-session -d -P -F ok -s ${shellQuote(o.name)} -x ${o.cols} -y ${o.rows} "/bin/sh $pd/pane" \\; ${options.join(' \\; ')} 2>/dev/null); case $o in ok*) created=1;; *) rm -rf -- "$pd"; ${tmux} has-session -t ${t} 2>/dev/null || plain;; esac; else [ -n "$pd" ] && rm -rf -- "$pd"; plain; fi`,
    ...(refresh.length ? [`${tmux} ${refresh.join(' \\; ')} >/dev/null 2>&1`] : []),
    `i=$(${tmux} display-message -p -t ${ot} '#{session_attached} #{socket_path}' 2>/dev/null); n=\${i%% *}; p=\${i#* }; [ -n "$i" ] || p=`,
    ...(o.detachOthers ? [] : ['if [ -n "$n" ] && [ "$n" != 0 ]; then echo "this terminal is attached elsewhere" >&2; exit 75; fi']),
    // A session made here has no past: an exit status or shell state left by an earlier session
    // of the same name (its shell ended while no client was attached) is not this one's.
    `if [ -n "$created" ] && [ -n "$p" ]; then rm -f "$p${exitName}" "$p.state-${o.name}"; fi`,
    // A shell of ours waiting at its prompt (integrationHook.ts leaves "prompt <pid> <pane>" next
    // to the socket) gets a private key once this client is attached: it redraws its prompt,
    // marks included, which tmux's redraw of the screen lacks. Only to that pane, and only when
    // the shell is its terminal's foreground process (Linux /proc: else no key), so never to a
    // program the shell runs, whatever the state file says.
    `st=; if [ -z "$created" ] && [ -n "$p" ]; then st=$(head -n 1 "$p.state-${o.name}" 2>/dev/null); fi`,
    'sw=${st%% *}; sr=${st#* }; sp=${sr%% *}; sn=${sr#* }; k=',
    // The shell's pid must be that pane's (its terminal is the pane's tty) and the pane ours.
    `case $sw:$sp:$sn in prompt:[1-9]*:%[0-9]*) case $sp$sn in *[!0-9%]*) ;; *) [ "$(sed "s/.*) //" "/proc/$sp/stat" 2>/dev/null | cut -d " " -f 6)" = "$sp" ] && [ "$(${tmux} display-message -p -t "$sn" '#{pane_tty} #{session_name}' 2>/dev/null)" = "$(readlink "/proc/$sp/fd/0" 2>/dev/null) ${o.name}" ] && k=1;; esac;; esac`,
    `if [ -n "$k" ]; then ${attach} \\; send-keys -t "$sn" -H 1b 5b 35 33 37 39 7e; else ${attach}; fi`,
    'a=$?',
    `f="$p${exitName}"`,
    // The session is over when its exit status is there: its state file goes with it.
    `if [ -n "$p" ] && [ -f "$f" ]; then s=$(cat "$f"); rm -f "$f" "$p.state-${o.name}"; case $s in ""|*[!0-9]*) s=1;; esac; exit "$s"; fi`,
    // No exit status and the session still there: the client was detached (C-b d, another attach -d).
    `if [ "$a" = 0 ] && ${tmux} has-session -t ${t} 2>/dev/null; then exit ${DETACHED_EXIT_CODE}; fi`,
    'exit $a',
  ].join('; ');
  return `exec ${portableSh(script, [o.shellCommand, paneScript], 'sbx-tmux')}`;
}

/** Ends a session the user closed (exact target); harmless when it is already gone. */
export function killCommand(name: string, socket = DEFAULT_SOCKET): string {
  const tmux = tmuxOf(socket);
  const t = shellQuote(exactTarget(name));
  // The shell's state file (integrationHook.ts) lives next to the socket and goes with the session.
  return portableSh(`p=$(${tmux} display-message -p -t ${t}: '#{socket_path}' 2>/dev/null); ${tmux} kill-session -t ${t} 2>/dev/null; [ -n "$p" ] && rm -f "$p.state-${name}"; true`);
}

/** Our sessions still alive on the remote (to offer back after a window reload). */
export function listCommand(socket = DEFAULT_SOCKET): string {
  return portableSh(`${tmuxOf(socket)} list-sessions -F '#{session_name} #{session_attached}' 2>/dev/null; true`);
}

export function parseList(output: string): { name: string; attached: number }[] {
  return output
    .split('\n')
    .map((line) => /^(\S+) (\d+)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ name: m[1], attached: Number(m[2]) }));
}
