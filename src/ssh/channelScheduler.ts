// Session channels (shell, exec, sftp) count against sshd's MaxSessions (default 10);
// the next one fails with "open failed" (reason 2). Instead of failing, callers wait
// here in FIFO order. direct-tcpip/forwarded-tcpip channels do not count and bypass this.
import { abortError, SshError } from './errors';

export interface Slot {
  release(): void;
}

interface Waiter {
  grant(slot: Slot): void;
  fail(err: Error): void;
}

export class ChannelScheduler {
  private inUse = 0;
  private readonly queue: Waiter[] = [];

  constructor(private limitValue: number) {
    if (!(limitValue >= 1)) throw new RangeError('channel limit must be at least 1');
  }

  get limit(): number {
    return this.limitValue;
  }

  get active(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Waits for a free slot; rejects with `cancelled` when the signal aborts first. */
  acquire(signal?: AbortSignal): Promise<Slot> {
    if (signal?.aborted) return Promise.reject(abortError('waiting for a channel'));
    if (this.inUse < this.limitValue && this.queue.length === 0) return Promise.resolve(this.take());
    return new Promise<Slot>((resolve, reject) => {
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(abortError('waiting for a channel'));
      };
      const waiter: Waiter = {
        grant: (slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(slot);
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /**
   * The server refused a session channel while `active` were open: its real limit is
   * lower than ours. Returns false when nothing is open (then the refusal is real).
   */
  lowerLimitAfterRefusal(): boolean {
    // The refused request's own slot is still counted in inUse.
    const open = this.inUse - 1;
    if (open < 1) return false;
    this.limitValue = Math.min(this.limitValue, open);
    return true;
  }

  /**
   * A new connection starts from the configured limit again (`maxSessions` applies on the next
   * connect); what a refusal taught was about the old one. Waiters get slots a higher limit frees.
   */
  resetLimit(limit: number): void {
    if (!(limit >= 1)) throw new RangeError('channel limit must be at least 1');
    this.limitValue = limit;
    this.pump();
  }

  /** Fails every waiter, e.g. when the connection dies. Slots already granted stay with their owners. */
  failAll(err: SshError): void {
    for (const waiter of this.queue.splice(0)) waiter.fail(err);
  }

  private take(): Slot {
    this.inUse++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inUse--;
        this.pump();
      },
    };
  }

  private pump(): void {
    while (this.inUse < this.limitValue && this.queue.length > 0) {
      this.queue.shift()!.grant(this.take());
    }
  }
}
