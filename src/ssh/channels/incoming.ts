// One readable side of a session channel (stdout or stderr) as an event. ssh2 emits a
// channel's 'close' only after its stdout ended, and stops the peer's window when a stream
// is not read: so both are always read. Chunks that arrive before anyone listens are kept
// (up to a bound, then the stream pauses: back-pressure to the server) and handed to the
// first listener, so a caller that subscribes a few ticks after the open loses nothing.
import { Readable } from 'stream';
import { Event, Listener } from '../../common/event';

/** Kept for a late first listener before the stream pauses. */
const EARLY_BYTES = 1024 * 1024;

export class Incoming {
  private readonly listeners = new Set<Listener<Buffer>>();
  private early: Buffer[] | undefined = [];
  private earlyBytes = 0;
  private discarding = false;

  constructor(private readonly stream: Readable) {
    stream.on('data', (chunk: Buffer) => this.push(chunk));
    // An error on a stream of a closing channel is not for us: the channel's close says the rest.
    stream.on('error', () => undefined);
  }

  /** Chunks as they arrive; the first listener also gets those that came before it. */
  readonly event: Event<Buffer> = (listener) => {
    this.listeners.add(listener);
    const early = this.early;
    if (early) {
      this.early = undefined;
      for (const chunk of early) this.deliver(listener, chunk);
      if (this.stream.isPaused()) this.stream.resume();
    }
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Nobody will read any more (the channel is closing): drop what comes so the stream can end. */
  discard(): void {
    this.discarding = true;
    this.early = undefined;
    if (this.stream.isPaused()) this.stream.resume();
  }

  private push(chunk: Buffer): void {
    if (this.discarding) return;
    if (this.early) {
      this.early.push(chunk);
      this.earlyBytes += chunk.length;
      if (this.earlyBytes >= EARLY_BYTES) this.stream.pause();
      return;
    }
    for (const listener of [...this.listeners]) this.deliver(listener, chunk);
  }

  private deliver(listener: Listener<Buffer>, chunk: Buffer): void {
    try {
      listener(chunk);
    } catch {
      // A faulty listener must not break the channel or the other listeners.
    }
  }
}
