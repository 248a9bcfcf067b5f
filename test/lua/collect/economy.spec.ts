import { beforeEach, describe, expect, it } from "../framework";
import { Collector } from "../../../src/collect/collector";
import { FakeGame, resources } from "../fakes/fake-game";
import { ofType, runJob } from "./helpers";

let game: FakeGame;

function twoAllyTeams(this: void): FakeGame {
  const g = new FakeGame();
  g.addTeam(0, 0);
  g.addTeam(1, 0);
  g.addTeam(2, 1);
  g.addTeam(3, 1);
  return g;
}

function sampledTeams(this: void, c: Collector): number[] {
  const samples = ofType(c.takeChanges(), "economy");
  expect(samples).toHaveLength(1);
  return samples[0].teams.map((t) => t.teamID);
}

describe("economy", () => {
  beforeEach(() => {
    game = twoAllyTeams();
  });

  it("a player samples its own ally team only, with the engine's 9 values", () => {
    game.asPlayer(2, 1);
    const c = new Collector(game);
    runJob(c.economy, 30);
    const samples = ofType(c.takeChanges(), "economy");
    expect(samples).toHaveLength(1);
    expect(samples[0].frame).toBe(30);
    expect(samples[0].teams.map((t) => t.teamID)).toEqual([2, 3]);
    expect(samples[0].teams[0].metal).toEqual(resources(210));
    expect(samples[0].teams[1].energy).toEqual(resources(350));
    expect(game.denied).toEqual([]);
  });

  it("a player still reads no enemy economy after game over", () => {
    game.asPlayer(0, 0);
    game.over = true;
    const c = new Collector(game);
    runJob(c.economy, 30);
    expect(sampledTeams(c)).toEqual([0, 1]);
    expect(game.denied).toEqual([]);
  });

  it("a spectator without full view reads the watched ally team", () => {
    game.asPlayer(3, 1);
    game.asSpectator(false);
    const c = new Collector(game);
    runJob(c.economy, 30);
    expect(sampledTeams(c)).toEqual([2, 3]);
  });

  it("a full-view spectator and a replay read every team", () => {
    game.asSpectator(true);
    const c = new Collector(game);
    runJob(c.economy, 30);
    expect(sampledTeams(c)).toEqual([0, 1, 2, 3]);
    const r = twoAllyTeams();
    r.asSpectator(true, true);
    const cr = new Collector(r);
    runJob(cr.economy, 30);
    expect(sampledTeams(cr)).toEqual([0, 1, 2, 3]);
  });

  it("never samples twice within a game second, however often it runs", () => {
    game.asSpectator(true);
    const c = new Collector(game);
    runJob(c.economy, 30);
    runJob(c.economy, 45);
    runJob(c.economy, 59);
    expect(ofType(c.takeChanges(), "economy")).toHaveLength(1);
    runJob(c.economy, 60);
    expect(ofType(c.takeChanges(), "economy")).toHaveLength(1);
    // Paused: the frame does not move, wall-clock runs read nothing.
    runJob(c.economy, 60);
    expect(ofType(c.takeChanges(), "economy")).toHaveLength(0);
  });

  it("samples again once the engine has updated, even fewer than 30 frames later", () => {
    game.asSpectator(true);
    const c = new Collector(game);
    runJob(c.economy, 23468);
    expect(ofType(c.takeChanges(), "economy")).toHaveLength(1);
    // The game's end: the engine's last update at frame 23490, 22 frames later.
    runJob(c.economy, 23490);
    expect(ofType(c.takeChanges(), "economy").map((e) => e.frame)).toEqual([23490]);
  });

  it("spreads a sample over steps when the budget is short", () => {
    game.asSpectator(true);
    const c = new Collector(game);
    const steps = runJob(c.economy, 30, 1);
    expect(steps).toBe(4);
    expect(sampledTeams(c)).toEqual([0, 1, 2, 3]);
  });

  it("keeps the last sample for snapshots", () => {
    game.asPlayer(0, 0);
    const c = new Collector(game);
    runJob(c.economy, 30);
    expect(c.snapshot().economy.map((e) => e.teamID)).toEqual([0, 1]);
  });
});
