// A session channel (exec or shell) as the rest of the extension sees it: output as events,
// input with back-pressure, window changes and signals, and one `closed` promise that
// settles exactly once with the exit status. It holds a scheduler slot (MaxSessions) from
// open to close and gives it back exactly once: when the server confirms the close, or when
// the connection drops (then ssh2 may never say so). ssh2's ClientChannel stays inside.
import { ClientChannel } from 'ssh2';
import { Event } from '../../common/event';
import { IDisposable } from '../../common/disposable';
import { Slot } from '../channelScheduler';
import { SshError } from '../errors';
import { Incoming } from './incoming';

export type SignalName = 'KILL' | 'TERM' | 'INT' | 'HUP' | 'QUIT' | 'USR1' | 'USR2';

/** How a session channel ended. */
export interface ChannelExit {
  /** The remote process's exit status; null when it died of a signal or none came. */
  readonly code: number | null;
  /** The signal that ended the process (`KILL`, `TERM`, …), if one did. */
  readonly signal?: string;
  /** Set when the channel ended without an exit status because the connection dropped. */
  readonly lost?: SshError;
}

export class SessionChannel implements IDisposable {
  private readonly stdout: Incoming;
  private readonly stderrIn: Incoming;
  private readonly settle: (exit: ChannelExit) => void;
  private exitStatus: { code: number | null; signal?: string } | undefined;
  private isClosed = false;
  private readonly connectionSub: IDisposable;
  /** Settles exactly once, when the channel has closed (never rejects). */
  readonly closed: Promise<ChannelExit>;

  constructor(
    private readonly channel: ClientChannel,
    private readonly slot: Slot,
    /** Fires when the connection ends (undefined: we closed it; else why it died). */
    onConnectionClosed: Event<SshError | undefined>,
  ) {
    let settle!: (exit: ChannelExit) => void;
    this.closed = new Promise((resolve) => (settle = resolve));
    this.settle = settle;
    this.stdout = new Incoming(channel);
    this.stderrIn = new Incoming(channel.stderr);
    channel.on('error', () => undefined);
    channel.once('exit', (code: number | null, signal?: string) => (this.exitStatus = { code, signal: signal ?? undefined }));
    // ssh2 emits 'exit' once, when the request arrives, possibly before this object existed
    // (packets parsed in the tick that opened the channel); 'close' carries the same status.
    channel.once('close', (code?: number | null, signal?: string) => {
      if (!this.exitStatus && code !== undefined) this.exitStatus = { code, signal: signal ?? undefined };
      this.finish();
    });
    this.connectionSub = onConnectionClosed((reason) => this.finish(reason ?? new SshError('connection closed', 'unavailable')));
  }

  /** The remote process's standard output (or the terminal's output for a shell). */
  get onData(): Event<Buffer> {
    return this.stdout.event;
  }

  /** The remote process's standard error (empty for a PTY, which merges it into output). */
  get onStderr(): Event<Buffer> {
    return this.stderrIn.event;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /**
   * Sends input. Resolves at once while the channel's buffer has room, else once it has
   * drained (the server's window opened): awaiting each write bounds memory for any input rate.
   */
  write(data: string | Buffer): Promise<void> {
    if (this.isClosed || !this.channel.writable) return Promise.reject(new SshError('write: the channel is closed', 'unavailable'));
    return new Promise((resolve, reject) => {
      let ok: boolean;
      try {
        ok = this.channel.write(data);
      } catch (err) {
        return reject(new SshError(`write: ${err instanceof Error ? err.message : String(err)}`, 'unavailable', { cause: err }));
      }
      if (ok) return resolve();
      const onDrain = () => resolve();
      this.channel.once('drain', onDrain);
      void this.closed.then(() => {
        this.channel.removeListener('drain', onDrain);
        reject(new SshError('write: the channel closed before its input was sent', 'unavailable'));
      });
    });
  }

  /** Ends the input (EOF); output and the exit status still come. */
  end(data?: string | Buffer): void {
    if (this.isClosed) return;
    try {
      if (data === undefined) this.channel.end();
      else this.channel.end(data);
    } catch {
      /* the connection is already gone */
    }
  }

  /** The terminal's size changed (RFC 4254 window-change); for a PTY channel. */
  resize(rows: number, cols: number): void {
    if (this.isClosed) return;
    try {
      this.channel.setWindow(rows, cols, 0, 0);
    } catch {
      /* the connection is already gone */
    }
  }

  /**
   * Sends a signal to the remote process. ssh2's `channel.signal()` does nothing once our side
   * has sent EOF (stdin ended), which is exactly when a timed-out command needs it. (sshd ignores
   * signals in some set-ups, e.g. root logins without privilege separation: close() still ends the channel.)
   */
  signal(name: SignalName): void {
    const internal = this.channel as unknown as { outgoing?: { id: number; state: string }; _client?: { _protocol?: { signal(id: number, sig: string): void } } };
    try {
      if (internal.outgoing?.state === 'open' || internal.outgoing?.state === 'eof') internal._client?._protocol?.signal(internal.outgoing.id, name);
    } catch {
      /* the connection is already gone */
    }
  }

  /** Closes the channel; `closed` settles (and the slot comes back) once the server confirms or the connection ends. */
  close(): void {
    if (this.isClosed) return;
    this.stdout.discard();
    this.stderrIn.discard();
    try {
      this.channel.close();
    } catch {
      /* the connection is already gone */
    }
  }

  dispose(): void {
    this.close();
  }

  private finish(lost?: SshError): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.connectionSub.dispose();
    this.slot.release();
    this.settle({ code: this.exitStatus?.code ?? null, signal: this.exitStatus?.signal, lost: this.exitStatus ? undefined : lost });
  }
}
