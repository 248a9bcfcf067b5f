// Lines and bytes per second over a sliding window, in one-second buckets; the clock is
// passed in so tests control time.
export class RateMeter {
  private readonly buckets: { second: number; lines: number; bytes: number }[] = [];
  constructor(private readonly windowSeconds = 10) {}

  add(now: number, bytes: number): void {
    const second = Math.floor(now / 1000);
    let last = this.buckets[this.buckets.length - 1];
    if (!last || last.second !== second) {
      last = { second, lines: 0, bytes: 0 };
      this.buckets.push(last);
      this.prune(second);
    }
    last.lines++;
    last.bytes += bytes;
  }

  /** Averages over the last full window (the current second included). */
  rates(now: number): { linesPerSecond: number; bytesPerSecond: number } {
    const second = Math.floor(now / 1000);
    this.prune(second);
    let lines = 0;
    let bytes = 0;
    for (const bucket of this.buckets) {
      lines += bucket.lines;
      bytes += bucket.bytes;
    }
    return {
      linesPerSecond: lines / this.windowSeconds,
      bytesPerSecond: bytes / this.windowSeconds,
    };
  }

  private prune(second: number): void {
    while (this.buckets.length && this.buckets[0]!.second <= second - this.windowSeconds) {
      this.buckets.shift();
    }
  }
}
