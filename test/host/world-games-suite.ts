/**
 * Tests of the host's game world playing shared real games and the scale
 * scenario at accelerated time, under every available interpreter
 * (registered by world-games.test.ts and world-colorado.test.ts).
 * Expectations come from ../shared/data read here, never from the host.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BarHost } from "./driver.ts";
import {
  FIXTURE_PROBE,
  STAT_FIELDS,
  readGame,
  readTruth,
  worldConfig,
  type StatEntry,
  type TruthLine,
} from "./world-driver.ts";
import { luaInterpreters } from "../support/interpreters.ts";

afterEach(async () => {
  await BarHost.killAll();
});

const PERIOD_FRAMES = 450;

interface ProbeTeam {
  teamID: number;
  metal: unknown[];
  historyCount: number | "nil";
  history?: (StatEntry & { time: number })[];
}
interface ProbeStatus {
  frame: number;
  gameOver: boolean;
  gameOverArgs: number;
  teams: ProbeTeam[];
}

/** Counts truth events of one kind per team and per record period. */
function perPeriod(lines: TruthLine[], e: string, teamKey: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) {
    if (l.e !== e || l.f === 0) continue;
    const key = `${String(l[teamKey])}:${Math.ceil(l.f / PERIOD_FRAMES)}`;
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/** Registers the tests: the given games, and the scale scenario if asked
 * (split over two files so that vitest runs them in parallel). */
export function worldGameTests(files: readonly string[], withScale: boolean): void {
  describe.each(luaInterpreters())("game world under $name", (lua) => {
    it.each(files)(
      "%s: reproduces the recorded statistics, unit counts, deaths and end",
      async (file) => {
        const game = readGame(file);
        const endFrame = game.gameSeconds * 30;
        const { configPath, truthLog } = worldConfig({
          driver: "game",
          game: file,
          seed: 3,
          view: "player",
          viewTeam: 0,
          speed: 1e6,
          truthTeams: false, // this test reads the events, not the per-second team lines
        });
        const host = await BarHost.start({
          interpreter: lua.path,
          widget: FIXTURE_PROBE,
          world: configPath,
          statusApi: "WorldProbe",
          fps: 1000,
          maxSeconds: 120,
        });
        await host.waitForEvent(
          (e) => e.type === "world" && e.what === "ended",
          110_000,
          "game end",
        );
        await host.chat("/worldprobe history");
        const status = (await host.status()).widgetStatus as ProbeStatus;
        await host.shutdown();

        expect(status.gameOver).toBe(true);
        expect(status.gameOverArgs).toBe(0); // BAR calls GameOver() without arguments
        expect(status.frame).toBe(endFrame);
        for (const team of game.teams) {
          const rec = game.teamStats[String(team.teamID)]!;
          const t = status.teams.find((x) => x.teamID === team.teamID)!;
          // after game over a player reads every team's history...
          expect(t.historyCount).toBe(rec.length);
          const hist = t.history!;
          expect(hist).toHaveLength(rec.length);
          rec.forEach((entry, i) => {
            const last = i === rec.length - 1;
            // the live entry is reported at the current frame (LuaSyncedRead.cpp)
            const frame = last ? endFrame : entry.frame;
            expect(hist[i]!.frame, `${file} team ${team.teamID} entry ${i + 1} frame`).toBe(frame);
            expect(hist[i]!.time).toBe(Math.floor(frame / 30));
            for (const k of STAT_FIELDS) {
              expect(
                Math.fround(hist[i]![k]),
                `${file} team ${team.teamID} entry ${i + 1} ${k}`,
              ).toBe(Math.fround(entry[k]));
            }
          });
          // ...but enemy resources stay hidden even after game over
          const allied = team.allyTeamID === game.teams[0]!.allyTeamID;
          // (no value at all for an enemy: an empty Lua table, JSON {})
          const values = Array.isArray(t.metal) ? t.metal.length : 0;
          expect(values, `team ${team.teamID} metal`).toBe(allied ? 9 : 0);
        }

        // ground truth: per period, the unit events match the record
        const truth = readTruth(truthLog);
        const created = perPeriod(truth, "UnitCreated", "team");
        const died = perPeriod(truth, "UnitDestroyed", "team");
        const kills = perPeriod(truth, "UnitDestroyed", "attackerTeam");
        const sent = perPeriod(truth, "UnitGiven", "oldTeam");
        const unmatched = new Map<string, number>();
        for (const l of truth) {
          if (l.e === "killsUnmatched") {
            const key = `${String(l.team)}:${Math.ceil(l.f / PERIOD_FRAMES)}`;
            unmatched.set(key, Number(l.record) - Number(l.events));
          }
        }
        expect(truth.filter((l) => l.e === "statsMismatch")).toEqual([]);
        for (const team of game.teams) {
          const rec = game.teamStats[String(team.teamID)]!;
          for (let p = 1; p < rec.length; p++) {
            const key = `${team.teamID}:${p}`;
            const d = (k: keyof StatEntry) => rec[p]![k] - rec[p - 1]![k];
            expect(created.get(key) ?? 0, `${file} ${key} produced`).toBe(d("unitsProduced"));
            expect(died.get(key) ?? 0, `${file} ${key} died`).toBe(d("unitsDied"));
            expect(sent.get(key) ?? 0, `${file} ${key} sent`).toBe(d("unitsSent"));
            expect((kills.get(key) ?? 0) + (unmatched.get(key) ?? 0), `${file} ${key} kills`).toBe(
              d("unitsKilled"),
            );
          }
          // a team with no unit left at the end died; the others did not
          const last = rec[rec.length - 1]!;
          const alive = last.unitsProduced + last.unitsReceived - last.unitsDied - last.unitsSent;
          const diedEvent = truth.some((l) => l.e === "TeamDied" && l.team === team.teamID);
          expect(diedEvent, `${file} team ${team.teamID} died`).toBe(alive === 0);
        }
        // every kill is credited to another ally team
        const allyOf = new Map(game.teams.map((t) => [t.teamID, t.allyTeamID]));
        for (const l of truth) {
          if (l.e === "UnitDestroyed" && l.attackerTeam !== undefined) {
            expect(allyOf.get(Number(l.attackerTeam))).not.toBe(allyOf.get(Number(l.team)));
          }
        }
        const over = truth.find((l) => l.e === "GameOver")!;
        expect(over.f).toBe(endFrame);
        expect(over.winners).toEqual(game.winningAllyTeams);
      },
      130_000,
    );

    it.runIf(withScale)(
      "scale scenario: 16 teams, 10,000 units, a battle of hundreds of deaths per second",
      async () => {
        const { configPath, truthLog } = worldConfig({
          driver: "scale",
          seed: 5,
          view: "fullview",
          speed: 1e6,
          scale: { teams: 16, unitsPerTeam: 625, killsPerSecond: 300, seconds: 10 },
        });
        const host = await BarHost.start({
          interpreter: lua.path,
          widget: FIXTURE_PROBE,
          world: configPath,
          statusApi: "WorldProbe",
          fps: 1000,
          maxSeconds: 120,
        });
        await host.waitForEvent(
          (e) => e.type === "world" && e.what === "ended",
          70_000,
          "scale end",
        );
        const status = (await host.status()).widgetStatus as ProbeStatus & {
          allUnits: number;
          callins: Record<string, { total: number }>;
        };
        await host.shutdown();
        const truth = readTruth(truthLog);
        const teams = truth.filter((l) => l.e === "team" && l.f === 30);
        expect(teams.filter((l) => Number(l.team) < 16)).toHaveLength(16);
        expect(teams.reduce((s, l) => s + Number(l.units), 0)).toBe(10_000);
        const deaths = truth.filter((l) => l.e === "UnitDestroyed");
        expect(deaths.length).toBe(300 * 10);
        // spread evenly over the frames as in a real battle: 10 in every frame 1..300
        const perFrame = new Map<number, number>();
        for (const l of deaths) perFrame.set(Number(l.f), (perFrame.get(Number(l.f)) ?? 0) + 1);
        expect(perFrame.size).toBe(300);
        for (const [f, n] of perFrame) expect(n, `deaths at frame ${f}`).toBe(10);
        // full view: the widget saw every creation and death, and all units now
        expect(status.callins.UnitCreated!.total).toBe(
          truth.filter((l) => l.e === "UnitCreated").length,
        );
        expect(status.callins.UnitDestroyed!.total).toBe(deaths.length);
        // every kill is a killing blow first: UnitDamaged (attacker fields
        // dropped by BAR), counted in damageDealt/Received
        const damaged = truth.filter((l) => l.e === "UnitDamaged");
        expect(damaged.map((l) => l.unitID)).toEqual(deaths.map((l) => l.unitID));
        expect(status.callins.UnitDamaged!.total).toBe(damaged.length);
        // units per def (kept as units come and go) add up to the units, every second
        for (const l of truth.filter((x) => x.e === "team")) {
          const byDef = Object.values(l.unitsByDef as Record<string, number>);
          expect(
            byDef.reduce((a, b) => a + b, 0),
            `team ${String(l.team)} at ${l.f}`,
          ).toBe(l.units);
        }
        expect(status.allUnits).toBe(10_000);
      },
      90_000,
    );
  });
}
