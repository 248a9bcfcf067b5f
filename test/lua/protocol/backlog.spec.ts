import { Backlog } from "../../../src/protocol/backlog";
import { beforeEach, describe, expect, it } from "../framework";

/** A line of exactly `size` bytes (newline included) for message `seq`. */
function line(this: void, seq: number, size = 10): string {
  const head = `${seq}:`;
  return head + string.rep("x", size - head.length - 1) + "\n";
}

/** Adds messages `from`..`to` of `type`, each `size` bytes. */
function addRange(
  this: void,
  b: Backlog,
  from: number,
  to: number,
  type = "unit_events",
  periodic = false,
  size = 10,
): void {
  for (let seq = from; seq <= to; seq++) b.add(seq, type, line(seq, size), periodic);
}

/** Seqs of the lines in a chunk handed out by `take`. */
function seqs(this: void, chunk: string | undefined): number[] {
  const out: number[] = [];
  if (chunk === undefined) return out;
  for (const [seq] of string.gmatch(chunk, "(%d+):")) out.push(tonumber(seq) as number);
  return out;
}

describe("backlog without acknowledgements", () => {
  let b: Backlog;
  beforeEach(() => {
    b = new Backlog(1000);
  });

  it("hands out lines in order, joined up to the byte cap but at least one line", () => {
    addRange(b, 1, 5);
    expect(seqs(b.take(25))).toEqual([1, 2]);
    expect(seqs(b.take(5))).toEqual([3]);
    expect(seqs(b.take(1000))).toEqual([4, 5]);
    expect(b.take(1000)).toBeUndefined();
    // Sent means written whole, not just handed out.
    expect(b.stats().sent).toBe(0);
    b.written(45);
    expect(b.stats().sent).toBe(4);
    b.written(5);
    expect(b.stats().sent).toBe(5);
  });

  it("counts the bytes waiting to be handed out, again after a rewind", () => {
    addRange(b, 1, 3);
    expect(b.unsentBytes()).toBe(30);
    expect(b.isUnsent(2)).toBe(true);
    b.take(15);
    expect(b.unsentBytes()).toBe(20);
    expect(b.isUnsent(1)).toBe(false);
    expect(b.isUnsent(2)).toBe(true);
    b.written(5);
    b.rewind();
    expect(b.unsentBytes()).toBe(30);
    b.take(1000);
    b.written(30);
    expect(b.unsentBytes()).toBe(0);
    expect(b.isUnsent(3)).toBe(false);
  });

  it("lets go of a message once all its bytes are written, not before", () => {
    addRange(b, 1, 3);
    b.take(1000);
    b.written(15); // message 1 and half of message 2
    expect(b.stats().queuedMessages).toBe(2);
    expect(b.stats().queuedBytes).toBe(20);
    b.written(15);
    expect(b.stats().queuedMessages).toBe(0);
    expect(b.stats().queuedBytes).toBe(0);
  });

  it("after a lost connection sends again what was not completely written", () => {
    addRange(b, 1, 4);
    b.take(1000);
    b.written(15);
    expect(b.rewind()).toBe(2);
    expect(seqs(b.take(1000))).toEqual([2, 3, 4]);
    expect(b.takeGap()).toBeUndefined();
  });
});

describe("backlog with acknowledgements", () => {
  let b: Backlog;
  beforeEach(() => {
    b = new Backlog(1000, true);
  });

  it("keeps written messages until an ack covers them", () => {
    addRange(b, 1, 4);
    b.take(1000);
    b.written(40);
    expect(b.stats().queuedMessages).toBe(4);
    expect(b.ack(2)).toBe(true);
    expect(b.stats().queuedMessages).toBe(2);
    expect(b.stats().acknowledged).toBe(2);
    expect(b.rewind()).toBe(3);
    expect(seqs(b.take(1000))).toEqual([3, 4]);
  });

  it("does not believe an ack for a message never sent, and ignores old acks", () => {
    addRange(b, 1, 3);
    b.take(10);
    expect(b.ack(3)).toBe(false);
    expect(b.stats().queuedMessages).toBe(3);
    expect(b.ack(1)).toBe(true);
    expect(b.ack(1)).toBe(true);
    expect(b.stats().acknowledged).toBe(1);
  });

  it("keeps counting the bytes of a message acknowledged while it was still being written", () => {
    addRange(b, 1, 2);
    b.take(1000);
    b.written(5);
    b.ack(1);
    b.written(5); // the rest of message 1
    b.written(10); // message 2, which must now count as written
    b.add(3, "unit_events", line(3), false);
    expect(b.rewind()).toBe(2);
    expect(seqs(b.take(1000))).toEqual([2, 3]);
  });

  it("resends from the first unacknowledged message after every reconnect", () => {
    addRange(b, 1, 6);
    b.take(1000);
    b.written(60);
    b.ack(3);
    b.rewind();
    expect(seqs(b.take(1000))).toEqual([4, 5, 6]);
    b.rewind();
    expect(seqs(b.take(1000))).toEqual([4, 5, 6]);
  });
});

