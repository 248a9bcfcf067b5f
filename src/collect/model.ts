/**
 * The collected state as plain data, independent of the wire format: a `Snapshot` of
 * everything current, and `Change`s (events and periodic samples) since the last
 * snapshot, each stamped with the game frame it was recorded in. Field names follow
 * the engine's Lua API. Numbers are the engine's own values (never sums made in Lua,
 * except the per-interval damage totals, which stay small).
 */
import type { GameConstants, ResourceValues, StatsEntry, TeamColor } from "./reader";

export type { ResourceValues, StatsEntry, TeamColor };

/**
 * Who is watching, which decides what may be read (RecoilEngine rts/Lua/LuaUI.cpp
 * `UpdateTeams`: full read for a full-view spectator, else the local ally team).
 * - `player`: playing `teamID`; reads its own ally team only.
 * - `spectator`: no full view; reads like a player of `allyTeamID` (also a replay
 *   with full view turned off).
 * - `fullview`: spectator with full view; reads everything.
 * - `replay`: watching a replay with full view (the default there).
 */
export interface View {
  kind: "player" | "spectator" | "fullview" | "replay";
  /** Reads every team (full view). */
  fullRead: boolean;
  playerID: PlayerID;
  teamID: TeamID;
  allyTeamID: AllyTeamID;
}

/** The game as a whole. */
export interface GameState extends GameConstants {
  /** Game frame (30 per second; 0 before the start). */
  frame: number;
  /** Game time (seconds). */
  gameSeconds: number;
  wantedSpeed: number;
  speed: number;
  paused: boolean;
  started: boolean;
  over: boolean;
  replay: boolean;
  /** 32 hex characters from the `GameID` game-rules param, once BAR set it. */
  gameID: string | undefined;
}

export interface PlayerState {
  playerID: PlayerID;
  name: string;
  teamID: TeamID;
  allyTeamID: AllyTeamID;
  spectator: boolean;
  active: boolean;
  /** Seconds. */
  pingSeconds: number;
  /** Fraction 0..1. */
  cpuUsage: number;
}

export interface TeamState {
  teamID: TeamID;
  allyTeamID: AllyTeamID;
  /** Leader's playerID, -1 when none. */
  leader: number;
  isAI: boolean;
  /** The AI's display name (`ainame_<teamID>` game-rules param, set by BAR). */
  aiName: string | undefined;
  side: string;
  color: TeamColor | undefined;
  isDead: boolean;
  isGaia: boolean;
  /** Elmos; only where the view may read it. */
  startPosition: { x: number; z: number } | undefined;
}

/** A readable team's economy: the engine's 9 values per resource. */
export interface TeamEconomy {
  teamID: TeamID;
  metal: ResourceValues;
  energy: ResourceValues;
}

/** A unit definition of the catalog. Ids are not stable across games: export `name`. */
export interface UnitDefInfo {
  unitDefID: UnitDefID;
  name: string;
  humanName: string;
  metalCost: number;
  energyCost: number;
  buildTime: number;
  health: number;
  /** Elmos per second. */
  speed: number;
  buildSpeed: number;
  isBuilding: boolean;
  isFactory: boolean;
  isBuilder: boolean;
  unitgroup: string | undefined;
  techlevel: number | undefined;
  iscommander: boolean;
  weaponCount: number;
}

/** Counts per unitDefID. */
export type DefCounts = LuaMap<UnitDefID, number>;

/**
 * A team's units. For a team the view reads fully (`exact`), finished and under
 * construction apart, kept from call-ins. For other teams only what the engine shows
 * (`GetTeamUnitsCounts`: typed units in LOS or radar, finished or not, all under
 * `finished`; untyped radar blips in `unknown`).
 */
export interface TeamUnits {
  teamID: TeamID;
  exact: boolean;
  finished: DefCounts;
  building: DefCounts;
  unknown: number;
}

/**
 * A team's counts in a `units` change. `partial`: only the defs whose count changed since
 * the last `units` change, with the new count (0: none left); otherwise every count, as
 * in {@link TeamUnits} (the team was read anew: the start, a view change, another team's
 * units as the engine shows them). Partial keeps a big battle's change proportional to
 * what happened, not to how many kinds of units the teams have.
 */
export interface TeamUnitsChange extends TeamUnits {
  partial: boolean;
}

/** A latest statistics entry of a team; `index` is its 1-based place in the history. */
export interface TeamStatsEntry {
  teamID: TeamID;
  index: number;
  /** The last entry is still being accumulated by the engine (its frame is "now"). */
  live: boolean;
  entry: StatsEntry;
}

/** One unit seen by a positions scan. */
export interface PositionRow {
  unitID: UnitID;
  /** Undefined for a radar blip of unknown type. */
  unitDefID: UnitDefID | undefined;
  teamID: TeamID;
  /** Elmos. */
  x: number;
  z: number;
  /** 0..1, undefined when not readable (out of LOS, `hideDamage`). */
  health: number | undefined;
}

