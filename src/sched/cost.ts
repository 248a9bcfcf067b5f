/**
 * Sums of microseconds that stay precise with single-precision numbers, and the
 * shape of the scheduler's cost report.
 */

/**
 * Accumulates per-frame costs in microseconds: count, total, max. The total is kept as
 * whole seconds plus a remainder under a second, so adding 0.5 ms every frame for
 * hours stays precise to well under a microsecond per frame even as a float (a plain
 * float sum would stop growing by small amounts past 2^24 µs, about 17 s).
 */
export class CostMeter {
  /** Values added. */
  count = 0;
  /** Largest value added, µs. */
  maxUs = 0;
  private wholeSeconds = 0;
  private remainderUs = 0;

  add(us: number): void {
    this.addFrames(1, us, us);
  }

  /** Counts `frames` values adding up to `totalUs`, the largest `maxUs`. */
  addFrames(frames: number, totalUs: number, maxUs: number): void {
    this.count += frames;
    if (maxUs > this.maxUs) this.maxUs = maxUs;
    let r = this.remainderUs + totalUs;
    if (r >= 1e6) {
      const carry = math.floor(r / 1e6);
      this.wholeSeconds += carry;
      r -= carry * 1e6;
    }
    this.remainderUs = r;
  }

  /** Counts `frames` values of 0 (frames in which nothing ran). */
  addIdle(frames: number): void {
    this.count += frames;
  }

  /** Sum of the values added, µs. */
  totalUs(): number {
    return this.wholeSeconds * 1e6 + this.remainderUs;
  }

  reset(): void {
    this.count = 0;
    this.maxUs = 0;
    this.wholeSeconds = 0;
    this.remainderUs = 0;
  }
}

/** Where a task stands. */
export type TaskState = "waiting" | "running" | "paused" | "failed" | "done";

/** One task's cost since the report was last reset. Times in microseconds. */
export interface TaskCost {
  name: string;
  priority: number;
  /** Its part of the budget after scaling (0-1). */
  share: number;
  state: TaskState;
  /** Frames in which it ran. */
  frames: number;
  /** Its time per frame, averaged over all frames of the report (so the tasks' means add up to the frame mean). */
  meanUs: number;
  /** Its most expensive frame. */
  maxUs: number;
  /** Frames it pushed over the budget: the first step to end past it in that frame. */
  overBudget: number;
  /** Runs it finished. */
  completed: number;
  /** The error that stopped it, when `state` is "failed". */
  error?: string;
}

/** The scheduler's cost since the report was last reset. Times in microseconds. */
export interface CostReport {
  /** The per-frame budget now. */
  budgetUs: number;
  /** Frames the scheduler ran with at least one task. */
  frames: number;
  /**
   * Mean time per frame, each from its first step's start to its last step's end (the
   * scheduler's own time between steps included; 0 for a frame in which no step ran).
   */
  meanUs: number;
  maxUs: number;
  /** Frames that took longer than the budget. */
  overBudget: number;
  /** In the order they run. */
  tasks: TaskCost[];
}
