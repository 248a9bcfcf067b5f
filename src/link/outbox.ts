/**
 * Messages waiting to be written to the socket, oldest first.
 *
 * The connection sends them in chunks: `chunk(maxBytes)` joins the oldest messages
 * (whole messages, up to `maxBytes`, at least one) into one string, so that one
 * `send` call per frame carries them all; a partial send resumes inside that chunk
 * on the next call, and a new chunk is only joined when the last one is gone.
 *
 * The queue is bounded in bytes: when it is full the oldest messages that have not
 * started to go out are dropped (and counted), rather than letting a long outage
 * grow memory without limit. The messages of the chunk being written are never
 * dropped: the receiver must never get a line cut in the middle.
 *
 * Every operation is O(1), amortised over the messages it touches: the queue is a
 * ring of table slots indexed from `head` to `tail`, and `pushFront` takes the slot
 * before `head`.
 */

/** Indices are renumbered from 0 past this, so they stay exact under float numbers. */
const MAX_INDEX = 4194304;

export class Outbox {
  /** Queued messages that are not in the chunk, in slots head .. tail - 1. */
  private readonly items = new LuaTable<number, string>();
  /** Slots holding a message that belongs to the current connection only (a greeting). */
  private readonly scoped = new LuaTable<number, true>();
  private head = 0;
  private tail = 0;

  /** The chunk being written, joined from the oldest messages; "" when none. */
  private chunkText = "";
  /** End offset (1-based, inclusive) in the chunk of each of its messages. */
  private readonly chunkEnds: number[] = [];
  /** Which messages of the chunk belong to the current connection only. */
  private readonly chunkScoped: boolean[] = [];
  private chunkCount = 0;
  /** Index in the chunk of the first message not yet written in full. */
  private chunkNext = 0;
  /** Bytes of the chunk already written on the current connection. */
  private written = 0;
  /** Reused for joining, so that a chunk allocates only its string. */
  private readonly parts: string[] = [];

  /** Bytes of all queued messages not yet written, chunk included. */
  private queuedBytes = 0;
  private dropped = 0;

  /** @param maxBytes bytes the queue may hold before the oldest messages are dropped */
  constructor(private readonly maxBytes: number) {}

  /**
   * Appends a message; returns how many old messages had to be dropped to make room.
   * The message itself is always kept, even when it is larger than the bound alone;
   * an empty one is ignored.
   */
  push(message: string): number {
    if (message === "") {
      // Nothing to send; keeping it would let the queue grow without bytes.
      return 0;
    }
    if (this.tail >= MAX_INDEX) {
      this.renumber();
    }
    this.items.set(this.tail, message);
    this.tail += 1;
    this.queuedBytes += message.length;
    let droppedNow = 0;
    while (this.queuedBytes > this.maxBytes && this.tail - this.head > 1) {
      this.dropOldest();
      droppedNow += 1;
    }
    this.dropped += droppedNow;
    return droppedNow;
  }

  /**
   * Puts a message in front of every message that has not started to go out (after
   * the chunk being written, if any). It belongs to the current connection: when that
   * connection ends before it has gone out whole, it is dropped, never sent again
   * (a greeting must open each connection exactly once).
   */
  pushFront(message: string): void {
    if (this.head <= -MAX_INDEX) {
      this.renumber();
    }
    this.head -= 1;
    this.items.set(this.head, message);
    this.scoped.set(this.head, true);
    this.queuedBytes += message.length;
  }

  isEmpty(): boolean {
    return this.chunkCount === 0 && this.tail === this.head;
  }

  /**
   * What to send next and the first byte of it still to send (1-based): the chunk
   * being written, or a new one joined from the oldest messages up to `maxBytes`
   * (one message larger than that goes alone). Undefined when nothing is queued.
   */
  chunk(maxBytes: number): LuaMultiReturn<[string | undefined, number]> {
    if (this.chunkCount === 0 && !this.join(maxBytes)) {
      return $multi(undefined, 1);
    }
    return $multi(this.chunkText, this.written + 1);
  }