/** Damage a unit took over an interval (hit points; paralyze damage apart). */
export interface UnitDamage {
  unitID: UnitID;
  teamID: TeamID;
  damage: number;
  paralyze: number;
}

/** Damage per team over an interval (hit points). */
export interface TeamDamage {
  teamID: TeamID;
  taken: number;
  paralyzeTaken: number;
  /** Dealt by this team, where the engine told the attacker (BAR's UnitDamaged does not). */
  dealt: number;
  paralyzeDealt: number;
}

/** Everything current: a receiver is correct from this alone. */
export interface Snapshot {
  frame: number;
  game: GameState;
  view: View;
  players: PlayerState[];
  teams: TeamState[];
  /** Teams whose economy the view may read (last sample). */
  economy: TeamEconomy[];
  /** Every team as far as the view sees it. */
  units: TeamUnits[];
  /** Latest entry of every team whose history the view may read. */
  stats: TeamStatsEntry[];
}

/** Common to every change: the game frame it was recorded in. */
interface Stamped {
  frame: number;
}

export type Change =
  | (Stamped & {
      type: "unit_created";
      unitID: UnitID;
      unitDefID: UnitDefID;
      teamID: TeamID;
      builderID: UnitID | undefined;
    })
  | (Stamped & { type: "unit_finished"; unitID: UnitID; unitDefID: UnitDefID; teamID: TeamID })
  | (Stamped & {
      type: "unit_destroyed";
      unitID: UnitID;
      unitDefID: UnitDefID;
      teamID: TeamID;
      /** Undefined unless the view could see the attacker. */
      attackerID: UnitID | undefined;
      /** Undefined unless the attacker was typed. */
      attackerDefID: UnitDefID | undefined;
      attackerTeamID: TeamID | undefined;
      weaponDefID: WeaponDefID | undefined;
    })
  | (Stamped & {
      type: "unit_given";
      unitID: UnitID;
      unitDefID: UnitDefID;
      oldTeamID: TeamID;
      newTeamID: TeamID;
    })
  | (Stamped & {
      type: "unit_taken";
      unitID: UnitID;
      unitDefID: UnitDefID;
      oldTeamID: TeamID;
      newTeamID: TeamID;
    })
  | (Stamped & { type: "team_died"; teamID: TeamID })
  | (Stamped & { type: "player_added"; player: PlayerState })
  | (Stamped & { type: "player_changed"; player: PlayerState })
  | (Stamped & { type: "player_removed"; playerID: PlayerID })
  | (Stamped & { type: "game_started" })
  | (Stamped & { type: "game_paused"; playerID: PlayerID | undefined })
  | (Stamped & { type: "game_resumed"; playerID: PlayerID | undefined })
  | (Stamped & {
      type: "game_over";
      /** Ally teams that still had a living team (BAR drops the engine's winners). */
      winners: AllyTeamID[];
      /** Always true under BAR: `winners` is derived, not told by the engine. */
      winnersDerived: boolean;
    })
  /** The view changed: the receiver should start from a fresh snapshot. */
  | (Stamped & { type: "view_changed"; view: View; previous: View })
  | (Stamped & { type: "economy"; teams: TeamEconomy[] })
  /** Teams whose counts changed since the last `units` change: their new counts. */
  | (Stamped & { type: "units"; teams: TeamUnitsChange[] })
  | (Stamped & { type: "stats"; stats: TeamStatsEntry })
  /** A full positions scan, over frames `fromFrame`..`frame`. */
  | (Stamped & { type: "positions"; fromFrame: number; units: PositionRow[] })
  /** Damage over frames `fromFrame`..`frame`. */
  | (Stamped & { type: "damage"; fromFrame: number; units: UnitDamage[]; teams: TeamDamage[] })
  /** Another widget's event (`WG.LiveDataExport.publish`), already checked: `ext.<widget>.<name>`. */
  | (Stamped & { type: "ext"; name: string; fields: ExtFields });

/** Another widget's event fields: names like identifiers, scalar values. */
export type ExtFields = LuaMap<string, string | number | boolean>;

export type ChangeType = Change["type"];

/** The unit events' change types. */
export type UnitEventType =
  "unit_created" | "unit_finished" | "unit_destroyed" | "unit_given" | "unit_taken";

/** A unit event as a change of its own (observers, `ChangeQueue.take`). */
export type UnitEventChange = Extract<Change, { type: UnitEventType }>;

/**
 * Unit events of one game frame recorded one after another, as the change queue keeps
 * them: `count` events, EVENT_STRIDE slots each (src/collect/event-batch.ts).
 */
export interface UnitEventBatch {
  type: "unit_events";
  frame: number;
  count: number;
  slots: LuaTable<number, unknown>;
}

/** What the change queue hands its consumer: a change, or a batch of unit events. */
export type QueuedChange = Exclude<Change, UnitEventChange> | UnitEventBatch;
