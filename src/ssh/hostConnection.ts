// One host's connection over time: connects on demand (concurrent callers share one
// pending connect), reconnects with backoff while someone holds a reference, and
// reports its state. Operations never wait on a dead link: they fail with
// `unavailable`. A drop starts one reconnect sequence that every caller shares: while it
// waits for its next attempt, uses fail at once instead of spending attempts.
// A user's Disconnect holds the host down until `resume()`.
import { Emitter } from '../common/event';
import { Logger } from '../common/log';
import { abortable, BackoffPolicy, backoffDelay } from '../common/time';
import { ResolvedHost } from './config/resolvedHost';
import { ChannelScheduler } from './channelScheduler';
import { SshConnection } from './connection';
import { abortError, sshDeadline, SshError } from './errors';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface StateChange {
  readonly host: string;
  readonly state: ConnectionState;
  /** Why the host failed, is reconnecting or is disconnected (`error.message`); never contains secrets. */
  readonly reason?: string;
  /** The failure behind `reason`, for the editor to word (see SshError.code). */
  readonly error?: SshError;
  /** The user disconnected the host: it stays down until they connect again. */
  readonly held: boolean;
  /** While connected: the SHA256 fingerprint of the public key that logged in (none for other methods). */
  readonly authenticatedKey?: string;
}

export interface ReconnectPolicy extends BackoffPolicy {
  /** Attempts after a drop before the host is marked failed. */
  readonly maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 1000, maxDelayMs: 30000, maxAttempts: 8 };

export type Connector = (scheduler: ChannelScheduler, signal: AbortSignal) => Promise<SshConnection>;

export class HostConnection {
  private readonly stateChanged = new Emitter<StateChange>();
  readonly onDidChangeState = this.stateChanged.event;
  private readonly connected = new Emitter<SshConnection>();
  /** Fires with each new connection once it is up: the first one and every one after a reconnect. */
  readonly onDidConnect = this.connected.event;
  private current: SshConnection | undefined;
  private pending: Promise<SshConnection> | undefined;
  private stateValue: ConnectionState = 'disconnected';
  private errorValue: SshError | undefined;
  private refs = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** When the last reference was released (ms since the epoch): the idle timer counts from here. */
  private idleSince = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** When the scheduled reconnect attempt starts (ms since the epoch). */
  private retryAt = 0;
  private retryAttempt = 0;
  private abort = new AbortController();
  private disposed = false;
  /**
   * A refusal that retrying will not heal (auth, host key, config). Later uses fail with it at
   * once instead of reconnecting (and prompting) again and again; `retry()` clears it.
   */
  private refusal: SshError | undefined;
  /** Set by the user's Disconnect: every use fails with it until `resume()`. */
  private held: SshError | undefined;
  /** `held` as last reported, so a hold or resume alone is reported too. */
  private reportedHeld = false;
  readonly scheduler: ChannelScheduler;

  constructor(
    readonly name: string,
    private readonly connector: Connector,
    private readonly options: { maxSessions: () => number; idleTimeoutMs: () => number; reconnect: ReconnectPolicy; log: Logger },
  ) {
    this.scheduler = new ChannelScheduler(options.maxSessions());
    // Requests queued for a session slot (MaxSessions reached) show as the host's "waiting for a session".
    this.scheduler.onDidChangeWaiting(() => this.stateChanged.fire({ host: this.name, state: this.stateValue, reason: this.errorValue?.message, error: this.errorValue, held: this.held !== undefined }));
  }

  /** Requests wait for a free session channel. */
  get isWaitingForSession(): boolean {
    return this.scheduler.waiting > 0;
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get reason(): string | undefined {
    return this.errorValue?.message;
  }

  /** The last failure (or the Disconnect) behind the state. */
  get error(): SshError | undefined {
    return this.errorValue;
  }

  /** The public key the current connection logged in with, while connected. */
  get authenticatedKey(): string | undefined {
    return this.stateValue === 'connected' && this.current?.isOpen ? this.current.authenticatedKey : undefined;
  }

  /** What the current connection was resolved from, while it is open. */
  get connectedTarget(): ResolvedHost | undefined {
    return this.current?.isOpen ? this.current.target : undefined;
  }

  get isHeld(): boolean {
    return this.held !== undefined;
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
    this.idleSince = Date.now();
    this.armIdleTimer();
  }

  /** The idle timeout applies live: a running idle timer counts with the new value, from the last release. */
  idleTimeoutChanged(): void {
    if (this.idleTimer) this.armIdleTimer();
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    const left = Math.max(0, this.options.idleTimeoutMs() - (Date.now() - this.idleSince));
    this.idleTimer = setTimeout(() => void this.disconnect(), left);
    this.idleTimer.unref?.();
  }

  /** A live connection: the current one, the one being made, or a new attempt. */
  connection(signal?: AbortSignal): Promise<SshConnection> {
    if (this.disposed) return Promise.reject(new SshError(`${this.name}: closed`, 'unavailable'));
    if (this.current?.isOpen) return Promise.resolve(this.current);
    if (this.held) return Promise.reject(this.held);
    if (this.pending) return abortable(this.pending, signal, { what: `connect to ${this.name}`, ...sshDeadline() });
    if (this.refusal) return Promise.reject(this.refusal);
    // The reconnect sequence owns the attempts: callers do not spend them, they hear when the next one is.
    if (this.stateValue === 'reconnecting' && this.retryTimer) return Promise.reject(this.waitingError());
    return abortable(this.attempt(), signal, { what: `connect to ${this.name}`, ...sshDeadline() });
  }

  /** The user asks to try again (Connect, Refresh, changed settings): forget a previous refusal. */
  retry(): void {
    this.refusal = undefined;
  }

  /**
   * The user wants the host again (Connect, Reconnect, opening one of its files): ends a
   * Disconnect's hold, forgets a refusal, and makes a waiting reconnect attempt start now.
   */
  resume(): void {
    this.refusal = undefined;
    if (this.held) {
      this.held = undefined;
      this.setState(this.stateValue);
    }
    if (this.stateValue === 'reconnecting' && this.retryTimer && !this.pending) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.attempt().catch(() => undefined);
    }
  }

