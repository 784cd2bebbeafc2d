// Input for a remote channel, bounded. A channel takes input only as fast as the server opens
// its window (the remote program reads), while a paste arrives all at once: writes go out one
// at a time, each awaited until the channel drained (pause), the next only then (resume), and
// what waits in between is capped; input past the cap is dropped and counted, never buffered
// without bound.

export const MAX_QUEUED_INPUT_BYTES = 1024 * 1024;

export class WriteQueue {
  private readonly chunks: Buffer[] = [];
  private queuedBytes = 0;
  private droppedBytes = 0;
  private writing = false;
  private closed = false;

  constructor(
    /** Sends one chunk; resolves once the channel can take more (rejects when it is gone). */
    private readonly send: (data: Buffer) => Promise<void>,
    private readonly onDrop: (bytes: number) => void = () => undefined,
    private readonly max = MAX_QUEUED_INPUT_BYTES,
  ) {}

  /** Bytes waiting for the channel. */
  get pending(): number {
    return this.queuedBytes;
  }

  /** Bytes dropped because the queue was full. */
  get dropped(): number {
    return this.droppedBytes;
  }

  /** Queues `data`; false when it was dropped (the queue is full or the channel gone). */
  write(data: Buffer): boolean {
    if (this.closed) return false;
    if (this.queuedBytes + data.length > this.max) {
      this.droppedBytes += data.length;
      this.onDrop(data.length);
      return false;
    }
    this.chunks.push(data);
    this.queuedBytes += data.length;
    void this.pump();
    return true;
  }

  /** The channel is gone: what waits is discarded. */
  close(): void {
    this.closed = true;
    this.chunks.length = 0;
    this.queuedBytes = 0;
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.chunks.length && !this.closed) {
        const chunk = this.chunks.shift()!;
        try {
          await this.send(chunk);
        } catch {
          return this.close();
        } finally {
          this.queuedBytes = Math.max(0, this.queuedBytes - chunk.length);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
