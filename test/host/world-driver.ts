/**
 * Helpers for running the host's game world (barhost/world) from tests: the
 * shared real data, the world config file and the ground-truth log.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../support/interpreters.ts";

/** ../shared/data relative to the repo root (never copied into the repo). */
export const SHARED_DATA = path.resolve(REPO_ROOT, "../shared/data");
export const UNIT_DEFS = path.join(SHARED_DATA, "bar-unitdefs.json");
export const GAME_FILES = [
  "altored-divide-4v4-2020.json",
  "centerrock-3v1-2025.json",
  "colorado-4p4ai-2023.json",
] as const;

/**
 * Game speed (times real time) of the runs that check that nothing is missing: 80 times,
 * 2,400 game frames a wall second (a 13-minute game in 10 s). As fast as the host can
 * play (1e6) is more than the widget's frame budget holds: its frame-rate guard (issue
 * #13, src/app/throttle.ts) then collects less, by design, and after about 24 s of it
 * (Colorado, or a loaded machine) no events at all. At 80 times the widget keeps up and
 * the guard does not step down (Colorado on the 2-core test machine, load average 2-5).
 */
export const FAST_GAME_SPEED = 80;

export const STAT_FIELDS = [
  "metalUsed", "metalProduced", "metalExcess", "metalReceived", "metalSent",
  "energyUsed", "energyProduced", "energyExcess", "energyReceived", "energySent",
  "damageDealt", "damageReceived",
  "unitsProduced", "unitsDied", "unitsReceived", "unitsSent", "unitsCaptured", "unitsOutCaptured", "unitsKilled",
] as const; // prettier-ignore

export type StatEntry = { frame: number } & Record<(typeof STAT_FIELDS)[number], number>;

export interface RecordedGame {
  gameSeconds: number;
  teamStatPeriod: number;
  winningAllyTeams: number[];
  allyTeams: number[];
  map: string;
  teams: { teamID: number; allyTeamID: number; leader: number; isAI: boolean; side: string }[];
  players: { playerID: number; name: string; teamID: number | null; spectator: boolean }[];
  teamStats: Record<string, StatEntry[]>;
}

export function readGame(file: string): RecordedGame {
  return JSON.parse(readFileSync(path.join(SHARED_DATA, "games", file), "utf8")) as RecordedGame;
}

export type WorldView = "player" | "spectator" | "fullview" | "replay";

export interface WorldConfig {
  driver: "game" | "scale" | "script";
  game?: string;
  /** driver "script": see barhost/world/script.lua */
  script?: unknown;
  /** per-second team lines in the truth log (default true) */
  truthTeams?: boolean;
  /** UnitDamaged lines in the truth log (default true) */
  truthDamage?: boolean;
  /** event lines stamped with the host clock, `ws` and `wus` (see BarHost.clockOffsetMs) */
  truthClock?: boolean;
  seed?: number;
  view?: WorldView;
  viewTeam?: number;
  speed?: number;
  maxFramesPerUpdate?: number;
  autoStart?: boolean;
  scale?: {
    teams?: number;
    unitsPerTeam?: number;
    allyTeams?: number;
    killsPerSecond?: number;
    seconds?: number;
  };
}

/** Writes the config (with the shared unit defs and a truth log path) to a
 * fresh temp dir; returns the config path and the truth log path. */
export function worldConfig(cfg: WorldConfig): { configPath: string; truthLog: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bar-world-"));
  const truthLog = path.join(dir, "truth.ndjson");
  const full = {
    unitDefs: UNIT_DEFS,
    truthLog,
    ...cfg,
    game: cfg.game ? path.join(SHARED_DATA, "games", cfg.game) : undefined,
  };
  const configPath = path.join(dir, "world.json");
  writeFileSync(configPath, JSON.stringify(full));
  return { configPath, truthLog };
}

export interface TruthLine {
  e: string;
  f: number;
  [key: string]: unknown;
}

export function readTruth(file: string): TruthLine[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as TruthLine);
}

export const FIXTURE_PROBE = path.join(REPO_ROOT, "test/host/fixtures/world_probe.lua");
