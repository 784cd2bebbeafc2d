// What the terminal needs from a host's connection, and nothing more. Today it is adapted to
// SshConnection/ConnectionPool (sshConnectionAdapter.ts); the channel layer of issue 13 can
// implement it directly (a long-lived PTY session channel, the scheduler's counts, and
// "connection replaced" for re-attaching tmux sessions later).
import { IDisposable } from '../common/disposable';

export interface PtyRequest {
  /** Command run in place of the login shell (see shell/bootstrap.ts). */
  readonly command: string;
  readonly term: string;
  readonly rows: number;
  readonly cols: number;
}

export interface ChannelExit {
  /** null when the process was killed by a signal. */
  readonly code: number | null;
  readonly signal?: string;
}

/** One PTY session channel. Output of stdout and stderr arrives merged (it is a terminal). */
export interface PtyChannel {
  onData(listener: (data: Buffer) => void): IDisposable;
  /** The remote process's exit status; may not come at all (connection lost). */
  onExit(listener: (exit: ChannelExit) => void): IDisposable;
  /** Fires once, last; `lost` when the connection dropped under the channel (no exit status came). */
  onClose(listener: (end: { lost: boolean }) => void): IDisposable;
  /** Queues input, paced by the channel and bounded (writeQueue.ts); false when it was dropped. */
  write(data: Buffer): boolean;
  /** Input was dropped: the remote does not read as fast as it is typed or pasted. */
  onDidDropInput(listener: (bytes: number) => void): IDisposable;
  /** Input bytes waiting for the channel. */
  readonly pendingInput: number;
  resize(rows: number, cols: number): void;
  close(): void;
}

export interface OpenOptions {
  readonly signal?: AbortSignal;
  /** Called when no session slot is free, before waiting for one: how many are in use. */
  onWaiting?(inUse: number): void;
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
}

/** A held reference to one host's connection. */
export interface TerminalConnection extends IDisposable {
  /** How the host is named in messages. */
  readonly label: string;
  /** Opens a PTY channel that runs `request.command` (a long-lived session channel). */
  openPty(request: PtyRequest, options?: OpenOptions): Promise<PtyChannel>;
  /** A command without a PTY (a task) as a long-lived session channel; stdout and stderr arrive merged. */
  openCommand(command: string, options?: OpenOptions): Promise<PtyChannel>;
  /** A short one-shot command (probes such as `command -v tmux`); bounded by `timeoutMs`. */
  run(command: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<CommandResult>;
  /** Fires when a reconnect replaced the connection (after a drop): terminals re-open their channel here. */
  onDidReconnect(listener: () => void): IDisposable;
}

/** Connects (or reuses) the host's connection; rejects with the reason a host refuses. */
export type ConnectTerminal = (signal?: AbortSignal) => Promise<TerminalConnection>;
