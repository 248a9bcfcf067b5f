/**
 * `GameReader` over the engine: `Spring.*`, `UnitDefs`, `Game`, `Engine`. Never throws:
 * every read that parses a team (the engine raises "Bad teamID"), walks a proxy table
 * or reads game-wide state runs under pcall through a module-level function (no
 * closure per call), so an engine (or test host) without one of them reads as
 * "nothing"; per-unit reads take a number and cannot raise, so they are called
 * directly. Functions are looked up once, when the reader is made.
 */
import type {
  GameConstants,
  GameReader,
  GameSpeed,
  LocalView,
  PlayerRead,
  ResourceName,
  ResourceValues,
  StatsEntry,
  TeamColor,
  TeamRead,
  UnitDefRead,
  UnitsCountsRead,
} from "../collect/reader";
import { STATS_FIELDS } from "../collect/reader";

/** Frames per `GetGameFrame` day (30 * 86400). */
const DAY_FRAMES = 2592000;

function readResources(
  this: void,
  teamID: TeamID,
  resource: ResourceName,
): ResourceValues | undefined {
  const [current, storage, pull, income, expense, share, sent, received, excess] =
    Spring.GetTeamResources(teamID, resource);
  if (current === undefined) return undefined;
  return { current, storage, pull, income, expense, share, sent, received, excess };
}

function readStatsCount(this: void, teamID: TeamID): number | undefined {
  return Spring.GetTeamStatsHistory(teamID);
}

function readStats(
  this: void,
  teamID: TeamID,
  first: number,
  last: number,
): StatsEntry[] | undefined {
  const raw = Spring.GetTeamStatsHistory(teamID, first, last);
  if (raw === undefined) return undefined;
  const out: StatsEntry[] = [];
  for (const item of raw) {
    const e = item as Record<string, number | undefined>;
    const entry = { time: e.time ?? 0, frame: e.frame ?? 0 } as StatsEntry;
    for (const field of STATS_FIELDS) entry[field] = e[field] ?? 0;
    out.push(entry);
  }
  return out;
}

function readUnitsCounts(this: void, teamID: TeamID): UnitsCountsRead | undefined {
  const raw = Spring.GetTeamUnitsCounts(teamID);
  if (raw === undefined) return undefined;
  const counts = new LuaMap<UnitDefID, number>();
  let unknown = 0;
  for (const [key, n] of pairs(raw)) {
    if (key === "unknown") unknown = n;
    else if (typeof key === "number") counts.set(key, n);
  }
  return { counts, unknown };
}

function readTeamUnits(this: void, teamID: TeamID): UnitID[] | undefined {
  return Spring.GetTeamUnits(teamID);
}

function readTeamInfo(this: void, teamID: TeamID): TeamRead | undefined {
  const [id, leader, isDead, hasAI, side, allyTeamID] = Spring.GetTeamInfo(teamID, false);
  if (id === undefined) return undefined;
  return {
    teamID,
    leader,
    isDead: isDead === true,
    hasAI: hasAI === true,
    side: side ?? "",
    allyTeamID,
  };
}

function readStartPosition(this: void, teamID: TeamID): { x: number; z: number } | undefined {
  const [x, , z, valid] = Spring.GetTeamStartPosition(teamID);
  // `valid` is absent in engines that return 3 values: accept the position then.
  if (x === undefined || valid === false) return undefined;
  return { x, z };
}

function readPlayerInfo(this: void, playerID: PlayerID): PlayerRead | undefined {
  const [name, active, spectator, teamID, allyTeamID, pingSeconds, cpuUsage] = Spring.GetPlayerInfo(
    playerID,
    false,
  );
  if (name === undefined) return undefined;
  return {
    name,
    active: active === true,
    spectator: spectator === true,
    teamID,
    allyTeamID,
    pingSeconds: pingSeconds ?? 0,
    cpuUsage: cpuUsage ?? 0,
  };
}

function readColor(this: void, teamID: TeamID): TeamColor | undefined {
  const [r, g, b, a] = Spring.GetTeamColor(teamID);
  return r === undefined ? undefined : [r, g, b, a];
}

