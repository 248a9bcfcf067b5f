/**
 * Exponential backoff: the delay before retry n is `initial * 2^(n-1)`, capped at
 * `max`. Pure: the caller decides when time has passed.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private initial: number,
    private max: number,
  ) {}

  /** Records a failure and returns how long to wait before the next attempt. */
  next(): number {
    this.failures += 1;
    return this.peek();
  }

  /** The delay the latest failure called for (the initial delay before any failure). */
  peek(): number {
    let delay = this.initial;
    // Doubling stops at the cap, so the loop runs at most log2(max/initial) times and
    // the value never grows past float precision however long the streak lasts.
    for (let i = 1; i < this.failures && delay < this.max; i++) {
      delay *= 2;
    }
    return math.min(delay, this.max);
  }

  /** Failures since the last success. */
  streak(): number {
    return this.failures;
  }

  reset(): void {
    this.failures = 0;
  }

  configure(initial: number, max: number): void {
    this.initial = initial;
    this.max = max;
  }
}
