// A bounded record of past events that tests can also wait on.
//
// Waiting for "the next event" is racy: by the time a test asks, the event may already have
// happened. Here a wait looks at the recorded past first and only then at the future, and
// every event is handed to at most one wait, so N connects followed by N waits always match.

export interface WaitOptions {
  /** Reject after this long; Infinity waits forever. */
  timeoutMs?: number;
}

interface Entry<T> {
  value: T;
  claimed: boolean;
}

interface Waiter<T> {
  matches: (value: T) => boolean;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout | undefined;
}

export class ClaimableHistory<T> {
  private entries: Entry<T>[] = [];
  private waiters: Waiter<T>[] = [];
  private closedWith: Error | null = null;
  private readonly capacity: number;
  private readonly what: string;
  private readonly defaultTimeoutMs: number;

  /**
   * @param capacity how many past events to keep; older ones are forgotten
   * @param what how timeout messages name an event, e.g. "a line"
   * @param defaultTimeoutMs used when a wait gives no timeout
   */
  constructor(capacity: number, what: string, defaultTimeoutMs: number) {
    this.capacity = capacity;
    this.what = what;
    this.defaultTimeoutMs = defaultTimeoutMs;
  }

  /** Every recorded event, oldest first, whether or not a wait claimed it. */
  values(): T[] {
    return this.entries.map((entry) => entry.value);
  }

  add(value: T): void {
    const entry: Entry<T> = { value, claimed: false };
    for (const waiter of this.waiters) {
      if (this.tryMatch(waiter, value)) {
        entry.claimed = true;
        this.settle(waiter);
        waiter.resolve(value);
        break;
      }
    }
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  /** Resolves with the oldest unclaimed event that matches, past or future. */
  waitFor(predicate: (value: T) => boolean = () => true, options: WaitOptions = {}): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<T>((resolve, reject) => {
      let past: Entry<T> | undefined;
      try {
        past = this.entries.find((entry) => !entry.claimed && predicate(entry.value));
      } catch (error) {
        reject(error);
        return;
      }
      if (past) {
        past.claimed = true;
        resolve(past.value);
        return;
      }
      const waiter: Waiter<T> = { matches: predicate, resolve, reject, timer: undefined };
      const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          this.settle(waiter);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${this.what}`));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  /** Rejects every pending wait and every later one, e.g. when the server is closed. */
  close(error: Error): void {
    this.closedWith = error;
    for (const waiter of [...this.waiters]) {
      this.settle(waiter);
      waiter.reject(error);
    }
  }

  /** A throwing predicate fails its own wait instead of the code that recorded the event. */
  private tryMatch(waiter: Waiter<T>, value: T): boolean {
    try {
      return waiter.matches(value);
    } catch (error) {
      this.settle(waiter);
      waiter.reject(error);
      return false;
    }
  }

  private settle(waiter: Waiter<T>): void {
    clearTimeout(waiter.timer);
    this.waiters = this.waiters.filter((other) => other !== waiter);
  }
}
