/**
 * The changes recorded since the consumer last took them: a FIFO with a bound, so
 * that a widget nobody drains (no receiver connected) does not grow without limit.
 * Past the bound the oldest entry is dropped and its changes counted; the consumer sees
 * the count and knows to send a fresh snapshot.
 *
 * Unit events are kept in batches (src/collect/event-batch.ts): the events of one game
 * frame recorded one after another share an entry, so an entry holds one change or up
 * to BATCH_EVENTS unit events, and the bound, `count` and the dropped counts are in
 * changes (events), whatever the entries. The consumer `shift`s entries (a batch whole,
 * handed back with `recycle` once read); `take` hands out a change per event.
 *
 * Kept in a ring: an array whose slots are reused, grown by doubling up to the bound.
 * A map keyed by ever-growing counters (the first version) is a Lua hash part that
 * rehashes, with a copy of every entry, each time its free slots run out: at 900 changes
 * a second with the queue full, a 2 ms stop (and a new 1.3 MB node array) every 13 s.
 */
import {
  BATCH_EVENTS,
  EVENT_KINDS,
  EVENT_STRIDE,
  EVENT_TYPES,
  batchEvent,
  eventChange,
  eventValues,
} from "./event-batch";
import type { Change, ChangeType, QueuedChange, UnitEventBatch, UnitEventChange } from "./model";

/** Told of every change as it is recorded (shared tables: read, never modify). */
export type ChangeObserver = (this: void, change: Change) => void;

/** Changes kept at most before the oldest is dropped. */
export const DEFAULT_CHANGE_LIMIT = 20000;

/** Slots of a new queue's ring; it doubles as needed, up to the limit. */
const FIRST_CAPACITY = 256;

/** Read batches kept for reuse: their arrays keep their size, so a new one never grows. */
const SPARE_BATCHES = 4;

/** Changes an entry holds. */
function weight(this: void, entry: QueuedChange): number {
  return entry.type === "unit_events" ? entry.count : 1;
}

