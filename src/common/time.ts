// The one vocabulary for time and cancellation: every wait in the extension is bounded by
// `withDeadline`, stopped by an AbortSignal through `abortable`, paused with `sleep`, and
// spaced by `backoffDelay`. Plain Node; layers above choose the errors they throw
// (the connection core turns both into SshError: see src/ssh/errors.ts `deadlineErrors`).

/** The default error when no factory is given: what was waited for, and why it stopped. */
export class DeadlineError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'cancelled',
  ) {
    super(message);
    this.name = 'DeadlineError';
  }
}

/** How a layer words a deadline and a cancellation; both default to DeadlineError. */
export interface DeadlineErrors {
  timeout?(what: string, ms: number): Error;
  cancelled?(what: string): Error;
}

export interface DeadlineOptions<T> extends DeadlineErrors {
  /** No timer when undefined: then only the signal ends the wait. */
  readonly ms?: number;
  readonly signal?: AbortSignal;
  /** For the error message: what was being waited for. */
  readonly what: string;
  /** Receives a value that arrived after the deadline or cancellation, so resources opened late are still closed. */
  readonly discardLate?: (value: T) => void;
  /** Called once when the caller stops waiting and the work has not settled yet. */
  readonly onAbandon?: (settled: Promise<unknown>) => void;
}

const timeoutOf = (o: DeadlineErrors, what: string, ms: number) => o.timeout?.(what, ms) ?? new DeadlineError(`${what}: no answer within ${ms} ms`, 'timeout');
const cancelledOf = (o: DeadlineErrors, what: string) => o.cancelled?.(what) ?? new DeadlineError(`${what}: cancelled`, 'cancelled');

/** Bounds `work` by time and by a signal: the returned promise settles exactly once, whichever comes first. */
export function withDeadline<T>(work: Promise<T>, options: DeadlineOptions<T>): Promise<T> {
  const { ms, signal } = options;
  if (ms === undefined && !signal) return work;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const giveUp = (err: Error) => {
      if (done) return;
      done = true;
      cleanup();
      options.onAbandon?.(work.then(() => undefined, () => undefined));
      reject(err);
    };
    const timer = ms === undefined ? undefined : setTimeout(() => giveUp(timeoutOf(options, options.what, ms)), ms);
    const onAbort = () => giveUp(cancelledOf(options, options.what));
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    work.then(
      (value) => {
        if (done) return options.discardLate?.(value);
        done = true;
        cleanup();
        resolve(value);
      },
      (err) => {
        if (done) return;
        done = true;
        cleanup();
        reject(err);
      },
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Rejects as soon as `signal` aborts, without waiting for `work` (a late result goes to `discardLate`). */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, options: Omit<DeadlineOptions<T>, 'ms' | 'signal' | 'timeout'>): Promise<T> {
  return withDeadline(work, { ...options, signal });
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, options: Pick<DeadlineErrors, 'cancelled'> & { what?: string } = {}): Promise<void> {
  const what = options.what ?? 'waiting';
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledOf(options, what));
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledOf(options, what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff: attempt 0 waits `initialDelayMs`, each next one twice as long, never more than `maxDelayMs`. */
export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt));
}
