/**
 * The engine's stopwatch: intervals measured with the engine's timers, whose
 * difference is taken in C, so a 50 µs slice reads as 50 µs however long the game
 * has run (an absolute float clock has 0.5 ms steps after 68 minutes).
 *
 * Engine facts (Recoil: rts/Lua/LuaUnsyncedRead.cpp, PushTimer, GetTimer,
 * GetTimerMicros, DiffTimers):
 * - `Spring.GetTimer()` holds whole **milliseconds** since the engine's epoch, so it
 *   cannot slice a 0.5 ms budget; `Spring.GetTimerMicros()` holds whole microseconds.
 *   Both are light userdata: reading them allocates nothing.
 * - `Spring.DiffTimers(later, earlier, inMilliseconds, fromMicros)` subtracts the two
 *   as unsigned 64-bit integers, then converts to a float in seconds, or in
 *   milliseconds when `inMilliseconds` is true; `fromMicros` must be true for timers
 *   from `GetTimerMicros` (otherwise they are read as milliseconds).
 */
import { Stopwatch, stopwatchFromClock } from "../core/stopwatch";

/** GetTimerMicros + DiffTimers(now, start, true, true): 1 µs steps. */
class MicroTimerStopwatch implements Stopwatch {
  readonly resolutionUs = 1;
  private start = Spring.GetTimerMicros();

  restart(): void {
    this.start = Spring.GetTimerMicros();
  }

  elapsedUs(): number {
    return Spring.DiffTimers(Spring.GetTimerMicros(), this.start, true, true) * 1000;
  }
}

/** GetTimer + DiffTimers(now, start, true): for engines without GetTimerMicros, 1 ms steps. */
class MilliTimerStopwatch implements Stopwatch {
  readonly resolutionUs = 1000;
  private start = Spring.GetTimer();

  restart(): void {
    this.start = Spring.GetTimer();
  }

  elapsedUs(): number {
    return Spring.DiffTimers(Spring.GetTimer(), this.start, true) * 1000;
  }
}

/**
 * The most precise stopwatch this engine offers: the micro timer, else the milli timer,
 * else (outside the engine) `os.clock()` differences.
 */
export function createEngineStopwatch(): Stopwatch {
  if (typeof Spring.DiffTimers === "function") {
    if (typeof Spring.GetTimerMicros === "function") return new MicroTimerStopwatch();
    if (typeof Spring.GetTimer === "function") return new MilliTimerStopwatch();
  }
  return stopwatchFromClock({ now: () => os.clock() });
}
