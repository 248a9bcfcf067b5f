/**
 * A small scripted game implementing `GameReader` with the engine's access rules per
 * view (RecoilEngine rts/Lua/LuaUtils.cpp and LuaSyncedRead.cpp, as summarised in
 * shared/docs/bar-game-data.md §0/§2): full read for a full-view spectator, else the
 * local ally team; enemy economy never; enemy statistics only after game over; enemy
 * units only in LOS or radar, typed or as unknown blips. Reads the engine would deny
 * are answered with undefined and counted in `denied`, so specs can check that a
 * collector never asks for what the view may not read.
 */
import type {
  GameReader,
  LocalView,
  PlayerRead,
  ResourceName,
  ResourceValues,
  StatsEntry,
  TeamColor,
  UnitDefRead,
  UnitsCountsRead,
} from "../../../src/collect/reader";

export interface FakeTeam {
  teamID: TeamID;
  allyTeamID: AllyTeamID;
  isDead: boolean;
  hasAI: boolean;
  side: string;
  leader: number;
  metal: ResourceValues;
  energy: ResourceValues;
  /** Final entries; the fake adds the live one (frame = now) when asked. */
  history: StatsEntry[];
  start: { x: number; z: number };
}

/** How the enemies of a unit see it (allies always see everything). */
export type Sight = "none" | "radar" | "radarTyped" | "los";

export interface FakeUnit {
  unitID: UnitID;
  unitDefID: UnitDefID;
  teamID: TeamID;
  beingBuilt: boolean;
  x: number;
  z: number;
  health: number;
  maxHealth: number;
  sight: Sight;
}

export function resources(base: number): ResourceValues {
  return {
    current: base,
    storage: base + 1,
    pull: base + 2,
    income: base + 3,
    expense: base + 4,
    share: 0.5,
    sent: base + 5,
    received: base + 6,
    excess: base + 7,
  };
}

export function statsEntry(frame: number, seed: number): StatsEntry {
  return {
    time: math.floor(frame / 30),
    frame,
    metalUsed: seed + 1,
    metalProduced: seed + 2,
    metalExcess: seed + 3,
    metalReceived: seed + 4,
    metalSent: seed + 5,
    energyUsed: seed + 6,
    energyProduced: seed + 7,
    energyExcess: seed + 8,
    energyReceived: seed + 9,
    energySent: seed + 10,
    damageDealt: seed + 11,
    damageReceived: seed + 12,
    unitsProduced: seed + 13,
    unitsDied: seed + 14,
    unitsReceived: seed + 15,
    unitsSent: seed + 16,
    unitsCaptured: seed + 17,
    unitsOutCaptured: seed + 18,
    unitsKilled: seed + 19,
  };
}

export class FakeGame implements GameReader {
  frame = 0;
  paused = false;
  over = false;
  local: LocalView = {
    spectating: false,
    fullView: false,
    replay: false,
    playerID: 0 as PlayerID,
    teamID: 0 as TeamID,
    allyTeamID: 0 as AllyTeamID,
  };
  teams: FakeTeam[] = [];
  players = new LuaMap<PlayerID, PlayerRead>();
  units = new LuaMap<UnitID, FakeUnit>();
  defs: UnitDefRead[] = [];
  rules = new LuaMap<string, string | number>();
  gaia: TeamID | undefined;
  /** Reads the engine would have denied (nil) for this view. */
  denied: string[] = [];
  /** Engine calls made, by name. */
  calls = new LuaMap<string, number>();

  private count(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }

  /** Adds a team with distinct resources and `entries` final stats entries. */
  addTeam(teamID: number, allyTeamID: number, entries = 0): FakeTeam {
    const t: FakeTeam = {
      teamID: teamID as TeamID,
      allyTeamID: allyTeamID as AllyTeamID,
      isDead: false,
      hasAI: false,
      side: "armada",
      leader: teamID,
      metal: resources(100 * teamID + 10),
      energy: resources(100 * teamID + 50),
      history: [],
      start: { x: 100 * teamID, z: 200 },
    };
    for (let i = 1; i <= entries; i++) t.history.push(statsEntry(450 * i, 1000 * teamID + i));
    this.teams.push(t);
    this.players.set(teamID as PlayerID, {
      name: `player${teamID}`,
      active: true,
      spectator: false,
      teamID: teamID as TeamID,
      allyTeamID: allyTeamID as AllyTeamID,
      pingSeconds: 0.05,
      cpuUsage: 0.25,
    });
    return t;
  }

