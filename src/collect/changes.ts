/**
 * The changes recorded since the consumer last took them: a FIFO with a bound, so
 * that a widget nobody drains (no receiver connected) does not grow without limit.
 * Past the bound the oldest change is dropped and counted; the consumer sees the
 * count and knows to send a fresh snapshot.
 */
import type { Change } from "./model";

/** Changes kept at most before the oldest is dropped. */
export const DEFAULT_CHANGE_LIMIT = 20000;

export class ChangeQueue {
  private items: (Change | undefined)[] = [];
  /** Index (0-based) of the oldest change kept. */
  private head = 0;
  /** Changes dropped because the queue was full, since the last `takeDropped`. */
  private dropped = 0;

  constructor(private readonly limit = DEFAULT_CHANGE_LIMIT) {}

  push(change: Change): void {
    if (this.items.length - this.head >= this.limit) {
      this.items[this.head] = undefined;
      this.head += 1;
      this.dropped += 1;
    }
    this.items.push(change);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Removes and returns the oldest change, or undefined when there is none. */
  shift(): Change | undefined {
    if (this.head >= this.items.length) return undefined;
    const change = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head >= this.items.length) {
      // Empty: start over so the array does not keep growing.
      this.items = [];
      this.head = 0;
    }
    return change;
  }

  /** Removes and returns up to `max` changes, oldest first. */
  take(max = math.huge): Change[] {
    const out: Change[] = [];
    while (out.length < max) {
      const change = this.shift();
      if (change === undefined) break;
      out.push(change);
    }
    return out;
  }

  /** How many changes were dropped since the last call; resets the count. */
  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
