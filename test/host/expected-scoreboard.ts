/**
 * What the overlay's scoreboard must show at a game's end, from the game's record, the
 * world's truth log and the real unit definitions, by the metric definitions of
 * docs/receiver.md ("Metrics") and the overlay's number format. Only what the view may
 * know is expected: a player gets no enemy income, and of enemy deaths only those it saw.
 */
import { TruthUnits, truthMetal } from "./truth-units.ts";
import type { RecordedGame, TruthLine } from "./world-driver.ts";
import type { ViewUnderTest } from "./pipeline-checks.ts";
import type { ScoreboardRow } from "../support/overlay-page.ts";
import type { UnitDefInfo } from "../../protocol/messages.ts";

/** The overlay's numbers: whole (or one decimal), thousands as "12.3k", unknown as "–". */
export function shown(value: number | null, digits = 0): string {
  if (value === null) return "–";
  return value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(digits);
}

/** A row as expected; fields the view cannot know are left out. */
export type ExpectedRow = Partial<ScoreboardRow> & { teamID: number; lost?: string };

export function expectedScoreboard(
  game: RecordedGame,
  truth: TruthLine[],
  defs: UnitDefInfo[],
  view: ViewUnderTest,
): ExpectedRow[] {
  const endFrame = game.gameSeconds * 30;
  const def = new Map(defs.map((d) => [d.unitDefID, d]));
  const allyOf = (team: number) => game.teams.find((t) => t.teamID === team)!.allyTeamID;
  const units = new TruthUnits(truth).advanceTo(endFrame);
  const metal = truthMetal(truth, (d) => def.get(d)!.metalCost ?? 0, allyOf);
  // A player learns of the enemies' deaths it saw only (BAR's UnitDestroyed in sight).
  const seen = truthMetal(
    truth.filter(
      (l) => l.e !== "UnitDestroyed" || l.seen === true || view.readable.includes(Number(l.team)),
    ),
    (d) => def.get(d)!.metalCost ?? 0,
    allyOf,
  );
  const dead = new Set(truth.filter((l) => l.e === "TeamDied").map((l) => Number(l.team)));
  const lastSecond = new Map<number, TruthLine>();
  for (const l of truth) if (l.e === "team" && l.f <= endFrame) lastSecond.set(Number(l.team), l);

  return game.teams.map((t) => {
    const leader = game.players.find((p) => p.playerID === t.leader);
    const row: ExpectedRow = {
      teamID: t.teamID,
      allyTeamID: t.allyTeamID,
      dead: dead.has(t.teamID),
      name: leader?.name ?? `Team ${t.teamID}`,
      side: t.side || "?",
      lost: shown(
        (view.kind === "fullview" || view.readable.includes(t.teamID) ? metal : seen).lost.get(
          t.teamID,
        ) ?? 0,
      ),
    };
    if (!view.readable.includes(t.teamID)) {
      return { ...row, metalIncome: shown(null), energyIncome: shown(null) };
    }
    const line = lastSecond.get(t.teamID)!;
    const finished = units.team(t.teamID).finished;
    let army = 0;
    let count = 0;
    for (const [d, n] of finished) {
      const info = def.get(d)!;
      if (info.weaponCount > 0 && (info.speed ?? 0) > 0) army += (info.metalCost ?? 0) * n;
      count += n;
    }
    return {
      ...row,
      // GetTeamResources order: current, storage, pull, income, ...
      metalIncome: shown((line.metal as number[])[3]!, 1),
      energyIncome: shown((line.energy as number[])[3]!),
      army: shown(army),
      units: String(count),
      ...(view.kind === "fullview"
        ? { killsLost: `${shown(metal.killed.get(t.teamID) ?? 0)} / ${row.lost!}` }
        : {}),
    };
  });
}

/** The shown rows in the expected rows' shape: `lost` is the second half of "kills / lost". */
export function comparable(rows: ScoreboardRow[], expected: ExpectedRow[]): ExpectedRow[] {
  return expected.map((e) => {
    const row = rows.find((r) => r.teamID === e.teamID);
    if (!row) return { teamID: e.teamID, name: "(no row)" };
    const picked: Record<string, unknown> = {};
    for (const key of Object.keys(e)) {
      picked[key] =
        key === "lost" ? (row.killsLost.split(" / ")[1] ?? "") : row[key as keyof ScoreboardRow];
    }
    return picked as ExpectedRow;
  });
}

/** A row without the kills and losses (a receiver restarted mid-game cannot know them). */
export function withoutLosses(row: ExpectedRow): ExpectedRow {
  const { killsLost: _k, lost: _l, ...rest } = row;
  return rest;
}
