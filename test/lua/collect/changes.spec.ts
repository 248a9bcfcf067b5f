/**
 * The queue of recorded changes (src/collect/changes.ts): first in, first out, bounded
 * (the oldest dropped and counted), its ring reused and grown without losing order.
 */
import { describe, expect, it } from "../framework";
import { ChangeQueue } from "../../../src/collect/changes";
import {
  BATCH_EVENTS,
  UNIT_CREATED,
  UNIT_DESTROYED,
  UNIT_FINISHED,
  UNIT_GIVEN,
  UNIT_TAKEN,
  batchEvent,
} from "../../../src/collect/event-batch";
import type { Change, QueuedChange } from "../../../src/collect/model";

const died = (teamID: number): Change => ({
  type: "team_died",
  frame: 1,
  teamID: teamID as TeamID,
});
const ids = (changes: Change[]) => changes.map((c) => (c as { teamID: number }).teamID);

describe("ChangeQueue", () => {
  it("hands changes back oldest first, across many times round its ring", () => {
    const q = new ChangeQueue();
    let next = 0;
    let expected = 0;
    // Push 7, take 5, over and over: the ring wraps and grows while the order holds.
    for (let round = 0; round < 400; round++) {
      for (let i = 0; i < 7; i++) q.push(died(next++));
      for (const id of ids(q.take(5))) expect(id).toBe(expected++);
    }
    expect(q.count()).toBe(next - expected);
    expect(ids(q.take())).toEqual(Array.from({ length: next - expected }, (_, i) => expected + i));
    expect(q.count()).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it("when full drops the oldest, counts it once, keeps the newest in order", () => {
    const q = new ChangeQueue(300);
    for (let i = 0; i < 1000; i++) q.push(died(i));
    expect(q.count()).toBe(300);
    expect(q.takeDropped()).toBe(700);
    expect(q.takeDropped()).toBe(0);
    expect(q.droppedTotal).toBe(700);
    // Taking some and pushing on again, full all the while.
    expect(ids(q.take(100))).toEqual(Array.from({ length: 100 }, (_, i) => 700 + i));
    for (let i = 1000; i < 1150; i++) q.push(died(i));
    expect(q.count()).toBe(300);
    expect(q.takeDropped()).toBe(50);
    expect(ids(q.take())).toEqual(Array.from({ length: 300 }, (_, i) => 850 + i));
  });

  it("counts what was recorded per type, and tells the observer of each", () => {
    const q = new ChangeQueue(2);
    const seen: string[] = [];
    q.observer = (c) => {
      seen.push(c.type);
    };
    q.push(died(1));
    q.push({ type: "game_started", frame: 2 });
    q.push(died(2));
    expect(q.recorded.get("team_died")).toBe(2);
    expect(q.recorded.get("game_started")).toBe(1);
    expect(seen).toEqual(["team_died", "game_started", "team_died"]);
  });

  it("starts afresh when cleared", () => {
    const q = new ChangeQueue(10);
    for (let i = 0; i < 25; i++) q.push(died(i));
    q.clear();
    expect(q.count()).toBe(0);
    q.push(died(99));
    expect(ids(q.take())).toEqual([99]);
  });
});

const created = (unitID: number, frame: number, builderID?: number): Change => ({
  type: "unit_created",
  frame,
  unitID: unitID as UnitID,
  unitDefID: 5 as UnitDefID,
  teamID: 1 as TeamID,
  builderID: builderID as UnitID | undefined,
});
const unitIDs = (changes: Change[]) => changes.map((c) => (c as { unitID?: number }).unitID);
/** The queue's entries, shifted: a batch as its frame and event count. */
const entries = (q: ChangeQueue): string[] => {
  const out: string[] = [];
  for (let e: QueuedChange | undefined = q.shift(); e !== undefined; e = q.shift()) {
    out.push(e.type === "unit_events" ? `batch ${e.frame}x${e.count}` : e.type);
  }
  return out;
};

describe("ChangeQueue: unit events in batches", () => {
  it("keeps a frame's unit events in a row as one entry; a frame, another change or a full batch ends it", () => {
    const q = new ChangeQueue();
    for (let i = 1; i <= 3; i++) q.push(created(i, 10));
    q.pushUnitEvent(UNIT_FINISHED, 10, 4 as UnitID, 5 as UnitDefID, 1);
    q.pushUnitEvent(UNIT_CREATED, 11, 5 as UnitID, 5 as UnitDefID, 1);
    q.push(died(2));
    q.pushUnitEvent(UNIT_CREATED, 11, 6 as UnitID, 5 as UnitDefID, 1);
    for (let i = 0; i < BATCH_EVENTS + 2; i++) {
      q.pushUnitEvent(UNIT_DESTROYED, 12, (100 + i) as UnitID, 5 as UnitDefID, 1);
    }
    expect(q.count()).toBe(4 + 1 + 1 + 1 + BATCH_EVENTS + 2);
    expect(entries(q)).toEqual([
      "batch 10x4",
      "batch 11x1",
      "team_died",
      "batch 11x1",
      `batch 12x${BATCH_EVENTS}`,
      "batch 12x2",
    ]);
    expect(q.count()).toBe(0);
  });

  it("takes a change per event, in order, the same as recorded, a batch split where max falls", () => {
    const q = new ChangeQueue();
    q.push(created(1, 10, 77));
    q.push({
      type: "unit_destroyed",
      frame: 10,
      unitID: 2 as UnitID,
      unitDefID: 6 as UnitDefID,
      teamID: 1 as TeamID,
      attackerID: 3 as UnitID,
      attackerDefID: 7 as UnitDefID,
      attackerTeamID: 2 as TeamID,
      weaponDefID: 9 as WeaponDefID,
    });
    q.push({
      type: "unit_taken",
      frame: 10,
      unitID: 4 as UnitID,
      unitDefID: 6 as UnitDefID,
      oldTeamID: 1 as TeamID,
      newTeamID: 2 as TeamID,
    });
    q.push(created(5, 10));
    const first = q.take(2);
    expect(first).toEqual([
      created(1, 10, 77),
      {
        type: "unit_destroyed",
        frame: 10,
        unitID: 2,
        unitDefID: 6,
        teamID: 1,
        attackerID: 3,
        attackerDefID: 7,
        attackerTeamID: 2,
        weaponDefID: 9,
      },
    ]);
    expect(q.count()).toBe(2);
    // The rest of the split batch still takes the frame's next events.
    q.push(created(6, 10));
    expect(entries(q)).toEqual(["batch 10x3"]);
    q.push(created(7, 10));
    q.push(died(3));
    expect(q.take().map((c) => c.type)).toEqual(["unit_created", "team_died"]);
  });

  it("when full drops its oldest entries whole, counting every event, and keeps the newest", () => {
    const q = new ChangeQueue(300);
    for (let i = 0; i < 1000; i++) q.push(created(i, 100 + math.floor(i / 50)));
    // Batches of 50 go whole: the queue keeps the newest 300 or fewer, never more.
    expect(q.count()).toBeLessThanOrEqual(300);
    expect(q.count()).toBeGreaterThan(300 - 50);
    const kept = q.count();
    expect(q.takeDropped()).toBe(1000 - kept);
    expect(q.droppedTotal).toBe(1000 - kept);
    expect(unitIDs(q.take())).toEqual(Array.from({ length: kept }, (_, i) => 1000 - kept + i));
  });

  it("tells the observer of each unit event as its own change, and counts it by type", () => {
    const q = new ChangeQueue();
    const seen: Change[] = [];
    q.observer = (c) => {
      seen.push(c);
    };
    q.push(created(1, 10, 7));
    q.pushUnitEvent(UNIT_FINISHED, 10, 1 as UnitID, 5 as UnitDefID, 1);
    expect(seen).toEqual([
      created(1, 10, 7),
      { type: "unit_finished", frame: 10, unitID: 1, unitDefID: 5, teamID: 1 },
    ]);
    expect(q.recorded.get("unit_created")).toBe(1);
    expect(q.recorded.get("unit_finished")).toBe(1);
    expect(q.recorded.get("unit_events" as never)).toBeUndefined();
  });

  it("wakes its consumer for a unit event into an empty queue, even when the observer records a change meanwhile", () => {
    // Another widget's observer may publish an event (an `ext` change) as it is told of one.
    const q = new ChangeQueue();
    let wakes = 0;
    q.onWaiting = () => {
      wakes += 1;
    };
    q.observer = (c) => {
      if (c.type === "unit_created")
        q.push({ type: "ext", frame: c.frame, name: "x", fields: new LuaMap() });
    };
    q.pushUnitEvent(UNIT_CREATED, 10, 1 as UnitID, 5 as UnitDefID, 1);
    expect(wakes).toBe(1);
    expect(q.take().map((c) => c.type)).toEqual(["unit_created", "ext"]);
  });

  it("reuses a read batch without its old values", () => {
    const q = new ChangeQueue();
    for (let i = 0; i < 3; i++) {
      q.pushUnitEvent(UNIT_DESTROYED, 10, i as UnitID, 5 as UnitDefID, 1, 2, 3, 4, 5);
    }
    const batch = q.shift()!;
    expect(batch.type).toBe("unit_events");
    if (batch.type === "unit_events") q.recycle(batch);
    q.push(created(9, 11));
    const again = q.shift()!;
    expect(again).toBe(batch);
    q.recycle(again as never);
    q.push(created(9, 12));
    expect(q.take()).toEqual([created(9, 12)]);
  });
});

describe("ChangeQueue: unit events against a model of its changes", () => {
  /** Park-Miller: the same numbers in Lua 5.1 (doubles) and 5.3 (integers). */
  function randomness(this: void, seed: number): (this: void, n: number) => number {
    let s = seed;
    return (n) => {
      s = (s * 16807) % 2147483647;
      return s % n;
    };
  }

  it("hands back every change kept, in order and with its values, whatever the pushes, takes, shifts, recycles and drops", () => {
    for (const seed of [7, 1234]) {
      const rand = randomness(seed);
      const limit = 40 + rand(60);
      const q = new ChangeQueue(limit);
      /** Every change pushed, by serial (its unitID or teamID). */
      const pushed = new LuaMap<number, Change>();
      const out: Change[] = [];
      /** Batches shifted and never recycled, with their events as read then. */
      const kept: [QueuedChange, Change[]][] = [];
      let serial = 0;
      let frame = 1;
      let dropped = 0;
      const maybe = (): number | undefined => (rand(3) === 0 ? undefined : rand(5000));
      for (let step = 0; step < 2000; step++) {
        // Now and then the consumer stalls: the queue fills and drops.
        const r = step % 500 < 200 ? rand(68) : rand(100);
        if (r < 50) {
          serial += 1;
          const unitID = serial as UnitID;
          const unitDefID = rand(400) as UnitDefID;
          const kind = rand(5);
          let change: Change;
          if (kind === 0) {
            const builderID = maybe() as UnitID | undefined;
            // A nil field is no field in Lua: the change as the queue hands it back.
            change = {
              type: "unit_created",
              frame,
              unitID,
              unitDefID,
              teamID: 1 as TeamID,
              builderID,
            };
            if (rand(2) === 0) q.push(change);
            else q.pushUnitEvent(UNIT_CREATED, frame, unitID, unitDefID, 1, builderID);
          } else if (kind === 1) {
            change = { type: "unit_finished", frame, unitID, unitDefID, teamID: 2 as TeamID };
            if (rand(2) === 0) q.push(change);
            else q.pushUnitEvent(UNIT_FINISHED, frame, unitID, unitDefID, 2);
          } else if (kind === 2) {
            const [a, b, c, d] = [maybe(), maybe(), maybe(), maybe()];
            change = {
              type: "unit_destroyed",
              frame,
              unitID,
              unitDefID,
              teamID: 3 as TeamID,
              attackerID: a as UnitID | undefined,
              attackerDefID: b as UnitDefID | undefined,
              attackerTeamID: c as TeamID | undefined,
              weaponDefID: d as WeaponDefID | undefined,
            };
            if (rand(2) === 0) q.push(change);
            else q.pushUnitEvent(UNIT_DESTROYED, frame, unitID, unitDefID, 3, a, b, c, d);
          } else {
            const type = kind === 3 ? "unit_given" : "unit_taken";
            change = {
              type,
              frame,
              unitID,
              unitDefID,
              oldTeamID: 4 as TeamID,
              newTeamID: 5 as TeamID,
            };
            if (rand(2) === 0) q.push(change);
            else {
              q.pushUnitEvent(kind === 3 ? UNIT_GIVEN : UNIT_TAKEN, frame, unitID, unitDefID, 4, 5);
            }
          }
          pushed.set(serial, change);
        } else if (r < 58) {
          serial += 1;
          const change = died(serial);
          change.frame = frame;
          q.push(change);
          pushed.set(serial, change);
        } else if (r < 68) {
          frame += 1;
        } else if (r < 80) {
          for (const c of q.take(1 + rand(12))) out.push(c);
        } else if (r < 92) {
          const entry = q.shift();
          if (entry !== undefined && entry.type === "unit_events") {
            expect(entry.count).toBeGreaterThan(0);
            expect(entry.count).toBeLessThanOrEqual(BATCH_EVENTS);
            const events: Change[] = [];
            for (let i = 0; i < entry.count; i++) events.push(batchEvent(entry, i));
            for (const e of events) {
              expect(e.frame).toBe(entry.frame);
              out.push(e);
            }
            if (rand(4) === 0) kept.push([entry, events]);
            else q.recycle(entry);
          } else if (entry !== undefined) {
            out.push(entry as Change);
          }
        } else {
          dropped += q.takeDropped();
        }
        expect(q.count()).toBeLessThanOrEqual(limit);
        expect(q.count()).toBe(serial - out.length - q.droppedTotal);
      }
      for (const c of q.take()) out.push(c);
      dropped += q.takeDropped();
      expect(dropped).toBe(q.droppedTotal);
      expect(q.count()).toBe(0);
      // In order, each as pushed; those missing are the ones counted as dropped.
      let last = 0;
      for (const c of out) {
        const id = (c as { unitID?: number }).unitID ?? (c as { teamID: number }).teamID;
        expect(id).toBeGreaterThan(last);
        expect(c).toEqual(pushed.get(id));
        last = id;
      }
      expect(serial - out.length).toBe(dropped);
      expect(dropped).toBeGreaterThan(0);
      // A batch its reader kept (never recycled) is never written again.
      for (const [entry, events] of kept) {
        const now: Change[] = [];
        const batch = entry as Extract<QueuedChange, { type: "unit_events" }>;
        for (let i = 0; i < batch.count; i++) now.push(batchEvent(batch, i));
        expect(now).toEqual(events);
      }
    }
  });
});
