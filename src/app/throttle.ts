/**
 * The frame-rate guard: when the widget's own work fills its frame budget, what waits
 * for the receiver keeps growing, or the game's changes pile up faster than they are
 * sent (or are dropped at the queue's bound), it collects less, step by step, and gives it
 * back once the pressure is gone. Pure: the app hands it the figures every
 * `WINDOW_SECONDS` and applies the step it is at (`shape`).
 *
 * Steps: 0 as set; 1 periodic rates halved (intervals x2); 2 quartered (x4); 3 also
 * capped at `standard` detail (no positions, no damage); 4 capped at `minimal` (no
 * unit counts, no events). One step up after `UP_AFTER` windows under pressure in a
 * row, one step down after `DOWN_AFTER` calm windows in a row: it never flaps within
 * a few seconds.
 */
import { capAtLevel } from "../collect/detail";
import { CollectSettings, COLLECT_SETTINGS } from "../collect/settings";

/** Seconds of each look at the figures. */
export const WINDOW_SECONDS = 2;
const UP_AFTER = 3;
const DOWN_AFTER = 5;
/** Mean cost per frame, as a share of the budget, that counts as a full budget. */
const FULL_BUDGET = 0.9;
/** Bytes waiting below which growth is not pressure (a burst the socket will take). */
const QUEUE_FLOOR = 256 * 1024;
/**
 * Changes waiting to be made messages below which growth is not pressure (a few seconds
 * of a big battle's events, that a `units` message encoded across frames holds up). The
 * sender works within its share of the budget: when a battle records more than it can
 * produce, the queue grows to its bound and drops, while the frame cost stays in budget.
 */
const CHANGES_FLOOR = 2000;

interface Step {
  /** Periodic intervals are multiplied by this (within their maximum). */
  intervals: number;
  /** Detail index the collection is capped at (2: full, no cap). */
  cap: number;
  /** For people. */
  words: string;
}

export const THROTTLE_STEPS: readonly Step[] = [
  { intervals: 1, cap: 2, words: "collecting as set" },
  { intervals: 2, cap: 2, words: "periodic data at half rate" },
  { intervals: 4, cap: 2, words: "periodic data at a quarter rate" },
  { intervals: 4, cap: 1, words: "a quarter rate, without positions and damage" },
  { intervals: 4, cap: 0, words: "a quarter rate, only game, economy and statistics" },
];

/** The periodic rates a step stretches. */
const RATE_KEYS = [
  "economySeconds",
  "unitsSeconds",
  "statsSeconds",
  "positionsSeconds",
  "damageSeconds",
  "reconcileSeconds",
] as const;

export type Pressure = "frame budget" | "backlog growing" | "changes piling up";

export class Throttle {
  /** The step in force (0: none). */
  level = 0;
  /** Why the last step up was taken. */
  reason: Pressure | undefined;
  private pressured = 0;
  private calm = 0;
  private lastQueued = 0;
  private lastWaiting = 0;
  private lastDropped = 0;

  /**
   * One window's figures: the mean cost per frame and the budget (µs), the bytes
   * produced for the connection and not yet written, the changes recorded and not yet
   * made messages, and those dropped unread so far (a running total). Returns +1 or -1
   * when the step changed, else 0.
   */
  observe(
    meanUs: number,
    budgetUs: number,
    unsentBytes: number,
    waitingChanges = 0,
    droppedChanges = 0,
  ): number {
    const growing = unsentBytes > QUEUE_FLOOR && unsentBytes > this.lastQueued;
    this.lastQueued = unsentBytes;
    // A full queue stops growing (each new change drops the oldest): drops count too.
    const piling =
      (waitingChanges > CHANGES_FLOOR && waitingChanges > this.lastWaiting) ||
      droppedChanges > this.lastDropped;
    this.lastWaiting = waitingChanges;
    this.lastDropped = droppedChanges;
    const pressure: Pressure | undefined =
      meanUs >= FULL_BUDGET * budgetUs
        ? "frame budget"
        : growing
          ? "backlog growing"
          : piling
            ? "changes piling up"
            : undefined;
    if (pressure !== undefined) {
      this.calm = 0;
      this.pressured += 1;
      if (this.pressured >= UP_AFTER && this.level < THROTTLE_STEPS.length - 1) {
        this.pressured = 0;
        this.level += 1;
        this.reason = pressure;
        return 1;
      }
      return 0;
    }
    this.pressured = 0;
    this.calm += 1;
    if (this.calm >= DOWN_AFTER && this.level > 0) {
      this.calm = 0;
      this.level -= 1;
      return -1;
    }
    return 0;
  }

  /** Applies the step in force to the collection's settings (in place). */
  shape(settings: CollectSettings): void {
    const step = THROTTLE_STEPS[this.level];
    if (step.intervals !== 1) {
      for (const key of RATE_KEYS) {
        settings[key] = math.min(settings[key] * step.intervals, COLLECT_SETTINGS[key].max);
      }
    }
    if (step.cap < 2) capAtLevel(settings, step.cap);
  }

  /** For people: "periodic data at half rate". */
  describe(): string {
    return THROTTLE_STEPS[this.level].words;
  }
}
