// A remote forward (-R): the server listens (on its loopback unless asked otherwise) and each
// connection it accepts is joined to a local target, which we connect to before confirming the
// channel (as OpenSSH does: a refused local port refuses that one channel). The server's
// listener dies with the connection, so it is asked for again after each reconnect (a few
// times, further apart, while the old session may still hold the port). A refusal when the
// forward is started is final: the reason is reported and nothing retries.
import * as net from 'net';
import { Emitter } from '../common/event';
import { Logger } from '../common/log';
import { ChannelOpenError, ForwardingChannels, ForwardingHost, RemoteConnectionOffer, RemoteListener } from './connectionPort';
import { ForwardError } from './forwardError';
import { formatEndpoint, RemoteForwardSpec } from './forwardSpec';
import { splice } from './splice';
import { TrafficStats } from './trafficStats';

/** After a reconnect, a refused listen is tried again after these delays, then the forward fails. */
const RELISTEN_DELAYS_MS = [1000, 2000, 4000, 8000];
/**
 * The sandbox decides how many connections arrive: past this many at once, new ones are
 * refused, so a hostile sandbox cannot open unbounded sockets on this machine.
 */
export const DEFAULT_MAX_REMOTE_CONNECTIONS = 256;
/** A local target that does not answer fails that one connection after this long. */
export const DEFAULT_LOCAL_CONNECT_TIMEOUT_MS = 10_000;

export type ForwardState = { readonly state: 'active' } | { readonly state: 'reconnecting'; readonly reason: string } | { readonly state: 'failed'; readonly reason: string; readonly error?: unknown };

export interface RemoteForwardOptions {
  readonly host: ForwardingHost;
  readonly spec: RemoteForwardSpec;
  readonly log: Logger;
  /** Connections forwarded at once at most; default DEFAULT_MAX_REMOTE_CONNECTIONS. */
  readonly maxConnections?: number;
  /** Bound on each connect to the local target; default DEFAULT_LOCAL_CONNECT_TIMEOUT_MS. */
  readonly connectTimeoutMs?: number;
}

export class RemoteForward {
  readonly stats = new TrafficStats();
  private readonly stateChanged = new Emitter<ForwardState>();
  readonly onDidChangeState = this.stateChanged.event;
  private stateValue: ForwardState = { state: 'active' };
  private listener: RemoteListener | undefined;
  private readonly sockets = new Set<net.Socket>();
  private disposed = false;
  private readonly subscriptions: { dispose(): void }[] = [];
  /** The port the server bound (the one it picked when the spec asked for 0). */
  remotePort: number | undefined;
  private relistening = false;
  /** The cap was reached and logged; quiet until the count has halved. */
  private saidFull = false;

  private constructor(
    readonly spec: RemoteForwardSpec,
    private readonly host: ForwardingHost,
    private readonly log: Logger,
    readonly description: string,
    private readonly maxConnections: number,
    private readonly connectTimeoutMs: number,
  ) {}

  /** Asks the server to listen; throws ForwardError 'refused-by-server' naming the likely setting, or 'unavailable'. */
  static async start(options: RemoteForwardOptions): Promise<RemoteForward> {
    const description = `remote forward ${formatEndpoint(options.spec.listen)} → ${formatEndpoint(options.spec.target)} on ${options.host.name}`;
    const forward = new RemoteForward(
      options.spec,
      options.host,
      options.log,
      description,
      options.maxConnections ?? DEFAULT_MAX_REMOTE_CONNECTIONS,
      options.connectTimeoutMs ?? DEFAULT_LOCAL_CONNECT_TIMEOUT_MS,
    );
    const channels = await options.host.channels().catch((err: unknown) => {
      throw new ForwardError(`${description}: not connected: ${err instanceof Error ? err.message : String(err)}`, 'unavailable', { cause: err });
    });
    await forward.listenOn(channels);
    forward.subscriptions.push(options.host.onDidChangeState((s) => forward.onHostState(s)));
    return forward;
  }

  get state(): ForwardState {
    return this.stateValue;
  }

  private async listenOn(channels: ForwardingChannels): Promise<void> {
    const { host, port } = this.spec.listen;
    try {
      // A server-picked port (0) is asked for again as the same port after a reconnect.
      this.listener = await channels.listenRemote(host, this.remotePort ?? port, (offer) => this.accept(offer));
    } catch (err) {
      throw refusal(err, this.description, this.remotePort ?? port);
    }
    this.remotePort = this.listener.port;
    this.log.info(`${this.description}: the server listens on ${formatEndpoint({ kind: 'tcp', host, port: this.remotePort })}`);
    const sub = channels.onDidClose(() => {
      sub.dispose();
      this.listener = undefined;
      if (!this.disposed) this.setState({ state: 'reconnecting', reason: 'the connection dropped; the server listens again after it reconnects' });
    });
    this.subscriptions.push(sub);
    this.setState({ state: 'active' });
  }