  /** The user's Disconnect: closes the connection, and every use fails until `resume()`. */
  async hold(): Promise<void> {
    this.held = new SshError(`${this.name} was disconnected by the user and stays disconnected until it is connected again`, 'unavailable', { code: 'held' });
    this.options.log.info(`${this.name}: disconnected by the user; uses fail until it is connected again`);
    await this.disconnect(this.held);
  }

  /** Closes the connection and stops reconnecting; references stay valid and reconnect on next use (unless held). */
  async disconnect(why?: SshError): Promise<void> {
    clearTimeout(this.idleTimer);
    clearTimeout(this.retryTimer);
    this.idleTimer = this.retryTimer = undefined;
    this.retryAttempt = 0;
    this.abort.abort();
    this.abort = new AbortController();
    this.refusal = undefined;
    const current = this.current;
    this.current = undefined;
    this.setState('disconnected', why ?? this.held);
    await current?.close();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.disconnect();
    this.stateChanged.dispose();
    this.connected.dispose();
  }

  private attempt(): Promise<SshConnection> {
    // After a sequence gave up, the next use starts a fresh one.
    const freshSequence = this.stateValue === 'failed' && this.errorValue?.code === 'gave-up';
    if (freshSequence) this.retryAttempt = 0;
    const reconnecting = this.stateValue === 'reconnecting' || freshSequence;
    this.setState(reconnecting ? 'reconnecting' : 'connecting', this.errorValue);
    const signal = this.abort.signal;
    this.scheduler.resetLimit(this.options.maxSessions());
    const pending = this.connector(this.scheduler, signal).then(
      (connection) => {
        if (this.pending === pending) this.pending = undefined;
        if (signal.aborted) {
          void connection.close();
          throw this.held ?? abortError(`connect to ${this.name}`);
        }
        this.current = connection;
        this.retryAttempt = 0;
        this.setState('connected');
        connection.onDidClose((reason) => this.onClosed(connection, reason));
        this.connected.fire(connection);
        return connection;
      },
      (err: unknown) => {
        if (this.pending === pending) this.pending = undefined;
        if (signal.aborted) throw this.held ?? err;
        this.onConnectFailed(err);
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
    if (this.refs > 0) this.scheduleReconnect(reason);
    else this.setState('disconnected', reason);
  }

  private onConnectFailed(err: unknown): void {
    const error = SshError.is(err) ? err : new SshError(err instanceof Error ? err.message : String(err), 'unavailable', { cause: err });
    // Auth and host-key refusals do not heal by retrying; the user must act.
    const permanent = error.reason === 'auth-failed' || error.reason === 'host-key' || error.reason === 'config';
    if (permanent) this.refusal = error;
    if (this.stateValue === 'reconnecting' && !permanent && this.refs > 0) this.scheduleReconnect(error);
    else this.setState('failed', error);
  }

  private scheduleReconnect(error: SshError): void {
    const { maxAttempts } = this.options.reconnect;
    if (this.retryAttempt >= maxAttempts) {
      this.options.log.warn(`${this.name}: gave up reconnecting after ${maxAttempts} attempts; the next use tries again`);
      this.setState('failed', new SshError(`gave up reconnecting after ${maxAttempts} attempts: ${error.message}`, 'unavailable', { code: 'gave-up', cause: error }));
      return;
    }
    const delay = backoffDelay(this.options.reconnect, this.retryAttempt);
    this.retryAttempt++;
    this.retryAt = Date.now() + delay;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.pending || this.current?.isOpen || this.held) return;
      // Nobody needs the host any more: stop here; the next use connects afresh.
      if (this.refs === 0) return this.setState('disconnected', error);
      this.attempt().catch(() => undefined);
    }, delay);
    this.retryTimer.unref?.();
    this.setState('reconnecting', error);
    this.options.log.info(`${this.name}: reconnecting in ${Math.round(delay / 100) / 10} s (attempt ${this.retryAttempt} of ${maxAttempts})`);
  }

  /** Why a use fails while the sequence waits for its next attempt. */
  private waitingError(): SshError {
    const retryInMs = Math.max(0, this.retryAt - Date.now());
    const { maxAttempts } = this.options.reconnect;
    const why = this.errorValue ? `: ${this.errorValue.message}` : '';
    return new SshError(`reconnecting (attempt ${this.retryAttempt} of ${maxAttempts} in ${Math.ceil(retryInMs / 1000)} s)${why}`, 'unavailable', {
      code: 'reconnecting',
      retryInMs,
      cause: this.errorValue,
    });
  }

  private setState(state: ConnectionState, error?: SshError): void {
    const held = this.held !== undefined;
    if (this.stateValue === state && this.errorValue === error && this.reportedHeld === held) return;
    this.stateValue = state;
    this.errorValue = error;
    this.reportedHeld = held;
    this.stateChanged.fire({ host: this.name, state, reason: error?.message, error, held, authenticatedKey: this.authenticatedKey });
  }
}
