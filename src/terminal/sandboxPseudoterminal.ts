// A terminal on a sandbox, shaped like vscode.Pseudoterminal but free of `vscode` so it runs
// (and is tested) in plain Node; the editor layer hands it to window.createTerminal as is.
// Output: bytes → streaming decoder → open-request filter → onDidWrite. Input: encoded and
// held until the channel is open. The remote shell's exit status closes the terminal.
// A dropped connection does not: the terminal says so in-line and opens its channel again
// when the connection comes back, re-attaching its tmux session when it has one (see
// ShellSession), else starting a fresh shell with one line saying the old one was lost.
import { randomBytes } from 'crypto';
import { constants } from 'os';
import { IDisposable } from '../common/disposable';
import { Emitter } from '../common/event';
import { Logger } from '../common/log';
import { ChannelExit, ConnectTerminal, PtyChannel, TerminalConnection } from './connectionPort';
import { PendingInput } from './inputBuffer';
import { OpenRequest, OpenRequestFilter } from './openRequestFilter';
import { terminalCommand } from './shell/bootstrap';
import { encodeInput, StreamingTextDecoder } from './textDecoder';

export interface TerminalDimensions {
  readonly columns: number;
  readonly rows: number;
}

export interface SandboxTerminalOptions {
  readonly connect: ConnectTerminal;
  /** The host as the user knows it, for messages. */
  readonly host: string;
  /** Remote folder to start in; the remote home when absent. */
  readonly cwd?: string;
  /** Already filtered (terminalEnvironment.ts). */
  readonly env?: Readonly<Record<string, string>>;
  /** The host's encoding (WHATWG label); UTF-8 by default. */
  readonly encoding?: string;
  readonly onOpenRequest?: (request: OpenRequest) => void;
  readonly log: Logger;
  /** Wraps the shell's start-up command, e.g. to run it in a tmux session (tmux/tmuxCommands.ts); such a shell counts as persistent. */
  readonly wrapCommand?: (shellCommand: string, dimensions: TerminalDimensions) => string;
  /** Decides, at each open, what the PTY runs (e.g. a tmux session: tmux/tmuxSession.ts); wins over `wrapCommand`. */
  readonly session?: ShellSession;
  /**
   * A shell that fails sooner than this after starting, before the user typed anything, keeps
   * its last words on screen until a key is pressed (default 1 s). After input, an exit is the
   * user's own (`exit 3`) and closes at once.
   */
  readonly earlyExitMs?: number;
  /** The nonce of a restored session's shell (its hook still carries it); a new one when absent or malformed. */
  readonly nonce?: string;
}

/** What the PTY channel runs, decided at each open (the first and every one after a reconnect). */
export interface ShellSession {
  /** `persistent`: the shell outlives the channel (a tmux session), so a re-open finds it again. */
  command(shellCommand: string, dimensions: TerminalDimensions, connection: TerminalConnection): Promise<{ command: string; persistent: boolean }>;
  /** The user closed the terminal: end what outlives the channel, over the connection still held. */
  end?(connection: TerminalConnection): Promise<void>;
}

export const TERM = 'xterm-256color';
const DEFAULT_DIMENSIONS: TerminalDimensions = { columns: 80, rows: 24 };

/** A persistent shell's wrapper exits with this when its client was detached and the shell runs on. */
export const DETACHED_EXIT_CODE = 76;

type State = 'new' | 'opening' | 'open' | 'reconnecting' | 'detached' | 'waiting-for-key' | 'closed';

export class SandboxPseudoterminal implements IDisposable {
  private readonly written = new Emitter<string>();
  private readonly closed = new Emitter<number | void>();
  private readonly opened = new Emitter<void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  /** The remote shell's channel is open (tests and the Hosts view wait on it); again after each reconnect. */
  readonly onDidOpenChannel = this.opened.event;
  /** Shell-integration nonce: the hook's E sequences and `code` requests carry it. */
  readonly nonce: string;
  private state: State = 'new';
  private dimensions = DEFAULT_DIMENSIONS;
  private input = new PendingInput();
  private readonly abort = new AbortController();
  private connection: TerminalConnection | undefined;
  private channel: PtyChannel | undefined;
  private listeners: IDisposable[] = [];
  private reconnectSub: IDisposable | undefined;
  /** A reconnect happened since the channel was opened (it may come before the channel's close is seen). */
  private replacedSinceOpen = false;
  private exitCode: number | undefined;
  private userTyped = false;
  private persistentShell = false;
  /** The shell sent VS Code's shell-integration sequences (our hook runs in it). */
  private shellIntegration = false;

  constructor(private readonly options: SandboxTerminalOptions) {
    this.nonce = options.nonce && isNonce(options.nonce) ? options.nonce : randomBytes(16).toString('hex');
  }

  /** The shell runs in a session that outlives the channel (a tmux session). */
  get persistent(): boolean {
    return this.persistentShell;
  }

