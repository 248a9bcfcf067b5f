/**
 * Every engine read the collectors need, as a pure interface: the engine adapter
 * (src/engine/game-reader.ts) implements it over `Spring.*`, `UnitDefs`, `Game` and
 * `Engine`; the specs implement it with a scripted game (test/lua/fakes/fake-game.ts).
 *
 * Contract for implementations:
 * - never throw (the engine raises "Bad teamID" for an invalid team: the adapter guards);
 * - `undefined` means "the engine returned nothing": no such thing, or the view may not
 *   read it (RecoilEngine rts/Lua/LuaSyncedRead.cpp returns 0 values on a failed
 *   access check). Collectors export nothing for it.
 * - numbers are the engine's own values (single-precision floats in BAR).
 */

/** `"metal"` or `"energy"`: the engine checks only the first letter. */
export type ResourceName = "metal" | "energy";

/**
 * The 9 values of `Spring.GetTeamResources(teamID, resource)`, in engine order. The
 * per-second ones (pull, income, expense, sent, received) are the totals of the last
 * team SlowUpdate, so they change once a game second.
 */
export interface ResourceValues {
  /** Amount stored now (metal or energy). */
  current: number;
  /** Storage capacity. */
  storage: number;
  /** Demand during the last second (per second). */
  pull: number;
  /** Income during the last second (per second). */
  income: number;
  /** Spending during the last second (per second). */
  expense: number;
  /** Share slider level, 0..1. */
  share: number;
  /** Sent to allies during the last second (per second). */
  sent: number;
  /** Received from allies during the last second (per second). */
  received: number;
  /** Overflow during the last second. */
  excess: number;
}

/** One entry of `Spring.GetTeamStatsHistory`: cumulative since the start (engine floats). */
export interface StatsEntry {
  /** Whole seconds of game time (`frame / 30`, integer division in C). */
  time: number;
  /** Game frame of the entry (the current frame for the last, live entry). */
  frame: number;
  metalUsed: number;
  metalProduced: number;
  metalExcess: number;
  metalReceived: number;
  metalSent: number;
  energyUsed: number;
  energyProduced: number;
  energyExcess: number;
  energyReceived: number;
  energySent: number;
  damageDealt: number;
  damageReceived: number;
  unitsProduced: number;
  unitsDied: number;
  unitsReceived: number;
  unitsSent: number;
  unitsCaptured: number;
  unitsOutCaptured: number;
  unitsKilled: number;
}

/** The 19 cumulative fields of a {@link StatsEntry}, in engine order (time and frame apart). */
export const STATS_FIELDS = [
  "metalUsed",
  "metalProduced",
  "metalExcess",
  "metalReceived",
  "metalSent",
  "energyUsed",
  "energyProduced",
  "energyExcess",
  "energyReceived",
  "energySent",
  "damageDealt",
  "damageReceived",
  "unitsProduced",
  "unitsDied",
  "unitsReceived",
  "unitsSent",
  "unitsCaptured",
  "unitsOutCaptured",
  "unitsKilled",
] as const;

/** `Spring.GetGameSpeed()`. */
export interface GameSpeed {
  /** Speed the players asked for (1 = real time). */
  wantedSpeed: number;
  /** Actual simulation speed (lower when lagging). */
  speed: number;
  paused: boolean;
}

/** Facts that do not change during a game: `Game.*`, `Engine.*`. */
export interface GameConstants {
  mapName: string;
  /** Map size in elmos (`Game.mapSizeX`, `Game.mapSizeZ`). */
  mapSizeX: number;
  mapSizeZ: number;
  /** `Game.gameName` (BAR's human name). */
  gameName: string;
  gameVersion: string;
  /** `Engine.version`. */
  engineVersion: string;
}

/** Who the local client is: `GetSpectatingState`, `GetMy*ID`, `IsReplay`. */
export interface LocalView {
  spectating: boolean;
  /** Full view: the engine grants full read (LuaUI `SetFullRead(gu->spectatingFullView)`). */
  fullView: boolean;
  replay: boolean;
  playerID: PlayerID;
  teamID: TeamID;
  allyTeamID: AllyTeamID;
}

/** `Spring.GetPlayerInfo(playerID, false)`: the first 7 of its values. */
export interface PlayerRead {
  name: string;
  active: boolean;
  spectator: boolean;
  teamID: TeamID;
  allyTeamID: AllyTeamID;
  /** Ping (seconds). */
  pingSeconds: number;
  /** CPU use (fraction, 0..1). */
  cpuUsage: number;
}