  addUnit(
    unitID: number,
    unitDefID: number,
    teamID: number,
    beingBuilt = false,
    sight: Sight = "none",
  ): FakeUnit {
    const u: FakeUnit = {
      unitID: unitID as UnitID,
      unitDefID: unitDefID as UnitDefID,
      teamID: teamID as TeamID,
      beingBuilt,
      x: unitID * 10,
      z: unitID * 20,
      health: 50,
      maxHealth: 100,
      sight,
    };
    this.units.set(u.unitID, u);
    return u;
  }

  team(teamID: TeamID): FakeTeam | undefined {
    for (const t of this.teams) if (t.teamID === teamID) return t;
    return undefined;
  }

  /** Views, as the engine sets them. */
  asPlayer(teamID: number, allyTeamID: number): void {
    this.local = {
      ...this.local,
      spectating: false,
      fullView: false,
      playerID: teamID as PlayerID,
      teamID: teamID as TeamID,
      allyTeamID: allyTeamID as AllyTeamID,
    };
  }

  asSpectator(fullView: boolean, replay = false): void {
    this.local = { ...this.local, spectating: true, fullView, replay };
  }

  private fullRead(): boolean {
    return this.local.spectating && this.local.fullView;
  }

  private allied(t: FakeTeam): boolean {
    return this.fullRead() || t.allyTeamID === this.local.allyTeamID;
  }

  private sees(u: FakeUnit, level: "visible" | "typed" | "los"): boolean {
    const t = this.team(u.teamID);
    if (t !== undefined && this.allied(t)) return true;
    if (level === "visible") return u.sight !== "none";
    if (level === "typed") return u.sight === "los" || u.sight === "radarTyped";
    return u.sight === "los";
  }

  // ---- GameReader ----

