/**
 * Measures short intervals (a frame's work, one task's slice) in microseconds.
 *
 * Why not a {@link Clock}: the engine's numbers are single-precision floats, so an
 * absolute time in seconds since start has a resolution of about 0.25 ms after 34
 * minutes and 0.5 ms after 68, too coarse for slicing a 0.5 ms frame budget. A
 * stopwatch only ever hands out the time since its last `restart`, a small number,
 * and the engine adapter takes that difference in C (src/engine/stopwatch.ts).
 */
import type { Clock } from "./clock";

export interface Stopwatch {
  /** Starts a new interval: later `elapsedUs()` calls measure from here. */
  restart(): void;

  /**
   * Microseconds since the last `restart()` (since creation before the first one).
   * Never negative. Precise to about `resolutionUs` for intervals of a few seconds;
   * meant for intervals well under a second.
   */
  elapsedUs(): number;

  /** The smallest step `elapsedUs()` can show, in microseconds (1 with the engine's micro timer). */
  readonly resolutionUs: number;
}

/**
 * A stopwatch that subtracts readings of a clock in seconds. Only as precise as the
 * clock's numbers: fine for tests and for a double-precision host, not for the engine's
 * absolute float clocks (use the engine stopwatch there).
 */
export function stopwatchFromClock(clock: Clock, resolutionUs = 1): Stopwatch {
  let start = clock.now();
  return {
    resolutionUs,
    restart: () => {
      start = clock.now();
    },
    elapsedUs: () => math.max(0, (clock.now() - start) * 1e6),
  };
}
