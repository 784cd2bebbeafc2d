// `code <file>` in a sandbox terminal asks the editor to open something. The remote writes
// those requests (it knows the terminal's nonce), so a hostile or looping program could ask
// thousands of times: a small token bucket lets a person's pace through and drops the rest.
export class OpenThrottle {
  private tokens: number;
  private last: number;
  private dropped = 0;

  constructor(
    private readonly burst = 5,
    private readonly perSecond = 1,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** True when this request may go through; false when it is dropped. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.dropped++;
    return false;
  }

  /** Requests dropped so far. */
  get droppedCount(): number {
    return this.dropped;
  }
}
