import type { Clock } from "../../../src/core/clock";

/** A clock that moves only when told: time-dependent code is tested without sleeping. */
export class ManualClock implements Clock {
  /** Readings taken so far (a spec checks that a path reads no clock). */
  reads = 0;

  constructor(private t = 0) {}

  now(): number {
    this.reads += 1;
    return this.t;
  }

  /** Moves time forward by `seconds`. */
  advance(seconds: number): void {
    this.t += seconds;
  }
}
