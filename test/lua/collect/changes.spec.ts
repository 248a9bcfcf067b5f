/**
 * The queue of recorded changes (src/collect/changes.ts): first in, first out, bounded
 * (the oldest dropped and counted), its ring reused and grown without losing order.
 */
import { describe, expect, it } from "../framework";
import { ChangeQueue } from "../../../src/collect/changes";
import type { Change } from "../../../src/collect/model";

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
