/**
 * The widget's collection in the host's game world: the built widget plays a game
 * with the collect probe (test/host/fixtures/collect_probe.lua, which sees what the
 * widget collected through WG.LiveDataExport) and the world probe (call-ins the engine
 * delivered). Expectations come from ../shared/data and the world's truth log, never
 * from the widget. Registered by test/e2e/world-collect-*.test.ts.
 */
import path from "node:path";
import { expect } from "vitest";
import { BarHost } from "./driver.ts";
import {
  FIXTURE_PROBE,
  STAT_FIELDS,
  readTruth,
  worldConfig,
  type StatEntry,
  type TruthLine,
  type WorldConfig,
} from "./world-driver.ts";
import { REPO_ROOT } from "../support/interpreters.ts";
import { WIDGET_FILE } from "./widget-config.ts";

export const WIDGET = WIDGET_FILE;
export const COLLECT_PROBE = path.join(REPO_ROOT, "test/host/fixtures/collect_probe.lua");

export interface CollectedStats {
  teamID: number;
  index: number;
  live: boolean;
  /** Frame the change was recorded in. */
  f: number;
  entry: StatEntry & { time: number };
}

export interface CollectedEvent {
  t: string;
  f: number;
  u?: number;
  team?: number;
  old?: number;
  a?: number;
  player?: number;
  winners?: number[];
  derived?: boolean;
  kind?: string;
  previous?: string;
}

export interface CollectStatus {
  hooked: boolean;
  stats: CollectedStats[];
  economy: { f: number; teams: number[] }[];
  events: CollectedEvent[];
  others: Record<string, number>;
  /** Per team: the unit counts ("x|" exact or "v|" visible, then "def:n,...") from a frame on. */
  units: Record<string, { f: number; s: string }[]>;
  widget: {
    internalErrors: number;
    lastInternalError?: string;
    collection: { view: string; recorded: number; dropped: number; unitDefs: number };
    frameCost: {
      budgetUs: number;
      frames: number;
      meanUs: number;
      maxUs: number;
      overBudget: number;
      tasks: { name: string; meanUs: number; maxUs: number; overBudget: number; error?: string }[];
    };
  };
  world?: { callins: Record<string, { total: number; byTeam: Record<string, number> }> };
}

export interface CollectRun {
  status: CollectStatus;
  truth: TruthLine[];
}

/** Plays a world to its end with the widget and the probes; returns what they saw. */
export async function playCollecting(
  interpreter: string,
  cfg: WorldConfig,
  timeoutMs: number,
  /** Teams whose final (live) statistics entry to wait for after the end. */
  liveTeams: number,
): Promise<CollectRun> {
  const { configPath, truthLog } = worldConfig(cfg);
  const host = await BarHost.start({
    interpreter,
    widget: [WIDGET, COLLECT_PROBE, FIXTURE_PROBE],
    world: configPath,
    statusApi: "CollectProbe",
    fps: 1000,
    maxSeconds: Math.ceil(timeoutMs / 1000) + 10,
  });
  await host.waitForEvent((e) => e.type === "world" && e.what === "ended", timeoutMs, "game end");
  // A few more frames so that the last jobs (final statistics entries) run.
  // (a timeout here is left to the checks below, which say what is missing)
  await host
    .waitForStatus(
      (s) => settled(s.widgetStatus as ProbeSummary | undefined, liveTeams),
      20_000,
      50,
    )
    .catch(() => undefined);
  await host.chat("/collectprobe full");
  const status = (await host.status()).widgetStatus as CollectStatus;
  await host.shutdown();
  return { status, truth: readTruth(truthLog) };
}

/** The statistics job has emitted the final (live) entry of `teams` teams. */
function settled(s: ProbeSummary | undefined, teams: number): boolean {
  return s !== undefined && s.live >= teams;
}

/** The probe's status before "/collectprobe full". */
interface ProbeSummary {
  hooked: boolean;
  stats: number;
  live: number;
}

/** The counts string the truth gives a team: "def:n,..." sorted by def. */
export function truthCounts(byDef: Record<string, number>): string {
  return Object.keys(byDef)
    .map(Number)
    .sort((a, b) => a - b)
    .map((d) => `${d}:${byDef[String(d)]}`)
    .join(",");
}

