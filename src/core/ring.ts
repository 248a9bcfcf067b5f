/**
 * A queue addressed by position: every item keeps the position it was pushed at (0, 1,
 * 2, ... for the queue's whole life), and items leave from the front only. Stored in
 * chunks of a fixed number of slots: a push fills the last chunk or starts one, dropping
 * the front empties the first and lets it go. Nothing is ever copied, so no single call
 * costs more than one chunk's table. An array sliced now and then to forget its front
 * copies all it keeps in one call (a backlog of 30,000 messages: 2-8 ms in a frame), and
 * one that doubles its slots copies them all when it outgrows them (docs/performance.md).
 *
 * Positions are whole numbers, exact in the engine's float Lua below 2^24 (16 million
 * pushes): the seqs of the messages kept here reach that limit first.
 */
export class Ring<T> {
  /** Chunk number (position / size, rounded down) to its slots (position % size). */
  private readonly chunks = new LuaTable<number, LuaTable<number, T>>();
  /** Position of the first item kept. */
  private first = 0;
  /** Position the next push takes (one past the last item). */
  private last = 0;

  /** @param size slots per chunk */
  constructor(private readonly size = 256) {}

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
    const slot = position % this.size;
    return this.chunks.get((position - slot) / this.size).get(slot);
  }

  push(item: T): void {
    const position = this.last;
    const slot = position % this.size;
    const number = (position - slot) / this.size;
    let chunk = this.chunks.get(number);
    if (chunk === undefined) {
      chunk = new LuaTable<number, T>();
      this.chunks.set(number, chunk);
    }
    chunk.set(slot, item);
    this.last = position + 1;
  }

  /** Forgets the items before `position`: their slots let go of them, an empty chunk goes. */
  dropBefore(position: number): void {
    const to = math.min(position, this.last);
    const size = this.size;
    while (this.first < to) {
      const p = this.first;
      const slot = p % size;
      const number = (p - slot) / size;
      const chunk = this.chunks.get(number);
      if (slot === size - 1) this.chunks.delete(number);
      else chunk.delete(slot);
      this.first = p + 1;
    }
  }
}
