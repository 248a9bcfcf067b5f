/**
 * Time from the engine. The engine's numbers are single-precision floats, so
 * `socket.gettime()` and `os.time()` (about 1.7e9) have a resolution of minutes.
 * `Spring.DiffTimers` subtracts in C before converting, so seconds since the widget
 * started stay precise; `os.clock` (wall-clock seconds since the engine started, in
 * Recoil) is the fallback.
 */
import type { Clock } from "../core/clock";

export function createEngineClock(): Clock {
  if (typeof Spring.GetTimer === "function" && typeof Spring.DiffTimers === "function") {
    // Read once: a reading then costs no lookups of the global `Spring` (several a frame).
    const getTimer = Spring.GetTimer;
    const diffTimers = Spring.DiffTimers;
    const start = getTimer();
    return { now: () => diffTimers(getTimer(), start) };
  }
  return { now: () => os.clock() };
}

/** Time of day for log lines: os.date formats it in C, so float numbers do not matter. */
export function timeOfDay(this: void): string {
  return os.date("%H:%M:%S");
}
