/**
 * What a scheduled task implements (`Work`) and what it is handed each time it runs
 * (`Slice`). Pure: no engine access.
 */

/** The time a step may use, and the frame it runs in. One object, reused every call. */
export interface Slice {
  /**
   * Microseconds this step may still use before it should return (0 or less: return
   * now). Reads the stopwatch, so check it every few units of work, not per item if
   * items are tiny.
   */
  remainingUs(): number;

  /** `remainingUs() <= 0`: save the cursor and return false. */
  expired(): boolean;

  /** Wall-clock seconds of the scheduler's clock at the start of this frame. */
  readonly now: number;

  /** The last game frame given to `Scheduler.setGameFrame` (0 before the game starts). */
  readonly gameFrame: number;
}

/**
 * A unit of scheduled work: a resumable job with its own cursor.
 *
 * A *run* is one complete pass of the work (send what is queued; read one economy
 * sample; scan 10,000 units). The scheduler calls `begin` when a run starts and then
 * `step` in this and later frames until `step` returns true. Each `step` must:
 * - make progress: do at least one unit of work before looking at `slice.expired()`,
 *   or a task with a small share would never advance;
 * - keep its position in its own fields (a cursor), not in a coroutine;
 * - check `slice.expired()` every few units and return false when it is: a step
 *   overruns its allowance by at most the units done since the last check;
 * - not allocate per unit where it can help it (reuse tables).
 * An error raised by `begin` or `step` stops the task for good (`failed`); the
 * scheduler reports it and the other tasks keep running.
 */
export interface Work {
  /** Does a bounded amount of work; true when the current run is finished. */
  step(slice: Slice): boolean;

  /** Optional: a new run starts; reset the cursor here. */
  begin?(slice: Slice): void;
}
