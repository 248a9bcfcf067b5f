// The receiver's change feed: every message applied to a session's state and every status
// change, numbered from 1 across sessions. Bounded: a reader that fell further behind than
// the log reaches gets the whole state instead (GET /api/state, or the stream's "state").
import type { OutboundMessage } from "../protocol/messages.ts";
import type { SessionStatus } from "./session/session.ts";

export type StreamEvent =
  | { id: number; kind: "message"; session: string; receivedAt: number; message: OutboundMessage }
  | { id: number; kind: "status"; session: string; receivedAt: number; status: SessionStatus };

export type NewStreamEvent = StreamEvent extends infer E
  ? E extends StreamEvent
    ? Omit<E, "id">
    : never
  : never;

export class EventLog {
  private readonly events: StreamEvent[] = [];
  private start = 0;
  lastId = 0;

  constructor(private readonly limit = 20_000) {}

  /** Numbers the event and keeps it; the object becomes the feed's (no copy, for speed). */
  add(event: NewStreamEvent): StreamEvent {
    // Adding the id in place: an object spread here cost more than the whole reducer.
    const full = event as StreamEvent;
    full.id = ++this.lastId;
    this.events.push(full);
    if (this.events.length - this.start > this.limit) this.start++;
    // Dropped entries are cut off in batches of 4096, which keeps add() O(1) on average and
    // memory within limit + 4096 entries.
    if (this.start >= 4096) {
      this.events.splice(0, this.start);
      this.start = 0;
    }
    return full;
  }

  /** Oldest id still held (lastId + 1 when empty). */
  get firstId(): number {
    return this.events[this.start]?.id ?? this.lastId + 1;
  }

  /**
   * Events with id > after, at most `limit`. `complete` is false when events after `after`
   * were already dropped: the reader missed some and should reload the state.
   */
  after(after: number, limit = Infinity): { events: StreamEvent[]; complete: boolean } {
    const complete = after + 1 >= this.firstId;
    const from = Math.max(this.start, this.start + (after + 1 - this.firstId));
    const to = Math.min(this.events.length, from + limit);
    return { events: this.events.slice(from, to), complete };
  }
}
