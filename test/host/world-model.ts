/**
 * An independent model of what each view of a scripted world game (driver
 * "script", barhost/world/script.lua) must read and receive. Written from
 * ../shared/docs/bar-game-data.md (§0 access model, §2 table, §3 routing) and
 * the host's documented LOS model (test/host/README.md "Game world": 1024-elmo
 * squares, LOS on squares holding the reader's units, radar on the 3x3 around
 * them, refreshed once a game second, a blip keeps its type while radar holds
 * it after LOS); it shares no code with the world.
 */
import { readFileSync } from "node:fs";
import { UNIT_DEFS } from "./world-driver.ts";

export const CELL = 1024;
export const MAP = 8192;
export const STATS_FRAMES = 450;
export const STORAGE = 1000;

export interface ScriptTeam {
  teamID: number;
  allyTeamID: number;
  leader: number;
  isAI: boolean;
  side: string;
  startX: number;
  startZ: number;
  metalIncome: number;
  energyIncome: number;
}
export interface ScriptPlayer {
  playerID: number;
  name: string;
  teamID: number;
  spectator: boolean;
}
export type ScriptEvent =
  | { frame: number; op: "create"; key: string; def: string; team: number; x: number; z: number; buildFrames?: number }
  | { frame: number; op: "move"; key: string; x: number; z: number }
  | { frame: number; op: "destroy"; key: string; attacker?: string }
  | { frame: number; op: "give"; key: string; team: number }
  | { frame: number; op: "damage"; key: string; damage: number; attacker?: string }
  | { frame: number; op: "killTeam"; team: number }; // prettier-ignore
export interface Script {
  allyTeams: number[];
  teams: ScriptTeam[];
  players: ScriptPlayer[];
  events: ScriptEvent[];
}

interface RawDef {
  name: string;
  health: number;
}
const defsById = (
  JSON.parse(readFileSync(UNIT_DEFS, "utf8")) as { unitDefs: Record<string, RawDef> }
).unitDefs;
export const DEFS = new Map<string, { id: number; health: number }>();
for (const [id, d] of Object.entries(defsById))
  DEFS.set(d.name, { id: Number(id), health: d.health });

export function defOf(name: string): { id: number; health: number } {
  const d = DEFS.get(name);
  if (!d) throw new Error(`no unit def ${name}`);
  return d;
}

export interface ModelUnit {
  key: string;
  id: number;
  defID: number;
  team: number;
  x: number;
  z: number;
  health: number;
  maxHealth: number;
  alive: boolean;
  finishFrame: number;
  inLos: boolean;
  inRadar: boolean;
  typed: boolean;
}

export interface Call {
  name: string;
  frame: number;
  args: unknown[];
}

export interface TeamModel {
  isDead: boolean;
  metal: number;
  energy: number;
  seconds: number;
  unitsProduced: number;
  unitsDied: number;
  unitsKilled: number;
  unitsSent: number;
  unitsReceived: number;
  damageDealt: number;
  damageReceived: number;
  /** unitsProduced at frame 0 (history entry 1) */
  produced0: number;
}

export type ViewKind = "player" | "spectator" | "fullview" | "replay";
export interface ViewSpec {
  kind: ViewKind;
  /** team played (player) or watched (the others) */
  team: number;
}

const LOS_CALLINS = new Set(["UnitEnteredLos", "UnitLeftLos", "UnitEnteredRadar", "UnitLeftRadar"]);
export const isLosCallin = (name: string): boolean => LOS_CALLINS.has(name);

function cellOf(x: number, z: number): number {
  const n = MAP / CELL;
  const cx = Math.min(n - 1, Math.max(0, Math.floor(x / CELL)));
  const cz = Math.min(n - 1, Math.max(0, Math.floor(z / CELL)));
  return cz * n + cx;
}
function near(a: number, b: number): boolean {
  const n = MAP / CELL;
  return Math.abs((a % n) - (b % n)) <= 1 && Math.abs(Math.floor(a / n) - Math.floor(b / n)) <= 1;
}

/** Plays the script frame by frame as the view sees it. */
export class WorldModel {
  frame = 0;
  units = new Map<string, ModelUnit>();
  calls: Call[] = [];
  teams = new Map<number, TeamModel>();
  playerSpectator = new Map<number, boolean>();
  readAlly: number;
  fullView: boolean;
  spectating: boolean;
  gameOver = false;
  private los = new Set<number>();
  private radarFrom: number[] = [];

