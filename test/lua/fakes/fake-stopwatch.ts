import type { Stopwatch } from "../../../src/core/stopwatch";

/**
 * A stopwatch whose time moves only when told (`spend`): work under test "costs"
 * exactly what it says, so budgets are checked without real timing.
 */
export class FakeStopwatch implements Stopwatch {
  readonly resolutionUs = 1;
  /** µs since creation. */
  private t = 0;
  private start = 0;
  /** How many times the time was read, and the stopwatch restarted. */
  reads = 0;
  restarts = 0;

  /** `costPerReadUs`: time that passes with every read (a step's work between its looks). */
  constructor(private readonly costPerReadUs = 0) {}

  restart(): void {
    this.restarts += 1;
    this.start = this.t;
  }

  elapsedUs(): number {
    this.reads += 1;
    this.t += this.costPerReadUs;
    return this.t - this.start;
  }

  /** Lets `us` microseconds pass (the cost of the work being done). */
  spend(us: number): void {
    this.t += us;
  }
}
