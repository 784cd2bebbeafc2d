// What a PTY shell asks for (RFC 4254 §6.2 pty-req, §6.4 env): a terminal type, a size, optional
// terminal modes, and environment variables. Variables also go through sshd's AcceptEnv, which
// drops most names; callers that need them set reliably export them in the command instead.
import { PseudoTtyOptions } from 'ssh2';
import { ChannelKind, SlotWait } from '../channelScheduler';

export interface ShellOptions {
  /** TERM for the remote side; default `xterm-256color`. */
  readonly term?: string;
  readonly rows: number;
  readonly cols: number;
  /** Terminal modes by name (`ECHO`, `ICANON`, `VERASE`, …), as RFC 4254 §8 lists them. */
  readonly modes?: Readonly<Record<string, number>>;
  readonly env?: Readonly<Record<string, string>>;
  /** Default `long-lived`: a terminal must leave the last session slot to file operations. */
  readonly kind?: ChannelKind;
  readonly signal?: AbortSignal;
  /** Called if the shell has to wait for a session slot (MaxSessions reached). */
  readonly onWaiting?: (wait: SlotWait) => void;
}

export function ptyRequest(options: Pick<ShellOptions, 'term' | 'rows' | 'cols' | 'modes'>): PseudoTtyOptions {
  return { term: options.term ?? 'xterm-256color', rows: options.rows, cols: options.cols, height: 0, width: 0, modes: options.modes as PseudoTtyOptions['modes'] };
}