  gameFrame(): number {
    this.count("gameFrame");
    return this.frame;
  }
  gameSeconds(): number {
    return this.frame / 30;
  }
  gameSpeed() {
    return { wantedSpeed: 1, speed: 0.98, paused: this.paused };
  }
  isGameOver(): boolean {
    return this.over;
  }
  constants() {
    return {
      mapName: "Test Map",
      mapSizeX: 8192,
      mapSizeZ: 4096,
      gameName: "Beyond All Reason",
      gameVersion: "test-1",
      engineVersion: "2025.06.12",
    };
  }
  gameRulesParam(name: string) {
    return this.rules.get(name);
  }
  localView(): LocalView {
    this.count("localView");
    return { ...this.local };
  }
  gaiaTeamID() {
    return this.gaia;
  }
  playerList(): PlayerID[] {
    const out: PlayerID[] = [];
    for (const [id] of this.players) out.push(id);
    table.sort(out);
    return out;
  }
  playerInfo(playerID: PlayerID) {
    const p = this.players.get(playerID);
    return p === undefined ? undefined : { ...p };
  }
  teamList(): TeamID[] {
    return this.teams.map((t) => t.teamID);
  }
  teamInfo(teamID: TeamID) {
    const t = this.team(teamID);
    if (t === undefined) return undefined;
    return {
      teamID,
      leader: t.leader,
      isDead: t.isDead,
      hasAI: t.hasAI,
      side: t.side,
      allyTeamID: t.allyTeamID,
    };
  }
  teamColor(teamID: TeamID): TeamColor | undefined {
    return this.team(teamID) !== undefined ? [1, 0, 0, 1] : undefined;
  }
  teamStartPosition(teamID: TeamID) {
    const t = this.team(teamID);
    return t !== undefined && this.allied(t) ? { ...t.start } : undefined;
  }
  teamResources(teamID: TeamID, resource: ResourceName) {
    this.count("teamResources");
    const t = this.team(teamID);
    if (t === undefined) return undefined;
    // IsAlliedTeam only: nil for enemies even after game over.
    if (!this.allied(t)) {
      this.denied.push(`teamResources ${teamID}`);
      return undefined;
    }
    return { ...(resource === "metal" ? t.metal : t.energy) };
  }
  private statsReadable(t: FakeTeam): boolean {
    return this.allied(t) || this.over;
  }
  teamStatsCount(teamID: TeamID) {
    const t = this.team(teamID);
    if (t === undefined) return undefined;
    if (!this.statsReadable(t)) {
      this.denied.push(`teamStatsCount ${teamID}`);
      return undefined;
    }
    return t.history.length + 1;
  }
  teamStats(teamID: TeamID, first: number, last: number) {
    this.count("teamStats");
    const t = this.team(teamID);
    if (t === undefined) return undefined;
    if (!this.statsReadable(t)) {
      this.denied.push(`teamStats ${teamID}`);
      return undefined;
    }
    const n = t.history.length + 1;
    const out: StatsEntry[] = [];
    const from = math.max(1, math.min(n, first));
    const to = math.max(1, math.min(n, last));
    for (let i = from; i <= to; i++) {
      // The last entry is live: reported at the current frame.
      out.push(i === n ? statsEntry(this.frame, 1000 * teamID + 500) : { ...t.history[i - 1] });
    }
    return out;
  }
  teamUnitsCounts(teamID: TeamID): UnitsCountsRead | undefined {
    this.count("teamUnitsCounts");
    const t = this.team(teamID);
    if (t === undefined) return undefined;
    const counts = new LuaMap<UnitDefID, number>();
    let unknown = 0;
    for (const [, u] of this.units) {
      if (u.teamID !== teamID || !this.sees(u, "visible")) continue;
      if (this.sees(u, "typed")) counts.set(u.unitDefID, (counts.get(u.unitDefID) ?? 0) + 1);
      else unknown += 1;
    }
    return { counts, unknown };
  }
  teamUnits(teamID: TeamID) {
    this.count("teamUnits");
    if (this.team(teamID) === undefined) return undefined;
    const out: UnitID[] = [];
    for (const [id, u] of this.units)
      if (u.teamID === teamID && this.sees(u, "visible")) out.push(id);
    table.sort(out);
    return out;
  }
  unitDefID(unitID: UnitID) {
    const u = this.units.get(unitID);
    return u !== undefined && this.sees(u, "typed") ? u.unitDefID : undefined;
  }
  unitTeam(unitID: UnitID) {
    const u = this.units.get(unitID);
    return u !== undefined && this.sees(u, "visible") ? u.teamID : undefined;
  }
  unitPosition(unitID: UnitID): LuaMultiReturn<[number | undefined, number | undefined]> {
    this.count("unitPosition");
    const u = this.units.get(unitID);
    if (u === undefined || !this.sees(u, "visible")) return $multi(undefined, undefined);
    return $multi(u.x, u.z);
  }
  unitHealthFraction(unitID: UnitID) {
    const u = this.units.get(unitID);
    return u !== undefined && this.sees(u, "los") ? u.health / u.maxHealth : undefined;
  }
  unitIsBeingBuilt(unitID: UnitID) {
    const u = this.units.get(unitID);
    return u !== undefined && this.sees(u, "los") ? u.beingBuilt : undefined;
  }
  unitDef(unitDefID: UnitDefID) {
    this.count("unitDef");
    const d = this.defs[unitDefID - 1];
    return d === undefined ? undefined : { ...d };
  }
}

/** A budget that expires after `checks` looks (deterministic steps, no clock). */
export class CountingBudget {
  looks = 0;
  now = 0;
  gameFrame = 0;

  constructor(public checks = 1_000_000) {}

  expired(): boolean {
    this.looks += 1;
    return this.looks >= this.checks;
  }

  /** A new step with `checks` looks. */
  reset(checks: number, gameFrame = this.gameFrame): this {
    this.looks = 0;
    this.checks = checks;
    this.gameFrame = gameFrame;
    return this;
  }
}

export function unitDefRead(name: string): UnitDefRead {
  return {
    name,
    humanName: string.upper(name),
    metalCost: 50,
    energyCost: 500,
    buildTime: 1000,
    health: 300,
    speed: 40,
    buildSpeed: 0,
    isBuilding: false,
    isFactory: false,
    isBuilder: false,
    unitgroup: "weapon",
    techlevel: 1,
    iscommander: false,
    weaponCount: 1,
  };
}
