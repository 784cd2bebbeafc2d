// The one command our terminal channel runs. It is read first by the user's login shell
// (bash, zsh, sh, csh, fish…), so it is a single line with single-quoted words only, and it
// hands over to /bin/sh at once. That script:
//   1. makes a private per-terminal folder (mktemp -d, else mkdir -m 700),
//   2. writes our start-up files into it (carried as printf %b arguments, octal-escaped),
//   3. bash: `exec bash --init-file <hook> -i`; the hook reads /etc/profile and the first of
//      ~/.bash_profile, ~/.bash_login, ~/.profile exactly as a login bash does, then applies
//      the terminal's folder and variables, then installs the prompt hook and deletes the folder.
//      zsh: `ZDOTDIR=<folder> exec zsh -l -i`; our .zshenv/.zprofile/.zshrc/.zlogin source the
//      user's own from their real ZDOTDIR, then the hook; .zlogin restores ZDOTDIR and deletes.
//      any other shell: `exec $SHELL -l` after the folder and variables (no prompt hook).
// Why not a file we install, or `--rcfile <(…)`: nothing is left on the remote or in the
// user's rc files, and process substitution exists only if the login shell is bash. The
// start-up folder lives only until the shell has read it.
import { shellQuote } from '../../ssh/exec';
import { bashHook, zshHook } from './integrationHook';

export interface ShellStart {
  /** Remote folder to start in; the login shell's (home) when absent. */
  readonly cwd?: string;
  /** Variables to export after the login files ran (already filtered for secrets). */
  readonly env: Readonly<Record<string, string>>;
  /** Per-terminal secret the hook puts in its `code` requests and E sequences. */
  readonly nonce: string;
}

/** Shell-neutral encoding for printf %b: printable ASCII as is, everything else (and ' \ ! %) as \0ooo. */
export function printfEscape(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    const safe = b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c && b !== 0x21 && b !== 0x25;
    out += safe ? String.fromCharCode(b) : `\\0${b.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** POSIX lines that set the terminal's variables and folder (run after the login files). */
export function setupLines(start: ShellStart): string {
  const lines = Object.entries(start.env)
    .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  if (start.cwd) {
    const dir = shellQuote(start.cwd);
    lines.push(`CDPATH= cd -- ${dir} || printf 'sandbox terminal: cannot open folder %s, starting in %s\\n' ${dir} "$PWD" >&2`);
  }
  return lines.join('\n');
}

function zshFiles(): { zshenv: string; zprofile: string; zshrc: string; zlogin: string } {
  const step = (file: string) => `ZDOTDIR=$__sbx_user_zdotdir\n[ -r "$ZDOTDIR/${file}" ] && . "$ZDOTDIR/${file}"\n__sbx_user_zdotdir=$ZDOTDIR\nZDOTDIR=$__sbx_dir\n`;
  return {
    zshenv: `__sbx_dir=$ZDOTDIR\n__sbx_user_zdotdir=$HOME\n${step('.zshenv')}`,
    zprofile: step('.zprofile'),
    zshrc: `${step('.zshrc')}. "$__sbx_dir/setup"\n. "$__sbx_dir/hook"\n`,
    // ZDOTDIR equal to HOME is zsh's default: unset again, as a plain `ssh host` leaves it.
    zlogin: `${step('.zlogin')}if [ "$__sbx_user_zdotdir" = "$HOME" ]; then unset ZDOTDIR; else ZDOTDIR=$__sbx_user_zdotdir; fi\nrm -rf -- "$__sbx_dir"\nunset __sbx_dir __sbx_user_zdotdir SBX_TERM_DIR\n`,
  };
}

// No single quotes in here: it travels inside one single-quoted word. $1 setup, $2 bash hook,
// $3 zsh hook, $4..$7 zsh dot files.
const SCRIPT = [
  'm=$(umask); umask 077',
  'd=$(mktemp -d "${TMPDIR:-/tmp}/sbx-term.XXXXXX" 2>/dev/null) || { d="${TMPDIR:-/tmp}/sbx-term.$$"; mkdir -m 700 "$d" || exit 1; }',
  's=${SHELL:-/bin/sh}',
  'case ${s##*/} in' +
    ' bash) printf "%b" "$2" > "$d/hook" && umask "$m" && SBX_TERM_DIR="$d" exec "$s" --init-file "$d/hook" -i;;' +
    ' zsh) printf "%b" "$1" > "$d/setup" && printf "%b" "$3" > "$d/hook" && printf "%b" "$4" > "$d/.zshenv" && printf "%b" "$5" > "$d/.zprofile" && printf "%b" "$6" > "$d/.zshrc" && printf "%b" "$7" > "$d/.zlogin" && umask "$m" && SBX_TERM_DIR="$d" ZDOTDIR="$d" exec "$s" -l -i;;' +
    ' esac',
  'rm -rf -- "$d"; umask "$m"',
  'eval "$(printf "%b" "$1")"',
  'exec "$s" -l',
].join('; ');

/** The exec command for a terminal channel (with a PTY). */
export function terminalCommand(start: ShellStart): string {
  const setup = setupLines(start);
  const z = zshFiles();
  const args = [setup, bashHook(start.nonce, setup), zshHook(start.nonce), z.zshenv, z.zprofile, z.zshrc, z.zlogin];
  return `exec /bin/sh -c '${SCRIPT}' sbx-terminal ${args.map((a) => `'${printfEscape(a)}'`).join(' ')}`;
}