  open(initialDimensions: TerminalDimensions | undefined): void {
    if (this.state !== 'new') return;
    this.state = 'opening';
    if (initialDimensions) this.dimensions = initialDimensions;
    void this.start();
  }

  setDimensions(dimensions: TerminalDimensions): void {
    this.dimensions = dimensions;
    this.channel?.resize(dimensions.rows, dimensions.columns);
  }

  handleInput(data: string): void {
    if (this.state === 'waiting-for-key') return this.finish(this.exitCode);
    // While reconnecting, keys are not kept for the next shell (they were meant for the old
    // one); a key tries again now, e.g. after the reconnect sequence gave up.
    if (this.state === 'reconnecting') return void this.reopen();
    // Detached from its session (which still runs): a key re-attaches.
    if (this.state === 'detached') {
      this.state = 'reconnecting';
      return void this.reopen();
    }
    if (this.state === 'opening' || this.state === 'open') {
      this.userTyped = true;
      this.input.write(encodeInput(data, this.options.encoding));
    }
  }

  /** The user closed the terminal: end the remote shell, and its tmux session when it has one. */
  close(): void {
    if (this.state === 'closed') return;
    const connection = this.connection;
    const end = this.options.session?.end;
    // The connection is held until the session is ended; dispose() would release it at once.
    this.connection = undefined;
    this.dispose();
    if (!connection) return;
    if (!end) return connection.dispose();
    void end
      .call(this.options.session, connection)
      .catch((err: unknown) => this.options.log.warn(`terminal on ${this.options.host}: could not end its session: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => connection.dispose());
  }

  /** Ends the terminal here without ending a persistent session (the window closes: it may be restored). */
  dispose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.teardown();
    this.written.dispose();
    this.closed.dispose();
    this.opened.dispose();
  }

  /** Read after an await: close() may have run meanwhile. */
  private get isClosed(): boolean {
    return this.state === 'closed';
  }

  private async start(): Promise<void> {
    const { host, log } = this.options;
    try {
      this.connection = await this.options.connect(this.abort.signal);
      if (this.isClosed) return this.teardown();
      this.reconnectSub = this.connection.onDidReconnect(() => this.reconnected());
      await this.openChannel(this.connection);
    } catch (err) {
      if (this.isClosed) return;
      const message = err instanceof Error ? err.message : String(err);
      log.warn(`terminal on ${host}: ${message}`);
      this.teardown();
      this.line(`\x1b[31mCannot open a terminal on ${host}: ${message}\x1b[0m`);
      this.waitForKey(1);
    }
  }

  /** Opens the PTY channel on `connection` (first open or re-open) and attaches it. */
  private async openChannel(connection: TerminalConnection): Promise<void> {
    const { host } = this.options;
    const shell = terminalCommand({ cwd: this.options.cwd, env: this.options.env ?? {}, nonce: this.nonce });
    const wrap = this.options.wrapCommand;
    const run = this.options.session
      ? await this.options.session.command(shell, this.dimensions, connection)
      : { command: wrap ? wrap(shell, this.dimensions) : shell, persistent: !!wrap };
    if (this.isClosed) return;
    this.replacedSinceOpen = false;
    const channel = await connection.openPty(
      { command: run.command, term: TERM, rows: this.dimensions.rows, cols: this.dimensions.columns },
      { signal: this.abort.signal, onWaiting: (inUse) => this.line(`waiting for a free session on ${host} (${inUse} in use)`) },
    );
    if (this.isClosed) return channel.close();
    this.persistentShell = run.persistent;
    this.attach(channel);
  }

  private attach(channel: PtyChannel): void {
    this.channel = channel;
    this.state = 'open';
    const startedAt = Date.now();
    const decoder = new StreamingTextDecoder(this.options.encoding);
    const filter = new OpenRequestFilter(this.nonce, (request) => this.options.onOpenRequest?.(request));
    let exit: ChannelExit | undefined;
    this.listeners.push(
      channel.onData((data) => {
        const text = filter.write(decoder.write(data));
        if (!this.shellIntegration && text.includes('\x1b]633;')) this.shellIntegration = true;
        this.write(text);
      }),
      channel.onExit((e) => (exit = e)),
      channel.onClose(({ lost }) => {
        if (this.state !== 'open') return;
        this.write(filter.write(decoder.end()) + filter.end());
        this.dropChannel();
        if (!exit && lost) return this.connectionLost();
        const code = exitCode(exit);
        if (this.persistentShell && code === DETACHED_EXIT_CODE) return this.detached();
        if (!exit) {
          this.line(`\x1b[33mThe shell on ${this.options.host} ended without an exit status.\x1b[0m Press any key to close.`);
          return this.waitForKey(1);
        }
        if (code !== 0 && !this.userTyped && Date.now() - startedAt < (this.options.earlyExitMs ?? 1000)) {
          this.line(`\x1b[33mThe shell on ${this.options.host} ended at once (${exit.signal ? `signal ${exit.signal}` : `exit code ${code}`}).\x1b[0m Press any key to close.`);
          return this.waitForKey(code);
        }
        this.finish(code);
      }),
    );
    let dropNoticeShown = false;
    this.listeners.push(
      channel.onDidDropInput(() => {
        if (dropNoticeShown) return;
        // Once per channel: the remote program is not reading what is pasted into it.
        dropNoticeShown = true;
        this.options.log.warn(`terminal on ${this.options.host}: input dropped, the remote is not reading it`);
        this.line(`\x1b[33m[input dropped: ${this.options.host} is not reading it as fast as it is pasted]\x1b[0m`);
      }),
    );
    this.input.connect((data) => void channel.write(data));
    this.opened.fire();
    // The size may have changed while the channel opened.
    channel.resize(this.dimensions.rows, this.dimensions.columns);
  }

  private connectionLost(): void {
    this.state = 'reconnecting';
    this.endTrackedCommand();
    const what = this.persistentShell ? 'its session keeps running there' : 'this shell is gone';
    this.line(`\x1b[33mThe connection to ${this.options.host} was lost (${what}). Reconnecting…\x1b[0m Close the terminal to give up; a key tries again now.`);
    // The pool may have reconnected before this channel's close was seen.
    if (this.replacedSinceOpen) void this.reopen();
  }

  /** The session runs on without us: the terminal stays, and remembered, until a key or a close. */
  private detached(): void {
    this.state = 'detached';
    this.endTrackedCommand();
    this.options.log.info(`terminal on ${this.options.host}: detached from its session, which keeps running`);
    this.line(`\x1b[33mDetached from its session on ${this.options.host}; it keeps running there.\x1b[0m Press any key to re-attach; close the terminal to end it.`);
  }

  /**
   * The shell's output stops here: tell VS Code that what it tracks since the last prompt is over
   * (D, no exit code), so what is drawn next (our line, tmux's redraw) is not read as typed input.
   * The next prompt, or a re-attached shell's re-marked one, starts afresh.
   */
  private endTrackedCommand(): void {
    if (this.shellIntegration) this.write('\x1b]633;D\x07');
  }

  private reconnected(): void {
    this.replacedSinceOpen = true;
    if (this.state === 'reconnecting') void this.reopen();
  }

  private reopening = false;

  /** Opens the channel again on the (reconnected) connection; a failure leaves the terminal reconnecting. */
  private async reopen(): Promise<void> {
    const connection = this.connection;
    if (this.state !== 'reconnecting' || this.reopening || !connection) return;
    this.reopening = true;
    const wasPersistent = this.persistentShell;
    try {
      await this.openChannel(connection);
      if ((this.state as State) !== 'open') return;
      this.options.log.info(`terminal on ${this.options.host}: reconnected (${this.persistentShell ? 're-attached its session' : 'new shell'})`);
      if (!this.persistentShell) this.line(`\x1b[33mReconnected to ${this.options.host}.${wasPersistent ? ' Its session was gone,' : ' The previous shell was lost with the connection;'} this is a new shell.\x1b[0m`);
    } catch (err) {
      if (this.isClosed) return;
      this.line(`\x1b[33mStill cannot reach ${this.options.host}: ${err instanceof Error ? err.message : String(err)}\x1b[0m`);
    } finally {
      this.reopening = false;
    }
  }

  private waitForKey(code: number): void {
    this.exitCode = code;
    this.state = 'waiting-for-key';
  }

  private finish(code: number | undefined): void {
    if (this.state === 'closed') return;
    this.closed.fire(code);
    this.dispose();
  }

  /** The channel is gone; the connection reference stays (a reconnect re-opens on it). */
  private dropChannel(): void {
    this.input.disconnect();
    this.input = new PendingInput();
    this.listeners.forEach((l) => l.dispose());
    this.listeners = [];
    this.channel?.close();
    this.channel = undefined;
  }

  private teardown(): void {
    this.abort.abort();
    this.dropChannel();
    this.reconnectSub?.dispose();
    this.reconnectSub = undefined;
    this.connection?.dispose();
    this.connection = undefined;
  }

  private write(text: string): void {
    if (text) this.written.fire(text);
  }

  private line(text: string): void {
    this.write(`\r\n${text}\r\n`);
  }
}

/** The shape of our shell-integration nonces (32 hex digits). */
export function isNonce(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}

function exitCode(exit: ChannelExit | undefined): number {
  if (!exit) return 1;
  if (exit.code !== null) return exit.code;
  const n = exit.signal ? (constants.signals as Record<string, number>)[`SIG${exit.signal.replace(/^SIG/, '')}`] : undefined;
  return n ? 128 + n : 1;
}