export class ChangeQueue {
  /** The ring: slots 1..capacity; `false` marks a free slot (nil would shrink the array). */
  private items = new LuaTable<number, QueuedChange | false>();
  private capacity = 0;
  /** Slot index (0-based) of the oldest entry kept, and how many entries are kept. */
  private head = 0;
  private size = 0;
  /** Changes kept (a batch counts its events). */
  private changes = 0;
  /** The newest entry when it is a batch that may take more events; else undefined. */
  private open: UnitEventBatch | undefined;
  private readonly spare: UnitEventBatch[] = [];
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
    const kind = EVENT_KINDS.get(change.type);
    if (kind !== undefined) {
      const [unitID, unitDefID, a, b, c, d, e] = eventValues(change as UnitEventChange);
      this.pushUnitEvent(kind, change.frame, unitID, unitDefID, a, b, c, d, e);
      return;
    }
    this.recorded.set(change.type, (this.recorded.get(change.type) ?? 0) + 1);
    if (this.observer !== undefined) this.observer(change);
    this.makeRoom();
    this.open = undefined;
    this.append(change as QueuedChange);
    this.changes += 1;
    if (this.changes === 1 && this.onWaiting !== undefined) this.onWaiting();
  }

  /**
   * Records one unit event of `kind` (src/collect/event-batch.ts: UNIT_CREATED, ...) with
   * its slot values, into the newest batch when it is of the same frame and not full.
   * No table is made (but for an observer).
   */
  pushUnitEvent(
    kind: number,
    frame: number,
    unitID: UnitID,
    unitDefID: UnitDefID,
    a: unknown,
    b?: unknown,
    c?: unknown,
    d?: unknown,
    e?: unknown,
  ): void {
    // Hundreds of calls a second: each field is read once, into a local.
    const type = EVENT_TYPES.get(kind);
    const recorded = this.recorded;
    recorded.set(type, (recorded.get(type) ?? 0) + 1);
    let changes = this.changes;
    if (changes >= this.limit) {
      this.makeRoom();
      changes = this.changes;
    }
    let batch = this.open;
    let count = batch === undefined || batch.frame !== frame ? BATCH_EVENTS : batch.count;
    if (count >= BATCH_EVENTS) {
      batch = this.spare.pop() ?? { type: "unit_events", frame, count: 0, slots: new LuaTable() };
      batch.frame = frame;
      count = 0;
      this.open = batch;
      this.append(batch);
    }
    const slots = batch!.slots;
    const at = count * EVENT_STRIDE;
    slots.set(at + 1, kind);
    slots.set(at + 2, unitID);
    slots.set(at + 3, unitDefID);
    slots.set(at + 4, a);
    slots.set(at + 5, b);
    slots.set(at + 6, c);
    slots.set(at + 7, d);
    slots.set(at + 8, e);
    batch!.count = count + 1;
    changes += 1;
    this.changes = changes;
    // Woken before the observer, which may record a change of its own (another widget's
    // `publish`): the queue would no longer hold one change when it returns.
    if (changes === 1 && this.onWaiting !== undefined) this.onWaiting();
    if (this.observer !== undefined) this.observer(eventChange(frame, slots, at));
  }

  /** Changes kept (a batch counts its events). */
  count(): number {
    return this.changes;
  }

  /** The oldest entry, left in the queue; undefined when there is none. */
  peek(): QueuedChange | undefined {
    if (this.size === 0) return undefined;
    return this.items.get(this.head + 1) as QueuedChange;
  }

  /** Removes and returns the oldest entry (a batch whole), or undefined when there is none. */
  shift(): QueuedChange | undefined {
    if (this.size === 0) return undefined;
    const slot = this.head + 1;
    const entry = this.items.get(slot) as QueuedChange;
    this.items.set(slot, false);
    this.head = slot % this.capacity;
    this.size -= 1;
    this.changes -= weight(entry);
    if (entry === this.open) this.open = undefined;
    return entry;
  }

  /**
   * A batch from `shift` that its reader is done with: its table is reused for a later
   * batch (the reader must keep no reference to it).
   */
  recycle(batch: UnitEventBatch): void {
    if (this.spare.length < SPARE_BATCHES && batch !== this.open) this.spare.push(batch);
  }

  /** Removes and returns up to `max` changes, oldest first, a change per unit event. */
  take(max = math.huge): Change[] {
    const out: Change[] = [];
    while (out.length < max) {
      const entry = this.peek();
      if (entry === undefined) break;
      if (entry.type !== "unit_events") {
        out.push(this.shift() as Change);
        continue;
      }
      const n = math.min(entry.count, math.ceil(max - out.length));
      for (let i = 0; i < n; i++) out.push(batchEvent(entry, i));
      if (n === entry.count) {
        this.shift();
        this.recycle(entry);
      } else {
        this.dropFront(entry, n);
      }
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
    this.changes = 0;
    this.open = undefined;
  }

  /** A full queue drops its oldest entries, counting their changes, until one more fits. */
  private makeRoom(): void {
    while (this.changes >= this.limit && this.size > 0) {
      const n = weight(this.shift()!);
      this.dropped += n;
      this.droppedTotal += n;
    }
  }

  /** The first `n` events of a batch at the queue's head are gone: the rest move up. */
  private dropFront(batch: UnitEventBatch, n: number): void {
    const slots = batch.slots;
    const from = n * EVENT_STRIDE;
    const last = batch.count * EVENT_STRIDE;
    for (let i = 1; i <= last; i++)
      slots.set(i, i + from <= last ? slots.get(i + from) : undefined);
    batch.count -= n;
    this.changes -= n;
  }

  /** Adds an entry at the newest end (room for its changes already made). */
  private append(entry: QueuedChange): void {
    if (this.size >= this.capacity) this.grow();
    this.items.set(((this.head + this.size) % this.capacity) + 1, entry);
    this.size += 1;
  }

  /** A ring twice as large (at most the limit), the kept entries from its slot 1 on. */
  private grow(): void {
    const capacity = math.min(this.limit, math.max(FIRST_CAPACITY, this.capacity * 2));
    const items = new LuaTable<number, QueuedChange | false>();
    for (let i = 0; i < this.size; i++) {
      items.set(i + 1, this.items.get(((this.head + i) % this.capacity) + 1) as QueuedChange);
    }
    for (let i = this.size + 1; i <= capacity; i++) items.set(i, false);
    this.items = items;
    this.capacity = capacity;
    this.head = 0;
  }
}
