// Bounds a promise by time and by an AbortSignal. What the work produces after the caller
// gave up is handed to `discardLate`, so resources opened late are still closed.

export class DeadlineError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'cancelled',
  ) {
    super(message);
    this.name = 'DeadlineError';
  }
}

export interface DeadlineOptions<T> {
  readonly ms: number;
  readonly signal?: AbortSignal;
  /** For the error message: what was being waited for. */
  readonly what: string;
  /** Receives a value that arrived after the deadline or cancellation. */
  readonly discardLate?: (value: T) => void;
  /** Called once when the caller stops waiting and the work has not settled yet. */
  readonly onAbandon?: (settled: Promise<unknown>) => void;
}

export function withDeadline<T>(work: Promise<T>, options: DeadlineOptions<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const giveUp = (err: DeadlineError) => {
      if (done) return;
      done = true;
      cleanup();
      options.onAbandon?.(work.then(() => undefined, () => undefined));
      reject(err);
    };
    const timer = setTimeout(() => giveUp(new DeadlineError(`${options.what}: no answer within ${options.ms} ms`, 'timeout')), options.ms);
    const onAbort = () => giveUp(new DeadlineError(`${options.what}: cancelled`, 'cancelled'));
    const cleanup = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
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
  });
}
