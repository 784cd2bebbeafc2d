// One authenticated ssh2 connection. Turns ssh2's callbacks, events and synchronous
// `Not connected` throws into promises and SshErrors; nothing above ssh/ sees ssh2's API.
import { Algorithms, Client, ClientChannel, SFTPWrapper, TcpConnectionDetails } from 'ssh2';
import { SftpSession } from './sftp';
import { Logger } from '../common/log';
import { backoffDelay, sleep, withDeadline } from '../common/time';
import { Emitter } from '../common/event';
import { Authenticator } from './auth';
import { AcquireOptions, ChannelScheduler, Slot } from './channelScheduler';
import { ResolvedHost } from './config/resolvedHost';
import { RemoteListener } from './channels/remoteListener';
import { SessionChannel } from './channels/sessionChannel';
import { ptyRequest, ShellOptions } from './channels/shellOptions';
import { StreamChannel } from './channels/streamChannel';
import { abortError, fromSsh2Error, sshDeadline, SshError, timeoutError } from './errors';
import { Transport } from './transport';

/** Refusals right after a close (sshd still freeing that session) are retried this often before they count. */
const MAX_TRANSIENT_REFUSALS = 8;

export interface ConnectParams {
  /** For messages: `user@host:port` or the alias. */
  readonly label: string;
  readonly user: string;
  readonly transport: Transport;
  readonly authenticator: Authenticator;
  /** Called with the raw host key blob before any credential is sent. */
  readonly verifyHostKey: (key: Buffer) => Promise<boolean>;
  /** Why the last verifyHostKey refused, for the error message. */
  readonly hostKeyRejection?: () => SshError | undefined;
  readonly algorithms?: Algorithms;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  /** Bound on handshake + authentication, excluding time spent waiting for the user. */
  readonly readyTimeoutMs: number;
  /** True while a passphrase, password or keyboard-interactive prompt is open. */
  readonly isWaitingForUser?: () => boolean;
  readonly scheduler: ChannelScheduler;
  /** Deadline for each SFTP request (default: the SFTP layer's). */
  readonly sftpRequestTimeoutMs?: number;
  /** The resolved host this connection was made for (its forwards, SetEnv…), so users need not resolve it again. */
  readonly target?: ResolvedHost;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/** How to open an exec channel: its kind for the scheduler, and a PTY when the command needs one. */
export interface ExecChannelOptions extends Omit<AcquireOptions, 'kind'> {
  /** Default `short` (a one-shot command); `long-lived` for one that runs on (the watcher, a language server). */
  readonly kind?: AcquireOptions['kind'];
  /** env requests (sshd's AcceptEnv drops most names: src/ssh/exec.ts exports variables in the command instead). */
  readonly env?: Readonly<Record<string, string>>;
  readonly pty?: Pick<ShellOptions, 'term' | 'rows' | 'cols' | 'modes'>;
}

export class SshConnection {
  private readonly closed = new Emitter<SshError | undefined>();
  /** Fires once when the connection ends: undefined when we closed it, else why it died. */
  readonly onDidClose = this.closed.event;
  private closeReason: SshError | undefined;
  private isClosed = false;
  private sftpChannel: Promise<{ wrapper: SFTPWrapper; session: SftpSession }> | undefined;
  private closing: Promise<void> | undefined;
  /** Remote forwards by the port the server listens on. */
  private readonly remoteListeners = new Map<number, RemoteListener>();

  /** The resolved host this connection was made for. */
  get target(): ResolvedHost | undefined {
    return this.params.target;
  }

  /** SHA256 fingerprint of the public key this connection logged in with; undefined for other methods. */
  readonly authenticatedKey: string | undefined;

  private constructor(
    private readonly client: Client,
    private readonly params: ConnectParams,
  ) {
    this.authenticatedKey = params.authenticator.usedKey();
    client.on('error', (err: Error & { level?: string }) => {
      // Agent and signing errors during auth are not fatal: ssh2 goes on with the next method.
      if (err.level === 'agent') return params.log.debug(`agent: ${err.message}`);
      const deadLink = err.level === 'client-timeout' && /keepalive/i.test(err.message);
      this.closeReason ??= deadLink
        ? new SshError(`connection lost: no answer to ${params.keepaliveCountMax} keepalives ${params.keepaliveIntervalMs / 1000} s apart`, 'unavailable', { cause: err, code: 'keepalive' })
        : fromSsh2Error(err, params.label);
      // Declared dead: say so now. ssh2 fails the open channels only after this, so whoever
      // watches the state sees the drop before any operation reports it.
      if (deadLink) this.markClosed();
    });
    client.once('close', () => this.markClosed());
    client.on('tcp connection', (details: TcpConnectionDetails, accept: () => ClientChannel, reject: () => void) => {
      const listener = this.remoteListeners.get(details.destPort);
      if (!listener) return reject();
      listener.deliver({ srcIP: details.srcIP, srcPort: details.srcPort, accept: () => new StreamChannel(accept(), this.onDidClose), reject });
    });
  }

