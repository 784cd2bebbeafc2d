// Keys typed while the shell channel is still opening are kept and sent once it is open,
// in order. Bounded: a paste of megabytes into a terminal that never opens is not held forever.

export const MAX_PENDING_INPUT_BYTES = 64 * 1024;

export class PendingInput {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private droppedBytes = 0;
  private sink: ((data: Buffer) => void) | undefined;

  /** Bytes dropped because the buffer was full (reported once the channel opens). */
  get dropped(): number {
    return this.droppedBytes;
  }

  write(data: Buffer): void {
    if (this.sink) return this.sink(data);
    if (this.bytes + data.length > MAX_PENDING_INPUT_BYTES) {
      this.droppedBytes += data.length;
      return;
    }
    this.chunks.push(data);
    this.bytes += data.length;
  }

  /** From now on input goes straight to `sink`; what was held goes first. */
  connect(sink: (data: Buffer) => void): void {
    const held = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    if (held.length) sink(Buffer.concat(held));
    this.sink = sink;
  }

  /** The channel is gone: nothing more is sent. */
  disconnect(): void {
    this.sink = undefined;
    this.chunks = [];
    this.bytes = 0;
  }
}
