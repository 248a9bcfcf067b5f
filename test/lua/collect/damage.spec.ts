import { describe, expect, it } from "../framework";
import { ChangeQueue } from "../../../src/collect/changes";
import { DamageAggregator } from "../../../src/collect/damage";
import { ofType, runJob } from "./helpers";

describe("damage", () => {
  it("aggregates hits per unit and per team over an interval, paralyzer apart", () => {
    const q = new ChangeQueue();
    const d = new DamageAggregator(q);
    d.record(10, 1 as UnitID, 0 as TeamID, 100, false, undefined);
    d.record(11, 1 as UnitID, 0 as TeamID, 50, false, undefined);
    d.record(12, 1 as UnitID, 0 as TeamID, 30, true, undefined);
    d.record(13, 2 as UnitID, 1 as TeamID, 20, false, 0 as TeamID);
    d.record(14, 2 as UnitID, 1 as TeamID, 0 / 0, false, undefined);
    runJob(d, 40);
    const reports = ofType(q.take(), "damage");
    expect(reports).toHaveLength(1);
    expect(reports[0].fromFrame).toBe(10);
    expect(reports[0].frame).toBe(40);
    expect(reports[0].units).toEqual([
      { unitID: 1, teamID: 0, damage: 150, paralyze: 30 },
      { unitID: 2, teamID: 1, damage: 20, paralyze: 0 },
    ]);
    expect(reports[0].teams).toEqual([
      { teamID: 0, taken: 150, paralyzeTaken: 30, dealt: 20, paralyzeDealt: 0 },
      { teamID: 1, taken: 20, paralyzeTaken: 0, dealt: 0, paralyzeDealt: 0 },
    ]);
  });

  it("starts a new interval after each report, and reports nothing without hits", () => {
    const q = new ChangeQueue();
    const d = new DamageAggregator(q);
    d.record(10, 1 as UnitID, 0 as TeamID, 5, false, undefined);
    runJob(d, 30);
    q.take();
    runJob(d, 60);
    expect(q.count()).toBe(0);
    d.record(70, 1 as UnitID, 0 as TeamID, 7, false, undefined);
    runJob(d, 90);
    const reports = ofType(q.take(), "damage");
    expect(reports[0].units).toEqual([{ unitID: 1, teamID: 0, damage: 7, paralyze: 0 }]);
    expect(reports[0].fromFrame).toBe(70);
  });
});

describe("change queue", () => {
  it("keeps order across drops and refills", () => {
    const q = new ChangeQueue(2);
    for (let i = 1; i <= 3; i++) q.push({ type: "team_died", frame: i, teamID: i as TeamID });
    expect(q.count()).toBe(2);
    expect(q.takeDropped()).toBe(1);
    expect(q.take(1).map((c) => c.frame)).toEqual([2]);
    q.push({ type: "team_died", frame: 4, teamID: 4 as TeamID });
    expect(q.take().map((c) => c.frame)).toEqual([3, 4]);
    expect(q.shift()).toBeUndefined();
    q.push({ type: "team_died", frame: 5, teamID: 5 as TeamID });
    expect(q.take().map((c) => c.frame)).toEqual([5]);
  });
});
