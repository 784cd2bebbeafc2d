// A bounded work queue for one operation: at most `width` jobs run at once however many jobs
// add more jobs (a tree walk), and the first failure stops it: nothing starts after it.

export class WorkQueue {
  /** Jobs not started yet; taken from the end (last in, first out: a tree walk goes deep first and its frontier stays small). */
  private readonly waiting: Array<() => Promise<void>> = [];
  private running = 0;
  private failure: { err: unknown } | undefined;
  private readonly idle: Promise<void>;
  private settle!: (failure: { err: unknown } | undefined) => void;
  private readonly onAbort = () => this.fail(this.abortReason());

  constructor(
    private readonly width: number,
    private readonly signal?: AbortSignal,
    private readonly abortReason: () => unknown = () => new Error('cancelled'),
  ) {
    this.idle = new Promise<{ err: unknown } | undefined>((resolve) => (this.settle = resolve)).then((f) => {
      if (f) throw f.err;
    });
    this.idle.catch(() => undefined); // observed through done()
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** True once a job failed (or the signal aborted): later `add`s are dropped. */
  get stopped(): boolean {
    return this.failure !== undefined;
  }

  /** Queues a job; it starts when fewer than `width` jobs run. */
  add(job: () => Promise<void>): void {
    if (this.failure) return;
    this.waiting.push(job);
    this.pump();
  }

  /**
   * Runs the queue until every job (and every job they add) has finished. Rejects with the first
   * failure, but only once the jobs running at that moment have settled: when it rejects, the
   * operation has stopped.
   */
  async run(first: () => Promise<void>): Promise<void> {
    if (this.signal?.aborted) this.fail(this.abortReason());
    this.add(first);
    this.settleIfIdle();
    try {
      await this.idle;
    } finally {
      this.signal?.removeEventListener('abort', this.onAbort);
    }
  }

  private pump(): void {
    while (!this.failure && this.running < this.width && this.waiting.length) {
      const job = this.waiting.pop()!;
      this.running++;
      let started: Promise<void>;
      try {
        started = job();
      } catch (err) {
        started = Promise.reject(err);
      }
      started.then(
        () => this.finished(),
        (err: unknown) => {
          this.fail(err);
          this.finished();
        },
      );
    }
  }

  private finished(): void {
    this.running--;
    this.pump();
    this.settleIfIdle();
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    this.failure = { err };
    this.waiting.length = 0;
    this.settleIfIdle();
  }

  private settleIfIdle(): void {
    if (this.running === 0 && this.waiting.length === 0) this.settle(this.failure);
  }
}