/**
 * Checks the widget's unit counts of `teams` against the truth at every game second
 * from `from` on (the probe records at GameFrame n, n % 30 == 0, after the slow update).
 * Returns how many team-seconds were checked.
 */
export function expectCountsEverySecond(run: CollectRun, teams: number[], from = 30): number {
  // the world logs the last second twice (its slow update, then game over)
  const checked = new Set<string>();
  for (const teamID of teams) {
    const records = run.status.units[String(teamID)] ?? [];
    for (const line of run.truth) {
      if (line.e !== "team" || Number(line.team) !== teamID || line.f < from || line.f % 30 !== 0) {
        continue;
      }
      let current: string | undefined;
      for (const r of records) if (r.f <= line.f) current = r.s;
      const want = `x|${truthCounts(line.unitsByDef as Record<string, number>)}`;
      expect(current, `team ${teamID} units at frame ${line.f}`).toBe(want);
      checked.add(`${teamID}:${line.f}`);
    }
  }
  return checked.size;
}

/** Every entry of a team's recorded history, exactly once, all 19 fields as recorded. */
export function expectStatsExact(
  collected: CollectedStats[],
  teamID: number,
  record: StatEntry[],
  endFrame: number,
): void {
  const mine = collected.filter((e) => e.teamID === teamID).sort((a, b) => a.index - b.index);
  expect(
    mine.map((e) => e.index),
    `team ${teamID} entries`,
  ).toEqual(record.map((_, i) => i + 1));
  mine.forEach((got, i) => {
    expect(got.live, `team ${teamID} entry ${i + 1} live`).toBe(i === record.length - 1);
  });
  expectEntriesAsRecorded(
    mine.map((e) => e.entry),
    teamID,
    record,
    endFrame,
  );
}

/**
 * A team's statistics entries, in order, are the record's: as many, each frame (the last,
 * live entry at the game's end frame) and all 19 fields at single precision.
 */
export function expectEntriesAsRecorded(
  entries: StatEntry[],
  teamID: number,
  record: StatEntry[],
  endFrame: number,
): void {
  expect(entries.length, `team ${teamID} entries`).toBe(record.length);
  record.forEach((entry, i) => {
    const got = entries[i]!;
    const last = i === record.length - 1;
    // the live entry is reported at the current frame (LuaSyncedRead.cpp)
    expect(got.frame, `team ${teamID} entry ${i + 1} frame`).toBe(last ? endFrame : entry.frame);
    for (const k of STAT_FIELDS) {
      expect(Math.fround(got[k]), `team ${teamID} entry ${i + 1} ${k}`).toBe(Math.fround(entry[k]));
    }
  });
}

/** Events of a type as sorted "frame:unitID:team" keys (duplicates kept). */
export function eventKeys(events: CollectedEvent[], type: string): string[] {
  return events
    .filter((e) => e.t === type)
    .map((e) => `${e.f}:${e.u}:${e.team}`)
    .sort();
}

export function truthKeys(truth: TruthLine[], e: string, teamField = "team"): string[] {
  return truth
    .filter((l) => l.e === e)
    .map((l) => `${l.f}:${String(l.unitID)}:${String(l[teamField])}`)
    .sort();
}

/** Collected events of a type counted per team, as the world probe counts call-ins. */
export function perTeam(events: CollectedEvent[], type: string, field: "team" | "old" = "team") {
  const m: Record<string, number> = {};
  for (const e of events) {
    if (e.t !== type) continue;
    const key = String(e[field]);
    m[key] = (m[key] ?? 0) + 1;
  }
  return m;
}

/** The widget stayed healthy: no internal error, no failed task. */
export function expectHealthy(status: CollectStatus): void {
  expect(status.hooked).toBe(true);
  expect(status.widget.internalErrors, status.widget.lastInternalError).toBe(0);
  for (const task of status.widget.frameCost.tasks) {
    expect(task.error, `task ${task.name}`).toBeUndefined();
  }
}

export { BarHost };