describe("backlog beyond its bound", () => {
  it("keeps every periodic message while within the bound (a short outage loses nothing)", () => {
    const b = new Backlog(1000);
    b.add(1, "economy", line(1), true);
    b.add(2, "unit_events", line(2), false);
    b.add(3, "economy", line(3), true);
    expect(seqs(b.take(1000))).toEqual([1, 2, 3]);
    expect(b.takeGap()).toBeUndefined();
  });

  it("keeps the newest message even when it is the only periodic one and alone over the bound", () => {
    const b = new Backlog(60);
    b.add(1, "unit_events", line(1), false);
    b.add(2, "unit_events", line(2), false);
    b.add(3, "economy", line(3, 80), true);
    expect(seqs(b.take(1000))).toEqual([3]);
    expect(b.takeGap()).toEqual({
      firstSeq: 1,
      lastSeq: 2,
      dropped: 2,
      counts: [{ type: "unit_events", count: 2 }],
    });
  });

  it("beyond the bound drops superseded periodic messages first, oldest first, keeping the newest of each type", () => {
    const b = new Backlog(60);
    b.add(1, "economy", line(1), true);
    b.add(2, "units", line(2), true);
    b.add(3, "unit_events", line(3), false);
    b.add(4, "units", line(4), true);
    b.add(5, "economy", line(5), true);
    b.add(6, "positions", line(6), true);
    b.add(7, "team_died", line(7), false); // 70 bytes: one must go: economy 1, superseded by 5
    expect(b.takeGap()).toEqual({
      firstSeq: 1,
      lastSeq: 1,
      dropped: 1,
      counts: [{ type: "economy", count: 1 }],
    });
    b.add(8, "team_died", line(8), false); // then units 2, superseded by 4
    b.add(9, "team_died", line(9), false); // nothing superseded is left: the oldest periodic, units 4
    expect(seqs(b.take(1000))).toEqual([3, 5, 6, 7, 8, 9]);
    expect(b.takeGap()).toEqual({
      firstSeq: 2,
      lastSeq: 4,
      dropped: 2,
      counts: [{ type: "units", count: 2 }],
    });
  });

  it("after a rewind finds superseded periodic messages among those sent again", () => {
    const b = new Backlog(1000, true);
    b.add(1, "economy", line(1), true);
    b.add(2, "economy", line(2), true);
    b.take(1000);
    b.written(20);
    b.rewind();
    b.setMaxBytes(10);
    expect(b.takeGap()).toEqual({
      firstSeq: 1,
      lastSeq: 1,
      dropped: 1,
      counts: [{ type: "economy", count: 1 }],
    });
    expect(seqs(b.take(1000))).toEqual([2]);
  });

  it("drops a superseded message before an older periodic one that is not superseded", () => {
    const b = new Backlog(30);
    b.add(1, "economy", line(1), true);
    b.add(2, "units", line(2), true);
    b.add(3, "units", line(3), true);
    b.add(4, "team_died", line(4), false); // 40 bytes: units 2 goes, not economy 1
    expect(b.takeGap()!.firstSeq).toBe(2);
    // Nothing superseded is left: then the oldest periodic message.
    b.add(5, "team_died", line(5), false);
    expect(b.takeGap()!.firstSeq).toBe(1);
    // A newer economy supersedes again.
    b.add(6, "units", line(6), true);
    expect(b.takeGap()!.firstSeq).toBe(3);
  });

  it("after a rewind drops a superseded message before an older periodic one", () => {
    const b = new Backlog(1000, true);
    b.add(1, "team_died", line(1), false);
    b.add(2, "economy", line(2), true);
    b.add(3, "units", line(3), true);
    b.add(4, "units", line(4), true);
    b.take(1000);
    b.written(40);
    // Over the bound with everything written: nothing unsent to supersede; the oldest
    // written message is let go of.
    b.setMaxBytes(35);
    b.setMaxBytes(1000);
    b.rewind();
    expect(b.takeGap()!.firstSeq).toBe(1);
    // Sent again, units 3 is superseded by units 4: it goes before economy 2.
    b.setMaxBytes(25);
    expect(b.takeGap()!.firstSeq).toBe(3);
  });

  it("keeps a periodic message that was already handed out", () => {
    const b = new Backlog(1000);
    b.add(1, "economy", line(1), true);
    b.take(1000);
    b.add(2, "economy", line(2), true);
    expect(b.takeGap()).toBeUndefined();
    expect(seqs(b.take(1000))).toEqual([2]);
  });

  it("then drops unsent periodic messages before events, oldest first, and counts each by type", () => {
    const b = new Backlog(50);
    b.add(1, "unit_events", line(1), false);
    b.add(2, "economy", line(2), true);
    b.add(3, "units", line(3), true);
    b.add(4, "unit_events", line(4), false);
    b.add(5, "team_died", line(5), false);
    b.add(6, "unit_events", line(6), false); // 60 bytes: one must go, the economy
    expect(b.stats().queuedBytes).toBe(50);
    b.add(7, "unit_events", line(7), false); // then the units message
    b.add(8, "unit_events", line(8), false); // then the oldest event
    expect(seqs(b.take(1000))).toEqual([4, 5, 6, 7, 8]);
    expect(b.takeGap()).toEqual({
      firstSeq: 1,
      lastSeq: 3,
      dropped: 3,
      counts: [
        { type: "economy", count: 1 },
        { type: "units", count: 1 },
        { type: "unit_events", count: 1 },
      ],
    });
    expect(b.stats().dropped).toBe(3);
  });

  it("drops unsent messages before written ones, which it lets go of last and reports only if a reconnect needs them", () => {
    const b = new Backlog(30, true);
    addRange(b, 1, 3);
    b.take(1000);
    b.written(30);
    addRange(b, 4, 4); // over the bound, nothing unsent but the newest: 1 is let go of, unconfirmed
    expect(b.stats().queuedBytes).toBe(30);
    expect(b.takeGap()).toBeUndefined();
    addRange(b, 5, 5); // an unsent message goes before a written one: 4 is surely lost
    expect(b.takeGap()).toEqual({
      firstSeq: 4,
      lastSeq: 4,
      dropped: 1,
      counts: [{ type: "unit_events", count: 1 }],
    });
    b.ack(1); // the receiver has 1 after all: nothing else is lost
    b.rewind();
    expect(b.takeGap()).toBeUndefined();
    expect(seqs(b.take(1000))).toEqual([2, 3, 5]);
  });

  it("reports a written message it let go of as lost when a reconnect needs it", () => {
    const b = new Backlog(30, true);
    addRange(b, 1, 3);
    b.take(1000);
    b.written(30);
    addRange(b, 4, 4);
    b.rewind();
    expect(b.takeGap()).toEqual({
      firstSeq: 1,
      lastSeq: 1,
      dropped: 1,
      counts: [{ type: "unit_events", count: 1 }],
    });
    expect(seqs(b.take(1000))).toEqual([2, 3, 4]);
  });

  it("never lets go of a written gap before it is acknowledged: a reconnect sends it again", () => {
    const b = new Backlog(30, true);
    b.add(1, "gap", line(1), false, true);
    addRange(b, 2, 3);
    b.take(1000);
    b.written(30);
    addRange(b, 4, 4); // over the bound: the oldest written message that is not the gap goes
    b.rewind();
    expect(b.takeGap()).toEqual({
      firstSeq: 2,
      lastSeq: 2,
      dropped: 1,
      counts: [{ type: "unit_events", count: 1 }],
    });
    expect(seqs(b.take(1000))).toEqual([1, 3, 4]);
  });

  it("forgets messages let go of unacknowledged when the receiver turns out not to acknowledge", () => {
    const b = new Backlog(30, true);
    addRange(b, 1, 3);
    b.take(1000);
    b.written(30);
    addRange(b, 4, 4); // message 1 let go of, unconfirmed
    b.take(1000);
    b.written(10);
    b.setAcknowledging(false); // written means delivered: 2, 3 and 4 go, 1 is not lost
    expect(b.stats().queuedMessages).toBe(0);
    expect(b.rewind()).toBeUndefined();
    expect(b.takeGap()).toBeUndefined();
  });

  it("stays within its bound for a receiver that never reads, counting every message lost", () => {
    const b = new Backlog(2000);
    b.take(1000);
    for (let seq = 1; seq <= 5000; seq++) {
      b.add(seq, seq % 3 === 0 ? "economy" : "unit_events", line(seq, 20), seq % 3 === 0);
    }
    const stats = b.stats();
    expect(stats.queuedBytes).toBeLessThanOrEqual(2000);
    expect(stats.queuedMessages + stats.dropped).toBe(5000);
    const gap = b.takeGap();
    expect(gap?.dropped).toBe(stats.dropped);
    expect(gap?.firstSeq).toBe(1);
  });
});