/** `Spring.GetTeamInfo(teamID, false)`. */
export interface TeamRead {
  teamID: TeamID;
  /** Leader's playerID; -1 when none. */
  leader: number;
  isDead: boolean;
  hasAI: boolean;
  /** Faction, "" when not chosen. */
  side: string;
  allyTeamID: AllyTeamID;
}

/** `Spring.GetTeamColor`: r, g, b, a in 0..1 (local colours). */
export type TeamColor = [r: number, g: number, b: number, a: number];

/** `Spring.GetTeamUnitsCounts(teamID)` split into its typed counts and its `unknown` blips. */
export interface UnitsCountsRead {
  /** Units per unitDefID (enemies: typed units in LOS/radar only, decoys as their decoy def). */
  counts: LuaMap<UnitDefID, number>;
  /** Untyped radar blips (enemies only). */
  unknown: number;
}

/** The fields of one `UnitDefs[unitDefID]` the catalog exports. */
export interface UnitDefRead {
  /** Internal name, e.g. "armcom". */
  name: string;
  /** `translatedHumanName` (BAR) or `humanName`. */
  humanName: string;
  metalCost: number;
  energyCost: number;
  /** Build time (build-power seconds). */
  buildTime: number;
  /** Maximum health (hit points). */
  health: number;
  /** Elmos per second; 0 for buildings. */
  speed: number;
  buildSpeed: number;
  isBuilding: boolean;
  isFactory: boolean;
  isBuilder: boolean;
  /** `customParams.unitgroup`. */
  unitgroup: string | undefined;
  /** `customParams.techlevel` as a number. */
  techlevel: number | undefined;
  /** `customParams.iscommander` set (to anything but "0"/"false"). */
  iscommander: boolean;
  weaponCount: number;
}

export interface GameReader {
  /** Game frame (0 before the start): `GetGameFrame()` day and frame recombined. */
  gameFrame(): number;
  /** `GetGameSeconds()` (frame / 30, a float). */
  gameSeconds(): number;
  gameSpeed(): GameSpeed;
  isGameOver(): boolean;
  constants(): GameConstants;
  /** `GetGameRulesParam(name)`: always readable. */
  gameRulesParam(name: string): string | number | undefined;
  /** The local view; the table may be reused by the next call (copy what you keep). */
  localView(): LocalView;
  /** `GetGaiaTeamID()`. */
  gaiaTeamID(): TeamID | undefined;

  /** Every player and spectator (`GetPlayerList()`). */
  playerList(): PlayerID[];
  playerInfo(playerID: PlayerID): PlayerRead | undefined;
  /** Every team, Gaia included (`GetTeamList()`). */
  teamList(): TeamID[];
  teamInfo(teamID: TeamID): TeamRead | undefined;
  teamColor(teamID: TeamID): TeamColor | undefined;
  /** Start position (elmos), only where the view may read it and it is valid. */
  teamStartPosition(teamID: TeamID): { x: number; z: number } | undefined;

  /** Allied (or full-read) teams only; nil for enemies even after game over. */
  teamResources(teamID: TeamID, resource: ResourceName): ResourceValues | undefined;
  /** Number of history entries; nil for enemies until game over. */
  teamStatsCount(teamID: TeamID): number | undefined;
  /** Entries `first..last` (1-based, inclusive); nil for enemies until game over. */
  teamStats(teamID: TeamID, first: number, last: number): StatsEntry[] | undefined;

  teamUnitsCounts(teamID: TeamID): UnitsCountsRead | undefined;
  /** Unit ids of a team (enemies: in LOS or radar only). */
  teamUnits(teamID: TeamID): UnitID[] | undefined;
  unitDefID(unitID: UnitID): UnitDefID | undefined;
  unitTeam(unitID: UnitID): TeamID | undefined;
  /** Base position x, z (elmos); radar-only enemies with the radar error added. */
  unitPosition(unitID: UnitID): LuaMultiReturn<[x: number | undefined, z: number | undefined]>;
  /** Health / maxHealth, 0..1; undefined out of LOS or with `hideDamage`. */
  unitHealthFraction(unitID: UnitID): number | undefined;
  /** `GetUnitIsBeingBuilt`: LOS only. */
  unitIsBeingBuilt(unitID: UnitID): boolean | undefined;

  /** `UnitDefs[unitDefID]`; undefined past the last (ids are 1..N). */
  unitDef(unitDefID: UnitDefID): UnitDefRead | undefined;
}
