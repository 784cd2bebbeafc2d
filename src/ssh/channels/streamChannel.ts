// A direct-tcpip or forwarded-tcpip channel (port forwards, ProxyJump): a byte stream with
// back-pressure both ways, shaped as a Node Duplex so it pipes to and from a socket. These
// channels do not count against MaxSessions. The channel is destroyed when its owner disposes
// it or the connection drops; `closed` settles exactly once either way.
import { Duplex } from 'stream';
import { Event } from '../../common/event';
import { IDisposable } from '../../common/disposable';
import { SshError } from '../errors';

export class StreamChannel implements IDisposable {
  private isClosed = false;
  private readonly settle: () => void;
  private readonly connectionSub: IDisposable;
  /** Settles exactly once, when the channel has closed or been destroyed (never rejects). */
  readonly closed: Promise<void>;

  constructor(
    /** The channel's bytes: write to send, read (or pipe) what the far end sends; end() half-closes. */
    readonly stream: Duplex,
    onConnectionClosed: Event<SshError | undefined>,
  ) {
    let settle!: () => void;
    this.closed = new Promise((resolve) => (settle = resolve));
    this.settle = settle;
    stream.once('close', () => this.finish());
    this.connectionSub = onConnectionClosed(() => this.dispose());
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  dispose(): void {
    if (this.isClosed) return;
    this.stream.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.connectionSub.dispose();
    this.settle();
  }
}