  constructor(
    readonly script: Script,
    readonly view: ViewSpec,
    readonly ids: Record<string, number>,
  ) {
    const team = script.teams.find((t) => t.teamID === view.team)!;
    this.readAlly = team.allyTeamID;
    // §0: a spectator reads everything unless full view is off; a replay
    // viewer is a full-view spectator
    this.fullView = view.kind === "fullview" || view.kind === "replay";
    this.spectating = view.kind !== "player";
    for (const t of script.teams) this.teams.set(t.teamID, this.newTeam());
    this.teams.set(this.gaiaTeam, this.newTeam());
    for (const p of script.players) this.playerSpectator.set(p.playerID, p.spectator);
  }

  get gaiaTeam(): number {
    return this.script.teams.length;
  }
  allyOf(team: number): number {
    return team === this.gaiaTeam ? this.script.allyTeams.length : this.script.teams.find((t) => t.teamID === team)!.allyTeamID;
  } // prettier-ignore
  private newTeam(): TeamModel {
    return { isDead: false, metal: 0, energy: 0, seconds: 0, unitsProduced: 0, unitsDied: 0, unitsKilled: 0,
      unitsSent: 0, unitsReceived: 0, damageDealt: 0, damageReceived: 0, produced0: 0 }; // prettier-ignore
  }

  alliedTeam(team: number): boolean {
    return this.fullView || this.allyOf(team) === this.readAlly;
  }
  allied(u: ModelUnit): boolean {
    return this.alliedTeam(u.team);
  }
  visible(u: ModelUnit): boolean {
    return this.allied(u) || u.inLos || u.inRadar;
  }
  typed(u: ModelUnit): boolean {
    return this.allied(u) || u.inLos || u.typed;
  }

  private call(name: string, ...args: unknown[]): void {
    this.calls.push({ name, frame: this.frame, args });
  }

  private rebuild(): void {
    this.los = new Set();
    for (const u of this.units.values()) {
      if (u.alive && this.allyOf(u.team) === this.readAlly) this.los.add(cellOf(u.x, u.z));
    }
    this.radarFrom = [...this.los];
  }

  private see(u: ModelUnit, silent: boolean): void {
    if (this.allyOf(u.team) === this.readAlly) {
      u.inLos = u.inRadar = u.typed = true;
      return;
    }
    const c = cellOf(u.x, u.z);
    const inLos = this.los.has(c);
    const inRadar = this.radarFrom.some((o) => near(o, c));
    const [wasLos, wasRadar] = [u.inLos, u.inRadar];
    u.inLos = inLos;
    u.inRadar = inRadar;
    if (inLos) u.typed = true;
    else if (!inRadar) u.typed = false;
    if (silent || this.fullView) return;
    if (inRadar !== wasRadar)
      this.call(inRadar ? "UnitEnteredRadar" : "UnitLeftRadar", u.id, u.team);
    if (inLos !== wasLos) this.call(inLos ? "UnitEnteredLos" : "UnitLeftLos", u.id, u.team);
  }

  private slowUpdate(): void {
    if (!this.fullView) {
      this.rebuild();
      for (const u of this.units.values()) if (u.alive) this.see(u, false);
    }
    if (this.frame > 0) {
      for (const t of this.script.teams) {
        const m = this.teams.get(t.teamID)!;
        m.seconds += 1;
        m.metal = Math.min(STORAGE, m.metal + t.metalIncome);
        m.energy = Math.min(STORAGE, m.energy + t.energyIncome);
      }
    } else {
      for (const m of this.teams.values()) m.produced0 = m.unitsProduced;
    }
  }

  private finish(u: ModelUnit): void {
    // §3: engine UnitFinished for the reader's ally team; BAR adds it for
    // enemy units in LOS
    if (this.allied(u) || u.inLos) this.call("UnitFinished", u.id, u.defID, u.team);
  }

