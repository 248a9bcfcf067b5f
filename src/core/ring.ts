/**
 * A queue addressed by position: every item keeps the position it was pushed at (0, 1,
 * 2, ... for the queue's whole life), and items leave from the front only. Stored in a
 * ring of slots that doubles when full, so dropping the front costs O(1) and nothing is
 * ever shifted. An array that is sliced from time to time to forget its front copies all
 * it keeps in one call: a backlog of 30,000 messages took 2-5 ms in a frame
 * (docs/performance.md).
 *
 * Positions are whole numbers below 2^24 in the engine's float Lua for 16 million pushes:
 * the seqs of the messages kept here reach that limit first.
 */
export class Ring<T> {
  private slots = new LuaTable<number, T>();
  private capacity: number;
  /** Position of the first item kept. */
  private first = 0;
  /** Position the next push takes (one past the last item). */
  private last = 0;

  /** @param capacity slots to start with (doubled whenever they are all in use) */
  constructor(capacity = 1024) {
    this.capacity = math.max(1, capacity);
  }

  /** Position of the first item kept (items before it were dropped). */
  start(): number {
    return this.first;
  }

  /** One past the position of the last item pushed. */
  end(): number {
    return this.last;
  }

  /** The item at `position`, which must be within start()..end()-1. */
  at(position: number): T {
    return this.slots.get(position % this.capacity);
  }

  push(item: T): void {
    if (this.last - this.first >= this.capacity) this.grow();
    this.slots.set(this.last % this.capacity, item);
    this.last += 1;
  }

  /** Forgets the items before `position` (their slots let go of them). */
  dropBefore(position: number): void {
    const to = math.min(position, this.last);
    while (this.first < to) {
      this.slots.delete(this.first % this.capacity);
      this.first += 1;
    }
  }

  /** Twice the slots, each item moved to its place in them (when the queue is bigger than ever). */
  private grow(): void {
    const old = this.slots;
    const oldCapacity = this.capacity;
    const capacity = oldCapacity * 2;
    const slots = new LuaTable<number, T>();
    for (let p = this.first; p < this.last; p++) slots.set(p % capacity, old.get(p % oldCapacity));
    this.slots = slots;
    this.capacity = capacity;
  }
}
