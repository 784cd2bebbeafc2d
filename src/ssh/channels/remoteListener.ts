// A remote forward (`-R`, RFC 4254 §7.1 tcpip-forward): the server listens and hands each
// connection to us as a forwarded-tcpip channel. The listener stops (cancel-tcpip-forward)
// when its owner disposes it; connections nobody takes are refused, not left open.
import { Emitter, Event } from '../../common/event';
import { IDisposable } from '../../common/disposable';
import { StreamChannel } from './streamChannel';

/** A connection the server accepted on a remote listener, not yet taken. */
export interface IncomingConnection {
  /** Who connected, as the server saw it. */
  readonly srcIP: string;
  readonly srcPort: number;
  /** Take it: the stream channel is the caller's to dispose. */
  accept(): StreamChannel;
  reject(): void;
}

export class RemoteListener implements IDisposable {
  private readonly incoming = new Emitter<IncomingConnection>();
  private disposed = false;
  /** Fires for each connection; exactly one listener should accept or reject it. */
  readonly onConnection: Event<IncomingConnection>;
  private listeners = 0;

  constructor(
    /** The address the server listens on, as requested (`127.0.0.1`, `localhost`, `0.0.0.0`, …). */
    readonly bindAddress: string,
    /** The port the server listens on (the one it chose, when 0 was asked for). */
    readonly port: number,
    private readonly stop: () => void,
  ) {
    const subscribe = this.incoming.event;
    this.onConnection = (listener) => {
      this.listeners++;
      const sub = subscribe(listener);
      return { dispose: () => (sub.dispose(), this.listeners--) };
    };
  }

  /** Called by the connection for each forwarded-tcpip channel the server opens to this listener. */
  deliver(connection: IncomingConnection): void {
    if (this.disposed || this.listeners === 0) return connection.reject();
    this.incoming.fire(connection);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.incoming.dispose();
    this.stop();
  }
}
