/**
 * The widget's collection as a full-view spectator of shared real games, under every
 * interpreter: every team's statistics entries exactly as recorded, unit counts equal to
 * the truth every game second, every event once, the derived winners. Registered by
 * test/e2e/world-collect-games.test.ts (the two 13-minute games, in `npm test`) and
 * test/games/ (`npm run test:games`: Colorado, 55 minutes of game, which the whole
 * pipeline there also plays).
 */
import { afterAll, describe, expect, it } from "vitest";
import { FAST_GAME_SPEED, readGame } from "./world-driver.ts";
import { luaInterpreters } from "../support/interpreters.ts";
import {
  BarHost,
  eventKeys,
  expectCountsEverySecond,
  expectHealthy,
  expectStatsExact,
  playCollecting,
  truthKeys,
} from "./world-collect-suite.ts";

export function registerCollectionGames(files: readonly string[]): void {
  // Each run ends its host; this only catches one a failed run left behind. Not after
  // each test: the runs go at once (no timing checks).
  afterAll(async () => {
    await BarHost.killAll();
  });

  // Every game's runs at once: each mostly waits for its game's wall seconds.
  describe.concurrent.each(files)(
    "%s, full-view spectator: every statistics entry, unit counts every second, every event once",
    (file) => {
      it.concurrent.for(luaInterpreters())("under $name", { timeout: 200_000 }, async (lua) => {
        const game = readGame(file);
        const endFrame = game.gameSeconds * 30;
        const teams = game.teams.map((t) => t.teamID);
        const run = await playCollecting(
          lua.path,
          {
            driver: "game",
            game: file,
            seed: 3,
            view: "fullview",
            speed: FAST_GAME_SPEED,
            truthDamage: false,
          },
          150_000,
          teams.length,
        );
        const { status, truth } = run;
        expectHealthy(status);
        expect(status.widget.collection.view).toBe("fullview");

        for (const t of game.teams) {
          expectStatsExact(status.stats, t.teamID, game.teamStats[String(t.teamID)]!, endFrame);
        }
        // full view: the economy of every team (Gaia included), every sample
        for (const sample of status.economy) {
          expect(sample.teams.filter((id) => teams.includes(id))).toEqual(teams);
        }
        expect(status.economy.length).toBeGreaterThan(0);

        const checked = expectCountsEverySecond(run, teams);
        expect(checked).toBe(teams.length * game.gameSeconds);

        // every event once, as the truth log has it (full view sees all)
        expect(eventKeys(status.events, "unit_created")).toEqual(truthKeys(truth, "UnitCreated"));
        expect(eventKeys(status.events, "unit_finished")).toEqual(truthKeys(truth, "UnitFinished"));
        expect(eventKeys(status.events, "unit_destroyed")).toEqual(
          truthKeys(truth, "UnitDestroyed"),
        );
        expect(eventKeys(status.events, "unit_given")).toEqual(
          truthKeys(truth, "UnitGiven", "newTeam"),
        );
        expect(eventKeys(status.events, "unit_taken")).toEqual(
          truthKeys(truth, "UnitGiven", "newTeam"),
        );
        const died = status.events.filter((e) => e.t === "team_died").map((e) => e.team);
        expect(died.sort()).toEqual(
          truth
            .filter((l) => l.e === "TeamDied")
            .map((l) => l.team)
            .sort(),
        );
        // BAR drops the winners from GameOver: derived from the ally teams that still
        // have a team alive; when all have one (a game ended otherwise) it is undecided
        const over = status.events.filter((e) => e.t === "game_over");
        expect(over).toHaveLength(1);
        expect(over[0]!.f).toBe(endFrame);
        expect(over[0]!.derived).toBe(true);
        const dead = new Set(truth.filter((l) => l.e === "TeamDied").map((l) => Number(l.team)));
        const alive = [
          ...new Set(game.teams.filter((t) => !dead.has(t.teamID)).map((t) => t.allyTeamID)),
        ];
        const decided = alive.length < game.allyTeams.length;
        const winners = Array.isArray(over[0]!.winners) ? over[0]!.winners : [];
        expect(winners).toEqual(decided ? alive.sort() : []);
        if (decided) expect(winners).toEqual(game.winningAllyTeams);
        expect(status.events.filter((e) => e.t === "game_started")).toHaveLength(1);
        // the unit definition catalog was read in full
        expect(status.widget.collection.unitDefs).toBeGreaterThan(100);
      });
    },
  );
}
