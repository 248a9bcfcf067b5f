/**
 * The delivery backlog: every sequenced message from the moment it is produced
 * until the receiver is known to have it, so that nothing is lost silently
 * (docs/protocol.md, "Delivery").
 *
 * A message goes through three stages: unsent; handed to the connection (its bytes
 * are queued or being written); written (every byte went into the socket). With a
 * receiver that acknowledges, a written message is kept until an `ack` covers its
 * seq, and after a reconnect everything not acknowledged is sent again. With one
 * that does not, a message is delivered once written.
 *
 * Beyond the byte bound, messages are let go in this order: an unsent periodic
 * message (economy, units, positions, damage) superseded by a newer unsent one of its
 * type; the oldest unsent periodic message; the oldest unsent event; last, the oldest
 * written but unacknowledged (it has probably arrived; if a reconnect needs it after
 * all, it is reported lost). Unsent messages go first so that a loss is counted only
 * for what surely did not arrive: a gap then tells the receiver exactly what it
 * lacks. Within the bound nothing is dropped, so a short outage loses nothing. Every
 * message lost is counted by type and reported through `takeGap`, which the session
 * turns into a `gap` message and a fresh snapshot.
 *
 * Pure: no engine calls. Sizes are byte counts of encoded lines, each far below
 * 2^24, and totals stay below the bound, so float numbers keep them exact.
 */
import { Ring } from "../core/ring";

/** Messages lost, for a `gap` message. */
export interface LostRange {
  firstSeq: number;
  lastSeq: number;
  dropped: number;
  /** Lost messages per type, in the order the types were first lost. */
  counts: { type: string; count: number }[];
}

interface Entry {
  seq: number;
  type: string;
  line: string;
  periodic: boolean;
  /** Never dropped by the bound, written or not (a gap: the report of a loss must not be lost). */
  pinned: boolean;
  /** 0 unsent, 1 handed to the connection, 2 written (waiting for an ack). */
  stage: 0 | 1 | 2;
  /** Bytes of a handed entry not yet reported written. */
  unwritten: number;
  /** Let go of: skipped, its bytes no longer counted. */
  gone: boolean;
}

interface Queue {
  items: Entry[];
  head: number;
}

export interface BacklogCounters {
  /** Messages added. */
  produced: number;
  /** Messages written whole to a connection (resends included). */
  sent: number;
  /** Highest seq acknowledged; 0 before the first ack. */
  acknowledged: number;
  /** Messages lost (reported or waiting in the next gap). */
  dropped: number;
  /** Messages and bytes kept. */
  queuedMessages: number;
  queuedBytes: number;
}

/**
 * Moves a periodic queue's head past the entries handed out or gone (each is skipped
 * once), and forgets them now and then: O(1) amortised.
 */
function skipSent(queue: Queue): void {
  const items = queue.items;
  while (queue.head < items.length && (items[queue.head].gone || items[queue.head].stage !== 0)) {
    queue.head += 1;
  }
  if (queue.head > 64 && queue.head * 2 > items.length) {
    queue.items = items.slice(queue.head);
    queue.head = 0;
  }
}

export class Backlog {
  /** Every entry by position (0, 1, ... in the order added); the gone ones at the front are forgotten. */
  private readonly entries = new Ring<Entry>();
  /** Position of the first entry that may still be live. */
  private head = 0;
  /** Position of the next entry to hand to the connection. */
  private next = 0;
  /** Position of the first handed entry whose bytes are not all written. */
  private writing = 0;
  private bytes = 0;
  private live = 0;
  /** Bytes of the kept entries not handed to a connection yet. */
  private unsent = 0;
  /** Cursors of `enforceBound`'s passes. */
  private scanWritten = 0;
  private scanEvents = 0;
  /** Highest seq handed to a connection: an ack beyond it is not believed. */
  private highestHanded = 0;
  /** Unsent periodic entries per type, oldest first (handed-out and gone ones skipped lazily). */
  private periodicQueues = new LuaTable<string, Queue>();
  /**
   * A periodic entry was queued since the queues last had nothing superseded: only a
   * newer entry of a type can supersede one, so until then the bound skips that look
   * (at the bound, with events filling it, it was most of each add's cost).
   */
  private maySupersede = false;
  private lost?: LostRange;
  /**
   * Written, unacknowledged entries let go of (seq and type only: their lines are
   * freed): lost only if a reconnect needs them. An ack or `setAcknowledging(false)`
   * clears them, so they stay few.
   */
  private unconfirmed: { seq: number; type: string }[] = [];
  private readonly counters: BacklogCounters = {
    produced: 0,
    sent: 0,
    acknowledged: 0,
    dropped: 0,
    queuedMessages: 0,
    queuedBytes: 0,
  };

