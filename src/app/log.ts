/**
 * Leveled, prefixed, timestamped and rate-limited console logging. Pure: the line
 * sink, the clock and the wall-clock stamp are injected.
 *
 * Two limits keep the console readable during a long outage:
 * - a message given a key (e.g. "connection refused") prints once per streak of that
 *   key; repeats are counted and summarised when the streak ends, with a reminder
 *   after `reminderInterval` seconds;
 * - a token bucket caps everything else, so no bug can flood the console. The count
 *   of lines it dropped rides on the next line it lets through, so its notices never
 *   take room of their own.
 */
import type { Clock } from "../core/clock";

export type LogLevelName = "error" | "warn" | "info" | "debug";
export const LOG_LEVEL_NAMES: readonly LogLevelName[] = ["error", "warn", "info", "debug"];

const LEVEL_RANK: Record<LogLevelName, number> = { error: 1, warn: 2, info: 3, debug: 4 };
const LEVEL_LABEL: Record<LogLevelName, string> = {
  error: "error: ",
  warn: "warning: ",
  info: "",
  debug: "debug: ",
};

export const LOG_PREFIX = "[Live Data Export]";

export interface LoggerOptions {
  sink: (this: void, line: string) => void;
  clock: Clock;
  /** Wall-clock time of day for the line, e.g. "14:03:22". */
  stamp: (this: void) => string;
  level: LogLevelName;
  /** Seconds between reminders of a message that keeps repeating. */
  reminderInterval?: number;
  /** Lines allowed in a burst, and lines regained per second. */
  burst?: number;
  refillPerSecond?: number;
}

export class Logger {
  private rank: number;
  private readonly reminderInterval: number;
  private readonly burst: number;
  private readonly refillPerSecond: number;

  private tokens: number;
  private tokensUpdatedAt: number;
  private droppedByBudget = 0;

  private streakKey: string | undefined;
  private streakLevel: LogLevelName = "info";
  private streakMessage = "";
  private streakSuppressed = 0;
  private streakPrintedAt = 0;

  constructor(private readonly options: LoggerOptions) {
    this.rank = LEVEL_RANK[options.level];
    this.reminderInterval = options.reminderInterval ?? 60;
    this.burst = options.burst ?? 20;
    this.refillPerSecond = options.refillPerSecond ?? 1;
    this.tokens = this.burst;
    this.tokensUpdatedAt = options.clock.now();
  }

  setLevel(level: LogLevelName): void {
    this.rank = LEVEL_RANK[level];
  }

  enabled(level: LogLevelName): boolean {
    return LEVEL_RANK[level] <= this.rank;
  }

  error(message: string): void {
    this.log("error", message);
  }
  warn(message: string): void {
    this.log("warn", message);
  }
  info(message: string): void {
    this.log("info", message);
  }
  debug(message: string): void {
    this.log("debug", message);
  }

  log(level: LogLevelName, message: string): void {
    if (this.enabled(level)) {
      this.emit(level, message);
    }
  }

  /**
   * Logs a message that may repeat many times in a row (one per reconnect attempt):
   * the first of a streak prints, repeats are counted, and a reminder with the count
   * prints every `reminderInterval` seconds. A different key ends the streak.
   */
  repeating(level: LogLevelName, key: string, message: string): void {
    if (!this.enabled(level)) {
      return;
    }
    const now = this.options.clock.now();
    if (key === this.streakKey) {
      this.streakSuppressed += 1;
      this.streakMessage = message;
      if (now - this.streakPrintedAt >= this.reminderInterval) {
        this.emit(level, `${message} (${this.streakSuppressed} times since the last report)`);
        this.streakSuppressed = 0;
        this.streakPrintedAt = now;
      }
      return;
    }
    this.endStreak();
    this.streakKey = key;
    this.streakLevel = level;
    this.streakMessage = message;
    this.streakSuppressed = 0;
    this.streakPrintedAt = now;
    this.emit(level, message);
  }

  /** The key of the streak in progress, if any. */
  streak(): string | undefined {
    return this.streakKey;
  }

  /** Ends the current streak, printing how often its message was held back. */
  endStreak(): void {
    if (this.streakKey !== undefined && this.streakSuppressed > 0) {
      const times = this.streakSuppressed === 1 ? "once" : `${this.streakSuppressed} times`;
      this.emit(
        this.streakLevel,
        `(the last message repeated ${times} more: ${this.streakMessage})`,
      );
    }
    this.streakKey = undefined;
    this.streakSuppressed = 0;
  }

  /** Replies to a command the player typed: no timestamp and never rate-limited. */
  reply(message: string): void {
    this.options.sink(`${LOG_PREFIX} ${message}`);
  }

  private emit(level: LogLevelName, message: string): void {
    if (!this.takeToken()) {
      this.droppedByBudget += 1;
      return;
    }
    if (this.droppedByBudget > 0) {
      const dropped = this.droppedByBudget;
      this.droppedByBudget = 0;
      const lines = dropped === 1 ? "1 line" : `${dropped} lines`;
      message = `${message} (${lines} before this dropped to avoid flooding the console)`;
    }
    this.write(level, message);
  }

  private write(level: LogLevelName, message: string): void {
    this.options.sink(`${LOG_PREFIX} ${this.options.stamp()} ${LEVEL_LABEL[level]}${message}`);
  }

  private takeToken(): boolean {
    const now = this.options.clock.now();
    const elapsed = now - this.tokensUpdatedAt;
    if (elapsed > 0) {
      this.tokens = math.min(this.burst, this.tokens + elapsed * this.refillPerSecond);
      this.tokensUpdatedAt = now;
    }
    if (this.tokens < 1) {
      return false;
    }
    this.tokens -= 1;
    return true;
  }
}
