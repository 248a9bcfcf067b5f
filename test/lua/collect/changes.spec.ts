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
