/**
 * Messages waiting to be written to the socket, oldest first, with the position
 * reached in the first one so that a partial send resumes where it stopped.
 *
 * The queue is bounded in bytes: when it is full the oldest messages are dropped
 * (and counted) rather than letting a long outage grow memory without limit.
 */
export class Outbox {
  private readonly items: string[] = [];
  /** Index in `items` of the oldest message (avoids shifting the array). */
  private head = 0;
  /** Index of the next free slot. */
  private tail = 0;
  /** Bytes of the head message already written on the current connection. */
  private written = 0;
  private queuedBytes = 0;
  private dropped = 0;

  constructor(private readonly maxBytes: number) {}

  /** Appends a message; returns how many old messages had to be dropped to fit it. */
  push(message: string): number {
    this.items[this.tail] = message;
    this.tail += 1;
    this.queuedBytes += message.length;
    let droppedNow = 0;
    while (this.queuedBytes > this.maxBytes && this.tail - this.head > 1) {
      this.dropHead();
      droppedNow += 1;
    }
    this.dropped += droppedNow;
    return droppedNow;
  }

  /** Puts a message in front of all others (a greeting at the start of a connection). */
  pushFront(message: string): void {
    // Used between connections: whatever was half-written goes again in full.
    this.rewind();
    if (this.head > 0) {
      this.head -= 1;
      this.items[this.head] = message;
    } else {
      for (let i = this.tail; i > this.head; i--) {
        this.items[i] = this.items[i - 1];
      }
      this.items[this.head] = message;
      this.tail += 1;
    }
    this.queuedBytes += message.length;
  }

  isEmpty(): boolean {
    return this.tail === this.head;
  }

  /** The message being written and the first byte of it still to send (1-based). */
  peek(): LuaMultiReturn<[string | undefined, number]> {
    if (this.isEmpty()) {
      return $multi(undefined, 1);
    }
    return $multi(this.items[this.head], this.written + 1);
  }

  /** Records that the head message has been written up to byte `lastIndex`. */
  advance(lastIndex: number): void {
    const message = this.items[this.head];
    if (message === undefined) {
      return;
    }
    if (lastIndex >= message.length) {
      this.dropHead();
      return;
    }
    this.queuedBytes -= lastIndex - this.written;
    this.written = lastIndex;
  }

  /**
   * Called when a connection ends: a half-written message is lost with that
   * connection, so it is sent again from its first byte on the next one.
   */
  rewind(): void {
    const message = this.items[this.head];
    if (message !== undefined) {
      this.queuedBytes += this.written;
    }
    this.written = 0;
  }

  clear(): void {
    while (!this.isEmpty()) {
      this.dropHead();
    }
  }

  /** Bytes still to be written. */
  bytes(): number {
    return this.queuedBytes;
  }

  count(): number {
    return this.tail - this.head;
  }

  droppedCount(): number {
    return this.dropped;
  }

  private dropHead(): void {
    const message = this.items[this.head];
    if (message !== undefined) {
      this.queuedBytes -= message.length - this.written;
    }
    this.items[this.head] = undefined as unknown as string;
    this.head += 1;
    this.written = 0;
    if (this.head === this.tail) {
      // Empty: start again at the front so indices never grow without bound.
      this.head = 0;
      this.tail = 0;
    }
  }
}