  /**
   * @param maxBytes bound on the bytes of the lines kept (default 4 MiB in the protocol)
   * @param acknowledging whether the receiver acknowledges; `setAcknowledging` changes it
   */
  constructor(
    private maxBytes: number,
    private acknowledging = false,
  ) {}

  /** The receiver acknowledges (it answered `hello` or sent an ack): keep written messages until acked. */
  setAcknowledging(on: boolean): void {
    if (this.acknowledging && !on) {
      // Everything written counts as delivered from now on.
      for (let i = this.head; i < this.writing; i++) {
        const entry = this.entries.at(i);
        if (entry.stage === 2) this.release(entry);
      }
      this.unconfirmed = [];
      this.compact();
    }
    this.acknowledging = on;
  }

  setMaxBytes(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.enforceBound();
  }

  /**
   * Adds an encoded line (with its newline) for message `seq`, which must be higher than
   * every seq added before. Beyond the bound, `periodic` messages superseded by a newer
   * one of the same type go first; a `pinned` one is never dropped, nor is the newest
   * message (one larger than the bound alone is kept until the next comes).
   */
  add(seq: number, type: string, line: string, periodic: boolean, pinned = false): void {
    const entry: Entry = {
      seq,
      type,
      line,
      periodic,
      pinned,
      stage: 0,
      unwritten: 0,
      gone: false,
    };
    this.entries.push(entry);
    this.bytes += line.length;
    this.unsent += line.length;
    this.live += 1;
    this.counters.produced += 1;
    if (periodic) {
      this.queueOf(type).items.push(entry);
      this.maySupersede = true;
    }
    this.enforceBound();
  }

  /**
   * The next unsent lines, joined, at most `maxBytes` (but always at least one line,
   * however long), or undefined when nothing is waiting. They count as handed to the
   * connection; report their bytes through `written` as they go out.
   */
  take(maxBytes: number): string | undefined {
    const parts: string[] = [];
    let size = 0;
    const entries = this.entries;
    const end = entries.end();
    while (this.next < end) {
      const entry = entries.at(this.next);
      if (!entry.gone) {
        if (parts.length > 0 && size + entry.line.length > maxBytes) break;
        parts.push(entry.line);
        size += entry.line.length;
        entry.stage = 1;
        entry.unwritten = entry.line.length;
        this.unsent -= entry.line.length;
        this.highestHanded = math.max(this.highestHanded, entry.seq);
      }
      this.next += 1;
    }
    if (parts.length === 0) return undefined;
    // A single line (a big message goes alone) is handed out as it is, not copied.
    return parts.length === 1 ? parts[0] : parts.join("");
  }

  /** `count` more bytes of what `take` handed out went into the socket. */
  written(count: number): void {
    const entries = this.entries;
    let left = count;
    while (left > 0 && this.writing < this.next) {
      const entry = entries.at(this.writing);
      // An entry acknowledged while its bytes were still going out (gone, stage 1)
      // still owns those bytes.
      if (entry.stage !== 1 || entry.unwritten === 0) {
        this.writing += 1;
        continue;
      }
      const step = math.min(left, entry.unwritten);
      entry.unwritten -= step;
      left -= step;
      if (entry.unwritten > 0) break;
      entry.stage = 2;
      this.writing += 1;
      this.counters.sent += 1;
      if (!this.acknowledging) this.release(entry);
    }
    this.compact();
  }

  /** The receiver has every message up to `seq`. Returns false for a seq never sent. */
  ack(seq: number): boolean {
    if (seq <= this.counters.acknowledged) return true;
    if (seq > this.highestHanded) return false;
    this.counters.acknowledged = seq;
    const entries = this.entries;
    for (let i = this.head; i < this.next && entries.at(i).seq <= seq; i++) {
      const entry = entries.at(i);
      if (!entry.gone && entry.stage !== 0) this.release(entry);
    }
    if (this.unconfirmed.length > 0) this.unconfirmed = this.unconfirmed.filter((e) => e.seq > seq);
    this.compact();
    return true;
  }

