/**
 * The changes recorded since the consumer last took them: a FIFO with a bound, so
 * that a widget nobody drains (no receiver connected) does not grow without limit.
 * Past the bound the oldest change is dropped and counted; the consumer sees the
 * count and knows to send a fresh snapshot.
 *
 * Kept in a ring: an array whose slots are reused, grown by doubling up to the bound.
 * A map keyed by ever-growing counters (the first version) is a Lua hash part that
 * rehashes, with a copy of every entry, each time its free slots run out: at 900 changes
 * a second with the queue full, a 2 ms stop (and a new 1.3 MB node array) every 13 s.
 */
import type { Change, ChangeType } from "./model";

/** Told of every change as it is recorded (shared tables: read, never modify). */
export type ChangeObserver = (this: void, change: Change) => void;

/** Changes kept at most before the oldest is dropped. */
export const DEFAULT_CHANGE_LIMIT = 20000;

/** Slots of a new queue's ring; it doubles as needed, up to the limit. */
const FIRST_CAPACITY = 256;

export class ChangeQueue {
  /** The ring: slots 1..capacity; `false` marks a free slot (nil would shrink the array). */
  private items = new LuaTable<number, Change | false>();
  private capacity = 0;
  /** Slot index (0-based) of the oldest change kept, and how many are kept. */
  private head = 0;
  private size = 0;
  /** Changes dropped because the queue was full, since the last `takeDropped`. */
  private dropped = 0;
  /** Changes dropped since the queue was made (status; never reset). */
  droppedTotal = 0;
  /** Changes recorded since the queue was made, per type (status; never reset). */
  readonly recorded = new LuaMap<ChangeType, number>();
  /** Sees every change as it is recorded, whoever takes them (tests, other widgets). */
  observer: ChangeObserver | undefined;
  /**
   * Told when a change is recorded into an empty queue: the consumer, asleep while
   * there was nothing to take, has work again (later changes find it awake).
   */
  onWaiting: ((this: void) => void) | undefined;

  private readonly limit: number;

  constructor(limit = DEFAULT_CHANGE_LIMIT) {
    this.limit = math.max(1, limit);
  }

  push(change: Change): void {
    this.recorded.set(change.type, (this.recorded.get(change.type) ?? 0) + 1);
    if (this.observer !== undefined) this.observer(change);
    if (this.size >= this.limit) {
      // Full: the oldest goes.
      this.items.set(this.head + 1, false);
      this.head = (this.head + 1) % this.capacity;
      this.size -= 1;
      this.dropped += 1;
      this.droppedTotal += 1;
    } else if (this.size >= this.capacity) {
      this.grow();
    }
    this.items.set(((this.head + this.size) % this.capacity) + 1, change);
    this.size += 1;
    if (this.size === 1 && this.onWaiting !== undefined) this.onWaiting();
  }

  count(): number {
    return this.size;
  }

  /** The oldest change, left in the queue; undefined when there is none. */
  peek(): Change | undefined {
    if (this.size === 0) return undefined;
    return this.items.get(this.head + 1) as Change;
  }

  /** Removes and returns the oldest change, or undefined when there is none. */
  shift(): Change | undefined {
    if (this.size === 0) return undefined;
    const slot = this.head + 1;
    const change = this.items.get(slot) as Change;
    this.items.set(slot, false);
    this.head = slot % this.capacity;
    this.size -= 1;
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
    this.items = new LuaTable();
    this.capacity = 0;
    this.head = 0;
    this.size = 0;
  }

  /** A ring twice as large (at most the limit), the kept changes from its slot 1 on. */
  private grow(): void {
    const capacity = math.min(this.limit, math.max(FIRST_CAPACITY, this.capacity * 2));
    const items = new LuaTable<number, Change | false>();
    for (let i = 0; i < this.size; i++) {
      items.set(i + 1, this.items.get(((this.head + i) % this.capacity) + 1) as Change);
    }
    for (let i = this.size + 1; i <= capacity; i++) items.set(i, false);
    this.items = items;
    this.capacity = capacity;
    this.head = 0;
  }
}
