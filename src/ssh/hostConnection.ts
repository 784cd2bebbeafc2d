// One host's connection over time: connects on demand (concurrent callers share one
// pending connect), reconnects with backoff while someone holds a reference, and
// reports its state. Operations never wait on a dead link: they fail with
// `unavailable` and the next one reconnects.
import { Emitter } from '../common/event';
import { Logger } from '../common/log';
import { ChannelScheduler } from './channelScheduler';
import { SshConnection } from './connection';
import { abortError, SshError } from './errors';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface StateChange {
  readonly host: string;
  readonly state: ConnectionState;
  /** Why the host failed or is reconnecting; never contains secrets. */
  readonly reason?: string;
}

export interface ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Attempts after a drop before the host is marked failed. */
  readonly maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 1000, maxDelayMs: 30000, maxAttempts: 8 };

export type Connector = (scheduler: ChannelScheduler, signal: AbortSignal) => Promise<SshConnection>;

export class HostConnection {
  private readonly stateChanged = new Emitter<StateChange>();
  readonly onDidChangeState = this.stateChanged.event;
  private current: SshConnection | undefined;
  private pending: Promise<SshConnection> | undefined;
  private stateValue: ConnectionState = 'disconnected';
  private reasonValue: string | undefined;
  private refs = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAttempt = 0;
  private abort = new AbortController();
  private disposed = false;
  /**
   * A refusal that retrying will not heal (auth, host key, config). Later uses fail with it at
   * once instead of reconnecting (and prompting) again and again; `retry()` clears it.
   */
  private refusal: SshError | undefined;
  readonly scheduler: ChannelScheduler;

  constructor(
    readonly name: string,
    private readonly connector: Connector,
    private readonly options: { maxSessions: number; idleTimeoutMs: () => number; reconnect: ReconnectPolicy; log: Logger },
  ) {
    this.scheduler = new ChannelScheduler(options.maxSessions);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get reason(): string | undefined {
    return this.reasonValue;
  }

  get referenceCount(): number {
    return this.refs;
  }

  addRef(): void {
    this.refs++;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** The last release starts the idle timer (like ControlPersist); at 0 ms it closes at once. */
  release(): void {
    if (this.refs === 0) return;
    if (--this.refs > 0) return;
    clearTimeout(this.idleTimer);
    const ms = this.options.idleTimeoutMs();
    this.idleTimer = setTimeout(() => void this.disconnect(), ms);
    this.idleTimer.unref?.();
  }

  /** A live connection: the current one, the one being made, or a new attempt. */
  connection(signal?: AbortSignal): Promise<SshConnection> {
    if (this.disposed) return Promise.reject(new SshError(`${this.name}: closed`, 'unavailable'));
    if (this.current?.isOpen) return Promise.resolve(this.current);
    if (this.pending) return withSignal(this.pending, signal, this.name);
    if (this.refusal) return Promise.reject(this.refusal);
    if (this.stateValue === 'reconnecting' && this.retryTimer) {
      // A user action during the backoff wait tries at once instead of waiting for the timer.
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    return withSignal(this.attempt(), signal, this.name);
  }

  /** The user asks to try again (Connect, Refresh, changed settings): forget a previous refusal. */
  retry(): void {
    this.refusal = undefined;
  }

  /** Closes the connection and stops reconnecting; references stay valid and reconnect on next use. */
  async disconnect(): Promise<void> {
    clearTimeout(this.idleTimer);
    clearTimeout(this.retryTimer);
    this.idleTimer = this.retryTimer = undefined;
    this.retryAttempt = 0;
    this.abort.abort();
    this.abort = new AbortController();
    this.refusal = undefined;
    const current = this.current;
    this.current = undefined;
    this.setState('disconnected');
    await current?.close();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.disconnect();
    this.stateChanged.dispose();
  }

  private attempt(): Promise<SshConnection> {
    const reconnecting = this.stateValue === 'reconnecting';
    this.setState(reconnecting ? 'reconnecting' : 'connecting', this.reasonValue);
    const signal = this.abort.signal;
    const pending = this.connector(this.scheduler, signal).then(
      (connection) => {
        if (this.pending === pending) this.pending = undefined;
        if (signal.aborted) {
          void connection.close();
          throw abortError(`connect to ${this.name}`);
        }
        this.current = connection;
        this.retryAttempt = 0;
        this.setState('connected');
        connection.onDidClose((reason) => this.onClosed(connection, reason));
        return connection;
      },
      (err: unknown) => {
        if (this.pending === pending) this.pending = undefined;
        if (!signal.aborted) this.onConnectFailed(err);
        throw err;
      },
    );
    this.pending = pending;
    return pending;
  }

  private onClosed(connection: SshConnection, reason: SshError | undefined): void {
    if (this.current !== connection) return;
    this.current = undefined;
    if (!reason || this.disposed) return this.setState('disconnected');
    this.options.log.warn(`${this.name}: ${reason.message}`);
    if (this.refs > 0) this.scheduleReconnect(reason.message);
    else this.setState('disconnected', reason.message);
  }

  private onConnectFailed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    // Auth and host-key refusals do not heal by retrying; the user must act.
    const permanent = SshError.is(err) && (err.reason === 'auth-failed' || err.reason === 'host-key' || err.reason === 'config');
    if (permanent) this.refusal = err;
    if (this.stateValue === 'reconnecting' && !permanent && this.refs > 0) this.scheduleReconnect(message);
    else this.setState('failed', message);
  }

  private scheduleReconnect(reason: string): void {
    const { initialDelayMs, maxDelayMs, maxAttempts } = this.options.reconnect;
    if (this.retryAttempt >= maxAttempts) {
      this.setState('failed', `gave up reconnecting after ${maxAttempts} attempts: ${reason}`);
      return;
    }
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** this.retryAttempt);
    this.retryAttempt++;
    this.setState('reconnecting', reason);
    this.options.log.info(`${this.name}: reconnecting in ${Math.round(delay / 100) / 10} s (attempt ${this.retryAttempt} of ${maxAttempts})`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.pending && !this.current?.isOpen) this.attempt().catch(() => undefined);
    }, delay);
    this.retryTimer.unref?.();
  }

  private setState(state: ConnectionState, reason?: string): void {
    if (this.stateValue === state && this.reasonValue === reason) return;
    this.stateValue = state;
    this.reasonValue = reason;
    this.stateChanged.fire({ host: this.name, state, reason });
  }
}

function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined, name: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(`connect to ${name}`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(`connect to ${name}`));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
