import { beforeEach, describe, expect, it } from "../framework";
import { Collector } from "../../../src/collect/collector";
import type { TeamStatsEntry } from "../../../src/collect/model";
import { FakeGame, statsEntry } from "../fakes/fake-game";
import { ofType, runJob } from "./helpers";

let game: FakeGame;

function emitted(this: void, c: Collector): TeamStatsEntry[] {
  return ofType(c.takeChanges(), "stats").map((s) => s.stats);
}

function keys(this: void, list: TeamStatsEntry[]): string[] {
  return list.map((s) => `${s.teamID}:${s.index}${s.live ? "L" : ""}`);
}

describe("team statistics", () => {
  beforeEach(() => {
    game = new FakeGame();
    game.addTeam(0, 0, 2);
    game.addTeam(1, 1, 2);
  });

  it("a player gets its own ally team's final entries, each once, with all 19 fields", () => {
    game.asPlayer(0, 0);
    const c = new Collector(game);
    runJob(c.stats, 1000);
    const first = emitted(c);
    expect(keys(first)).toEqual(["0:1", "0:2"]);
    expect(first[0].entry).toEqual(statsEntry(450, 1));
    expect(first[1].entry).toEqual(statsEntry(900, 2));
    // Nothing new: nothing emitted again.
    runJob(c.stats, 1100);
    expect(emitted(c)).toHaveLength(0);
    // A new entry is pushed: only it is emitted.
    game.team(0 as TeamID)!.history.push(statsEntry(1350, 3));
    runJob(c.stats, 1400);
    expect(keys(emitted(c))).toEqual(["0:3"]);
    expect(game.denied).toEqual([]);
  });

  it("catches up the enemies' whole history at game over, and the final live entries", () => {
    game.asPlayer(0, 0);
    const c = new Collector(game);
    runJob(c.stats, 1000);
    expect(keys(emitted(c))).toEqual(["0:1", "0:2"]);
    game.over = true;
    game.frame = 1200;
    runJob(c.stats, 1200);
    const atOver = emitted(c);
    expect(keys(atOver)).toEqual(["0:3L", "1:1", "1:2", "1:3L"]);
    expect(atOver[1].entry).toEqual(statsEntry(450, 1001));
    expect(atOver[3].entry.frame).toBe(1200);
    runJob(c.stats, 1300);
    expect(emitted(c)).toHaveLength(0);
    expect(game.denied).toEqual([]);
  });

  it("a full-view spectator gets every team's entries", () => {
    game.asSpectator(true);
    const c = new Collector(game);
    runJob(c.stats, 1000);
    expect(keys(emitted(c))).toEqual(["0:1", "0:2", "1:1", "1:2"]);
  });

  it("a long catch-up is spread over steps and emits every entry once, in order", () => {
    for (let i = 3; i <= 30; i++)
      game.team(1 as TeamID)!.history.push(statsEntry(450 * i, 1000 + i));
    game.asSpectator(true);
    const c = new Collector(game);
    const steps = runJob(c.stats, 20000, 1);
    expect(steps).toBeGreaterThan(4);
    const got = emitted(c).filter((s) => s.teamID === 1);
    expect(got.map((s) => s.index)).toEqual(game.team(1 as TeamID)!.history.map((_e, i) => i + 1));
    expect(got[29].entry).toEqual(statsEntry(450 * 30, 1030));
  });

  it("after a view change no entry is emitted twice, and new teams are caught up", () => {
    game.asPlayer(0, 0);
    const c = new Collector(game);
    runJob(c.stats, 1000);
    emitted(c);
    game.asSpectator(true);
    c.checkView();
    runJob(c.stats, 1000);
    expect(keys(emitted(c))).toEqual(["1:1", "1:2"]);
  });

  it("a snapshot holds the latest entry of the teams the view may read", () => {
    game.asSpectator(true);
    const c = new Collector(game);
    runJob(c.stats, 1000);
    expect(keys(c.snapshot().stats)).toEqual(["0:2", "1:2"]);
    game.asPlayer(1, 1);
    c.checkView();
    expect(keys(c.snapshot().stats)).toEqual(["1:2"]);
  });
});
