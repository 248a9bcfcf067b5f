import { beforeEach, describe, expect, it } from "../framework";
import { Collector } from "../../../src/collect/collector";
import type { Change } from "../../../src/collect/model";
import { defaultCollectSettings } from "../../../src/collect/settings";
import { CountingBudget, FakeGame } from "../fakes/fake-game";
import { ofType, runJob } from "./helpers";

let game: FakeGame;

function types(this: void, changes: Change[]): string[] {
  return changes.map((c) => `${c.type}@${c.frame}`);
}

describe("collector", () => {
  beforeEach(() => {
    game = new FakeGame();
    game.addTeam(0, 0);
    game.addTeam(1, 1);
    game.addTeam(2, 1);
  });

  it("records each event once, stamped with its frame, with the call-in's arguments", () => {
    game.asSpectator(true);
    const c = new Collector(game);
    game.frame = 0;
    c.gameStart();
    game.frame = 31;
    c.unitCreated(7 as UnitID, 5 as UnitDefID, 0 as TeamID, 3 as UnitID);
    game.frame = 32;
    c.unitFinished(7 as UnitID, 5 as UnitDefID, 0 as TeamID);
    game.frame = 33;
    c.unitDestroyed(
      7 as UnitID,
      5 as UnitDefID,
      0 as TeamID,
      9 as UnitID,
      6 as UnitDefID,
      1 as TeamID,
      4 as WeaponDefID,
    );
    c.gamePaused(2 as PlayerID, true);
    game.frame = 34;
    c.gamePaused(2 as PlayerID, false);
    c.teamDied(2 as TeamID);
    c.playerRemoved(1 as PlayerID);
    const changes = c.takeChanges();
    expect(types(changes)).toEqual([
      "game_started@0",
      "unit_created@31",
      "unit_finished@32",
      "unit_destroyed@33",
      "game_paused@33",
      "game_resumed@34",
      "team_died@34",
      "player_removed@34",
    ]);
    expect(changes[1]).toEqual({
      type: "unit_created",
      frame: 31,
      unitID: 7,
      unitDefID: 5,
      teamID: 0,
      builderID: 3,
    });
    expect(changes[3]).toEqual({
      type: "unit_destroyed",
      frame: 33,
      unitID: 7,
      unitDefID: 5,
      teamID: 0,
      attackerID: 9,
      attackerDefID: 6,
      attackerTeamID: 1,
      weaponDefID: 4,
    });
    // Taken once: nothing is delivered twice.
    expect(c.takeChanges()).toHaveLength(0);
  });

  it("player events carry the player's state now", () => {
    const c = new Collector(game);
    game.players.get(1 as PlayerID)!.active = false;
    c.playerChanged(1 as PlayerID);
    c.playerAdded(2 as PlayerID);
    const changes = c.takeChanges();
    expect(types(changes)).toEqual(["player_changed@0", "player_added@0"]);
    const changed = ofType(changes, "player_changed")[0];
    expect(changed.player.playerID).toBe(1);
    expect(changed.player.active).toBe(false);
    expect(changed.player.name).toBe("player1");
  });

  it("derives the winners at game over from the ally teams still alive, and says so", () => {
    const c = new Collector(game);
    game.team(0 as TeamID)!.isDead = true;
    c.gameOver();
    const over = ofType(c.takeChanges(), "game_over");
    expect(over).toHaveLength(1);
    expect(over[0].winners).toEqual([1]);
    expect(over[0].winnersDerived).toBe(true);
  });

  it("leaves the winners empty when every ally team is alive, and ignores Gaia", () => {
    game.addTeam(3, 2);
    game.gaia = 3 as TeamID;
    game.team(3 as TeamID)!.isDead = false;
    const c = new Collector(game);
    c.gameOver();
    expect(ofType(c.takeChanges(), "game_over")[0].winners).toEqual([]);
    game.team(1 as TeamID)!.isDead = true;
    game.team(2 as TeamID)!.isDead = true;
    c.gameOver();
    expect(ofType(c.takeChanges(), "game_over")[0].winners).toEqual([0]);
  });

  it("a view change mid-game is recorded once and the new view's state is read afresh", () => {
    game.asPlayer(0, 0);
    const c = new Collector(game);
    runJob(c.economy, 30);
    expect(c.snapshot().economy.map((e) => e.teamID)).toEqual([0]);
    c.takeChanges();
    // The player's team dies; the engine makes them a full-view spectator.
    game.frame = 40;
    game.asSpectator(true);
    c.playerChanged(0 as PlayerID);
    c.playerChanged(0 as PlayerID);
    const changes = c.takeChanges();
    const viewChanges = ofType(changes, "view_changed");
    expect(viewChanges).toHaveLength(1);
    expect(viewChanges[0].frame).toBe(40);
    expect(viewChanges[0].previous.kind).toBe("player");
    expect(viewChanges[0].view.kind).toBe("fullview");
    expect(c.currentView().fullRead).toBe(true);
    // Old samples are gone until the new view samples.
    expect(c.snapshot().economy).toHaveLength(0);
    runJob(c.economy, 45);
    expect(c.snapshot().economy.map((e) => e.teamID)).toEqual([0, 1, 2]);
    expect(game.denied).toEqual([]);
  });

  it("the view job notices a view change without a call-in", () => {
    game.asSpectator(false);
    const c = new Collector(game);
    const viewJob = c.jobs().filter((j) => j.name === "collect.view")[0];
    runJob(viewJob.job, 10);
    expect(c.takeChanges()).toHaveLength(0);
    game.asSpectator(true);
    runJob(viewJob.job, 20);
    expect(ofType(c.takeChanges(), "view_changed")).toHaveLength(1);
  });

  it("with events off records no events but still counts units", () => {
    game.asSpectator(true);
    const settings = defaultCollectSettings();
    settings.events = false;
    const c = new Collector(game, { settings });
    c.unitCreated(7 as UnitID, 5 as UnitDefID, 0 as TeamID);
    c.gameStart();
    c.playerChanged(0 as PlayerID);
    expect(c.takeChanges()).toHaveLength(0);
    expect(c.units.current()[0].building.get(5 as UnitDefID)).toBe(1);
    c.unitFinished(7 as UnitID, 5 as UnitDefID, 0 as TeamID);
    expect(c.takeChanges()).toHaveLength(0);
    expect(c.units.current()[0].finished.get(5 as UnitDefID)).toBe(1);
    c.unitDestroyed(7 as UnitID, 5 as UnitDefID, 0 as TeamID);
    expect(c.takeChanges()).toHaveLength(0);
    expect(c.units.current()[0].finished.get(5 as UnitDefID)).toBeUndefined();
  });

  it("jobs of categories switched off do nothing; positions and damage are off by default", () => {
    game.asSpectator(true);
    game.addUnit(1, 5, 0);
    const c = new Collector(game);
    c.unitDamaged(1 as UnitID, 5 as UnitDefID, 0 as TeamID, 10, false);
    for (const spec of c.jobs()) {
      if (spec.name === "collect.positions" || spec.name === "collect.damage") runJob(spec.job, 30);
    }
    expect(c.takeChanges()).toHaveLength(0);
    c.settings.positions = true;
    for (const spec of c.jobs()) if (spec.name === "collect.positions") runJob(spec.job, 60);
    expect(ofType(c.takeChanges(), "positions")).toHaveLength(1);
  });

  it("declares a job per category with the settings' rates", () => {
    const settings = defaultCollectSettings();
    settings.economySeconds = 2;
    const c = new Collector(game, { settings });
    const byName = new LuaMap<
      string,
      { everySeconds?: number; everyFrames?: number; once?: boolean }
    >();
    for (const spec of c.jobs()) byName.set(spec.name, spec);
    expect(byName.get("collect.economy")!.everySeconds).toBe(2);
    expect(byName.get("collect.economy")!.everyFrames).toBe(60);
    expect(byName.get("collect.unitdefs")!.once).toBe(true);
    expect(byName.get("collect.positions")!.everySeconds).toBe(settings.positionsSeconds);
  });

  it("a snapshot has the game, the view, players and teams as the view may read them", () => {
    game.asPlayer(1, 1);
    game.frame = 300;
    game.rules.set("GameID", "0123456789abcdef0123456789abcdef");
    game.rules.set("ainame_2", "BARb hard");
    game.team(2 as TeamID)!.hasAI = true;
    const c = new Collector(game);
    const s = c.snapshot();
    expect(s.frame).toBe(300);
    expect(s.game.gameID).toBe("0123456789abcdef0123456789abcdef");
    expect(s.game.started).toBe(true);
    expect(s.game.mapName).toBe("Test Map");
    expect(s.view.kind).toBe("player");
    expect(s.players.map((p) => p.playerID)).toEqual([0, 1, 2]);
    expect(s.teams.map((t) => t.aiName ?? "-")).toEqual(["-", "-", "BARb hard"]);
    // Start positions only for the view's own ally team.
    expect(s.teams.map((t) => (t.startPosition === undefined ? "-" : "ok"))).toEqual([
      "-",
      "ok",
      "ok",
    ]);
  });

  it("keeps a bounded number of changes when nobody takes them, and counts the drops", () => {
    const c = new Collector(game, { changeLimit: 3 });
    for (let i = 1; i <= 5; i++) c.teamDied(i as TeamID);
    const kept = ofType(c.takeChanges(), "team_died");
    expect(kept.map((k) => k.teamID)).toEqual([3, 4, 5]);
    expect(c.changes.takeDropped()).toBe(2);
    expect(c.changes.takeDropped()).toBe(0);
  });

  it("the catalog job finishes across steps", () => {
    const c = new Collector(game);
    const budget = new CountingBudget();
    const spec = c.jobs().filter((j) => j.name === "collect.unitdefs")[0];
    if (spec.job.begin !== undefined) spec.job.begin(budget.reset(1));
    expect(spec.job.step(budget.reset(1))).toBe(true);
    expect(c.catalog.complete).toBe(true);
  });
});
