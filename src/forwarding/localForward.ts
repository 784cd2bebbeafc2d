// A local forward (-L): local listeners whose every accepted socket gets its own channel to
// the target on the host's one connection (direct-tcpip, or streamlocal for a Unix socket).
// A connection that cannot be forwarded (target refused, host unreachable) fails alone, with
// a log line; the listener stays up, and picks up the reconnected connection by itself.
import * as net from 'net';
import { Duplex } from 'stream';
import { Logger } from '../common/log';
import { ForwardingHost } from './connectionPort';
import { describeConnectionFailure } from './forwardError';
import { formatEndpoint, LocalForwardSpec, Endpoint } from './forwardSpec';
import { bindListeners, BoundListeners, ListenOptions } from './localListeners';
import { splice } from './splice';
import { TrafficStats } from './trafficStats';

/** Opens the channel one accepted socket is forwarded over; shared by -L and -D. */
export type ChannelOpener = (socket: net.Socket) => Promise<Duplex>;

/** The listener + per-connection plumbing shared by local and dynamic forwards. */
export class AcceptLoop {
  readonly stats = new TrafficStats();
  private readonly sockets = new Set<net.Socket>();
  private listeners: BoundListeners | undefined;
  private disposed = false;

  constructor(
    private readonly describe: string,
    /**
     * Forwards one socket; resolves when it is done. A rejection is that connection's failure;
     * `setTarget` names its target for the log line (a SOCKS client names it late).
     */
    private readonly handle: (socket: net.Socket, setTarget: (target: string) => void) => Promise<void>,
    private readonly log: Logger,
    private readonly defaultTarget: string,
  ) {}

  async listen(at: Endpoint, options: ListenOptions): Promise<readonly Endpoint[]> {
    this.listeners = await bindListeners(at, (socket) => this.accept(socket), options);
    return this.listeners.addresses;
  }

  private accept(socket: net.Socket): void {
    if (this.disposed) return void socket.destroy();
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // Until the channel is there, a socket error must not crash anything.
    socket.on('error', () => undefined);
    this.stats.opened();
    let target = this.defaultTarget;
    this.handle(socket, (t) => (target = t))
      .catch((err) => {
        const why = describeConnectionFailure(err, target);
        this.stats.failed(why);
        const from = socket.remoteAddress ? ` from ${socket.remoteAddress}:${socket.remotePort}` : '';
        this.log.warn(`${this.describe}: connection${from} failed: ${why}`);
        // A reset tells the client at once that nothing is behind the port (unless it was
        // already given an answer, e.g. a SOCKS reply code, which must arrive).
        if (!socket.destroyed && !socket.writableEnded) socket.resetAndDestroy();
      })
      .finally(() => this.stats.closed());
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.sockets) s.destroy();
    await this.listeners?.close();
    this.stats.dispose();
  }
}

/** How long a forwarded connection waits for the server to open its channel. */
export const DEFAULT_CHANNEL_OPEN_TIMEOUT_MS = 20_000;

/**
 * Splices `socket` with the channel `open` gives; resolves when both have closed. A server that
 * never answers the open fails this connection after `timeoutMs` (a late channel is closed).
 */
export async function forwardSocket(socket: net.Socket, open: () => Promise<Duplex>, stats: TrafficStats, timeoutMs = DEFAULT_CHANNEL_OPEN_TIMEOUT_MS): Promise<void> {
  const channel = await openWithDeadline(open, timeoutMs);
  if (socket.destroyed) {
    // The client gave up while the channel was opening.
    channel.destroy();
    return;
  }
  socket.resume();
  await splice(socket, channel, stats.counters);
}

/** `open()`, failing after `timeoutMs`; a channel that opens later is closed at once. */
export async function openWithDeadline(open: () => Promise<Duplex>, timeoutMs = DEFAULT_CHANNEL_OPEN_TIMEOUT_MS): Promise<Duplex> {
  const opening = open();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      opening.then((late) => late.destroy(), () => undefined);
      reject(new Error(`the server did not open the channel within ${timeoutMs / 1000} s`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([opening, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface LocalForwardOptions extends ListenOptions {
  readonly host: ForwardingHost;
  readonly spec: LocalForwardSpec;
  readonly log: Logger;
  /** Bound on each connection's channel open; default DEFAULT_CHANNEL_OPEN_TIMEOUT_MS. */
  readonly channelOpenTimeoutMs?: number;
}

export class LocalForward {
  private readonly loop: AcceptLoop;

  private constructor(
    readonly spec: LocalForwardSpec,
    private readonly host: ForwardingHost,
    log: Logger,
    readonly description: string,
    channelOpenTimeoutMs?: number,
  ) {
    this.loop = new AcceptLoop(description, (socket) => forwardSocket(socket, () => this.openChannel(socket), this.loop.stats, channelOpenTimeoutMs), log, formatEndpoint(spec.target));
  }

  /** Binds the listeners (throws ForwardError: port in use, privileged, not allowed) and starts forwarding. */
  static async start(options: LocalForwardOptions): Promise<LocalForward> {
    const description = `local forward ${formatEndpoint(options.spec.listen)} → ${formatEndpoint(options.spec.target)} on ${options.host.name}`;
    const forward = new LocalForward(options.spec, options.host, options.log, description, options.channelOpenTimeoutMs);
    forward.addresses = await forward.loop.listen(options.spec.listen, options);
    options.log.info(`${description}: listening on ${forward.addresses.map(formatEndpoint).join(', ')}`);
    return forward;
  }

  /** What is bound: one address, or 127.0.0.1 and ::1 for `localhost`. */
  addresses: readonly Endpoint[] = [];

  /** The local port actually bound (differs from the spec's when it was 0). */
  get localPort(): number | undefined {
    const first = this.addresses[0];
    return first?.kind === 'tcp' ? first.port : undefined;
  }

  get stats(): TrafficStats {
    return this.loop.stats;
  }

  private async openChannel(socket: net.Socket): Promise<Duplex> {
    const channels = await this.host.channels();
    const target = this.spec.target;
    if (target.kind === 'unix') return channels.openUnix(target.path);
    return channels.openTcp(target.host, target.port, { host: socket.remoteAddress ?? '127.0.0.1', port: socket.remotePort ?? 0 });
  }

  /** Closes the listeners and every forwarded connection. */
  dispose(): Promise<void> {
    return this.loop.dispose();
  }
}
