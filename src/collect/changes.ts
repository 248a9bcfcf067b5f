/**
 * The changes recorded since the consumer last took them: a FIFO with a bound, so
 * that a widget nobody drains (no receiver connected) does not grow without limit.
 * Past the bound the oldest change is dropped and counted; the consumer sees the
 * count and knows to send a fresh snapshot.
 *
 * Kept in a map indexed by head and tail counters, not a Lua array: an array with
 * holes at its start has no reliable length (`#t`) in Lua.
 */
import type { Change, ChangeType } from "./model";

/** Told of every change as it is recorded (shared tables: read, never modify). */
export type ChangeObserver = (this: void, change: Change) => void;

/** Changes kept at most before the oldest is dropped. */
export const DEFAULT_CHANGE_LIMIT = 20000;

/** Counters are rebased before they grow past where float numbers stay exact. */
const REBASE_AT = 1_000_000;

export class ChangeQueue {
  private items = new LuaMap<number, Change>();
  /** Index of the oldest change kept. */
  private head = 1;
  /** Index the next change goes to. */
  private tail = 1;
  /** Changes dropped because the queue was full, since the last `takeDropped`. */
  private dropped = 0;
  /** Changes dropped since the queue was made (status; never reset). */
  droppedTotal = 0;
  /** Changes recorded since the queue was made, per type (status; never reset). */
  readonly recorded = new LuaMap<ChangeType, number>();
  /** Sees every change as it is recorded, whoever takes them (tests, other widgets). */
  observer: ChangeObserver | undefined;

  constructor(private readonly limit = DEFAULT_CHANGE_LIMIT) {}

  push(change: Change): void {
    this.recorded.set(change.type, (this.recorded.get(change.type) ?? 0) + 1);
    if (this.observer !== undefined) this.observer(change);
    if (this.tail - this.head >= this.limit) {
      this.items.delete(this.head);
      this.head += 1;
      this.dropped += 1;
      this.droppedTotal += 1;
    }
    this.items.set(this.tail, change);
    this.tail += 1;
    if (this.head > REBASE_AT) this.rebase();
  }

  count(): number {
    return this.tail - this.head;
  }

  /** Removes and returns the oldest change, or undefined when there is none. */
  shift(): Change | undefined {
    if (this.head >= this.tail) return undefined;
    const change = this.items.get(this.head);
    this.items.delete(this.head);
    this.head += 1;
    if (this.head >= this.tail) {
      this.head = 1;
      this.tail = 1;
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
    this.items = new LuaMap();
    this.head = 1;
    this.tail = 1;
  }

  /** Moves the kept changes to start at 1 (a queue that is full for a very long time). */
  private rebase(): void {
    const items = new LuaMap<number, Change>();
    let i = 1;
    for (let k = this.head; k < this.tail; k++) {
      const change = this.items.get(k);
      if (change !== undefined) items.set(i, change);
      i += 1;
    }
    this.items = items;
    this.head = 1;
    this.tail = i;
  }
}