  /**
   * The connection was lost or replaced: whatever was handed out and is not known to
   * be delivered goes out again, from the oldest. Written messages that were let go of
   * without an ack are now lost and reported.
   * Returns the seq the next connection starts with (for `hello.nextSeq`), or undefined
   * when nothing is waiting.
   */
  rewind(): number | undefined {
    for (const entry of this.unconfirmed) this.recordLoss(entry);
    this.unconfirmed = [];
    const entries = this.entries;
    let first: number | undefined;
    const end = entries.end();
    for (let i = this.head; i < end; i++) {
      const entry = entries.at(i);
      // The connection's queued bytes are discarded with it.
      entry.unwritten = 0;
      if (entry.gone) continue;
      if (entry.stage !== 0) this.unsent += entry.line.length;
      entry.stage = 0;
      first ??= entry.seq;
    }
    this.next = this.head;
    this.writing = this.head;
    this.scanWritten = this.head;
    this.scanEvents = this.head;
    // Handed-out periodic entries are unsent again: queue them anew, in order.
    this.periodicQueues = new LuaTable();
    for (let i = this.head; i < end; i++) {
      const entry = entries.at(i);
      if (!entry.gone && entry.periodic) this.queueOf(entry.type).items.push(entry);
    }
    this.maySupersede = true;
    return first;
  }

  /** Whether messages were lost since the last `takeGap`. */
  hasGap(): boolean {
    return this.lost !== undefined;
  }

  /**
   * Takes message `seq` out (e.g. the `bye` of a connection that ended: it must not
   * reach the receiver on the next one): delivered if it was written whole, otherwise
   * lost and reported in the next gap. False when it is not kept (or half written).
   */
  withdraw(seq: number): boolean {
    const entries = this.entries;
    const end = entries.end();
    for (let i = this.head; i < end; i++) {
      const entry = entries.at(i);
      if (entry.seq === seq && !entry.gone && !(entry.stage === 1 && entry.unwritten > 0)) {
        if (entry.stage === 2) this.release(entry);
        else this.drop(entry);
        this.compact();
        return true;
      }
      if (entry.seq >= seq) return false;
    }
    return false;
  }

  /** Messages lost since the last call, or undefined when none was. */
  takeGap(): LostRange | undefined {
    const lost = this.lost;
    this.lost = undefined;
    return lost;
  }

  /** Bytes waiting to be handed out (0: the connection has taken everything). */
  unsentBytes(): number {
    return this.unsent;
  }

  /** Whether a message with this seq is still kept and not handed out (e.g. a snapshot still waiting). */
  isUnsent(seq: number): boolean {
    const entries = this.entries;
    const end = entries.end();
    for (let i = this.next; i < end; i++) {
      const entry = entries.at(i);
      if (entry.seq === seq) return !entry.gone;
      if (entry.seq > seq) return false;
    }
    return false;
  }

  stats(): BacklogCounters {
    this.counters.queuedMessages = this.live;
    this.counters.queuedBytes = this.bytes;
    return this.counters;
  }

  /** Lets go of a delivered entry. */
  private release(entry: Entry): void {
    if (entry.gone) return;
    entry.gone = true;
    this.bytes -= entry.line.length;
    if (entry.stage === 0) this.unsent -= entry.line.length;
    this.live -= 1;
  }

  private drop(entry: Entry): void {
    this.release(entry);
    this.recordLoss(entry);
  }

