// A dynamic forward (-D): a local SOCKS5 proxy whose every CONNECT becomes a direct-tcpip
// channel on the host's connection. Names are resolved by the server, as with ssh -D.
import * as net from 'net';
import { Logger } from '../common/log';
import { ChannelOpenError, ForwardingHost } from './connectionPort';
import { DynamicForwardSpec, formatEndpoint, Endpoint } from './forwardSpec';
import { AcceptLoop, openWithDeadline } from './localForward';
import { ListenOptions } from './localListeners';
import { splice } from './splice';
import { acceptSocks5, reply, SOCKS_REPLY } from './socks5';
import { TrafficStats } from './trafficStats';

export interface DynamicForwardOptions extends ListenOptions {
  readonly host: ForwardingHost;
  readonly spec: DynamicForwardSpec;
  readonly log: Logger;
  /** Bound on the SOCKS handshake of each client. */
  readonly handshakeTimeoutMs?: number;
  /** Bound on each CONNECT's channel open. */
  readonly channelOpenTimeoutMs?: number;
}

export class DynamicForward {
  private readonly loop: AcceptLoop;
  addresses: readonly Endpoint[] = [];

  private constructor(
    readonly spec: DynamicForwardSpec,
    private readonly options: DynamicForwardOptions,
    readonly description: string,
  ) {
    this.loop = new AcceptLoop(description, (socket, setTarget) => this.serve(socket, setTarget), options.log, 'a SOCKS client');
  }

  static async start(options: DynamicForwardOptions): Promise<DynamicForward> {
    const description = `dynamic forward (SOCKS5) ${formatEndpoint(options.spec.listen)} on ${options.host.name}`;
    const forward = new DynamicForward(options.spec, options, description);
    forward.addresses = await forward.loop.listen(options.spec.listen, options);
    options.log.info(`${description}: listening on ${forward.addresses.map(formatEndpoint).join(', ')}`);
    return forward;
  }

  get localPort(): number | undefined {
    const first = this.addresses[0];
    return first?.kind === 'tcp' ? first.port : undefined;
  }

  get stats(): TrafficStats {
    return this.loop.stats;
  }

  private async serve(socket: net.Socket, setTarget: (target: string) => void): Promise<void> {
    const target = await acceptSocks5(socket, this.options.handshakeTimeoutMs);
    setTarget(formatEndpoint({ kind: 'tcp', ...target }));
    let channel;
    try {
      const channels = await this.options.host.channels();
      channel = await openWithDeadline(() => channels.openTcp(target.host, target.port, { host: socket.remoteAddress ?? '127.0.0.1', port: socket.remotePort ?? 0 }), this.options.channelOpenTimeoutMs);
    } catch (err) {
      reply(socket, replyCode(err));
      throw err;
    }
    if (socket.destroyed) return void channel.destroy();
    reply(socket, SOCKS_REPLY.succeeded);
    await splice(socket, channel, this.loop.stats.counters);
  }

  dispose(): Promise<void> {
    return this.loop.dispose();
  }
}

function replyCode(err: unknown): number {
  if (!(err instanceof ChannelOpenError)) return SOCKS_REPLY.generalFailure;
  switch (err.failure) {
    case 'prohibited':
      return SOCKS_REPLY.notAllowed;
    case 'connect-failed':
      // OpenSSH reports every failed connect the same way (CONNECT_FAILED + strerror).
      return SOCKS_REPLY.connectionRefused;
    case 'unavailable':
      return SOCKS_REPLY.networkUnreachable;
    default:
      return SOCKS_REPLY.generalFailure;
  }
}
