/**
 * How collectors are driven, shaped so that the frame-budget scheduler (src/sched) can
 * run them as they are: a `Budget` is what the scheduler's `Slice` offers (a slice is
 * assignable to it), and a `Job` is its `Work` (begin a run, then step until true).
 */

/** The time a step may use, and when it runs. */
export interface Budget {
  /** True when the step should save its cursor and return. */
  expired(): boolean;
  /** Wall-clock seconds at the start of this frame. */
  readonly now: number;
  /** The current game frame (0 before the start). */
  readonly gameFrame: number;
}

/**
 * A resumable job: `begin` starts a run, `step` does a bounded amount of work and
 * returns true when the run is finished. The cursor lives in the job's fields.
 * `step` does at least one unit of work before looking at `budget.expired()`.
 */
export interface Job {
  begin?(budget: Budget): void;
  step(budget: Budget): boolean;
}

/** Where a job runs among the others (the scheduler's priorities). */
export type JobKind = "events" | "periodic" | "background";

/**
 * A job and how often a run may start: the lead registers each with the scheduler
 * (`everySeconds` limits in wall-clock time, `everyFrames` in game frames; both apply).
 */
export interface JobSpec {
  name: string;
  kind: JobKind;
  job: Job;
  everySeconds?: number;
  everyFrames?: number;
  /** One run, then done (the catalog). */
  once?: boolean;
}

/** Game frames per game second (`Game.gameSpeed`). */
export const FRAMES_PER_SECOND = 30;

/**
 * Decides when a periodic run may start without a scheduler: at most once per
 * `everySeconds` of wall-clock time and once per `everyFrames` game frames (when set).
 */
export class Cadence {
  private lastNow: number | undefined;
  private lastFrame: number | undefined;

  constructor(
    public everySeconds: number,
    public everyFrames = 0,
  ) {}

  /** True (and the run counted as started) when both limits allow a run now. */
  due(now: number, frame: number): boolean {
    if (this.lastNow !== undefined && now - this.lastNow < this.everySeconds) return false;
    if (
      this.everyFrames > 0 &&
      this.lastFrame !== undefined &&
      frame - this.lastFrame < this.everyFrames
    ) {
      return false;
    }
    this.lastNow = now;
    this.lastFrame = frame;
    return true;
  }

  reset(): void {
    this.lastNow = undefined;
    this.lastFrame = undefined;
  }
}
