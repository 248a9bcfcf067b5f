/**
 * The widget's collection in the game world as a player (what a view may read) and
 * in the scale game (what it costs), under every interpreter.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readGame } from "../host/world-driver.ts";
import { luaInterpreters, registerMissingInterpreterTests } from "../support/interpreters.ts";
import {
  BarHost,
  eventKeys,
  expectCountsEverySecond,
  expectHealthy,
  expectStatsExact,
  perTeam,
  playCollecting,
  truthKeys,
} from "../host/world-collect-suite.ts";

registerMissingInterpreterTests();

afterEach(async () => {
  await BarHost.killAll();
});

const GAME = "altored-divide-4v4-2020.json";

describe.each(luaInterpreters())("collection in the game world under $name", (lua) => {
  it(`${GAME}, player of team 0: its ally team's economy and statistics, the enemies' statistics after game over`, async () => {
    const game = readGame(GAME);
    const endFrame = game.gameSeconds * 30;
    const myAlly = game.teams.find((t) => t.teamID === 0)!.allyTeamID;
    const allies = game.teams.filter((t) => t.allyTeamID === myAlly).map((t) => t.teamID);
    const enemies = game.teams.filter((t) => t.allyTeamID !== myAlly).map((t) => t.teamID);
    const run = await playCollecting(
      lua.path,
      {
        driver: "game",
        game: GAME,
        seed: 3,
        view: "player",
        viewTeam: 0,
        speed: 1e6,
        truthDamage: false,
      },
      150_000,
      game.teams.length,
    );
    const { status, truth } = run;
    expectHealthy(status);
    expect(status.widget.collection.view).toBe("player");

    // economy: exactly the ally team's teams in every sample, never an enemy
    expect(status.economy.length).toBeGreaterThan(0);
    for (const sample of status.economy) expect(sample.teams).toEqual(allies);

    // statistics: every entry of every team exactly; the enemies' only after game over
    for (const t of game.teams) {
      expectStatsExact(status.stats, t.teamID, game.teamStats[String(t.teamID)]!, endFrame);
    }
    const enemyEarly = status.stats.filter((e) => enemies.includes(e.teamID) && e.f < endFrame);
    expect(enemyEarly).toEqual([]);
    const allyDuring = status.stats.filter((e) => allies.includes(e.teamID) && e.f < endFrame);
    expect(allyDuring.length).toBeGreaterThan(0);

    // unit counts: the ally teams exact every game second; enemies only as visible
    expect(expectCountsEverySecond(run, allies)).toBe(allies.length * game.gameSeconds);
    for (const teamID of enemies) {
      for (const r of status.units[String(teamID)] ?? []) expect(r.s.startsWith("v|")).toBe(true);
    }

    // events: one change per call-in the engine delivered (counted by the world
    // probe), and for the ally team exactly the truth's
    const callins = status.world!.callins;
    const delivered = (name: string) => callins[name]?.byTeam ?? {};
    expect(perTeam(status.events, "unit_created")).toEqual(delivered("UnitCreated"));
    expect(perTeam(status.events, "unit_finished")).toEqual(delivered("UnitFinished"));
    expect(perTeam(status.events, "unit_destroyed")).toEqual(delivered("UnitDestroyed"));
    expect(perTeam(status.events, "unit_given")).toEqual(delivered("UnitGiven"));
    expect(perTeam(status.events, "unit_taken", "old")).toEqual(delivered("UnitTaken"));
    const allied = (key: string) => allies.includes(Number(key.split(":")[2]));
    expect(eventKeys(status.events, "unit_created")).toEqual(
      truthKeys(truth, "UnitCreated").filter(allied),
    );
    // enemy deaths the player saw (BAR's extra UnitDestroyed in LOS)
    const seen = truth.filter((l) => l.e === "UnitDestroyed" && l.seen === true).length;
    const enemyDeaths = status.events.filter(
      (e) => e.t === "unit_destroyed" && enemies.includes(e.team!),
    );
    expect(enemyDeaths).toHaveLength(seen);
    for (const e of enemyDeaths) expect(e.a).toBeUndefined();
  }, 200_000);

  it("scale game (16 teams, 10,000 units, 300 deaths per second): counts exact, collection within its budget", async () => {
    const run = await playCollecting(
      lua.path,
      {
        driver: "scale",
        seed: 5,
        view: "fullview",
        speed: 1e6,
        truthDamage: false,
        scale: { teams: 16, unitsPerTeam: 625, killsPerSecond: 300, seconds: 10 },
      },
      90_000,
      16,
    );
    const { status, truth } = run;
    expectHealthy(status);
    const teams = Array.from({ length: 16 }, (_, i) => i);
    expect(expectCountsEverySecond(run, teams)).toBe(16 * 10);
    expect(eventKeys(status.events, "unit_destroyed")).toEqual(truthKeys(truth, "UnitDestroyed"));
    // The scheduler keeps collection within its budget: on average per frame, and every
    // task within it. The scheduler measures wall time, so the mean carries a step's
    // grain (the units done after its last look) and every pause the machine makes
    // inside a step: on an idle machine it stays near the budget, on a loaded one it
    // has reached 1.3 times it. A job that ignored the budget (a 10,000-unit scan in one
    // frame) costs many times the budget.
    // The game runs in a few drawn frames at this speed (its 300 frames in one or two,
    // then until the last statistics are read): since the widget keeps up, as few as 6
    // in all, each with work for the scheduler; a job that ignored the budget would
    // still stand out in every one of them.
    const cost = status.widget.frameCost;
    expect(cost.frames).toBeGreaterThanOrEqual(5);
    expect(cost.meanUs).toBeLessThanOrEqual(cost.budgetUs * 1.5);
    for (const task of cost.tasks) {
      expect(task.meanUs, `${task.name} mean`).toBeLessThanOrEqual(cost.budgetUs);
    }
  }, 120_000);
});
