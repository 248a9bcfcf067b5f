/** @noSelfInFile */

/**
 * The engine reads the collectors use (through src/engine/game-reader.ts only), as
 * unsynced LuaUI code sees them. Access rules per view: shared/docs/bar-game-data.md
 * §0/§2. "Nothing" means the engine returns 0 values (the caller sees nil); functions
 * that parse a team (`ParseTeam`) raise "Bad teamID" for an invalid one.
 */

declare namespace Spring {
  /**
   * `frame % 2592000, floor(frame / 2592000)` (frames of a day); 0 before the start.
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp
   */
  function GetGameFrame(): LuaMultiReturn<[frame: number, day: number]>;
  /** `frame / 30` (seconds, a float). @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetGameSeconds(): number;
  /** Wanted speed, actual speed (lower when lagging), paused. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaUnsyncedRead.cpp */
  function GetGameSpeed(): LuaMultiReturn<
    [wantedSpeedFactor: number, speedFactor: number, paused: boolean]
  >;
  /** Nothing when there is no game. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function IsGameOver(): boolean | undefined;
  /** `gameSetup->hostDemo`. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function IsReplay(): boolean;
  /** @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaUnsyncedRead.cpp */
  function GetSpectatingState(): LuaMultiReturn<
    [spectating: boolean, spectatingFullView: boolean, spectatingFullSelect: boolean]
  >;
  /** Alias of GetLocalPlayerID. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaUnsyncedRead.cpp */
  function GetMyPlayerID(): PlayerID;
  /** Alias of GetLocalTeamID (the watched team for a spectator). @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaUnsyncedRead.cpp */
  function GetMyTeamID(): TeamID;
  /** Alias of GetLocalAllyTeamID. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaUnsyncedRead.cpp */
  function GetMyAllyTeamID(): AllyTeamID;
  /** @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetGaiaTeamID(): TeamID | undefined;
  /** Always readable (the private mask is used); nothing when unset. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetGameRulesParam(name: string): string | number | undefined;

  /** Every player and spectator (in a replay, the viewer too). @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetPlayerList(): PlayerID[] | undefined;
  /**
   * 10 or 11+ values (position 10, hasSkirmishAIsInTeam, was inserted in newer
   * engines); nothing for an invalid player. Ping in seconds.
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp
   */
  function GetPlayerInfo(
    playerID: PlayerID,
    getOpts?: boolean,
  ): LuaMultiReturn<
    [
      name: string | undefined,
      active: boolean,
      spectator: boolean,
      teamID: TeamID,
      allyTeamID: AllyTeamID,
      pingSeconds: number,
      cpuUsage: number,
    ]
  >;
  /** Every team, Gaia included. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetTeamList(): TeamID[] | undefined;
  /** Nothing for an invalid team. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetTeamInfo(
    teamID: TeamID,
    getKeys?: boolean,
  ): LuaMultiReturn<
    [
      teamID: TeamID | undefined,
      leader: number,
      isDead: boolean,
      hasAI: boolean,
      side: string,
      allyTeamID: AllyTeamID,
    ]
  >;
  /** r, g, b, a in 0..1 (local colours). @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaUnsyncedRead.cpp */
  function GetTeamColor(
    teamID: TeamID,
  ): LuaMultiReturn<[r: number | undefined, g: number, b: number, a: number]>;
  /** Elmos; nothing for teams the view may not read (even after game over). @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetTeamStartPosition(
    teamID: TeamID,
  ): LuaMultiReturn<[x: number | undefined, y: number, z: number, valid: boolean]>;
  /**
   * 9 values; nothing for a non-allied team (IsAlliedTeam only: also after game over).
   * Raises "Bad teamID"; the resource is `luaL_checkstring` (first letter checked).
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp
   */
  function GetTeamResources(
    teamID: TeamID,
    resource: "metal" | "energy",
  ): LuaMultiReturn<
    [
      current: number | undefined,
      storage: number,
      pull: number,
      income: number,
      expense: number,
      share: number,
      sent: number,
      received: number,
      excess: number,
    ]
  >;
  /**
   * The number of entries, or entries `first..last` (1-based, clamped); nothing for a
   * non-allied team until game over. Raises "Bad teamID".
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp
   */
  function GetTeamStatsHistory(teamID: TeamID): number | undefined;
  function GetTeamStatsHistory(teamID: TeamID, first: number, last?: number): object[] | undefined;
  /**
   * `{[unitDefID]=count, n=numKeys}`, plus `unknown=count` (untyped blips) for enemies.
   * Raises "Bad teamID". @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp
   */
  function GetTeamUnitsCounts(
    teamID: TeamID,
  ): LuaTable<UnitDefID | "n" | "unknown", number> | undefined;
  /** Enemies: units in LOS or radar only. Raises "Bad teamID". @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetTeamUnits(teamID: TeamID): UnitID[] | undefined;
  /** Nil unless visible and typed (a decoy's def for enemies). @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetUnitDefID(unitID: UnitID): UnitDefID | undefined;
  /** Nil unless in LOS or radar. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetUnitTeam(unitID: UnitID): TeamID | undefined;
  /** Base x, y, z (elmos); radar only: with the radar error. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetUnitPosition(
    unitID: UnitID,
  ): LuaMultiReturn<[x: number | undefined, y: number, z: number]>;
  /** LOS only; health and maxHealth nil with `hideDamage`. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetUnitHealth(
    unitID: UnitID,
  ): LuaMultiReturn<
    [
      health: number | undefined,
      maxHealth: number | undefined,
      paralyzeDamage: number,
      capture: number,
      build: number,
    ]
  >;
  /** LOS only. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaSyncedRead.cpp */
  function GetUnitIsBeingBuilt(
    unitID: UnitID,
  ): LuaMultiReturn<[beingBuilt: boolean | undefined, buildProgress: number]>;
}

/**
 * One `UnitDefs` entry: a proxy table (rts/Lua/LuaUnitDefs.cpp); BAR adds
 * `translatedHumanName` (luaui/i18nhelpers.lua). `customParams` values are strings.
 * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaUnitDefs.cpp
 */
declare interface UnitDefProxy {
  readonly name: string;
  readonly humanName?: string;
  readonly translatedHumanName?: string;
  readonly metalCost?: number;
  readonly energyCost?: number;
  readonly buildTime?: number;
  readonly health?: number;
  /** Elmos per second. */
  readonly speed?: number;
  readonly buildSpeed?: number;
  readonly isBuilding?: boolean;
  readonly isFactory?: boolean;
  readonly isBuilder?: boolean;
  readonly weapons?: unknown[];
  readonly customParams?: { readonly [key: string]: string | undefined };
}

/** Unit definitions by id, 1..N in sorted-name order. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaUnitDefs.cpp */
declare const UnitDefs: { readonly [unitDefID: number]: UnitDefProxy | undefined };

/** Game constants. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaConstGame.cpp */
declare const Game: {
  readonly mapName: string;
  /** Elmos. */
  readonly mapSizeX: number;
  readonly mapSizeZ: number;
  readonly gameName: string;
  readonly gameVersion: string;
};

/** Engine constants. @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaConstEngine.cpp */
declare const Engine: {
  /** "Major.Minor.PatchSet" for releases. */
  readonly version: string;
};