  private onHostState(state: string): void {
    if (this.disposed || state !== 'connected' || this.listener || this.stateValue.state !== 'reconnecting' || this.relistening) return;
    this.relistening = true;
    void this.relisten(0).finally(() => (this.relistening = false));
  }

  /**
   * Asks the reconnected server to listen again. The server may still hold the port for the
   * dropped connection (its sshd process has not noticed yet: ClientAliveInterval × CountMax),
   * so a refusal here is tried again a few times, further apart; then the forward fails.
   */
  private async relisten(attempt: number): Promise<void> {
    try {
      const channels = await this.host.channels();
      if (this.listener || this.disposed) return;
      await this.listenOn(channels);
    } catch (err) {
      if (this.disposed) return;
      const message = err instanceof Error ? err.message : String(err);
      if (ForwardError.is(err, 'refused-by-server') && attempt < RELISTEN_DELAYS_MS.length) {
        const delay = RELISTEN_DELAYS_MS[attempt];
        this.setState({ state: 'reconnecting', reason: `the server refused port ${this.remotePort ?? this.spec.listen.port} after the reconnect (the dropped connection may still hold it); trying again in ${delay / 1000} s` });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.subscriptions.push({ dispose: () => (clearTimeout(timer), resolve()) });
        });
        if (!this.disposed && !this.listener) return this.relisten(attempt + 1);
        return;
      }
      this.log.warn(`${this.description}: ${message}`);
      this.setState({ state: 'failed', reason: message, error: err });
    }
  }

  private accept(offer: RemoteConnectionOffer): void {
    if (this.disposed) return offer.reject();
    const from = describeOrigin(offer.origin);
    this.stats.opened();
    if (this.sockets.size >= this.maxConnections) {
      if (!this.saidFull) {
        this.saidFull = true;
        this.log.warn(`${this.description}: ${this.maxConnections} connections are open already; refusing more from the server (the first was from ${from})`);
      }
      this.stats.failed(`more than ${this.maxConnections} connections at once; refused`);
      this.stats.closed();
      return offer.reject();
    }
    const target = this.spec.target;
    const socket = target.kind === 'unix' ? net.connect({ path: target.path, allowHalfOpen: true }) : net.connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    this.sockets.add(socket);
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      this.forget(socket);
      this.stats.failed(`cannot connect to ${formatEndpoint(target)} here: ${why}`);
      this.stats.closed();
      this.log.warn(`${this.description}: connection from ${from} on the server failed: cannot connect to ${formatEndpoint(target)} here: ${why}`);
      offer.reject();
    };
    // A target that never answers (a full backlog, a dropped SYN) must not hold the slot forever.
    const timer = setTimeout(() => fail(`no answer within ${this.connectTimeoutMs / 1000} s`), this.connectTimeoutMs);
    const onError = (err: Error) => fail(err.message);
    socket.once('error', onError);
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', onError);
      let channel;
      try {
        channel = offer.accept();
      } catch {
        socket.destroy();
        this.forget(socket);
        this.stats.closed();
        return;
      }
      if (this.disposed) {
        socket.destroy();
        channel.destroy();
      }
      void splice(socket, channel, this.stats.counters).finally(() => {
        this.forget(socket);
        this.stats.closed();
      });
    });
  }

  private forget(socket: net.Socket): void {
    // Said again only after the flood has ebbed, so a sandbox holding the cap gets one line, not one per connection.
    if (this.sockets.delete(socket) && this.sockets.size <= this.maxConnections / 2) this.saidFull = false;
  }

  private setState(state: ForwardState): void {
    this.stateValue = state;
    this.stateChanged.fire(state);
  }

  /** Stops the server listening and closes every forwarded connection. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.subscriptions.forEach((s) => s.dispose());
    for (const s of this.sockets) s.destroy();
    await this.listener?.close();
    this.stats.dispose();
    this.stateChanged.dispose();
  }
}

function refusal(err: unknown, description: string, port: number): ForwardError {
  if (err instanceof ChannelOpenError && err.failure === 'prohibited') {
    return new ForwardError(
      `${description}: the server refused to listen on port ${port}. Its sshd_config may set AllowTcpForwarding to "local" or "no" (remote forwards are then not allowed), the port may be taken or privileged there, or the sandbox may not support remote forwards at all`,
      'refused-by-server',
      { cause: err },
    );
  }
  return new ForwardError(`${description}: ${err instanceof Error ? err.message : String(err)}`, 'unavailable', { cause: err });
}

/** The originator the server names, for log lines: it is the sandbox's to say, so only a real IP and port are written out. */
function describeOrigin(origin: { readonly host: unknown; readonly port: unknown }): string {
  const port = Number.isInteger(origin.port) && (origin.port as number) >= 0 && (origin.port as number) <= 65535 ? (origin.port as number) : undefined;
  if (typeof origin.host !== 'string' || !net.isIP(origin.host) || port === undefined) return 'an originator the server gave as no valid address';
  return formatEndpoint({ kind: 'tcp', host: origin.host, port });
}