  /**
   * Records that the chunk has been written up to byte `lastIndex` (what `send`
   * returned). Returns how many messages that completed.
   */
  advance(lastIndex: number): number {
    if (this.chunkCount === 0 || lastIndex <= this.written) {
      return 0;
    }
    const last = math.min(lastIndex, this.chunkText.length);
    this.queuedBytes -= last - this.written;
    this.written = last;
    let completed = 0;
    while (this.chunkNext < this.chunkCount && this.chunkEnds[this.chunkNext] <= last) {
      this.chunkNext += 1;
      completed += 1;
    }
    if (this.chunkNext >= this.chunkCount) {
      this.clearChunk();
    }
    return completed;
  }

  /**
   * Called when a connection ends. A message cut off by it is queued again whole, in
   * front, for the next connection; messages of that connection only (`pushFront`)
   * that had not gone out whole are dropped.
   */
  rewind(): void {
    // Messages of the ended connection that never started to go out.
    while (this.head < this.tail && this.scoped.get(this.head) === true) {
      this.dropOldest();
    }
    // Messages of the chunk not written in full go back in front, last first.
    for (let i = this.chunkCount - 1; i >= this.chunkNext; i--) {
      const start = i > 0 ? this.chunkEnds[i - 1] + 1 : 1;
      const end = this.chunkEnds[i];
      const started = math.max(0, this.written - start + 1);
      this.queuedBytes += started;
      if (this.chunkScoped[i]) {
        this.queuedBytes -= end - start + 1;
        continue;
      }
      if (this.head <= -MAX_INDEX) {
        this.renumber();
      }
      this.head -= 1;
      this.items.set(this.head, string.sub(this.chunkText, start, end));
    }
    this.clearChunk();
  }

  clear(): void {
    this.clearChunk();
    while (this.head < this.tail) {
      this.dropHead();
    }
    this.queuedBytes = 0;
  }

  /** Bytes still to be written. */
  bytes(): number {
    return this.queuedBytes;
  }

  /** Messages not yet written in full. */
  count(): number {
    return this.tail - this.head + this.chunkCount - this.chunkNext;
  }

  droppedCount(): number {
    return this.dropped;
  }

  /** Moves the oldest messages into a new chunk; false when there are none. */
  private join(maxBytes: number): boolean {
    let size = 0;
    let n = 0;
    while (this.head < this.tail) {
      const message = this.items.get(this.head);
      if (n > 0 && size + message.length > maxBytes) {
        break;
      }
      size += message.length;
      this.parts[n] = message;
      this.chunkEnds[n] = size;
      this.chunkScoped[n] = this.scoped.get(this.head) === true;
      n += 1;
      this.dropHead();
    }
    if (n === 0) {
      return false;
    }
    this.chunkText = n === 1 ? this.parts[0] : table.concat(this.parts, "", 1, n);
    for (let i = 0; i < n; i++) {
      this.parts[i] = "";
    }
    this.chunkCount = n;
    this.chunkNext = 0;
    this.written = 0;
    return true;
  }

  private clearChunk(): void {
    if (this.chunkCount > 0) {
      this.chunkText = "";
      this.chunkCount = 0;
      this.chunkNext = 0;
      this.written = 0;
    }
  }

  /** Drops the oldest message that is not in the chunk, counting its bytes out. */
  private dropOldest(): void {
    this.queuedBytes -= this.items.get(this.head).length;
    this.dropHead();
  }

  /** Frees the head slot (the caller accounts for its bytes). */
  private dropHead(): void {
    this.items.delete(this.head);
    this.scoped.delete(this.head);
    this.head += 1;
    if (this.head === this.tail) {
      // Empty: start again at 0, so indices stay small.
      this.head = 0;
      this.tail = 0;
    }
  }

  /** Moves the queued messages to slots 0 .. count - 1 (rare: amortised O(1)). */
  private renumber(): void {
    const count = this.tail - this.head;
    const moved = new LuaTable<number, string>();
    const movedScoped = new LuaTable<number, true>();
    for (let i = 0; i < count; i++) {
      moved.set(i, this.items.get(this.head + i));
      if (this.scoped.get(this.head + i) === true) {
        movedScoped.set(i, true);
      }
      this.items.delete(this.head + i);
      this.scoped.delete(this.head + i);
    }
    for (let i = 0; i < count; i++) {
      this.items.set(i, moved.get(i));
      if (movedScoped.get(i) === true) {
        this.scoped.set(i, true);
      }
    }
    this.head = 0;
    this.tail = count;
  }
}
