/**
 * What a connection carries: the lines it sends and where the receiver's bytes go.
 * The protocol session (src/protocol/session.ts) is the widget's feed; `OutboxFeed`
 * is a plain queue of lines with a greeting, for a connection without a session.
 *
 * The connection holds at most one chunk from `take` at a time, writes it over as
 * many frames as the socket needs, and reports every byte the socket took through
 * `written`. A chunk cut off by a lost connection is abandoned: the feed decides what
 * the next connection sends again.
 */
import { Outbox } from "./outbox";

/** What is waiting in a feed, for the diagnostics. */
export interface FeedQueue {
  messages: number;
  bytes: number;
  /** Messages dropped so far (a bound was reached). */
  dropped: number;
}

export interface Feed {
  /** A connection is established: the next `take` starts its stream (a greeting first). */
  opened(): void;

  /**
   * Whole lines to send next, joined: about `maxBytes` at most, but always at least one
   * line however long. Undefined when nothing is waiting.
   */
  take(maxBytes: number): string | undefined;

  /** `count` more bytes of what `take` handed out went into the socket. Returns the lines completed. */
  written(count: number): number;

  /** The connection ended: what `take` handed out and was not written is abandoned. */
  closed(): void;

  /**
   * Bytes waiting that `take` has not handed out (0: nothing more to send now); it may
   * also count what was handed out and not yet written.
   */
  unsentBytes(): number;

  /**
   * Whether the stream's opening is still being made (each of its parts waits for the
   * last to be written): the connection then writes every frame, whatever its interval.
   */
  opening(): boolean;

  /**
   * Bytes the feed accepts from the receiver in this frame (asked once per frame,
   * before reading); 0 leaves the rest in the socket for later frames.
   */
  receiveLimit(): number;

  /** Bytes arrived from the receiver (at most `receiveLimit` this frame). */
  received(data: string): void;

  queue(): FeedQueue;
}

/**
 * A feed of lines queued by `push`, bounded in bytes (see outbox.ts), each connection
 * opened by one greeting. What the receiver sends is only counted.
 */
export class OutboxFeed implements Feed {
  private readonly outbox: Outbox;
  /** Bytes of the current chunk reported written. */
  private chunkWritten = 0;

  /**
   * @param greeting the first line of every connection, if any
   * @param maxBytes bytes queued at most before the oldest lines are dropped
   */
  constructor(
    private readonly greeting: ((this: void) => string) | undefined,
    maxBytes: number,
  ) {
    this.outbox = new Outbox(maxBytes);
  }

  /** Queues a line; returns how many old lines had to be dropped to make room. */
  push(line: string): number {
    return this.outbox.push(line);
  }

  opened(): void {
    this.outbox.rewind();
    if (this.greeting !== undefined) this.outbox.pushFront(this.greeting());
  }

  take(maxBytes: number): string | undefined {
    const [chunk] = this.outbox.chunk(maxBytes);
    this.chunkWritten = 0;
    return chunk;
  }

  written(count: number): number {
    this.chunkWritten += count;
    return this.outbox.advance(this.chunkWritten);
  }

  closed(): void {
    this.outbox.rewind();
  }

  unsentBytes(): number {
    return this.outbox.bytes();
  }

  opening(): boolean {
    return false;
  }

  receiveLimit(): number {
    return math.huge;
  }

  received(_data: string): void {}

  queue(): FeedQueue {
    return {
      messages: this.outbox.count(),
      bytes: this.outbox.bytes(),
      dropped: this.outbox.droppedCount(),
    };
  }
}
