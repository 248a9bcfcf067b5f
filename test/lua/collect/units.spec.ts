import { beforeEach, describe, expect, it } from "../framework";
import { Collector } from "../../../src/collect/collector";
import type { DefCounts, TeamUnits } from "../../../src/collect/model";
import {
  ReconcileJob,
  RESCAN_PER_CHECK,
  SWEEP_PER_CHECK,
  UNIT_SLOTS,
  UnitCountsJob,
} from "../../../src/collect/units";
import { CountingBudget, FakeGame } from "../fakes/fake-game";
import { ofType, runJob } from "./helpers";

let game: FakeGame;

/** Counts as "def=count" strings, sorted, for comparison. */
function show(this: void, counts: DefCounts): string[] {
  const out: string[] = [];
  for (const [def, n] of counts) out.push(`${def}=${n}`);
  table.sort(out);
  return out;
}

function teamOf<T extends TeamUnits>(this: void, list: T[], teamID: number): T {
  for (const t of list) if (t.teamID === teamID) return t;
  throw `no team ${teamID}`;
}

function reconcile(this: void, c: Collector, frame = 100): void {
  runJob(new ReconcileJob(c.units, c.teams), frame);
}

/** A collector of `game` and its counts job, the job's first run done and its changes taken. */
function countingAfterFirstRun(this: void): [Collector, UnitCountsJob] {
  const c = new Collector(game);
  const job = new UnitCountsJob(c.units, c.teams, c.changes);
  runJob(job, 30);
  c.takeChanges();
  return [c, job];
}

