// Turns one of the shared real games (../shared/data/games/*.json: teams, winners and the
// engine's team statistics every 15 s) into the messages a full-view widget would have sent,
// for the receiver's tests, the overlay's browser test and the bench.
//
// Real: teams, factions, colours, map, winners, every statistics entry, and the income (the
// change of metalProduced/energyProduced over each 15 s period). Synthetic, because the games
// hold no unit lists: each team's living units (produced + received + captured − died − sent
// − out-captured, from its real statistics) are all counted as its faction's basic combat bot,
// plus its commander until the team dies; the catalog is the real bar-unitdefs.json.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PROTOCOL_SOURCE, PROTOCOL_VERSION } from "../../protocol/messages.ts";
import type {
  OutboundMessage,
  Resource,
  StatsEntry,
  TeamInfo,
  UnitDefInfo,
} from "../../protocol/messages.ts";

export const SHARED_DATA = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../shared/data",
);

interface RawGame {
  map: string;
  engineVersion: string;
  gameVersion: string;
  gameSeconds: number;
  teamStatPeriod: number;
  winningAllyTeams: number[];
  teams: {
    teamID: number;
    allyTeamID: number;
    leader: number;
    isAI: boolean;
    aiShortName: string | null;
    side: string;
    color: number[];
  }[];
  /** teamID is null for spectators. */
  players: { playerID: number; name: string; teamID: number | null; spectator: boolean }[];
  teamStats: Record<string, (Omit<StatsEntry, "time"> & { time?: number })[]>;
}

interface RawDef {
  name: string;
  translatedHumanName: string;
  metalCost: number;
  energyCost: number;
  buildTime: number;
  health: number;
  speed: number;
  buildSpeed: number;
  isBuilder: boolean;
  isFactory: boolean;
  weaponCount: number;
  customParams: Record<string, string>;
}

export function readRealGame(file: string): RawGame {
  return JSON.parse(readFileSync(path.join(SHARED_DATA, "games", file), "utf8")) as RawGame;
}

export function readUnitDefs(): UnitDefInfo[] {
  const raw = JSON.parse(readFileSync(path.join(SHARED_DATA, "bar-unitdefs.json"), "utf8")) as {
    unitDefs: Record<string, RawDef>;
  };
  return Object.entries(raw.unitDefs).map(([id, def]) => ({
    unitDefID: Number(id),
    name: def.name,
    humanName: def.translatedHumanName,
    metalCost: def.metalCost,
    energyCost: def.energyCost,
    buildTime: def.buildTime,
    health: def.health,
    speed: def.speed,
    buildSpeed: def.buildSpeed,
    isBuilding: def.speed === 0 && !def.isFactory,
    isFactory: def.isFactory,
    isBuilder: def.isBuilder,
    unitgroup: def.customParams.unitgroup ?? null,
    techlevel: def.customParams.techlevel ? Number(def.customParams.techlevel) : null,
    iscommander: def.customParams.iscommander === "1",
    weaponCount: def.weaponCount,
  }));
}

const SIDE_UNITS: Record<string, { commander: string; bot: string }> = {
  Armada: { commander: "armcom", bot: "armpw" },
  Cortex: { commander: "corcom", bot: "corak" },
  Legion: { commander: "legcom", bot: "leggob" },
};

function resource(income: number, current: number): Resource {
  return {
    current,
    storage: 1000,
    pull: income,
    income,
    expense: income,
    share: 1,
    sent: 0,
    received: 0,
    excess: 0,
  };
}

export interface SynthesizedGame {
  session: string;
  messages: OutboundMessage[];
  /** The hello line first, then every other message. */
  lines: string[];
}

