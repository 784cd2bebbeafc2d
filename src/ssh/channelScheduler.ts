// Session channels (shell, exec, sftp) count against sshd's MaxSessions (default 10);
// the next one fails with "open failed" (reason 2). Instead of failing, callers wait
// here. direct-tcpip/forwarded-tcpip channels do not count and bypass this.
//
// Two kinds of session channel share the slots. Short ones (the SFTP channel, one-shot
// execs such as `id` or `cp`) take any free slot. Long-lived ones (terminals, the watcher,
// language servers) leave room for the SFTP channel and one command and never take the last
// free slot, so however many terminals are asked for, file operations and one-shot commands
// still get through; the long-lived ones wait in FIFO order and are told what they wait for.
import { Emitter } from '../common/event';
import { abortable } from '../common/time';
import { abortError, sshDeadline, SshError } from './errors';

export type ChannelKind = 'short' | 'long-lived';

export interface Slot {
  readonly kind: ChannelKind;
  /** The server opened the channel: it is known to allow this many sessions at once. */
  opened(): void;
  /** Gives the slot back; later calls do nothing. */
  release(): void;
}

/** What a refused session channel means: see ChannelScheduler.refused. */
export type Refusal = 'real' | 'lowered' | 'transient';

/** What a queued request waits for: `inUse` of `limit` session channels are open. */
export interface SlotWait {
  readonly kind: ChannelKind;
  readonly inUse: number;
  readonly limit: number;
  /** Requests of the same kind queued before this one. */
  readonly ahead: number;
}

export interface AcquireOptions {
  /** Default `short`. */
  readonly kind?: ChannelKind;
  readonly signal?: AbortSignal;
  /** Called once if the request has to queue, e.g. so a terminal can say "waiting for a free session (N in use)". */
  readonly onWaiting?: (wait: SlotWait) => void;
}

interface Waiter {
  readonly kind: ChannelKind;
  grant(slot: Slot): void;
  fail(err: Error): void;
}

export class ChannelScheduler {
  private inUse = 0;
  private longInUse = 0;
  /** Channels the server confirmed open now, and the most it has had open at once. */
  private confirmed = 0;
  private proven = 0;
  private readonly queue: Waiter[] = [];
  private readonly waitingChanged = new Emitter<boolean>();
  /** Fires true when a request starts waiting with none queued before, false when the queue empties. */
  readonly onDidChangeWaiting = this.waitingChanged.event;
  private reportedWaiting = false;

  constructor(private limitValue: number) {
    if (!(limitValue >= 1)) throw new RangeError('channel limit must be at least 1');
  }

  get limit(): number {
    return this.limitValue;
  }

  /** Session channels open now (both kinds). */
  get active(): number {
    return this.inUse;
  }

  /** Long-lived session channels open now. */
  get activeLongLived(): number {
    return this.longInUse;
  }

  /** Requests queued (both kinds). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Waits for a free slot of `kind`; rejects with `cancelled` when the signal aborts first. */
  acquire(options: AcquireOptions = {}): Promise<Slot> {
    const kind = options.kind ?? 'short';
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortError('waiting for a channel'));
    if (this.fits(kind) && !this.queue.some((w) => w.kind === kind)) return Promise.resolve(this.take(kind));
    let waiter!: Waiter;
    const granted = new Promise<Slot>((resolve, reject) => (waiter = { kind, grant: resolve, fail: reject }));
    const ahead = this.queue.filter((w) => w.kind === kind).length;
    this.queue.push(waiter);
    this.reportWaiting();
    try {
      options.onWaiting?.({ kind, inUse: this.inUse, limit: this.limitValue, ahead });
    } catch {
      /* a faulty listener must not lose the request */
    }
    return abortable(granted, signal, {
      what: 'waiting for a channel',
      ...sshDeadline(),
      // Cancelled while queued: leave the queue; a slot granted in the same tick goes back.
      onAbandon: () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        this.reportWaiting();
      },
      discardLate: (slot) => slot.release(),
    });
  }

  /**
   * The server refused a session channel while others were open. `real` when nothing else is
   * open (the server refuses sessions as such). `transient` when the server has had more open
   * at once before: sshd frees a closed session's place only after its main loop's next pass,
   * so an open sent right after a close can be refused; try again shortly. Else `lowered`:
   * the server's MaxSessions is below our limit, which now becomes what is open.
   */
  refused(): Refusal {
    // The refused request's own slot is still counted in inUse.
    const open = this.inUse - 1;
    if (open < 1) return 'real';
    if (open < this.proven) return 'transient';
    this.limitValue = Math.min(this.limitValue, open);
    return 'lowered';
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
    this.reportWaiting();
  }

  /**
   * A short channel takes any free slot. Long-lived ones leave two slots to short ones: one for
   * the connection's SFTP channel (opened on first file use, kept open) and one for one-shot
   * commands; and they never take the last free slot. With a limit of 1 or 2 (a server that
   * allows that few sessions) one long-lived channel may take a free slot, since it could
   * never run otherwise.
   */
  private fits(kind: ChannelKind): boolean {
    if (kind === 'short') return this.inUse < this.limitValue;
    if (this.limitValue <= 2) return this.longInUse === 0 && this.inUse < this.limitValue;
    return this.longInUse < this.limitValue - 2 && this.inUse < this.limitValue - 1;
  }

  /** How many long-lived channels may be open at once. */
  get longLivedLimit(): number {
    return this.limitValue <= 2 ? 1 : this.limitValue - 2;
  }

  private take(kind: ChannelKind): Slot {
    this.inUse++;
    if (kind === 'long-lived') this.longInUse++;
    let released = false;
    let opened = false;
    return {
      kind,
      opened: () => {
        if (opened || released) return;
        opened = true;
        this.confirmed++;
        this.proven = Math.max(this.proven, this.confirmed);
      },
      release: () => {
        if (released) return;
        released = true;
        if (opened) this.confirmed--;
        this.inUse--;
        if (kind === 'long-lived') this.longInUse--;
        this.pump();
      },
    };
  }

  /** Grants queued requests in FIFO order, each as soon as its kind fits; a waiting long-lived one never blocks a short one. */
  private pump(): void {
    for (let i = 0; i < this.queue.length && this.inUse < this.limitValue; ) {
      const waiter = this.queue[i];
      if (this.fits(waiter.kind)) {
        this.queue.splice(i, 1);
        waiter.grant(this.take(waiter.kind));
      } else i++;
    }
    this.reportWaiting();
  }

  private reportWaiting(): void {
    const waiting = this.queue.length > 0;
    if (waiting === this.reportedWaiting) return;
    this.reportedWaiting = waiting;
    this.waitingChanged.fire(waiting);
  }
}
