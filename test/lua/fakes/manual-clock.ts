import type { Clock } from "../../../src/core/clock";

/** A clock that moves only when told: time-dependent code is tested without sleeping. */
export class ManualClock implements Clock {
  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  /** Moves time forward by `seconds`. */
  advance(seconds: number): void {
    this.t += seconds;
  }
}