  static open(params: ConnectParams): Promise<SshConnection> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      let settled = false;
      let verifying = false;
      let hostKeyRefused = false;
      const onAbort = () => finish(abortError(`connect to ${params.label}`));
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        params.signal?.removeEventListener('abort', onAbort);
        if (err) {
          client.removeAllListeners('ready');
          client.on('error', () => {});
          client.end();
          params.transport.dispose();
          reject(err);
        }
      };
      params.signal?.addEventListener('abort', onAbort, { once: true });
      let lastError: (Error & { level?: string }) | undefined;
      client.on('error', (err: Error & { level?: string }) => {
        if (err.level === 'agent') return params.log.debug(`agent: ${err.message}`);
        lastError = err;
      });
      client.once('close', () => {
        if (hostKeyRefused) return finish(params.hostKeyRejection?.() ?? new SshError(`${params.label}: host key refused`, 'host-key'));
        if (lastError?.level === 'client-authentication') return finish(params.authenticator.failure());
        finish(lastError ? fromSsh2Error(lastError, `connect to ${params.label}`) : new SshError(`connect to ${params.label}: the server closed the connection during the handshake`, 'unavailable', { code: 'closed' }));
      });
      client.once('ready', () => {
        if (settled) return;
        params.authenticator.succeeded();
        const connection = new SshConnection(client, params);
        finish();
        resolve(connection);
      });
      const config = {
        sock: params.transport.stream as never,
        username: params.user,
        // Prompts (passphrases, passwords, host key confirmation) wait for a person: ssh2's
        // readyTimeout would cut them off, so the deadline is enforced around them instead.
        readyTimeout: 0,
        keepaliveInterval: params.keepaliveIntervalMs,
        keepaliveCountMax: params.keepaliveCountMax,
        algorithms: params.algorithms,
        authHandler: params.authenticator.handler as never,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          verifying = true;
          params.verifyHostKey(key).then(
            (ok) => {
              verifying = false;
              hostKeyRefused = !ok;
              verify(ok);
            },
            (err) => {
              verifying = false;
              hostKeyRefused = true;
              params.log.error(`host key check failed: ${err instanceof Error ? err.message : String(err)}`);
              verify(false);
            },
          );
        },
      };
      try {
        client.connect(config as never);
      } catch (err) {
        // ssh2 throws here on settings it rejects: a failed connect like any other, transport ended.
        return finish(new SshError(`connect to ${params.label}: ${err instanceof Error ? err.message : String(err)}`, 'config', { cause: err }));
      }
      // The deadline pauses while a person is asked something (host key, passphrase, password).
      let remaining = params.readyTimeoutMs;
      const tick = 250;
      const timer = setInterval(() => {
        if (settled) return clearInterval(timer);
        if (!verifying && !params.isWaitingForUser?.()) remaining -= tick;
        if (remaining <= 0) {
          clearInterval(timer);
          finish(timeoutError(`connect to ${params.label}: not connected and logged in within ${params.readyTimeoutMs / 1000} s`));
        }
      }, tick);
      timer.unref?.();
    });
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  get label(): string {
    return this.params.label;
  }

  get scheduler(): ChannelScheduler {
    return this.params.scheduler;
  }

  /**
   * Opens a session channel with `open`, waiting for a scheduler slot of `options.kind` first.
   * The caller owns the slot and gives it back when the channel closes or the connection ends.
   */
  async openSession<T extends { once(event: 'close', fn: () => void): unknown }>(
    what: string,
    open: (client: Client, cb: (err: Error | undefined, channel: T) => void) => void,
    options: AcquireOptions = {},
  ): Promise<{ channel: T; slot: Slot }> {
    const signal = options.signal;
    let transientRefusals = 0;
    for (;;) {
      this.assertOpen(what);
      const slot = await this.params.scheduler.acquire(options);
      const opening = this.call<T>(what, (cb) => open(this.client, cb));
      let channel: T;
      let abandoned = false;
      try {
        // A server that never answers the open must not hold the caller forever.
        channel = await withDeadline(opening, {
          ms: this.params.readyTimeoutMs,
          signal,
          what: `${what} on ${this.params.label}`,
          ...sshDeadline(),
          // Opened after we gave up: close it; the slot comes back when it has closed.
          discardLate: (late) => {
            late.once('close', () => slot.release());
            closeChannel(late);
          },
          onAbandon: (settled) => {
            abandoned = true;
            void settled.then(() => undefined, () => slot.release());
          },
        });
      } catch (err) {
        const refusal = SshError.is(err, 'channel-refused') && !abandoned ? this.params.scheduler.refused() : 'real';
        if (refusal === 'lowered') {
          this.params.log.info(`server refused a session channel: limiting ${this.params.label} to ${this.params.scheduler.limit} concurrent sessions`);
          slot.release();
          continue;
        }
        if (refusal === 'transient' && transientRefusals < MAX_TRANSIENT_REFUSALS) {
          this.params.log.debug(`${what} on ${this.params.label}: refused while the server frees a closed session; trying again`);
          slot.release();
          await sleep(backoffDelay({ initialDelayMs: 10, maxDelayMs: 500 }, transientRefusals++), signal, sshDeadline());
          continue;
        }
        // Given up on (deadline, cancel): the slot comes back once the late open settles (above).
        if (!abandoned) slot.release();
        throw err;
      }
      slot.opened();
      return { channel, slot };
    }
  }

  /** An exec channel running `command`: a short one by default (see ChannelScheduler). */
  async exec(command: string, options: ExecChannelOptions = {}): Promise<SessionChannel> {
    const request = { env: options.env ? { ...options.env } : undefined, pty: options.pty ? ptyRequest(options.pty) : undefined };
    const { channel, slot } = await this.openSession<ClientChannel>('exec', (c, cb) => c.exec(command, request, cb), options);
    return new SessionChannel(channel, slot, this.onDidClose);
  }

  /** A login shell on a PTY: long-lived by default, so it never takes the last free session slot. */
  async shell(options: ShellOptions): Promise<SessionChannel> {
    const { channel, slot } = await this.openSession<ClientChannel>('shell', (c, cb) => c.shell(ptyRequest(options), { env: options.env ? { ...options.env } : undefined }, cb), {
      kind: options.kind ?? 'long-lived',
      signal: options.signal,
      onWaiting: options.onWaiting,
    });
    return new SessionChannel(channel, slot, this.onDidClose);
  }

  /**
   * The connection's one SFTP session, opened on first use and again after its channel closes
   * or one of its requests times out (the next call then opens a new channel at once).
   */
  sftp(): Promise<SftpSession> {
    if (!this.sftpChannel) {
      const opening = this.openSession<SFTPWrapper>('sftp', (c, cb) => c.sftp(cb)).then(({ channel: wrapper, slot }) => {
        // The slot comes back when the channel closes, or when the connection ends (then ssh2 may not say so).
        const dropped = this.onDidClose(() => slot.release());
        wrapper.once('close', () => {
          dropped.dispose();
          slot.release();
        });
        const forget = () => {
          if (this.sftpChannel === opening) this.sftpChannel = undefined;
        };
        wrapper.once('close', forget);
        const session = new SftpSession(wrapper, { requestTimeoutMs: this.params.sftpRequestTimeoutMs });
        session.onDidReset((timeout) => {
          forget();
          this.params.log.warn(`${this.params.label}: ${timeout.message}`);
          // Not awaited: a stuck server may not answer the close either. Its session slot
          // comes back when it does, or when the connection ends.
          try {
            wrapper.end();
          } catch {
            /* the connection is already gone */
          }
        });
        return { wrapper, session };
      });
      this.sftpChannel = opening;
      opening.catch(() => {
        if (this.sftpChannel === opening) this.sftpChannel = undefined;
      });
    }
    return this.sftpChannel.then((c) => c.session);
  }

  /** A direct-tcpip channel (local forwards, ProxyJump): not counted against MaxSessions. */
  async forwardOut(srcIP: string, srcPort: number, dstHost: string, dstPort: number): Promise<StreamChannel> {
    const channel = await this.call<ClientChannel>(`forward to ${dstHost}:${dstPort}`, (cb) => this.client.forwardOut(srcIP, srcPort, dstHost, dstPort, cb));
    return new StreamChannel(channel, this.onDidClose);
  }

  /** A channel to the Unix socket `path` on the server (OpenSSH streamlocal; needs AllowStreamLocalForwarding). Not counted against MaxSessions. */
  async forwardOutStreamLocal(path: string): Promise<StreamChannel> {
    const channel = await this.call<ClientChannel>(`forward to ${path}`, (cb) => this.client.openssh_forwardOutStreamLocal(path, cb));
    return new StreamChannel(channel, this.onDidClose);
  }

  /**
   * Asks the server to listen on `bindAddress:port` (0: it picks) and hand each connection over
   * as a forwarded-tcpip channel. Refused when the server forbids it (`AllowTcpForwarding`).
   */
  async forwardIn(bindAddress: string, port: number): Promise<RemoteListener> {
    const what = `remote forward ${bindAddress}:${port}`;
    const bound = await this.call<number | undefined>(what, (cb) => this.client.forwardIn(bindAddress, port, (err, p) => cb(err, p)));
    const actual = port === 0 && bound ? bound : port;
    if (this.remoteListeners.has(actual)) throw new SshError(`${what}: already forwarded`, 'config');
    const listener = new RemoteListener(bindAddress, actual, () => {
      this.remoteListeners.delete(actual);
      if (!this.isClosed) this.call(what, (cb) => this.client.unforwardIn(bindAddress, actual, (err) => cb(err ?? undefined, undefined))).catch(() => undefined);
    });
    this.remoteListeners.set(actual, listener);
    return listener;
  }

  /** Closes the SFTP channel first and waits for it (else sftp-server is orphaned), then ends the connection. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      if (this.isClosed) return;
      const sftp = await this.sftpChannel?.catch(() => undefined);
      if (sftp) {
        sftp.session.dispose();
        const sftpClosed = new Promise<void>((resolve) => sftp.wrapper.once('close', () => resolve()));
        sftp.wrapper.end();
        // A server that does not answer the close does not hold us up: the connection ends anyway.
        await withDeadline(sftpClosed, { ms: 2000, what: 'closing the SFTP channel' }).catch(() => undefined);
      }
      const gone = new Promise<void>((resolve) => (this.isClosed ? resolve() : this.closed.event(() => resolve())));
      this.client.end();
      await withDeadline(gone, { ms: 2000, what: 'closing the connection' }).catch(() => {
        this.destroy();
        return gone;
      });
    })();
    return this.closing;
  }

  /** Drops the connection at once, e.g. after the network is known to be gone. */
  destroy(): void {
    this.closeReason ??= new SshError(`${this.params.label}: connection closed`, 'unavailable');
    this.client.destroy();
    this.params.transport.dispose();
    // ssh2 does not emit 'close' for a stream that was already destroyed elsewhere.
    setImmediate(() => this.markClosed());
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.params.transport.dispose();
    const reason = this.closing ? undefined : this.closeReason ?? new SshError('the server closed the connection', 'unavailable', { code: 'closed' });
    this.params.scheduler.failAll(reason ?? new SshError(`${this.params.label}: connection closed`, 'unavailable'));
    for (const listener of [...this.remoteListeners.values()]) listener.dispose();
    if (reason) this.params.log.warn(`disconnected: ${reason.message}`);
    else this.params.log.info('disconnected');
    this.closed.fire(reason);
    this.closed.dispose();
  }

  private assertOpen(what: string): void {
    if (this.isClosed) throw this.closeReason ?? new SshError(`${what} on ${this.params.label}: not connected`, 'unavailable');
  }

  /** Runs an ssh2 call that takes a callback; its synchronous throw and a close before the answer become SshErrors. */
  private call<T>(what: string, start: (cb: (err: Error | undefined, value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.isClosed) return reject(this.closeReason ?? new SshError(`${what}: not connected`, 'unavailable'));
      let done = false;
      const sub = this.closed.event((reason) => {
        if (!done) {
          done = true;
          reject(reason ?? new SshError(`${what}: connection closed`, 'unavailable'));
        }
      });
      try {
        start((err, value) => {
          if (done) return;
          done = true;
          sub.dispose();
          if (err) reject(this.isClosed ? this.closeReason ?? fromSsh2Error(err, what) : fromSsh2Error(err, `${what} on ${this.params.label}`));
          else resolve(value);
        });
      } catch (err) {
        done = true;
        sub.dispose();
        reject(fromSsh2Error(err, `${what} on ${this.params.label}`));
      }
    });
  }
}

export type { Slot };

/** ClientChannel closes with close(), the SFTP wrapper with end(). */
function closeChannel(channel: unknown): void {
  const c = channel as { close?: () => void; end?: () => void };
  try {
    if (c.close) c.close();
    else c.end?.();
  } catch {
    /* the connection is already gone */
  }
}
