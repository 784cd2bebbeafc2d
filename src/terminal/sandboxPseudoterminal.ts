// A terminal on a sandbox, shaped like vscode.Pseudoterminal but free of `vscode` so it runs
// (and is tested) in plain Node; the editor layer hands it to window.createTerminal as is.
// Output: bytes → streaming decoder → open-request filter → onDidWrite. Input: encoded and
// held until the channel is open. The remote shell's exit status closes the terminal.
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
  /** Wraps the shell's start-up command, e.g. to run it in a tmux session (tmux/tmuxCommands.ts). */
  readonly wrapCommand?: (shellCommand: string, dimensions: TerminalDimensions) => string;
  /**
   * A shell that fails sooner than this after starting, before the user typed anything, keeps
   * its last words on screen until a key is pressed (default 1 s). After input, an exit is the
   * user's own (`exit 3`) and closes at once.
   */
  readonly earlyExitMs?: number;
}

export const TERM = 'xterm-256color';
const DEFAULT_DIMENSIONS: TerminalDimensions = { columns: 80, rows: 24 };

type State = 'new' | 'opening' | 'open' | 'waiting-for-key' | 'closed';

export class SandboxPseudoterminal implements IDisposable {
  private readonly written = new Emitter<string>();
  private readonly closed = new Emitter<number | void>();
  private readonly opened = new Emitter<void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  /** The remote shell's channel is open (tests and the Hosts view wait on it). */
  readonly onDidOpenChannel = this.opened.event;
  /** Shell-integration nonce: the hook's E sequences and `code` requests carry it. */
  readonly nonce = randomBytes(16).toString('hex');
  private state: State = 'new';
  private dimensions = DEFAULT_DIMENSIONS;
  private readonly input = new PendingInput();
  private readonly abort = new AbortController();
  private connection: TerminalConnection | undefined;
  private channel: PtyChannel | undefined;
  private listeners: IDisposable[] = [];
  private exitCode: number | undefined;
  private userTyped = false;

  constructor(private readonly options: SandboxTerminalOptions) {}

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
    if (this.state === 'opening' || this.state === 'open') {
      this.userTyped = true;
      this.input.write(encodeInput(data, this.options.encoding));
    }
  }

  /** The user closed the terminal: end the remote shell. */
  close(): void {
    this.dispose();
  }

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
      const channel = await this.connection.openPty(
        { command: this.command(), term: TERM, rows: this.dimensions.rows, cols: this.dimensions.columns },
        { signal: this.abort.signal, onWaiting: (inUse) => this.line(`waiting for a free session on ${host} (${inUse} in use)`) },
      );
      if (this.isClosed) {
        channel.close();
        return this.teardown();
      }
      this.attach(channel);
    } catch (err) {
      if (this.isClosed) return;
      const message = err instanceof Error ? err.message : String(err);
      log.warn(`terminal on ${host}: ${message}`);
      this.teardown();
      this.line(`\x1b[31mCannot open a terminal on ${host}: ${message}\x1b[0m`);
      this.waitForKey(1);
    }
  }

  private command(): string {
    const shell = terminalCommand({ cwd: this.options.cwd, env: this.options.env ?? {}, nonce: this.nonce });
    return this.options.wrapCommand ? this.options.wrapCommand(shell, this.dimensions) : shell;
  }

  private attach(channel: PtyChannel): void {
    this.channel = channel;
    this.state = 'open';
    const startedAt = Date.now();
    const decoder = new StreamingTextDecoder(this.options.encoding);
    const filter = new OpenRequestFilter(this.nonce, (request) => this.options.onOpenRequest?.(request));
    let exit: ChannelExit | undefined;
    this.listeners.push(
      channel.onData((data) => this.write(filter.write(decoder.write(data)))),
      channel.onExit((e) => (exit = e)),
      channel.onClose(() => {
        if (this.state !== 'open') return;
        this.write(filter.write(decoder.end()) + filter.end());
        this.teardown();
        const code = exitCode(exit);
        if (!exit) {
          this.line(`\x1b[33mThe connection to ${this.options.host} was lost.\x1b[0m Press any key to close.`);
          return this.waitForKey(1);
        }
        if (code !== 0 && !this.userTyped && Date.now() - startedAt < (this.options.earlyExitMs ?? 1000)) {
          this.line(`\x1b[33mThe shell on ${this.options.host} ended at once (${exit.signal ? `signal ${exit.signal}` : `exit code ${code}`}).\x1b[0m Press any key to close.`);
          return this.waitForKey(code);
        }
        this.finish(code);
      }),
    );
    this.input.connect((data) => channel.write(data));
    this.opened.fire();
    // The size may have changed while the channel opened.
    channel.resize(this.dimensions.rows, this.dimensions.columns);
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

  private teardown(): void {
    this.abort.abort();
    this.input.disconnect();
    this.listeners.forEach((l) => l.dispose());
    this.listeners = [];
    this.channel?.close();
    this.channel = undefined;
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

function exitCode(exit: ChannelExit | undefined): number {
  if (!exit) return 1;
  if (exit.code !== null) return exit.code;
  const n = exit.signal ? (constants.signals as Record<string, number>)[`SIG${exit.signal.replace(/^SIG/, '')}`] : undefined;
  return n ? 128 + n : 1;
}