/** `session` names the file in recordings; it must be 1..64 characters. */
export function synthesizeGame(file: string, session = "real0000game0000"): SynthesizedGame {
  const game = readRealGame(file);
  const defs = readUnitDefs();
  const byName = new Map(defs.map((def) => [def.name, def]));
  const gameID = Buffer.from(file).toString("hex").padEnd(32, "0").slice(0, 32);
  const view = { kind: "fullview" as const, playerID: 0, teamID: 0, allyTeamID: 0 };
  const settings = {
    categories: {
      economy: true,
      units: true,
      stats: true,
      events: true,
      unitdefs: true,
      positions: false,
      damage: false,
    },
    rates: { economy: 1, units: 1, positions: 1, damage: 1, snapshot: 60 },
  };
  const gameInfo = (frame: number, over: boolean) => ({
    gameSeconds: frame / 30,
    wantedSpeed: 1,
    speed: 1,
    paused: false,
    started: true,
    over,
    replay: true,
    mapName: game.map,
    mapSizeX: 12288,
    mapSizeZ: 8192,
    gameName: "Beyond All Reason",
    gameVersion: game.gameVersion,
    engineVersion: game.engineVersion,
    gameID,
  });
  const teams: TeamInfo[] = game.teams.map((team) => ({
    teamID: team.teamID,
    allyTeamID: team.allyTeamID,
    leader: team.isAI ? -1 : team.leader,
    isAI: team.isAI,
    aiName: team.isAI ? (team.aiShortName ?? "AI") : null,
    side: team.side,
    color: [team.color[0]!, team.color[1]!, team.color[2]!, 1],
    isDead: false,
    isGaia: false,
    startPosition: null,
  }));
  const players = game.players.map((p) => ({
    playerID: p.playerID,
    name: p.name,
    // The engine gives a spectator team 0 and its ally team.
    teamID: p.teamID ?? 0,
    allyTeamID: game.teams.find((t) => t.teamID === (p.teamID ?? 0))?.allyTeamID ?? 0,
    spectator: p.spectator,
    active: true,
    pingSeconds: 0.05,
    cpuUsage: 0.2,
  }));
  const unitsOf = (teamID: number, entry: StatsEntry | null, alive: boolean) => {
    const side =
      SIDE_UNITS[game.teams.find((t) => t.teamID === teamID)!.side] ?? SIDE_UNITS.Armada!;
    const bots = entry
      ? Math.max(
          0,
          entry.unitsProduced +
            entry.unitsReceived +
            entry.unitsCaptured -
            entry.unitsDied -
            entry.unitsSent -
            entry.unitsOutCaptured,
        )
      : 0;
    return {
      teamID,
      finished: [
        [byName.get(side.commander)!.unitDefID, alive ? 1 : 0],
        [byName.get(side.bot)!.unitDefID, bots],
      ] as [number, number][],
      building: [],
      unknown: 0,
    };
  };

  let seq = 0;
  const messages: OutboundMessage[] = [];
  const push = (message: Record<string, unknown>) =>
    messages.push({ ...message, seq: ++seq } as unknown as OutboundMessage);
  const hello: OutboundMessage = {
    type: "hello",
    protocol: PROTOCOL_VERSION,
    source: PROTOCOL_SOURCE,
    version: "1.0.0",
    session,
    nextSeq: 1,
    frame: 0,
    engineVersion: game.engineVersion,
    gameName: "Beyond All Reason",
    gameVersion: game.gameVersion,
    mapName: game.map,
    gameID,
    view,
    settings,
  };
  // About 64 KiB per part, as the widget does.
  const partSize = 200;
  const parts = Math.ceil(defs.length / partSize);
  for (let part = 0; part < parts; part++) {
    push({
      type: "unitdefs",
      frame: 0,
      part: part + 1,
      parts,
      unitDefs: defs.slice(part * partSize, (part + 1) * partSize),
    });
  }
  push({
    type: "snapshot",
    frame: 0,
    reason: "connect",
    game: gameInfo(0, false),
    view,
    settings,
    players,
    teams,
    economy: teams.map((t) => ({
      teamID: t.teamID,
      metal: resource(0, 1000),
      energy: resource(0, 1000),
    })),
    units: teams.map((t) => unitsOf(t.teamID, null, true)),
    stats: [],
  });
  push({ type: "game_started", frame: 0 });

  const period = game.teamStatPeriod;
  const count = Math.max(...Object.values(game.teamStats).map((entries) => entries.length));
  const dead = new Set<number>();
  for (let i = 1; i < count; i++) {
    let frame = 0;
    const economy = [];
    const units = [];
    const stats: { teamID: number; entry: StatsEntry }[] = [];
    for (const team of teams) {
      const history = game.teamStats[String(team.teamID)] ?? [];
      const raw = history[i];
      const before = history[i - 1];
      if (!raw || !before) continue;
      frame = raw.frame;
      const entry: StatsEntry = { ...raw, time: raw.frame / 30 };
      const metalIncome = ((raw.metalProduced ?? 0) - (before.metalProduced ?? 0)) / period;
      const energyIncome = ((raw.energyProduced ?? 0) - (before.energyProduced ?? 0)) / period;
      economy.push({
        teamID: team.teamID,
        metal: resource(metalIncome, 500),
        energy: resource(energyIncome, 500),
      });
      const alive = i < history.length - 1 || game.winningAllyTeams.includes(team.allyTeamID);
      units.push(unitsOf(team.teamID, entry, alive));
      stats.push({ teamID: team.teamID, entry });
      if (!alive) dead.add(team.teamID);
    }
    push({ type: "economy", frame, teams: economy });
    push({ type: "units", frame, teams: units });
    for (const s of stats) push({ type: "stats", frame, ...s });
  }
  const end = game.gameSeconds * 30;
  for (const teamID of dead) push({ type: "team_died", frame: end, teamID });
  push({ type: "game_over", frame: end, winners: game.winningAllyTeams, winnersDerived: true });
  push({ type: "bye", frame: end, reason: "shutdown" });
  return {
    session,
    messages: [hello, ...messages],
    lines: [hello, ...messages].map((m) => JSON.stringify(m)),
  };
}

/**
 * The synthesized game as a recording (receiver/record/recordingFormat.ts) whose receive
 * times follow game time from `startMs`, `secondsPerGameSecond` apart.
 */
export function recordingOf(
  game: SynthesizedGame,
  startMs = Date.UTC(2025, 0, 1),
  scale = 1,
): string {
  const header = JSON.stringify({
    t: startMs,
    recording: { format: 1, receiver: "synthesized", session: game.session },
  });
  const lines = game.messages.map((message, i) => {
    const t = Math.round(startMs + (message.frame / 30) * 1000 * scale);
    return `{"t":${t},"line":${game.lines[i]}}`;
  });
  return `${[header, ...lines].join("\n")}\n`;
}
