// One command run on a sandbox for a task or "Run Command on Sandbox…": a pseudoterminal (the
// shape of vscode.Pseudoterminal, plain Node) over an exec channel without a PTY, closing with
// the command's exit code. The command runs as the leader of its own process group (sshd starts
// every session in a new session, `setsid`, and the shells `exec` in place, so its PID is the
// group's id; the wrapper prints it on a line with a per-run nonce, found within the first
// 4 KiB even after what the login shell's startup files print, and hidden). Cancel or timeout kills that whole group with
// `kill -9 -<pgid>` over a second exec: signals sent over the SSH channel are ignored by
// some sshd set-ups, and would reach the leader only, not its children.
import { randomBytes } from 'crypto';
import { IDisposable } from '../../common/disposable';
import { Emitter } from '../../common/event';
import { Logger } from '../../common/log';
import { auditLine, shellQuote } from '../../ssh/exec';
import { ChannelExit, ConnectTerminal, PtyChannel, TerminalConnection } from '../connectionPort';
import { StreamingTextDecoder } from '../textDecoder';
import { LineSplitter } from './remoteProblems';

export interface RemoteCommandOptions {
  readonly connect: ConnectTerminal;
  readonly host: string;
  readonly command: string;
  /** Remote folder to run in; the login folder when absent. */
  readonly cwd?: string;
  /** Already filtered for secret-looking names. */
  readonly env?: Readonly<Record<string, string>>;
  /** Past this the process group is killed and the run fails (exit code 124, as timeout(1)). */
  readonly timeoutSeconds?: number;
  readonly encoding?: string;
  readonly log: Logger;
  /** Each complete line of output (control sequences removed), e.g. for problem matching. */
  readonly onOutputLine?: (line: string) => void;
}

export const TIMEOUT_EXIT_CODE = 124;
const PGID_MARK = 'sbx-task-pgid-';
/** The marker line is looked for this far into the output (startup files may print before it). */
const MARK_SCAN_CHARS = 4096;
const KILL_TIMEOUT_MS = 10_000;

/** The marker line's pattern for `nonce`: the process group id is group 1. */
export function pgidLine(nonce: string): RegExp {
  return new RegExp(`${PGID_MARK}${nonce}=(\\d+)\\r?\\n`);
}

/** The command line that reports its process group first, then becomes the user's command in `cwd` with `env`. */
export function wrappedCommand(o: Pick<RemoteCommandOptions, 'command' | 'cwd' | 'env'>, nonce: string): string {
  const exports = Object.entries(o.env ?? {})
    .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    .map(([name, value]) => `export ${name}=${shellQuote(value)}; `)
    .join('');
  const cd = o.cwd ? `cd -- ${shellQuote(o.cwd)} || exit 1; ` : '';
  // $$ of this sh is the session's (and group's) leader: sshd's setsid, then exec all the way.
  const script = `echo "${PGID_MARK}${nonce}=$$"; ${cd}${exports}exec /bin/sh -c "$1"`;
  return `exec /bin/sh -c ${shellQuote(script)} sbx-task ${shellQuote(o.command)}`;
}

export class RemoteCommandTerminal implements IDisposable {
  private readonly written = new Emitter<string>();
  private readonly closed = new Emitter<number>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private readonly abort = new AbortController();
  private connection: TerminalConnection | undefined;
  private channel: PtyChannel | undefined;
  private pgid: number | undefined;
  /** Marks this run's process-group line, so output of the login shell's startup cannot fake it. */
  private readonly nonce = randomBytes(8).toString('hex');
  private timer: NodeJS.Timeout | undefined;
  private done = false;
  private startedAt = 0;
  /** Settles once the run ended, with how (tests and callers that wait for the kill). */
  private readonly finished: Promise<number>;
  private settle!: (code: number) => void;

  constructor(private readonly options: RemoteCommandOptions) {
    this.finished = new Promise((resolve) => (this.settle = resolve));
  }

  /** The exit code the terminal closed with. */
  get result(): Promise<number> {
    return this.finished;
  }

  open(): void {
    if (this.startedAt) return;
    this.startedAt = Date.now();
    void this.start();
  }

  handleInput(): void {
    // No stdin: the channel's input is closed at start.
  }

  /** Cancelled (the task was terminated, the terminal closed): the remote process group is killed. */
  close(): void {
    void this.stop('cancelled', 130);
  }