  private recordLoss(entry: { seq: number; type: string }): void {
    this.counters.dropped += 1;
    const lost = (this.lost ??= {
      firstSeq: entry.seq,
      lastSeq: entry.seq,
      dropped: 0,
      counts: [],
    });
    lost.firstSeq = math.min(lost.firstSeq, entry.seq);
    lost.lastSeq = math.max(lost.lastSeq, entry.seq);
    lost.dropped += 1;
    // A loop, not find: no closure per message lost (a full backlog loses one per add).
    const counts = lost.counts;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i].type === entry.type) {
        counts[i].count += 1;
        return;
      }
    }
    counts.push({ type: entry.type, count: 1 });
  }

  /**
   * Lets go of entries, in the documented order, until the bytes fit the bound. Each
   * pass keeps a cursor that only moves forward (what lies behind it can no longer
   * qualify), so a receiver that never reads costs O(1) amortised per message.
   */
  private enforceBound(): void {
    if (this.bytes <= this.maxBytes) return;
    const entries = this.entries;
    // Unsent periodic messages superseded by a newer unsent one of their type (only the
    // latest economy, units, positions, damage matter), oldest first.
    while (this.maySupersede && this.bytes > this.maxBytes) {
      const superseded = this.oldestSuperseded();
      if (superseded === undefined) {
        this.maySupersede = false;
        break;
      }
      this.drop(superseded);
    }
    // Then unsent periodic messages, oldest first, taken from their queues: a pass over
    // every entry for the few periodic ones took 15 ms the first time a backlog of 30,000
    // events reached the bound. The newest entry stays (it may qualify later).
    const newest = entries.end() - 1;
    const newestSeq = entries.at(newest).seq;
    while (this.bytes > this.maxBytes) {
      const periodic = this.oldestUnsentPeriodic(newestSeq);
      if (periodic === undefined) break;
      this.drop(periodic);
    }
    // Then unsent events, oldest first.
    this.scanEvents = math.max(this.scanEvents, this.next);
    while (this.bytes > this.maxBytes && this.scanEvents < newest) {
      const e = entries.at(this.scanEvents);
      if (!e.gone && !e.pinned) this.drop(e);
      this.scanEvents += 1;
    }
    // Last, written but unacknowledged messages, oldest first; never a gap: let go of and
    // then needed by a reconnect, it would be reported as one lost message, and the range
    // it reported would be lost with it.
    this.scanWritten = math.max(this.scanWritten, this.head);
    while (this.bytes > this.maxBytes && this.scanWritten < this.writing) {
      const e = entries.at(this.scanWritten);
      if (!e.gone && e.stage === 2 && !e.pinned) this.letGoUnconfirmed(e);
      this.scanWritten += 1;
    }
    this.compact();
  }

  private queueOf(type: string): Queue {
    let queue = this.periodicQueues.get(type);
    if (queue === undefined) {
      queue = { items: [], head: 0 };
      this.periodicQueues.set(type, queue);
    }
    return queue;
  }

  /** The oldest unsent periodic entry that has a newer unsent one of its type, if any. */
  private oldestSuperseded(): Entry | undefined {
    return this.oldestPeriodic(true, math.huge);
  }

  /** The oldest unsent periodic entry older than `belowSeq`, if any. */
  private oldestUnsentPeriodic(belowSeq: number): Entry | undefined {
    return this.oldestPeriodic(false, belowSeq);
  }

  /**
   * The oldest of the unsent periodic entries at the heads of their type's queues (older
   * than `belowSeq`; with `superseded`, only those with a newer unsent one of their type),
   * taken off its queue: a look at each type's head, O(1) amortised (`skipSent`).
   */
  private oldestPeriodic(superseded: boolean, belowSeq: number): Entry | undefined {
    let oldest: Entry | undefined;
    let oldestQueue: Queue | undefined;
    const needed = superseded ? 2 : 1;
    for (const [, queue] of this.periodicQueues) {
      skipSent(queue);
      if (queue.items.length - queue.head >= needed) {
        const candidate = queue.items[queue.head];
        if (candidate.seq < belowSeq && (oldest === undefined || candidate.seq < oldest.seq)) {
          oldest = candidate;
          oldestQueue = queue;
        }
      }
    }
    if (oldestQueue !== undefined) oldestQueue.head += 1;
    return oldest;
  }

  private letGoUnconfirmed(entry: Entry): void {
    this.release(entry);
    this.unconfirmed.push({ seq: entry.seq, type: entry.type });
  }

  /** Forgets leading entries that are gone (their slots let go of them: O(1) amortised, no copy). */
  private compact(): void {
    const entries = this.entries;
    const end = entries.end();
    while (this.head < end) {
      const e = entries.at(this.head);
      if (!e.gone || (e.stage === 1 && e.unwritten > 0)) break;
      this.head += 1;
    }
    this.next = math.max(this.next, this.head);
    this.writing = math.max(this.writing, this.head);
    entries.dropBefore(this.head);
  }
}