describe("unit counts", () => {
  beforeEach(() => {
    game = new FakeGame();
    game.addTeam(0, 0);
    game.addTeam(1, 1);
  });

  it("are built from the engine when the widget starts mid-game", () => {
    game.asSpectator(true);
    game.addUnit(11, 5, 0);
    game.addUnit(12, 5, 0);
    game.addUnit(13, 6, 0, true);
    game.addUnit(14, 7, 1);
    const c = new Collector(game);
    reconcile(c);
    const units = c.units.current();
    expect(show(teamOf(units, 0).finished)).toEqual(["5=2"]);
    expect(show(teamOf(units, 0).building)).toEqual(["6=1"]);
    expect(show(teamOf(units, 1).finished)).toEqual(["7=1"]);
    expect(teamOf(units, 0).exact).toBe(true);
  });

  it("are not rebuilt for teams without units when counting starts (loaded before the game)", () => {
    game.asSpectator(true);
    game.addUnit(11, 5, 0);
    const c = new Collector(game);
    // Team 1 had no unit: its units come from the call-ins.
    c.unitCreated(21 as UnitID, 7 as UnitDefID, 1 as TeamID);
    game.addUnit(21, 7, 1, true);
    reconcile(c);
    expect(game.calls.get("teamUnits")).toBe(1); // team 0's rebuild only
    const units = c.units.current();
    expect(show(teamOf(units, 0).finished)).toEqual(["5=1"]);
    expect(show(teamOf(units, 1).building)).toEqual(["7=1"]);
  });

  it("follow the call-ins: created, finished, destroyed, given", () => {
    game.asPlayer(0, 0);
    game.addTeam(2, 0);
    const c = new Collector(game);
    reconcile(c);
    c.unitCreated(21 as UnitID, 5 as UnitDefID, 0 as TeamID, 20 as UnitID);
    c.unitCreated(22 as UnitID, 5 as UnitDefID, 0 as TeamID);
    expect(show(teamOf(c.units.current(), 0).building)).toEqual(["5=2"]);
    c.unitFinished(21 as UnitID, 5 as UnitDefID, 0 as TeamID);
    expect(show(teamOf(c.units.current(), 0).finished)).toEqual(["5=1"]);
    expect(show(teamOf(c.units.current(), 0).building)).toEqual(["5=1"]);
    c.unitDestroyed(22 as UnitID, 5 as UnitDefID, 0 as TeamID);
    expect(show(teamOf(c.units.current(), 0).building)).toEqual([]);
    // An allied transfer sends both call-ins: counted once.
    c.unitTaken(21 as UnitID, 5 as UnitDefID, 0 as TeamID, 2 as TeamID);
    c.unitGiven(21 as UnitID, 5 as UnitDefID, 2 as TeamID, 0 as TeamID);
    expect(show(teamOf(c.units.current(), 0).finished)).toEqual([]);
    expect(show(teamOf(c.units.current(), 2).finished)).toEqual(["5=1"]);
    // Given away to an enemy: gone from the counts the view keeps itself.
    c.unitTaken(21 as UnitID, 5 as UnitDefID, 2 as TeamID, 1 as TeamID);
    expect(show(teamOf(c.units.current(), 2).finished)).toEqual([]);
    expect(teamOf(c.units.current(), 1).exact).toBe(false);
  });

  it("for a player, enemies are what the engine shows: typed units and unknown blips", () => {
    game.asPlayer(0, 0);
    game.addUnit(31, 8, 1, false, "los");
    game.addUnit(32, 8, 1, true, "radarTyped");
    game.addUnit(33, 9, 1, false, "radar");
    game.addUnit(34, 9, 1, false, "none");
    const c = new Collector(game);
    runJob(new UnitCountsJob(c.units, c.teams, c.changes), 100);
    const enemy = teamOf(c.units.current(), 1);
    expect(enemy.exact).toBe(false);
    expect(show(enemy.finished)).toEqual(["8=2"]);
    expect(enemy.unknown).toBe(1);
    // BAR's extra enemy events change nothing the engine does not show.
    c.unitFinished(35 as UnitID, 9 as UnitDefID, 1 as TeamID);
    expect(show(teamOf(c.units.current(), 1).finished)).toEqual(["8=2"]);
  });

  it("an enemy team's change carries only the defs whose visible count changed", () => {
    game.asPlayer(0, 0);
    game.addUnit(31, 8, 1, false, "los");
    game.addUnit(32, 9, 1, true, "los");
    game.addUnit(33, 10, 1, false, "radar");
    const c = new Collector(game);
    const job = new UnitCountsJob(c.units, c.teams, c.changes);
    runJob(job, 30);
    const first = teamOf(ofType(c.takeChanges(), "units")[0].teams, 1);
    expect([show(first.finished), first.unknown]).toEqual([["8=1", "9=1"], 1]);
    // Def 9's unit dies, a def 11 one comes into sight; def 8 is as it was.
    game.units.delete(32 as UnitID);
    game.addUnit(34, 11, 1, false, "los");
    runJob(job, 60);
    const second = teamOf(ofType(c.takeChanges(), "units")[0].teams, 1);
    expect(second.partial).toBe(true);
    expect([show(second.finished), second.unknown]).toEqual([["11=1", "9=0"], 1]);
    // Only a blip more: the change is its unknown count.
    game.addUnit(35, 12, 1, false, "radar");
    runJob(job, 90);
    const third = teamOf(ofType(c.takeChanges(), "units")[0].teams, 1);
    expect([show(third.finished), third.unknown]).toEqual([[], 2]);
    expect(show(teamOf(c.units.current(), 1).finished)).toEqual(["11=1", "8=1"]);
  });

  it("records only the teams whose counts changed", () => {
    game.asSpectator(true);
    const [c, job] = countingAfterFirstRun();
    c.unitCreated(41 as UnitID, 5 as UnitDefID, 1 as TeamID);
    runJob(job, 60);
    const changes = ofType(c.takeChanges(), "units");
    expect(changes).toHaveLength(1);
    expect(changes[0].teams.map((t) => t.teamID)).toEqual([1]);
    expect(show(changes[0].teams[0].building)).toEqual(["5=1"]);
    runJob(job, 90);
    expect(ofType(c.takeChanges(), "units")).toHaveLength(0);
  });

  it("a units change carries only the defs that changed (0: none left); a team read anew carries all", () => {
    game.asSpectator(true);
    game.addUnit(11, 5, 0);
    game.addUnit(12, 6, 0);
    game.addUnit(13, 7, 0);
    const c = new Collector(game);
    reconcile(c); // the start's rebuild: the teams are read anew
    const job = new UnitCountsJob(c.units, c.teams, c.changes);
    runJob(job, 30);
    const [first] = ofType(c.takeChanges(), "units");
    const start = teamOf(first.teams, 0);
    expect(start.partial).toBe(false);
    expect(show(start.finished)).toEqual(["5=1", "6=1", "7=1"]);
    // Def 5 gains a unit under construction, def 6 loses its last one; def 7 is untouched.
    c.unitCreated(21 as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.unitDestroyed(12 as UnitID, 6 as UnitDefID, 0 as TeamID);
    runJob(job, 60);
    const [second] = ofType(c.takeChanges(), "units");
    expect(second.teams.map((t) => t.teamID)).toEqual([0]);
    const team0 = second.teams[0];
    expect(team0.partial).toBe(true);
    expect(show(team0.finished)).toEqual(["6=0"]);
    expect(show(team0.building)).toEqual(["5=1"]);
    // Finished: it moves from building to finished, both marked.
    c.unitFinished(21 as UnitID, 5 as UnitDefID, 0 as TeamID);
    runJob(job, 90);
    const [third] = ofType(c.takeChanges(), "units");
    expect(show(third.teams[0].finished)).toEqual(["5=2"]);
    expect(show(third.teams[0].building)).toEqual(["5=0"]);
    // The view changes: every team is read anew and sent whole.
    c.units.resetAll();
    runJob(job, 120);
    const [fourth] = ofType(c.takeChanges(), "units");
    expect(fourth.teams.map((t) => t.partial)).toEqual([false, false]);
  });

  it("a change's counts are the last of each def, and stay as taken while counting goes on", () => {
    game.asSpectator(true);
    const [c, job] = countingAfterFirstRun();
    // Def 5: two built, one destroyed; def 6: one created and destroyed (none left).
    c.unitCreated(41 as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.unitCreated(42 as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.unitFinished(41 as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.unitFinished(42 as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.unitDestroyed(41 as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.unitCreated(43 as UnitID, 6 as UnitDefID, 0 as TeamID);
    c.unitDestroyed(43 as UnitID, 6 as UnitDefID, 0 as TeamID);
    runJob(job, 60);
    const [first] = ofType(c.takeChanges(), "units");
    const taken = first.teams[0];
    expect(taken.partial).toBe(true);
    expect(show(taken.finished)).toEqual(["5=1"]);
    expect(show(taken.building)).toEqual(["5=0", "6=0"]);
    // The same defs move on, a unit is given away: the change keeps what was taken
    // (observers and the message read it later).
    c.unitCreated(44 as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.unitFinished(44 as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.unitCreated(45 as UnitID, 6 as UnitDefID, 0 as TeamID);
    c.unitGiven(42 as UnitID, 5 as UnitDefID, 1 as TeamID, 0 as TeamID);
    expect(show(taken.finished)).toEqual(["5=1"]);
    expect(show(taken.building)).toEqual(["5=0", "6=0"]);
    runJob(job, 90);
    const [second] = ofType(c.takeChanges(), "units");
    expect(show(teamOf(second.teams, 0).finished)).toEqual(["5=1"]);
    expect(show(teamOf(second.teams, 0).building)).toEqual(["5=0", "6=1"]);
    expect(show(teamOf(second.teams, 1).finished)).toEqual(["5=1"]);
    expect(show(taken.finished)).toEqual(["5=1"]);
  });

  it("a run spreads the teams over steps, each step recording the teams it took", () => {
    game.asSpectator(true);
    game.addTeam(2, 0);
    const [c, job] = countingAfterFirstRun();
    c.unitCreated(41 as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.unitCreated(42 as UnitID, 6 as UnitDefID, 1 as TeamID);
    c.unitCreated(43 as UnitID, 7 as UnitDefID, 2 as TeamID);
    // One look at the budget per step: a team per step, three steps.
    expect(runJob(job, 60, 1)).toBe(3);
    const changes = ofType(c.takeChanges(), "units");
    expect(changes.map((u) => u.teams.map((t) => t.teamID))).toEqual([[0], [1], [2]]);
    expect(changes.map((u) => u.frame)).toEqual([60, 60, 60]);
    // A unit counted while the run is under way, on a team already taken: next run.
    const budget = new CountingBudget();
    job.begin(budget.reset(1, 90));
    expect(job.step(budget.reset(1, 90))).toBe(false);
    c.unitCreated(44 as UnitID, 5 as UnitDefID, 0 as TeamID);
    while (!job.step(budget.reset(1, 90)));
    expect(ofType(c.takeChanges(), "units")).toHaveLength(0);
    runJob(job, 120);
    const [later] = ofType(c.takeChanges(), "units");
    expect(later.teams.map((t) => t.teamID)).toEqual([0]);
    expect(show(later.teams[0].building)).toEqual(["5=2"]);
    // Marks emptied by a take do not come back: nothing changed, no change.
    runJob(job, 150);
    expect(ofType(c.takeChanges(), "units")).toHaveLength(0);
  });

  it("are reconciled with the engine: a missed call-in is repaired", () => {
    game.asSpectator(true);
    game.addUnit(51, 5, 0);
    const c = new Collector(game);
    reconcile(c);
    // The engine has a unit we never heard of, and lost one without a UnitDestroyed.
    game.addUnit(52, 6, 0);
    game.units.delete(51 as UnitID);
    reconcile(c); // finds the difference, queues a rebuild
    reconcile(c); // rebuilds
    expect(show(teamOf(c.units.current(), 0).finished)).toEqual(["6=1"]);
  });

  it("a rebuild spread over steps keeps units created meanwhile", () => {
    game.asSpectator(true);
    // Enough units for several looks at the budget (one per RESCAN_PER_CHECK units).
    for (let i = 1; i <= 10 * RESCAN_PER_CHECK; i++) game.addUnit(100 + i, 5, 0);
    const c = new Collector(game);
    const job = new ReconcileJob(c.units, c.teams);
    const budget = { looks: 0, now: 0, gameFrame: 10, expired: () => true };
    job.begin(budget);
    expect(job.step(budget)).toBe(false);
    expect(job.step(budget)).toBe(false);
    // A unit is born and one dies while the team's list is being walked.
    game.addUnit(200, 7, 0, true);
    c.unitCreated(200 as UnitID, 7 as UnitDefID, 0 as TeamID);
    game.units.delete(110 as UnitID);
    c.unitDestroyed(110 as UnitID, 5 as UnitDefID, 0 as TeamID);
    let steps = 0;
    while (!job.step(budget)) steps += 1;
    expect(steps).toBeGreaterThan(5);
    const t = teamOf(c.units.current(), 0);
    expect(show(t.finished)).toEqual([`5=${10 * RESCAN_PER_CHECK - 1}`]);
    expect(show(t.building)).toEqual(["7=1"]);
  });

  it("a view change starts the counts afresh for the teams the new view reads", () => {
    game.asPlayer(0, 0);
    game.addUnit(61, 5, 1, false, "none");
    const c = new Collector(game);
    reconcile(c);
    expect(show(teamOf(c.units.current(), 1).finished)).toEqual([]);
    game.asSpectator(true);
    expect(c.checkView()).toBe(true);
    reconcile(c);
    const enemy = teamOf(c.units.current(), 1);
    expect(enemy.exact).toBe(true);
    expect(show(enemy.finished)).toEqual(["5=1"]);
  });

  it("a rebuild looks for units the engine lost over steps, keeping units counted meanwhile", () => {
    game.asSpectator(true);
    game.addUnit(11, 5, 0);
    game.addUnit(UNIT_SLOTS - 1, 5, 0); // the last slot
    game.addUnit(12, 6, 1);
    const c = new Collector(game);
    reconcile(c);
    expect(show(teamOf(c.units.current(), 0).finished)).toEqual(["5=2"]);
    // Both die without a UnitDestroyed; the rebuild must find them among all slots.
    game.units.delete(11 as UnitID);
    game.units.delete((UNIT_SLOTS - 1) as UnitID);
    c.units.queueRescan(0 as TeamID);
    // The tracker's steps alone: a reconciliation after the rebuild would repair a miss.
    const budget = new CountingBudget();
    let steps = 0;
    const step = function (this: void): void {
      c.units.stepRescan(budget.reset(1));
      steps += 1;
    };
    for (let i = 0; i < 5; i++) step();
    // Born while the slots are looked at, in a slot not reached yet: kept.
    game.addUnit(UNIT_SLOTS - 2, 7, 0, true);
    c.units.created((UNIT_SLOTS - 2) as UnitID, 7 as UnitDefID, 0 as TeamID);
    while (c.units.rescanning()) step();
    expect(steps).toBeGreaterThanOrEqual(UNIT_SLOTS / SWEEP_PER_CHECK);
    const units = c.units.current();
    expect(show(teamOf(units, 0).finished)).toEqual([]);
    expect(show(teamOf(units, 0).building)).toEqual(["7=1"]);
    expect(show(teamOf(units, 1).finished)).toEqual(["6=1"]);
  });

  it("keep each unit's type and state exact, whatever its unitDefID and team", () => {
    game.asSpectator(true);
    for (let teamID = 2; teamID <= 15; teamID++) game.addTeam(teamID, teamID % 4);
    const c = new Collector(game);
    reconcile(c);
    // Big unitDefIDs (the state slot holds the def doubled) on the last team, at the last slot.
    const last = (UNIT_SLOTS - 1) as UnitID;
    c.unitCreated(last, 4095 as UnitDefID, 15 as TeamID);
    c.unitCreated(7 as UnitID, 4096 as UnitDefID, 15 as TeamID);
    c.unitCreated(8 as UnitID, 4096 as UnitDefID, 15 as TeamID);
    c.unitFinished(last, 4095 as UnitDefID, 15 as TeamID);
    c.unitFinished(7 as UnitID, 4096 as UnitDefID, 15 as TeamID);
    c.unitFinished(7 as UnitID, 4096 as UnitDefID, 15 as TeamID); // twice: counted once
    expect(show(teamOf(c.units.current(), 15).finished)).toEqual(["4095=1", "4096=1"]);
    expect(show(teamOf(c.units.current(), 15).building)).toEqual(["4096=1"]);
    // Each death takes the count of its own type and state.
    c.unitDestroyed(8 as UnitID, 4096 as UnitDefID, 15 as TeamID);
    c.unitDestroyed(last, 4095 as UnitDefID, 15 as TeamID);
    expect(show(teamOf(c.units.current(), 15).finished)).toEqual(["4096=1"]);
    expect(show(teamOf(c.units.current(), 15).building)).toEqual([]);
    // A finished unit is not counted again by a second UnitFinished naming another type,
    // nor by a UnitCreated.
    c.unitFinished(7 as UnitID, 4097 as UnitDefID, 15 as TeamID);
    c.unitCreated(7 as UnitID, 4097 as UnitDefID, 15 as TeamID);
    expect(show(teamOf(c.units.current(), 15).finished)).toEqual(["4096=1"]);
    // A unit under construction finished under another type moves to that type.
    c.unitCreated(9 as UnitID, 5 as UnitDefID, 3 as TeamID);
    c.unitFinished(9 as UnitID, 6 as UnitDefID, 3 as TeamID);
    expect(show(teamOf(c.units.current(), 3).finished)).toEqual(["6=1"]);
    expect(show(teamOf(c.units.current(), 3).building)).toEqual([]);
    // A UnitFinished without a UnitCreated counts the unit as finished.
    c.unitFinished(10 as UnitID, 5 as UnitDefID, 3 as TeamID);
    expect(show(teamOf(c.units.current(), 3).finished)).toEqual(["5=1", "6=1"]);
    c.unitDestroyed(10 as UnitID, 5 as UnitDefID, 3 as TeamID);
    c.unitDestroyed(10 as UnitID, 5 as UnitDefID, 3 as TeamID); // twice: once
    expect(show(teamOf(c.units.current(), 3).finished)).toEqual(["6=1"]);
  });

  it("counts units whose ids are past the slots (never expected from the engine)", () => {
    game.asSpectator(true);
    const c = new Collector(game);
    reconcile(c);
    const far = (UNIT_SLOTS + 100) as UnitID;
    c.units.created(far, 5 as UnitDefID, 0 as TeamID);
    c.units.created((far + 1) as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.units.finished(far, 5 as UnitDefID, 0 as TeamID);
    expect(show(teamOf(c.units.current(), 0).finished)).toEqual(["5=1"]);
    expect(show(teamOf(c.units.current(), 0).building)).toEqual(["5=1"]);
    c.units.destroyed(far);
    expect(show(teamOf(c.units.current(), 0).finished)).toEqual([]);
    // The engine never had the other: a rebuild drops it.
    c.units.queueRescan(0 as TeamID);
    reconcile(c);
    expect(show(teamOf(c.units.current(), 0).building)).toEqual([]);
    // Counted again, then forgotten with the view.
    c.units.created(far, 5 as UnitDefID, 0 as TeamID);
    c.units.resetAll();
    c.units.created(far, 5 as UnitDefID, 0 as TeamID);
    expect(show(teamOf(c.units.current(), 0).building)).toEqual(["5=1"]);
  });

  it("a unit's call-ins make no table, wherever its id falls", () => {
    // fengari leaves memory to JavaScript and has no collectgarbage: Lua 5.1 checks it.
    const [measurable] = pcall(collectgarbage, "count");
    if (!measurable) return;
    game.asSpectator(true);
    const c = new Collector(game);
    reconcile(c);
    const life = function (this: void, i: number): void {
      const unitID = ((i * 7919) % 32000) as UnitID;
      c.units.created(unitID, (5 + (i % 3)) as UnitDefID, (i % 2) as TeamID);
      c.units.finished(unitID, (5 + (i % 3)) as UnitDefID, (i % 2) as TeamID);
    };
    for (let i = 0; i < 100; i++) life(i); // the counts' and marks' keys exist
    collectgarbage("collect");
    collectgarbage("stop");
    const before = collectgarbage("count");
    // 2,000 units alive at once at ids all over the slots, then half of them die.
    for (let i = 100; i < 2100; i++) life(i);
    for (let i = 100; i < 2100; i += 2) c.units.destroyed(((i * 7919) % 32000) as UnitID);
    const grown = collectgarbage("count") - before;
    collectgarbage("restart");
    expect(grown).toBeLessThan(1); // KiB
    expect(show(teamOf(c.units.current(), 0).finished)).toEqual(["5=17", "6=16", "7=17"]);
  });
});