function isSet(this: void, value: string | undefined): boolean {
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

function readUnitDef(this: void, unitDefID: UnitDefID): UnitDefRead | undefined {
  const ud = UnitDefs[unitDefID];
  if (ud === undefined) return undefined;
  const cp = ud.customParams;
  const techlevel = cp?.techlevel !== undefined ? tonumber(cp.techlevel) : undefined;
  return {
    name: ud.name,
    humanName: ud.translatedHumanName ?? ud.humanName ?? ud.name,
    metalCost: ud.metalCost ?? 0,
    energyCost: ud.energyCost ?? 0,
    buildTime: ud.buildTime ?? 0,
    health: ud.health ?? 0,
    speed: ud.speed ?? 0,
    buildSpeed: ud.buildSpeed ?? 0,
    isBuilding: ud.isBuilding === true,
    isFactory: ud.isFactory === true,
    isBuilder: ud.isBuilder === true,
    unitgroup: cp?.unitgroup,
    techlevel,
    iscommander: isSet(cp?.iscommander),
    weaponCount: ud.weapons !== undefined ? ud.weapons.length : 0,
  };
}

function readGameFrame(this: void): number {
  const [frame, day] = Spring.GetGameFrame();
  return (day ?? 0) * DAY_FRAMES + (frame ?? 0);
}

function readGameSpeed(this: void): GameSpeed {
  const [wantedSpeed, speed, paused] = Spring.GetGameSpeed();
  return { wantedSpeed: wantedSpeed ?? 1, speed: speed ?? 1, paused: paused === true };
}

/** A string the engine gave, or "" (an engine or host without the field). */
function text(this: void, value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A number the engine gave, or 0. */
function count(this: void, value: unknown): number {
  return typeof value === "number" ? value : 0;
}

function readConstants(this: void): GameConstants {
  // Each field checked: the protocol writes them as strings and integers, never null.
  return {
    mapName: text(Game.mapName),
    mapSizeX: count(Game.mapSizeX),
    mapSizeZ: count(Game.mapSizeZ),
    gameName: text(Game.gameName),
    gameVersion: text(Game.gameVersion),
    engineVersion: text(Engine.version),
  };
}

/** Filled by every `localView()`: the view is checked once a second all game long. */
const LOCAL_VIEW: LocalView = {
  spectating: false,
  fullView: false,
  replay: false,
  playerID: -1 as PlayerID,
  teamID: -1 as TeamID,
  allyTeamID: -1 as AllyTeamID,
};

function readLocalView(this: void): LocalView {
  const [spectating, fullView] = Spring.GetSpectatingState();
  const v = LOCAL_VIEW;
  v.spectating = spectating === true;
  v.fullView = fullView === true;
  v.replay = Spring.IsReplay() === true;
  v.playerID = Spring.GetMyPlayerID();
  v.teamID = Spring.GetMyTeamID();
  v.allyTeamID = Spring.GetMyAllyTeamID();
  return v;
}

/** What a view reads in an engine that cannot say: a spectator without full view. */
const UNKNOWN_VIEW: LocalView = {
  spectating: true,
  fullView: false,
  replay: false,
  playerID: -1 as PlayerID,
  teamID: -1 as TeamID,
  allyTeamID: -1 as AllyTeamID,
};

const UNKNOWN_CONSTANTS: GameConstants = {
  mapName: "",
  mapSizeX: 0,
  mapSizeZ: 0,
  gameName: "",
  gameVersion: "",
  engineVersion: "",
};

function readGaiaTeamID(this: void): TeamID | undefined {
  return Spring.GetGaiaTeamID();
}

function readPlayerList(this: void): PlayerID[] | undefined {
  return Spring.GetPlayerList();
}

function readTeamList(this: void): TeamID[] | undefined {
  return Spring.GetTeamList();
}

function readGameSeconds(this: void): number {
  return Spring.GetGameSeconds();
}

function readGameOver(this: void): boolean {
  return Spring.IsGameOver() === true;
}

/** The value of a guarded read, or undefined when it raised. */
function guarded<T>(this: void, ok: boolean, value: T | string): T | undefined {
  return ok ? (value as T) : undefined;
}

export class EngineGameReader implements GameReader {
  private readonly getUnitDefID = Spring.GetUnitDefID;
  private readonly getUnitTeam = Spring.GetUnitTeam;
  private readonly getUnitPosition = Spring.GetUnitPosition;
  private readonly getUnitHealth = Spring.GetUnitHealth;
  private readonly getUnitIsBeingBuilt = Spring.GetUnitIsBeingBuilt;

  gameFrame(): number {
    const [ok, frame] = pcall(readGameFrame);
    return ok ? frame : 0;
  }

  gameSeconds(): number {
    const [ok, seconds] = pcall(readGameSeconds);
    return ok ? seconds : 0;
  }

  gameSpeed(): GameSpeed {
    const [ok, speed] = pcall(readGameSpeed);
    return ok ? speed : { wantedSpeed: 1, speed: 1, paused: false };
  }

  isGameOver(): boolean {
    const [ok, over] = pcall(readGameOver);
    return ok && over;
  }

  constants(): GameConstants {
    const [ok, constants] = pcall(readConstants);
    return ok ? constants : UNKNOWN_CONSTANTS;
  }

  gameRulesParam(name: string): string | number | undefined {
    const [ok, value] = pcall(Spring.GetGameRulesParam, name);
    return guarded(ok, value);
  }

  localView(): LocalView {
    const [ok, view] = pcall(readLocalView);
    return ok ? view : UNKNOWN_VIEW;
  }

  gaiaTeamID(): TeamID | undefined {
    const [ok, value] = pcall(readGaiaTeamID);
    return guarded(ok, value);
  }

  playerList(): PlayerID[] {
    const [ok, value] = pcall(readPlayerList);
    return guarded(ok, value) ?? [];
  }

  playerInfo(playerID: PlayerID): PlayerRead | undefined {
    const [ok, value] = pcall(readPlayerInfo, playerID);
    return guarded(ok, value);
  }

  teamList(): TeamID[] {
    const [ok, value] = pcall(readTeamList);
    return guarded(ok, value) ?? [];
  }

  teamInfo(teamID: TeamID): TeamRead | undefined {
    const [ok, value] = pcall(readTeamInfo, teamID);
    return guarded(ok, value);
  }

  teamColor(teamID: TeamID): TeamColor | undefined {
    const [ok, value] = pcall(readColor, teamID);
    return guarded(ok, value);
  }

  teamStartPosition(teamID: TeamID): { x: number; z: number } | undefined {
    const [ok, value] = pcall(readStartPosition, teamID);
    return guarded(ok, value);
  }

  teamResources(teamID: TeamID, resource: ResourceName): ResourceValues | undefined {
    const [ok, value] = pcall(readResources, teamID, resource);
    return guarded(ok, value);
  }

  teamStatsCount(teamID: TeamID): number | undefined {
    const [ok, value] = pcall(readStatsCount, teamID);
    return guarded(ok, value);
  }

  teamStats(teamID: TeamID, first: number, last: number): StatsEntry[] | undefined {
    const [ok, value] = pcall(readStats, teamID, first, last);
    return guarded(ok, value);
  }

  teamUnitsCounts(teamID: TeamID): UnitsCountsRead | undefined {
    const [ok, value] = pcall(readUnitsCounts, teamID);
    return guarded(ok, value);
  }

  teamUnits(teamID: TeamID): UnitID[] | undefined {
    const [ok, value] = pcall(readTeamUnits, teamID);
    return guarded(ok, value);
  }

  unitDefID(unitID: UnitID): UnitDefID | undefined {
    return this.getUnitDefID(unitID);
  }

  unitTeam(unitID: UnitID): TeamID | undefined {
    return this.getUnitTeam(unitID);
  }

  unitPosition(unitID: UnitID): LuaMultiReturn<[number | undefined, number | undefined]> {
    const [x, , z] = this.getUnitPosition(unitID);
    return $multi(x, x === undefined ? undefined : z);
  }

  unitHealthFraction(unitID: UnitID): number | undefined {
    const [health, maxHealth] = this.getUnitHealth(unitID);
    if (health === undefined || maxHealth === undefined || !(maxHealth > 0)) return undefined;
    return health / maxHealth;
  }

  unitIsBeingBuilt(unitID: UnitID): boolean | undefined {
    const [beingBuilt] = this.getUnitIsBeingBuilt(unitID);
    return beingBuilt;
  }

  unitDef(unitDefID: UnitDefID): UnitDefRead | undefined {
    const [ok, value] = pcall(readUnitDef, unitDefID);
    return guarded(ok, value);
  }
}
