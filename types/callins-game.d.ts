/** @noSelfInFile */

/**
 * The game call-ins the collectors use, with the arguments BAR's widget handler passes
 * (Beyond-All-Reason luaui/barwidgets.lua; the engine's own lists drop some). A widget
 * that defines one before it loads is registered for it.
 * @see https://github.com/beyond-all-reason/Beyond-All-Reason/blob/36039e57/luaui/barwidgets.lua
 * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/Lua/LuaHandle.cpp
 */
declare interface Widget {
  GameStart?: (this: Widget) => void;
  GameFrame?: (this: Widget, frame: number) => void;
  GamePaused?: (this: Widget, playerID: PlayerID, paused: boolean) => void;
  /** BAR drops the engine's winning ally teams. */
  GameOver?: (this: Widget) => void;
  TeamDied?: (this: Widget, teamID: TeamID) => void;
  TeamChanged?: (this: Widget, teamID: TeamID) => void;
  PlayerChanged?: (this: Widget, playerID: PlayerID) => void;
  PlayerAdded?: (this: Widget, playerID: PlayerID) => void;
  /** BAR drops the numeric reason. */
  PlayerRemoved?: (this: Widget, playerID: PlayerID) => void;
  UnitCreated?: (
    this: Widget,
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    builderID?: UnitID,
  ) => void;
  UnitFinished?: (this: Widget, unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID) => void;
  /** Attacker fields nil unless visible (def: typed). BAR adds enemy deaths in LOS without them. */
  UnitDestroyed?: (
    this: Widget,
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    attackerID?: UnitID,
    attackerDefID?: UnitDefID,
    attackerTeamID?: TeamID,
    weaponDefID?: WeaponDefID,
  ) => void;
  /** After the transfer. */
  UnitGiven?: (
    this: Widget,
    unitID: UnitID,
    unitDefID: UnitDefID,
    newTeamID: TeamID,
    oldTeamID: TeamID,
  ) => void;
  /** Before the transfer (the unit is still on the old team). */
  UnitTaken?: (
    this: Widget,
    unitID: UnitID,
    unitDefID: UnitDefID,
    oldTeamID: TeamID,
    newTeamID: TeamID,
  ) => void;
  /** BAR drops weaponDefID, projectileID and the attacker. */
  UnitDamaged?: (
    this: Widget,
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    damage: number,
    paralyzer: boolean,
  ) => void;
}