  private apply(e: ScriptEvent): void {
    if (e.op === "killTeam") {
      this.teams.get(e.team)!.isDead = true;
      this.call("TeamDied", e.team);
      for (const p of this.script.players) {
        if (p.teamID === e.team && !this.playerSpectator.get(p.playerID)) {
          this.playerSpectator.set(p.playerID, true);
          // §0: CPlayer::StartSpectating: the local player then has full view
          if (this.view.kind === "player" && p.teamID === this.view.team) {
            this.spectating = true;
            this.fullView = true;
          }
          this.call("PlayerChanged", p.playerID);
        }
      }
      return;
    }
    const u = this.units.get(e.key);
    if (e.op === "create") {
      const def = defOf(e.def);
      const nu: ModelUnit = {
        key: e.key, id: this.ids[e.key]!, defID: def.id, team: e.team, x: e.x, z: e.z,
        health: def.health, maxHealth: def.health, alive: true, finishFrame: this.frame + (e.buildFrames ?? 0),
        inLos: false, inRadar: false, typed: false,
      }; // prettier-ignore
      this.units.set(e.key, nu);
      this.teams.get(e.team)!.unitsProduced += 1;
      if (!this.fullView) this.see(nu, true);
      // §3: UnitCreated only through the engine: the reader's ally team
      if (this.allied(nu)) this.call("UnitCreated", nu.id, nu.defID, nu.team);
      if (nu.finishFrame === this.frame) this.finish(nu);
      return;
    }
    if (!u) throw new Error(`no unit ${e.key}`);
    const attacker = "attacker" in e && e.attacker ? this.units.get(e.attacker)! : undefined;
    if (e.op === "move") {
      u.x = e.x;
      u.z = e.z;
    } else if (e.op === "destroy") {
      this.teams.get(u.team)!.unitsDied += 1;
      if (attacker) this.teams.get(attacker.team)!.unitsKilled += 1;
      if (this.allied(u)) {
        // attacker fields only when the attacker is visible, its def when typed
        const seen = attacker?.alive && this.visible(attacker) ? attacker : undefined;
        const def = seen && this.typed(seen) ? seen.defID : undefined;
        this.call("UnitDestroyed", u.id, u.defID, u.team, seen?.id, def, seen?.team);
      } else if (u.inLos) {
        this.call("UnitDestroyed", u.id, u.defID, u.team); // BAR's extra, no attacker
      }
      u.alive = false;
    } else if (e.op === "give") {
      const oldTeam = u.team;
      const [oldAlly, newAlly] = [this.allyOf(oldTeam), this.allyOf(e.team)];
      this.teams.get(oldTeam)!.unitsSent += 1;
      this.teams.get(e.team)!.unitsReceived += 1;
      const enemyToEnemy = (): boolean =>
        !this.fullView &&
        oldAlly !== this.readAlly &&
        newAlly !== this.readAlly &&
        (u.inLos || u.inRadar);
      if (this.allied(u) || enemyToEnemy()) this.call("UnitTaken", u.id, u.defID, oldTeam, e.team);
      u.team = e.team;
      if (!this.fullView) this.see(u, true);
      if (this.allied(u) || enemyToEnemy()) this.call("UnitGiven", u.id, u.defID, e.team, oldTeam);
    } else if (e.op === "damage") {
      u.health = Math.max(0, u.health - e.damage);
      this.teams.get(u.team)!.damageReceived += e.damage;
      if (attacker) this.teams.get(attacker.team)!.damageDealt += e.damage;
      // §3: never for enemy units (no BAR extra)
      if (this.allied(u)) this.call("UnitDamaged", u.id, u.defID, u.team, e.damage, false);
    }
  }

  private eventsAt(f: number): void {
    for (const e of this.script.events) if (e.frame === f) this.apply(e);
  }

  /** Frame 0: GameStart, the opening events, the first slow update. */
  start(): void {
    this.call("GameStart");
    this.eventsAt(0);
    this.slowUpdate();
  }

  /** Runs to frame `to` (order per frame as in the engine's sim frame:
   * finished builds, the frame's events, the slow update every 30). */
  runTo(to: number): void {
    while (this.frame < to) {
      this.frame += 1;
      for (const u of this.units.values())
        if (u.alive && u.finishFrame === this.frame) this.finish(u);
      this.eventsAt(this.frame);
      if (this.frame % 30 === 0) this.slowUpdate();
    }
  }

  pause(paused: boolean, myPlayerID: number): void {
    this.call("GamePaused", myPlayerID, paused);
  }

  endGame(): void {
    this.gameOver = true;
    this.call("GameOver"); // BAR drops the winners
  }
}
