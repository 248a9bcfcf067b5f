import { beforeEach, describe, expect, it } from "../framework";
import { Collector } from "../../../src/collect/collector";
import type { PositionRow } from "../../../src/collect/model";
import { POSITIONS_PER_CHECK } from "../../../src/collect/positions";
import { CountingBudget, FakeGame } from "../fakes/fake-game";
import { ofType, runJob } from "./helpers";

let game: FakeGame;

function scanned(this: void, c: Collector): PositionRow[] {
  const scans = ofType(c.takeChanges(), "positions");
  expect(scans).toHaveLength(1);
  return scans[0].units;
}

describe("positions", () => {
  beforeEach(() => {
    game = new FakeGame();
    game.addTeam(0, 0);
    game.addTeam(1, 1);
  });

  it("a player sees its allies' units and enemies only in LOS or radar", () => {
    game.asPlayer(0, 0);
    game.addUnit(1, 5, 0);
    game.addUnit(2, 6, 1, false, "los");
    game.addUnit(3, 7, 1, false, "radar");
    game.addUnit(4, 8, 1, false, "none");
    const c = new Collector(game);
    runJob(c.positions, 90);
    const rows = scanned(c);
    expect(rows.map((r) => r.unitID)).toEqual([1, 2, 3]);
    expect(rows[0]).toEqual({ unitID: 1, unitDefID: 5, teamID: 0, x: 10, z: 20, health: 0.5 });
    expect(rows[1].health).toBe(0.5);
    // A radar blip: no type, no health.
    expect(rows[2].unitDefID).toBeUndefined();
    expect(rows[2].health).toBeUndefined();
  });

  it("a scan spans steps with a cursor and records each unit once", () => {
    game.asSpectator(true);
    for (let i = 1; i <= 40; i++) game.addUnit(i, 5, i % 2);
    const c = new Collector(game);
    const steps = runJob(c.positions, 90, 1);
    expect(steps).toBeGreaterThanOrEqual(40 / POSITIONS_PER_CHECK);
    const ids = scanned(c).map((r) => r.unitID);
    table.sort(ids);
    expect(ids).toEqual(
      game
        .teamUnits(0 as TeamID)!
        .concat(game.teamUnits(1 as TeamID)!)
        .sort((a, b) => a - b),
    );
  });

  it("reads a recycled unit id as the unit it names now, once, and never a unit twice", () => {
    game.asSpectator(true);
    for (let i = 1; i <= 20; i++) game.addUnit(i, 5, 0);
    game.addUnit(30, 6, 1);
    const c = new Collector(game);
    const budget = new CountingBudget();
    budget.now = 10;
    c.positions.begin(budget.reset(1, 90));
    expect(c.positions.step(budget.reset(1, 90))).toBe(false);
    budget.now = 12.5;
    // Unit 15 (team 0, listed already) dies; its id is reused by a unit of team 1.
    game.units.delete(15 as UnitID);
    game.addUnit(15, 9, 1);
    // Unit 30 of team 1 goes to team 0, whose list was taken already.
    game.units.get(30 as UnitID)!.teamID = 0 as TeamID;
    while (!c.positions.step(budget.reset(1, 95))) {
      // keep stepping
    }
    const rows = scanned(c);
    const fifteen = rows.filter((r) => r.unitID === 15);
    expect(fifteen).toHaveLength(1);
    expect(fifteen[0].teamID).toBe(1);
    expect(fifteen[0].unitDefID).toBe(9);
    // 20 units listed; 30 changed team after its new team's list was taken: next scan.
    expect(rows).toHaveLength(20);
    // The scan began at game frame 90 (10 s) and ended at 95 (12.5 s).
    expect(c.positions.lastScan).toEqual({ units: 20, seconds: 2.5, frames: 5 });
    runJob(c.positions, 120);
    const next = scanned(c);
    expect(next.filter((r) => r.unitID === 30).map((r) => r.teamID)).toEqual([0]);
    expect(next).toHaveLength(21);
  });

  it("each scan starts afresh", () => {
    game.asSpectator(true);
    game.addUnit(1, 5, 0);
    const c = new Collector(game);
    runJob(c.positions, 30);
    expect(scanned(c)).toHaveLength(1);
    game.units.get(1 as UnitID)!.x = 999;
    runJob(c.positions, 60);
    const rows = scanned(c);
    expect(rows).toHaveLength(1);
    expect(rows[0].x).toBe(999);
  });
});
