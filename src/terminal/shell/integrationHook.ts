// The prompt hook our terminals load into bash (and zsh): VS Code's shell-integration
// sequences (OSC 633: A prompt start, B prompt end, C command start, D;<exit> command end,
// E;<command line>;<nonce>, P;Cwd=<dir>) and a `code` function that asks the editor to open a
// remote file or folder through our private sequence (see openRequestFilter.ts).
// Written for this project; the user's rc files are sourced, never modified.

/** Common to bash and zsh (POSIX syntax plus `${var//pat/rep}`, which both have). */
function sharedPart(nonce: string): string {
  return String.raw`
__sbx_nonce=${nonce}
# OSC 633 values: backslash, semicolon and control characters are escaped as \xNN.
__sbx_esc() {
  __sbx_v=$1
  __sbx_v=${'$'}{__sbx_v//\\/\\\\}
  __sbx_v=${'$'}{__sbx_v//;/\\x3b}
  __sbx_v=${'$'}{__sbx_v//$'\n'/\\x0a}
  __sbx_v=${'$'}{__sbx_v//$'\r'/\\x0d}
  __sbx_v=${'$'}{__sbx_v//$'\e'/\\x1b}
  __sbx_v=${'$'}{__sbx_v//$'\a'/\\x07}
  printf '%s' "$__sbx_v"
}
__sbx_e=$(printf '\033')
# Inside tmux a sequence travels in a DCS passthrough (ESC doubled), else tmux drops it. tmux
# writes a passthrough at once but holds the text before it until the end of its read, so the
# editor would get a B before the prompt it ends: insert-then-delete a character (no visible
# change) makes tmux flush that text first.
__sbx_emit() {
  if [ -n "$TMUX" ]; then
    __sbx_s=$1
    printf '\033[@\033[P\033Ptmux;%s\033\\' "${'$'}{__sbx_s//$__sbx_e/$__sbx_e$__sbx_e}"
  else
    printf '%s' "$1"
  fi
}
# D ends a command with its status. E and C travel in one write (one passthrough): VS Code
# takes the command line from E only if nothing moves the cursor before C (tmux does).
__sbx_done() {
  # An if, not &&: a false test must not leave a failing status (ERR/ZERR traps, err_return).
  if [ "$__sbx_state" = running ]; then __sbx_emit "$(printf '\033]633;D;%s\007' "$__sbx_status")"; fi
}
# In a pane of our own tmux session (its command exported SBX_TMUX_STATE and SBX_TMUX; a tmux
# the user starts inside has another $TMUX) the shell leaves "<state> <pid> <pane>" in that
# file next to the socket (a private folder). A re-attach (tmux/tmuxCommands.ts) sends a
# private key to that pane only when it says "prompt" and the shell is the pane's foreground
# process: bound to redraw the prompt, marks included (tmux's redraw of the screen has none).
__sbx_statefile=
if [ -n "$TMUX" ] && [ -n "$SBX_TMUX_STATE" ] && [ "$TMUX" = "$SBX_TMUX" ]; then __sbx_statefile=$SBX_TMUX_STATE; fi
unset SBX_TMUX_STATE SBX_TMUX
__sbx_mark_state() {
  if [ -n "$__sbx_statefile" ]; then printf '%s %s %s\n' "$1" "$$" "$TMUX_PANE" 2>/dev/null >| "$__sbx_statefile" || :; fi
}
__sbx_cwd() { __sbx_emit "$(printf '\033]633;P;Cwd=%s\007' "$(__sbx_esc "$PWD")")"; }
# code [-flags] <file|folder>...: open in the editor that owns this terminal (nothing installed remotely).
code() {
  [ $# -eq 0 ] && set -- .
  for __sbx_a in "$@"; do
    case $__sbx_a in -*) continue ;; esac
    if [ -d "$__sbx_a" ]; then
      __sbx_k=d
      __sbx_p=$(CDPATH= cd -- "$__sbx_a" && pwd) || continue
    else
      __sbx_k=f
      __sbx_d=$(dirname -- "$__sbx_a")
      __sbx_p=$(CDPATH= cd -- "$__sbx_d" 2>/dev/null && pwd) || { printf 'code: no such folder: %s\n' "$__sbx_d" >&2; continue; }
      __sbx_p=${'$'}{__sbx_p%/}/$(basename -- "$__sbx_a")
    fi
    __sbx_emit "$(printf '\033]5379;open;%s;%s;%s\007' "$__sbx_nonce" "$__sbx_k" "$(printf '%s' "$__sbx_p" | od -An -v -tx1 | tr -d ' \n')")"
  done
  unset __sbx_a __sbx_k __sbx_p __sbx_d
}
`;
}

