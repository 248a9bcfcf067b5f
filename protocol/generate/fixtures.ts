/**
 * `npm run protocol:fixtures`: writes the golden NDJSON fixtures (protocol/fixtures/) from a
 * real game (../shared/data/games/colorado-4p4ai-2023.json, 25 minutes in) and real unit
 * definitions (../shared/data/bar-unitdefs.json). The data files are read, never copied.
 *
 * The messages are typed with the protocol types, so a fixture that no longer matches them
 * fails to compile; the schema test then checks every line. Keys are written in the order
 * the widget's encoder writes them (the declaration order in protocol/messages.ts, envelope
 * first), and numbers in their shortest single-precision form, so that the fixtures are
 * also the exact text the encoder must produce.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type {
  Color,
  InboundMessage,
  OutboundMessage,
  PlayerInfo,
  Resource,
  Settings,
  SnapshotReason,
  StatsEntry,
  TeamEconomy,
  TeamInfo,
  TeamUnits,
  UnitDefInfo,
  View,
} from "../messages.ts";
import { PROTOCOL_SOURCE, PROTOCOL_VERSION } from "../messages.ts";
import { PROTOCOL_DIR } from "./schema.ts";

const DATA = path.resolve(PROTOCOL_DIR, "../../shared/data");
const FIXTURES = path.join(PROTOCOL_DIR, "fixtures");

interface GameFile {
  engineVersion: string;
  gameVersion: string;
  map: string;
  teams: Array<{
    teamID: number;
    allyTeamID: number;
    leader: number;
    isAI: boolean;
    aiShortName: string | null;
    side: string;
    color: number[];
  }>;
  players: Array<{ playerID: number; name: string; teamID: number; spectator: boolean }>;
  teamStats: Record<string, Array<Omit<StatsEntry, "time">>>;
}
interface UnitDefFile {
  unitDefs: Record<
    string,
    {
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
  >;
}

const game = JSON.parse(
  readFileSync(path.join(DATA, "games/colorado-4p4ai-2023.json"), "utf8"),
) as GameFile;
const defs = JSON.parse(readFileSync(path.join(DATA, "bar-unitdefs.json"), "utf8")) as UnitDefFile;

/** The shortest decimal that reads back as the same single-precision float. */
function f32(x: number): number {
  const target = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(target.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return target;
}

const STATS_INDEX = 100; // frame 45000: 25 minutes in
const FRAME = game.teamStats["0"]![STATS_INDEX]!.frame;

function defID(name: string): number {
  for (const [id, def] of Object.entries(defs.unitDefs)) if (def.name === name) return Number(id);
  throw new Error(`no unit def ${name}`);
}

function unitDef(name: string): UnitDefInfo {
  const id = defID(name);
  const d = defs.unitDefs[String(id)]!;
  const techlevel = d.customParams.techlevel;
  return {
    unitDefID: id,
    name: d.name,
    humanName: d.translatedHumanName,
    metalCost: f32(d.metalCost),
    energyCost: f32(d.energyCost),
    buildTime: f32(d.buildTime),
    health: f32(d.health),
    speed: f32(d.speed),
    buildSpeed: f32(d.buildSpeed),
    isBuilding: d.speed === 0,
    isFactory: d.isFactory,
    isBuilder: d.isBuilder,
    unitgroup: d.customParams.unitgroup ?? null,
    techlevel: techlevel === undefined ? null : Number(techlevel),
    iscommander: d.customParams.iscommander === "1",
    weaponCount: d.weaponCount,
  };
}

function statsEntry(teamID: number, index: number): StatsEntry {
  const e = game.teamStats[String(teamID)]![index]!;
  const f = (x: number): number => f32(x);
  return {
    time: Math.floor(e.frame / 30),
    frame: e.frame,
    metalUsed: f(e.metalUsed as number),
    metalProduced: f(e.metalProduced as number),
    metalExcess: f(e.metalExcess as number),
    metalReceived: f(e.metalReceived as number),
    metalSent: f(e.metalSent as number),
    energyUsed: f(e.energyUsed as number),
    energyProduced: f(e.energyProduced as number),
    energyExcess: f(e.energyExcess as number),
    energyReceived: f(e.energyReceived as number),
    energySent: f(e.energySent as number),
    damageDealt: f(e.damageDealt as number),
    damageReceived: f(e.damageReceived as number),
    unitsProduced: e.unitsProduced,
    unitsDied: e.unitsDied,
    unitsReceived: e.unitsReceived,
    unitsSent: e.unitsSent,
    unitsCaptured: e.unitsCaptured,
    unitsOutCaptured: e.unitsOutCaptured,
    unitsKilled: e.unitsKilled,
  };
}

/** Per-second rates over the 15 s before the entry, as GetTeamResources would show them. */
function resource(teamID: number, kind: "metal" | "energy", storage: number): Resource {
  const now = game.teamStats[String(teamID)]![STATS_INDEX]! as unknown as Record<string, number>;
  const before = game.teamStats[String(teamID)]![STATS_INDEX - 1]! as unknown as Record<
    string,
    number
  >;
  const rate = (field: string): number => f32((now[kind + field]! - before[kind + field]!) / 15);
  const income = rate("Produced");
  const expense = rate("Used");
  return {
    current: f32(storage * 0.37),
    storage,
    pull: f32(expense * 1.08),
    income,
    expense,
    share: kind === "metal" ? 0.99 : 0.95,
    sent: rate("Sent"),
    received: rate("Received"),
    excess: rate("Excess"),
  };
}

const color = (c: number[]): Color => [f32(c[0]!), f32(c[1]!), f32(c[2]!), 1];
const teams: TeamInfo[] = game.teams.map((t) => ({
  teamID: t.teamID,
  allyTeamID: t.allyTeamID,
  leader: t.leader,
  isAI: t.isAI,
  aiName: t.aiShortName === null ? null : `${t.aiShortName} ${t.teamID}`,
  side: t.side,
  color: color(t.color),
  isDead: false,
  isGaia: false,
  startPosition: null,
}));
teams[0]!.startPosition = { x: 1496, z: 7120 };
teams.push({
  teamID: 8,
  allyTeamID: 2,
  leader: -1,
  isAI: false,
  aiName: null,
  side: "",
  color: [0.5, 0.5, 0.5, 1],
  isDead: false,
  isGaia: true,
  startPosition: null,
});

const players: PlayerInfo[] = game.players.map((p, i) => ({
  playerID: p.playerID,
  name: p.name,
  teamID: p.teamID,
  allyTeamID: game.teams[p.teamID]!.allyTeamID,
  spectator: p.spectator,
  active: true,
  pingSeconds: f32(0.031 + i * 0.012),
  cpuUsage: f32(0.18 + i * 0.07),
}));
const viewer: PlayerInfo = {
  playerID: 4,
  name: "Caster",
  teamID: 0,
  allyTeamID: 0,
  spectator: true,
  active: true,
  pingSeconds: 0.045,
  cpuUsage: 0.22,
};
players.push(viewer);

const view: View = { kind: "fullview", playerID: 4, teamID: 0, allyTeamID: 0 };
const settings: Settings = {
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

const CATALOG = ["armcom", "armck", "armlab", "armmex", "armpw", "armsolar", "armwin", "corak"];
const CATALOG2 = ["corcom", "corlab", "cormex", "corsolar"];
const economy: TeamEconomy[] = game.teams.map((t) => ({
  teamID: t.teamID,
  metal: resource(t.teamID, "metal", 1500),
  energy: resource(t.teamID, "energy", 11000),
}));
const armada = [
  ["armcom", 1],
  ["armck", 3],
  ["armlab", 1],
  ["armmex", 12],
  ["armpw", 21],
  ["armsolar", 8],
  ["armwin", 6],
] as const;
const cortex = [
  ["corak", 17],
  ["corcom", 1],
  ["corlab", 1],
  ["cormex", 10],
  ["corsolar", 9],
] as const;
const units: TeamUnits[] = game.teams.map((t, i) => ({
  teamID: t.teamID,
  finished: (t.side === "Armada" ? armada : cortex).map(([name, count]) => [
    defID(name),
    count + (i % 3),
  ]),
  building: [[defID(t.side === "Armada" ? "armpw" : "corak"), 1]],
  unknown: 0,
}));
units.push({ teamID: 8, finished: [], building: [], unknown: 0 });

let seq = 0;
const next = (frame = FRAME): { seq: number; frame: number } => ({ seq: ++seq, frame });

/** A snapshot of the game at `frame`, with what a view that reads `readable` teams sees. */
function snapshot(
  reason: SnapshotReason,
  snapshotView: View,
  frame: number,
  readable: (teamID: number) => boolean,
): OutboundMessage {
  return {
    type: "snapshot",
    ...next(frame),
    reason,
    game: {
      gameSeconds: f32(frame / 30),
      wantedSpeed: 1,
      speed: 1,
      paused: false,
      started: true,
      over: false,
      replay: false,
      mapName: game.map,
      mapSizeX: 12288,
      mapSizeZ: 8192,
      gameName: "Beyond All Reason",
      gameVersion: game.gameVersion,
      engineVersion: game.engineVersion,
      gameID: "3f2a94c1d07e5b68a1c9e4f20b7d6a53",
    },
    view: snapshotView,
    settings,
    players,
    teams,
    economy: economy.filter((e) => readable(e.teamID)),
    units,
    stats: game.teams
      .filter((t) => readable(t.teamID))
      .map((t) => ({ teamID: t.teamID, entry: statsEntry(t.teamID, STATS_INDEX) })),
  };
}
const armpw = defID("armpw");
const corak = defID("corak");

/** Skips `count` seqs: messages produced and then dropped, reported by the next gap. */
let droppedRange = { firstSeq: 0, lastSeq: 0 };
function dropped(count: number): OutboundMessage[] {
  droppedRange = { firstSeq: seq + 1, lastSeq: seq + count };
  seq += count;
  return [];
}
const spectatorView: View = { kind: "spectator", playerID: 4, teamID: 0, allyTeamID: 0 };

const outbound: OutboundMessage[] = [
  {
    type: "hello",
    protocol: PROTOCOL_VERSION,
    source: PROTOCOL_SOURCE,
    version: "1.0.0",
    session: "5f3a9c1e7b2d4086",
    nextSeq: 1,
    frame: FRAME,
    engineVersion: game.engineVersion,
    gameName: "Beyond All Reason",
    gameVersion: game.gameVersion,
    mapName: game.map,
    gameID: "3f2a94c1d07e5b68a1c9e4f20b7d6a53",
    view,
    settings,
    token: "s3cret-token",
  },
  { type: "unitdefs", ...next(), part: 1, parts: 2, unitDefs: CATALOG.map(unitDef) },
  { type: "unitdefs", ...next(), part: 2, parts: 2, unitDefs: CATALOG2.map(unitDef) },
  snapshot("connect", view, FRAME, () => true),
  { type: "economy", ...next(FRAME + 30), teams: economy.slice(0, 2) },
  {
    type: "units",
    ...next(FRAME + 30),
    teams: [{ teamID: 0, finished: [[armpw, 22]], building: [[armpw, 0]], unknown: 0 }],
  },
  {
    type: "positions",
    ...next(FRAME + 36),
    fromFrame: FRAME + 30,
    units: [
      [4711, defID("armcom"), 0, 1503.25, 7088.5, 0.875],
      [12007, armpw, 0, 2210.75, 6011.125, 1],
      [23100, corak, 4, 5120.5, 4096.25, 0.3125],
      [30999, null, 5, 9012, 1533.5, null],
    ],
  },
  {
    type: "damage",
    ...next(FRAME + 60),
    fromFrame: FRAME + 30,
    units: [
      [12007, 0, 118.5, 0],
      [23100, 4, 240, 0],
      [4711, 0, 0, 1200],
    ],
    teams: [
      { teamID: 0, taken: 118.5, paralyzeTaken: 1200, dealt: 240, paralyzeDealt: 0 },
      { teamID: 4, taken: 240, paralyzeTaken: 0, dealt: 118.5, paralyzeDealt: 1200 },
    ],
  },
  { type: "stats", ...next(FRAME + 450), teamID: 0, entry: statsEntry(0, STATS_INDEX + 1) },
  {
    type: "unit_events",
    ...next(FRAME + 451),
    events: [["created", 15873, armpw, 0, 9120]],
  },
  { type: "unit_events", ...next(FRAME + 510), events: [["finished", 15873, armpw, 0]] },
  {
    type: "unit_events",
    ...next(FRAME + 533),
    events: [
      ["destroyed", 23100, corak, 4, 12007, armpw, 0, 212],
      ["destroyed", 12007, armpw, 0, null, null, null, null],
      ["created", 15874, armpw, 0, null],
    ],
  },
  {
    type: "unit_events",
    ...next(FRAME + 600),
    // The engine's order (Recoil: CUnit::ChangeTeam): UnitTaken while the unit is still
    // on the old team, then UnitGiven.
    events: [
      ["taken", 9120, defID("armck"), 1, 0],
      ["given", 9120, defID("armck"), 1, 0],
    ],
  },
  {
    type: "player_added",
    ...next(FRAME + 700),
    player: { ...viewer, playerID: 5, name: 'Late "Joiner" ☕', pingSeconds: 0.12 },
  },
  {
    type: "player_changed",
    ...next(FRAME + 720),
    player: { ...players[1]!, active: false, pingSeconds: 2.5 },
  },
  { type: "player_removed", ...next(FRAME + 900), playerID: 5 },
  { type: "game_paused", ...next(FRAME + 960), playerID: 0 },
  { type: "game_resumed", ...next(FRAME + 960), playerID: 0 },
  { type: "team_died", ...next(FRAME + 1500), teamID: 7 },
  {
    type: "heartbeat",
    ...next(FRAME + 1650),
    produced: seq, // the seq of this heartbeat (the spread above counted it)
    sent: seq,
    acknowledged: seq - 3,
    dropped: 0,
    queuedMessages: 3,
    queuedBytes: 611,
    nonFinite: 0,
    inboundIgnored: 1,
    frameCostMeanMs: 0.0625,
    frameCostMaxMs: 0.8125,
  },
  // The receiver stopped reading: four economy and two units messages were dropped...
  ...dropped(6),
  // ...and reported, followed by a fresh snapshot.
  {
    type: "gap",
    ...next(FRAME + 1830),
    ...droppedRange,
    dropped: 6,
    counts: [
      { type: "economy", count: 4 },
      { type: "units", count: 2 },
    ],
  },
  snapshot("gap", view, FRAME + 1830, () => true),
  {
    type: "view_changed",
    ...next(FRAME + 2100),
    view: spectatorView,
    previous: view,
  },
  snapshot("view_changed", spectatorView, FRAME + 2100, (teamID) => teamID < 4),
  { type: "game_over", ...next(99450), winners: [0], winnersDerived: true },
  { type: "bye", ...next(99480), reason: "shutdown" },
];
// game_started happens at frame 0 of another session: a separate line keeps the story above.
const start: OutboundMessage[] = [
  { type: "game_started", seq: 7, frame: 0 },
  {
    type: "snapshot",
    seq: 8,
    frame: 0,
    reason: "view_changed",
    game: {
      gameSeconds: 0,
      wantedSpeed: 1,
      speed: 1,
      paused: false,
      started: false,
      over: false,
      replay: true,
      mapName: game.map,
      mapSizeX: 12288,
      mapSizeZ: 8192,
      gameName: "Beyond All Reason",
      gameVersion: game.gameVersion,
      engineVersion: game.engineVersion,
      gameID: null,
    },
    view: { kind: "replay", playerID: 4, teamID: 0, allyTeamID: 0 },
    settings,
    players: [],
    teams: [],
    economy: [],
    units: [],
    stats: [],
  },
];
// Engine values that JSON cannot carry (nan, ±inf) are written as null; strings with
// control characters, DEL, quotes and replaced invalid UTF-8 stay one escaped line.
const edge: OutboundMessage[] = [
  {
    type: "economy",
    seq: 40,
    frame: 1800,
    teams: [
      {
        teamID: 2,
        metal: { ...economy[2]!.metal, income: null, pull: null },
        energy: { ...economy[2]!.energy, excess: null },
      },
    ],
  },
  {
    type: "player_changed",
    seq: 41,
    frame: 1801,
    player: {
      ...players[2]!,
      name: 'tab\there "q" back\\slash nl\n cr\r nul\u0000 del\u007f bad\ufffd\ufffd é 日本',
      pingSeconds: null,
      cpuUsage: null,
    },
  },
];
// Another widget's event (WG.LiveDataExport.publish), fields as the encoder sorts them.
const ext: OutboundMessage[] = [
  { type: "ext.hud.marker", seq: 12, frame: 1350, fields: { label: "push mid", x: 1024 } },
  { type: "ext.caster_notes.goal", seq: 13, frame: 1380, fields: {} },
];
const inbound: InboundMessage[] = [
  {
    type: "hello_reply",
    protocol: PROTOCOL_VERSION,
    receiver: "bar-live-receiver",
    version: "0.1.0",
  },
  { type: "ack", seq: 5 },
  { type: "ack", seq: 26, session: "5f3a9c1e7b2d4086" },
  { type: "resync" },
  { type: "configure", categories: { positions: true }, rates: { positions: 0.5 } },
  {
    type: "configure",
    categories: {
      economy: true,
      units: true,
      stats: true,
      events: true,
      unitdefs: false,
      positions: true,
      damage: true,
    },
    rates: { economy: 2, units: 1, positions: 1, damage: 1, snapshot: 30 },
  },
];

/** One line as the encoder writes it: DEL escaped too (JSON.stringify leaves it raw). */
export function line(message: unknown): string {
  return JSON.stringify(message).replace(/\u007f/g, "\\u007f");
}

const write = (name: string, messages: unknown[]): void => {
  writeFileSync(path.join(FIXTURES, name), messages.map((m) => line(m) + "\n").join(""));
};
write("session.ndjson", outbound);
write("game-start.ndjson", start);
write("edge.ndjson", edge);
write("ext.ndjson", ext);
write("inbound.ndjson", inbound);
console.log(`wrote fixtures to ${path.relative(process.cwd(), FIXTURES) || "."}`);
