/**
 * The circuit breaker of the retries: after many failed attempts in a row over a long
 * time, a receiver that is not coming back soon is tried only every `retrySeconds`,
 * so a forgotten widget does not open a socket every half minute for a whole game.
 * Pure: the caller says when a failure happened and when the streak ended.
 */
export interface BreakerOptions {
  /** Failed attempts in a row before the retries slow down. Default 20. */
  attempts?: number;
  /** Seconds the streak must also have lasted (fast retries reach 20 in seconds). Default 300. */
  minSeconds?: number;
  /** Seconds between attempts once slowed (at least the maximum retry delay). Default 300. */
  retrySeconds?: number;
}

export class Breaker {
  readonly attempts: number;
  readonly minSeconds: number;
  readonly retrySeconds: number;
  /** When the current streak's first failure happened, if there is a streak. */
  private firstFailureAt: number | undefined;
  private tripped = false;

  constructor(options: BreakerOptions = {}) {
    this.attempts = options.attempts ?? 20;
    this.minSeconds = options.minSeconds ?? 300;
    this.retrySeconds = options.retrySeconds ?? 300;
  }

  /**
   * A failure, the `streak`-th in a row, at `now`: returns `"trip"` the first time the
   * retries slow down, `"open"` while they stay slow, undefined otherwise.
   */
  failed(streak: number, now: number): "trip" | "open" | undefined {
    if (this.firstFailureAt === undefined || streak <= 1) this.firstFailureAt = now;
    if (this.tripped) return "open";
    if (streak < this.attempts || now - this.firstFailureAt < this.minSeconds) return undefined;
    this.tripped = true;
    return "trip";
  }

  /** Whether the retries are slowed now. */
  isOpen(): boolean {
    return this.tripped;
  }

  /** Seconds since the streak's first failure (0 without a streak). */
  streakSeconds(now: number): number {
    return this.firstFailureAt !== undefined ? now - this.firstFailureAt : 0;
  }

  /** The streak ended (a success, or the player asked for a fresh start). */
  reset(): void {
    this.firstFailureAt = undefined;
    this.tripped = false;
  }
}