/** Loaded by `bash --init-file` (interactive, not login): it first reads what a login bash reads. */
export function bashHook(nonce: string, setup: string): string {
  return String.raw`# Sandbox Explorer terminal start-up (removed once read)
# Login files in bash's own order, as "ssh host" would read them.
[ -r /etc/profile ] && . /etc/profile
for __sbx_f in ~/.bash_profile ~/.bash_login ~/.profile; do
  if [ -r "$__sbx_f" ]; then . "$__sbx_f"; break; fi
done
unset __sbx_f
${setup}
${sharedPart(nonce)}
__sbx_state=start
__sbx_precmd() {
  __sbx_done
  __sbx_cwd
  # Re-wrap the prompt when the user (or their rc) changed it.
  if [ "$PS1" != "$__sbx_wrapped" ]; then
    __sbx_ps1=$PS1
    if [ -n "$TMUX" ]; then
      __sbx_wrapped="\[\e[@\e[P\ePtmux;\e\e]633;A\a\e\\\\\]$__sbx_ps1\[\e[@\e[P\ePtmux;\e\e]633;B\a\e\\\\\]"
    else
      __sbx_wrapped="\[\e]633;A\a\]$__sbx_ps1\[\e]633;B\a\]"
    fi
    PS1=$__sbx_wrapped
  fi
  __sbx_state=prompt
  if [ -n "$__sbx_statefile" ]; then
    # Bound again at each prompt (an rc or plugin may have rebound it); no line editing, no key.
    if [[ -o emacs || -o vi ]]; then
      for __sbx_m in emacs vi-insert vi-command; do bind -m "$__sbx_m" -x '"\e[5379~": __sbx_redraw' 2>/dev/null; done
      __sbx_mark_state prompt
    else
      __sbx_mark_state noedit
    fi
  fi
}
__sbx_preexec() {
  [ "$__sbx_state" = prompt ] || return 0
  [ -n "$COMP_LINE" ] && return 0
  # An empty line runs only PROMPT_COMMAND, starting with our status capture: no command ran.
  case $1 in __sbx_status=*) __sbx_state=empty; return 0 ;; __sbx_redraw) return 0 ;; esac
  __sbx_state=running
  __sbx_mark_state running
  __sbx_line=$(HISTTIMEFORMAT= builtin history 1)
  if [[ $__sbx_line =~ ^\ *[0-9]+\*?\ +(.*)$ ]]; then __sbx_line=${'$'}{BASH_REMATCH[1]}; else __sbx_line=$1; fi
  __sbx_emit "$(printf '\033]633;E;%s;%s\007\033]633;C\007' "$(__sbx_esc "$__sbx_line")" "$__sbx_nonce")"
}
# The status capture runs first and our hook last, so the user's own PROMPT_COMMAND keeps
# working and its commands are not reported as user commands.
__sbx_nl=$'\n'
PROMPT_COMMAND="__sbx_status=\$?$__sbx_nl${'$'}{PROMPT_COMMAND:+$PROMPT_COMMAND$__sbx_nl}__sbx_precmd"
# BASH_COMMAND is read here: inside the function it may already name the function's own commands.
trap '__sbx_preexec "$BASH_COMMAND"' DEBUG
# readline redraws the prompt line after a bind -x command: that is all the key does, a moment
# after the attach, once tmux has drawn the screen for its new client (a mark that reaches tmux
# before that is dropped).
__sbx_redraw() { command sleep 0.2 2>/dev/null; }
[ -n "$SBX_TERM_DIR" ] && rm -rf -- "$SBX_TERM_DIR"
unset SBX_TERM_DIR
`;
}

/** zsh: sourced from our .zshrc after the user's own (ZDOTDIR trick, see bootstrap.ts). */
export function zshHook(nonce: string): string {
  return String.raw`${sharedPart(nonce)}
__sbx_state=start
__sbx_precmd() {
  __sbx_status=$?
  __sbx_done
  __sbx_cwd
  if [ "$PS1" != "$__sbx_wrapped" ]; then
    __sbx_ps1=$PS1
    __sbx_a=$(__sbx_emit "$(printf '\033]633;A\007')")
    __sbx_b=$(__sbx_emit "$(printf '\033]633;B\007')")
    __sbx_wrapped="%{$__sbx_a%}$__sbx_ps1%{$__sbx_b%}"
    PS1=$__sbx_wrapped
  fi
  __sbx_state=prompt
  if [ -n "$__sbx_statefile" ]; then
    if [[ -o zle ]]; then
      for __sbx_m in main viins vicmd; do bindkey -M "$__sbx_m" '\e[5379~' __sbx_redraw 2>/dev/null; done
      __sbx_mark_state prompt
    else
      __sbx_mark_state noedit
    fi
  fi
}
__sbx_preexec() {
  __sbx_state=running
  __sbx_mark_state running
  __sbx_emit "$(printf '\033]633;E;%s;%s\007\033]633;C\007' "$(__sbx_esc "$1")" "$__sbx_nonce")"
}
autoload -Uz add-zsh-hook
add-zsh-hook precmd __sbx_precmd
add-zsh-hook preexec __sbx_preexec
__sbx_redraw() { command sleep 0.2 2>/dev/null; zle reset-prompt; }
zle -N __sbx_redraw
`;
}