  dispose(): void {
    this.close();
  }

  private async start(): Promise<void> {
    const { host, log } = this.options;
    try {
      this.connection = await this.options.connect(this.abort.signal);
      if (this.done) return this.release();
      const seconds = this.options.timeoutSeconds;
      if (seconds && seconds > 0) this.timer = setTimeout(() => void this.timedOut(seconds), seconds * 1000);
      const channel = await this.connection.openCommand(wrappedCommand(this.options, this.nonce), {
        signal: this.abort.signal,
        onWaiting: (inUse) => this.line(`waiting for a free session on ${host} (${inUse} in use)`),
      });
      if (this.done) return channel.close();
      this.attach(channel);
    } catch (err) {
      if (this.done) return;
      const message = err instanceof Error ? err.message : String(err);
      log.warn(`command on ${host}: ${message}`);
      this.line(`\x1b[31mCannot run the command on ${host}: ${message}\x1b[0m`);
      this.end('error', 1);
    }
  }

  private attach(channel: PtyChannel): void {
    this.channel = channel;
    const decoder = new StreamingTextDecoder(this.options.encoding);
    let head = '';
    let exit: ChannelExit | undefined;
    const lines = new LineSplitter();
    const onLines = (found: string[]) => {
      for (const line of found) this.options.onOutputLine?.(line.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, ''));
    };
    channel.onData((data) => {
      let text = decoder.write(data);
      if (this.pgid === undefined) {
        // The wrapper's line (the process group, never shown) follows whatever the login shell's
        // startup files printed; past the first 4 KiB it is not looked for.
        head += text;
        const m = pgidLine(this.nonce).exec(head);
        if (!m && head.length < MARK_SCAN_CHARS) return;
        this.pgid = m && Number(m[1]) > 1 ? Number(m[1]) : 0;
        text = m ? head.slice(0, m.index) + head.slice(m.index + m[0].length) : head;
        head = '';
      }
      this.write(text);
      if (this.options.onOutputLine) onLines(lines.push(text));
    });
    channel.onExit((e) => (exit = e));
    channel.onClose(({ lost }) => {
      if (this.done) return;
      // Output that ended before the marker was found is still shown.
      const rest = (this.pgid === undefined ? head : '') + decoder.end();
      this.write(rest);
      if (this.options.onOutputLine) onLines([...lines.push(rest), ...lines.end()]);
      if (lost || !exit) {
        this.line(`\x1b[31mThe connection to ${this.options.host} was lost; the command's outcome is unknown.\x1b[0m`);
        return this.end('lost', 1);
      }
      const code = exit.code ?? 128 + 9;
      this.end(exit.code !== null ? `exit ${exit.code}` : `signal ${exit.signal}`, code);
    });
  }

  private async timedOut(seconds: number): Promise<void> {
    if (this.done) return;
    this.line(`\x1b[31mTimed out after ${seconds} s: stopping the command and its child processes on ${this.options.host}.\x1b[0m`);
    await this.stop('timed out', TIMEOUT_EXIT_CODE);
  }

  /** Kills the remote process group (when known), then ends the run with `code`. */
  private async stop(outcome: string, code: number): Promise<void> {
    if (this.done) return;
    const connection = this.connection;
    const pgid = this.pgid;
    this.done = true;
    clearTimeout(this.timer);
    this.abort.abort();
    if (connection && pgid) {
      try {
        await connection.run(`sh -c ${shellQuote(`kill -9 -${pgid} 2>/dev/null; true`)}`, { timeoutMs: KILL_TIMEOUT_MS });
      } catch (err) {
        this.options.log.warn(`command on ${this.options.host}: could not stop process group ${pgid}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.done = false;
    this.end(outcome, code);
  }

  private end(outcome: string, code: number): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    auditLine(this.options.log, this.options.host, this.options.command, outcome, this.startedAt);
    this.release();
    this.closed.fire(code);
    this.settle(code);
    this.written.dispose();
    this.closed.dispose();
  }

  private release(): void {
    this.channel?.close();
    this.channel = undefined;
    this.connection?.dispose();
    this.connection = undefined;
  }

  private write(text: string): void {
    // No PTY: bare newlines must return the cursor too.
    if (text) this.written.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  private line(text: string): void {
    this.write(`\r\n${text}\r\n`);
  }
}
