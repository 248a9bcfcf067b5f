/**
 * Unit counts per team and unitDefID.
 *
 * Teams the view reads fully ("exact": its ally team, or all with full view) are
 * counted from the call-ins, finished and under construction apart. What is known of
 * each counted unit lies in one array, two slots per unitID, filled at start (ids are
 * below 32,000): no table per unit and no map keyed by unitID, whose keys come and go
 * (the first version's three such maps rehashed together: 4-8 ms in one call every few
 * seconds of a battle; the record per unit that followed cost a table and three more
 * lookups a call-in; three arrays cost a cache miss each per call-in, as the call-ins
 * are handled after the simulation has filled the caches). Now and then the counts are checked against the engine's
 * `GetTeamUnitsCounts`; a team that differs (or was never scanned: the widget started
 * mid-game, the view changed) is rebuilt from `GetTeamUnits` across steps.
 *
 * Other teams are only what the engine shows a player: `GetTeamUnitsCounts` gives
 * typed units in LOS or radar (finished or not: put under `finished`) and untyped
 * radar blips as `unknown`. The engine sends unit call-ins for those teams only
 * through BAR's extra events, so they do not change counts here.
 */
import type { Budget, Job } from "./budget";
import type { ChangeQueue } from "./changes";
import type { TeamDirectory } from "./directory";
import type { DefCounts, TeamUnits, TeamUnitsChange, View } from "./model";
import type { GameReader } from "./reader";
import { readsAllyTeam } from "./view";

/** Moves a count by `by`; returns the new count (0: none left). */
function bump(counts: DefCounts, unitDefID: UnitDefID, by: number): number {
  const n = (counts.get(unitDefID) ?? 0) + by;
  if (n > 0) {
    counts.set(unitDefID, n);
    return n;
  }
  counts.delete(unitDefID);
  return 0;
}

function hasAny(counts: DefCounts): boolean {
  for (const [_k] of counts) return true;
  return false;
}

function copyCounts(counts: DefCounts): DefCounts {
  const out = new LuaMap<UnitDefID, number>();
  for (const [k, v] of counts) out.set(k, v);
  return out;
}

/** Empties a team's marks of one kind (the table is kept for the next marks). */
function clearMarks(marks: DefCounts): void {
  for (const [unitDefID] of marks) marks.delete(unitDefID);
}

/**
 * Whether a team's finished plus building counts are the engine's (`GetTeamUnitsCounts`
 * counts both). Makes no table: a big team is compared every few seconds.
 */
function sameTotals(t: TeamUnits, engine: DefCounts): boolean {
  for (const [k, v] of engine) {
    if ((t.finished.get(k) ?? 0) + (t.building.get(k) ?? 0) !== v) return false;
  }
  for (const [k] of t.finished) if (!engine.has(k)) return false;
  for (const [k] of t.building) if (!engine.has(k)) return false;
  return true;
}

/** Units rebuilt between looks at the budget (each is 3 engine reads). */
export const RESCAN_PER_CHECK = 8;

/** Unit slots looked at between looks at the budget when a rebuild ends (a read each). */
export const SWEEP_PER_CHECK = 1024;

/**
 * Unit slots: ids are below 32,000 (the engine's MAX_UNITS). Every slot is filled from the
 * start, so the per-unit table stays a Lua array: no rehash as ids come and go, no table per
 * unit.
 */
export const UNIT_SLOTS = 32768;

/** The team slot of a unit not counted. */
const UNTRACKED = -1 as TeamID;

/**
 * A counted unit's state slot: its unitDefID doubled, plus 1 once built. One number, so
 * that UnitFinished's usual case (counted, same type, not built yet) is one comparison,
 * and exact with single-precision numbers for ids below 2^23.
 */
function stateOf(this: void, unitDefID: UnitDefID, finished: boolean): number {
  return finished ? unitDefID * 2 + 1 : unitDefID * 2;
}

/**
 * A team's counts as kept here, with what changed since the last `units` change (its
 * marks) in the same table: a call-in finds both at once, and a battle's call-ins, which
 * find most teams' tables out of the cache, miss one table less.
 */
interface Team extends TeamUnits {
  /**
   * The defs whose finished or building count changed since the last take, each with
   * its count now (0: none left), kept up by whatever moves a count: a partial take
   * hands these tables over as the change's counts as they are (no pass over them, no
   * copy) and the team starts new ones.
   */
  markedFinished: DefCounts;
  markedBuilding: DefCounts;
  /** The team was read anew: every count goes in the change. */
  full: boolean;
  /** Anything marked since the last take. */
  any: boolean;
}

/** No marks left: the tables are emptied (kept for the next marks), the flags cleared. */
function resetMarks(t: Team): void {
  clearMarks(t.markedFinished);
  clearMarks(t.markedBuilding);
  t.full = false;
  t.any = false;
}

/** Moves a team's finished or building count of a def by `by`, marking it changed. */
function recount(t: Team, unitDefID: UnitDefID, finished: boolean, by: number): void {
  t.any = true;
  if (finished) {
    t.markedFinished.set(unitDefID, bump(t.finished, unitDefID, by));
  } else {
    t.markedBuilding.set(unitDefID, bump(t.building, unitDefID, by));
  }
}

/**
 * The per-unit table over `count` unit slots: a unit's team at `2 * unitID + 1`, its state
 * (`stateOf`) at `2 * unitID + 2`, side by side, so a call-in's reads share a cache line.
 * Filled from 1 on: the array part.
 */
function unitSlots(this: void, count: number): LuaTable<number, number> {
  const out = new LuaTable<number, number>();
  for (let i = 1; i <= count * 2; i += 2) {
    out.set(i, UNTRACKED);
    out.set(i + 1, 0);
  }
  return out;
}

interface Rescan {
  teamID: TeamID;
  units: UnitID[];
  cursor: number;
  /** The next unit slot to look at once the list is walked (stale units). */
  sweep: number;
}

export class UnitTracker {
  /**
   * Per unit, by unitID (see `unitSlots`): its team (UNTRACKED: not counted; undefined:
   * an id past the slots, never seen) and its state (`stateOf`). Only the team says
   * whether a unit is counted.
   */
  private readonly units = unitSlots(UNIT_SLOTS);
  /** One past the highest slot ever used (ids past UNIT_SLOTS would be counted too). */
  private slots = UNIT_SLOTS;
  private counts = new LuaMap<TeamID, Team>();
  /** Exact teams waiting to be rebuilt from the engine's unit list. */
  private toRescan: TeamID[] = [];
  private rescan: Rescan | undefined;
  /** Units touched by call-ins during a rescan: kept even when not in its list. */
  private touched = new LuaMap<UnitID, boolean>();
  /** Units of the current rescan's list seen so far. */
  private seen = new LuaMap<UnitID, boolean>();

  constructor(
    private readonly reader: GameReader,
    private readonly teams: TeamDirectory,
    private readonly view: () => View,
  ) {}

  /** Whether the view counts a team's units itself. */
  isExact(teamID: TeamID): boolean {
    const allyTeamID = this.teams.allyTeamOf(teamID);
    return allyTeamID !== undefined && readsAllyTeam(this.view(), allyTeamID);
  }

  /**
   * The team's record if the view counts its units itself, for the call-ins: the record
   * says so (made with the view in force, and made anew with every view change by
   * `resetAll`), one lookup instead of reading the team's ally team and the view.
   */
  private exactTeam(teamID: TeamID): Team | undefined {
    const t = this.counts.get(teamID);
    if (t !== undefined) return t.exact ? t : undefined;
    return this.isExact(teamID) ? this.teamUnits(teamID) : undefined;
  }

  /** The team's record, marked changed (the marks are its own fields). */
  private marks(teamID: TeamID): Team {
    const t = this.teamUnits(teamID);
    t.any = true;
    return t;
  }

  private teamUnits(teamID: TeamID): Team {
    let t = this.counts.get(teamID);
    if (t === undefined) {
      t = {
        teamID,
        exact: this.isExact(teamID),
        finished: new LuaMap(),
        building: new LuaMap(),
        unknown: 0,
        markedFinished: new LuaMap(),
        markedBuilding: new LuaMap(),
        full: false,
        any: false,
      };
      this.counts.set(teamID, t);
    }
    return t;
  }

  /** Whether a unit is counted (an id past the slots reads undefined). */
  private tracks(unitID: UnitID): boolean {
    const teamID = this.units.get(unitID * 2 + 1);
    return teamID !== undefined && teamID !== UNTRACKED;
  }

  private add(unitID: UnitID, unitDefID: UnitDefID, t: Team, finished: boolean): void {
    const at = unitID * 2;
    this.units.set(at + 1, t.teamID);
    this.units.set(at + 2, stateOf(unitDefID, finished));
    if (unitID >= this.slots) this.slots = unitID + 1;
    recount(t, unitDefID, finished, 1);
  }

  private remove(unitID: UnitID): void {
    const units = this.units;
    const at = unitID * 2;
    const teamID = units.get(at + 1) as TeamID | undefined;
    if (teamID === undefined || teamID === UNTRACKED) return;
    units.set(at + 1, UNTRACKED);
    const state = units.get(at + 2)!;
    const built = state % 2;
    recount(
      this.counts.get(teamID) ?? this.teamUnits(teamID),
      ((state - built) / 2) as UnitDefID,
      built === 1,
      -1,
    );
  }

  // Call-ins: O(1), no table per call, one map lookup for the team. They run hundreds of
  // times a second in a battle: the usual cases are written out here (no method or
  // helper calls), with the tables in locals.

  created(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID): void {
    if (this.rescan !== undefined) this.touched.set(unitID, true);
    const units = this.units;
    const at = unitID * 2;
    const was = units.get(at + 1);
    if (was !== undefined && was !== UNTRACKED) return;
    const t = this.counts.get(teamID) ?? this.exactTeam(teamID);
    if (t === undefined || !t.exact) return;
    units.set(at + 1, teamID);
    units.set(at + 2, unitDefID * 2);
    if (unitID >= this.slots) this.slots = unitID + 1;
    t.any = true;
    const building = t.building;
    const count = (building.get(unitDefID) ?? 0) + 1;
    building.set(unitDefID, count);
    t.markedBuilding.set(unitDefID, count);
  }

  finished(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID): void {
    if (this.rescan !== undefined) this.touched.set(unitID, true);
    const t = this.counts.get(teamID) ?? this.exactTeam(teamID);
    if (t === undefined || !t.exact) return;
    const units = this.units;
    const at = unitID * 2;
    const state = units.get(at + 2);
    if (units.get(at + 1) === teamID && state === unitDefID * 2) {
      // The usual case: counted since its UnitCreated, not built yet; only its count moves.
      units.set(at + 2, state + 1);
      t.any = true;
      const building = t.building;
      const left = (building.get(unitDefID) ?? 0) - 1;
      if (left > 0) {
        building.set(unitDefID, left);
        t.markedBuilding.set(unitDefID, left);
      } else {
        building.delete(unitDefID);
        t.markedBuilding.set(unitDefID, 0);
      }
      const finished = t.finished;
      const count = (finished.get(unitDefID) ?? 0) + 1;
      finished.set(unitDefID, count);
      t.markedFinished.set(unitDefID, count);
      return;
    }
    // Counted and built already (of this team and type, or not: the first count stands).
    if (this.tracks(unitID) && state! % 2 === 1) return;
    this.remove(unitID);
    this.add(unitID, unitDefID, t, true);
  }

  destroyed(unitID: UnitID): void {
    const units = this.units;
    const at = unitID * 2;
    const teamID = units.get(at + 1) as TeamID | undefined;
    if (teamID === undefined || teamID === UNTRACKED) return;
    units.set(at + 1, UNTRACKED);
    const t = this.counts.get(teamID) ?? this.teamUnits(teamID);
    const state = units.get(at + 2)!;
    const built = state % 2;
    const unitDefID = ((state - built) / 2) as UnitDefID;
    const counts = built === 1 ? t.finished : t.building;
    const left = (counts.get(unitDefID) ?? 0) - 1;
    t.any = true;
    const marks = built === 1 ? t.markedFinished : t.markedBuilding;
    if (left > 0) {
      counts.set(unitDefID, left);
      marks.set(unitDefID, left);
    } else {
      counts.delete(unitDefID);
      marks.set(unitDefID, 0);
    }
  }

  /** Given or taken: the unit now belongs to `newTeamID` (idempotent: both call-ins may come). */
  moved(unitID: UnitID, unitDefID: UnitDefID, newTeamID: TeamID): void {
    if (this.rescan !== undefined) this.touched.set(unitID, true);
    const tracked = this.tracks(unitID);
    if (tracked && this.units.get(unitID * 2 + 1) === newTeamID) return;
    const finished = tracked
      ? this.units.get(unitID * 2 + 2)! % 2 === 1
      : this.reader.unitIsBeingBuilt(unitID) !== true;
    this.remove(unitID);
    const t = this.exactTeam(newTeamID);
    if (t !== undefined) this.add(unitID, unitDefID, t, finished);
  }

  /** Counts of every team (copies, safe to keep). */
  current(): TeamUnits[] {
    const out: TeamUnits[] = [];
    for (const teamID of this.teams.teamIDs) {
      const t = this.counts.get(teamID);
      if (t !== undefined) out.push(copyOf(t));
    }
    return out;
  }

  /**
   * A team's change since its last take (tables no longer the tracker's, never changed
   * again): the counts of the defs that changed (the team's marks themselves: the team
   * starts new ones), or all of them for a team read anew (copies; the marks are
   * emptied); undefined when nothing changed. One team per call, so that a battle's
   * teams spread over frames.
   */
  takeTeamChange(teamID: TeamID): TeamUnitsChange | undefined {
    const t = this.counts.get(teamID);
    if (t === undefined || !t.any) return undefined;
    if (t.full) {
      const whole = {
        teamID,
        exact: t.exact,
        finished: copyCounts(t.finished),
        building: copyCounts(t.building),
        unknown: t.unknown,
        partial: false,
      };
      resetMarks(t);
      return whole;
    }
    const finished = t.markedFinished;
    const building = t.markedBuilding;
    t.markedFinished = new LuaMap();
    t.markedBuilding = new LuaMap();
    t.any = false;
    return { teamID, exact: t.exact, finished, building, unknown: t.unknown, partial: true };
  }

  /** Ends a run of takes over the listed teams: the marks of a team no longer listed go. */
  endTakes(): void {
    for (const [teamID, t] of this.counts) {
      if (t.any && this.teams.allyTeamOf(teamID) === undefined) resetMarks(t);
    }
  }

  /** Forget everything and rebuild every exact team (start, view change). */
  resetAll(): void {
    // Emptied, not replaced: the slots stay an array.
    const units = this.units;
    for (let i = 0; i < this.slots; i++) {
      if (units.get(i * 2 + 1) !== undefined) units.set(i * 2 + 1, UNTRACKED);
    }
    this.counts = new LuaMap();
    this.rescan = undefined;
    this.toRescan = [];
    this.seen = new LuaMap();
    this.touched = new LuaMap();
    for (const teamID of this.teams.teamIDs) {
      const t = this.teamUnits(teamID);
      this.marks(teamID).full = true;
      if (t.exact && this.hasUnits(teamID)) this.toRescan.push(teamID);
    }
  }

  /**
   * Whether the engine counts units of the team now (unreadable: assume so). A team
   * without any needs no rebuild: the call-ins bring every unit it gets from now on. So
   * a widget loaded before the game (the usual case) rebuilds nothing; in the scale game
   * the needless rebuild of 10,000 units took its share of every frame for two minutes.
   */
  private hasUnits(teamID: TeamID): boolean {
    const read = this.reader.teamUnitsCounts(teamID);
    return read === undefined || read.unknown > 0 || hasAny(read.counts);
  }

  /**
   * Reads what the engine shows of a team the view does not count itself (one engine
   * call); does nothing for an exact team.
   */
  refreshVisible(teamID: TeamID): void {
    if (this.isExact(teamID)) return;
    const read = this.reader.teamUnitsCounts(teamID);
    const t = this.teamUnits(teamID);
    const counts = read?.counts ?? new LuaMap<UnitDefID, number>();
    const unknown = read?.unknown ?? 0;
    if (t.exact || hasAny(t.building)) {
      // Counted by this view until now (a view change): every count goes anew.
      this.marks(teamID).full = true;
    } else {
      // Only the defs whose visible count changed (a battle changes a few each second:
      // sending the whole team each time cost 1.5-3 ms a team to compare).
      let marks = unknown !== t.unknown ? this.marks(teamID) : undefined;
      for (const [unitDefID, n] of counts) {
        if (t.finished.get(unitDefID) !== n)
          (marks ??= this.marks(teamID)).markedFinished.set(unitDefID, n);
      }
      for (const [unitDefID] of t.finished) {
        if (!counts.has(unitDefID)) (marks ??= this.marks(teamID)).markedFinished.set(unitDefID, 0);
      }
      if (marks === undefined) return;
    }
    // The counts become what the engine shows; the marks stay.
    t.exact = false;
    t.finished = copyCounts(counts);
    t.building = new LuaMap();
    t.unknown = unknown;
  }

  /** Compares an exact team with the engine's counts; queues a rescan if they differ. */
  reconcile(teamID: TeamID): boolean {
    if (!this.isExact(teamID)) return true;
    const read = this.reader.teamUnitsCounts(teamID);
    if (read === undefined) return true;
    const t = this.teamUnits(teamID);
    if (sameTotals(t, read.counts)) return true;
    this.queueRescan(teamID);
    return false;
  }

  queueRescan(teamID: TeamID): void {
    for (const id of this.toRescan) if (id === teamID) return;
    this.toRescan.push(teamID);
  }

  /** Whether a rebuild is waiting or under way. */
  rescanning(): boolean {
    return this.rescan !== undefined || this.toRescan.length > 0;
  }

  /** Does a bounded part of a team rebuild; returns false when nothing is left to do. */
  stepRescan(budget: Budget): boolean {
    if (this.rescan === undefined) {
      const teamID = this.toRescan.shift();
      if (teamID === undefined) return false;
      if (!this.isExact(teamID)) return true;
      this.touched = new LuaMap();
      this.rescan = { teamID, units: this.reader.teamUnits(teamID) ?? [], cursor: 0, sweep: 0 };
      if (budget.expired()) return true;
    }
    const r = this.rescan;
    if (!this.walk(r, budget) || !this.sweep(r, budget)) return true;
    this.seen = new LuaMap();
    this.rescan = undefined;
    return true;
  }

  /** Counts the units of the rebuild's list anew; false when the budget ran out first. */
  private walk(r: Rescan, budget: Budget): boolean {
    let sinceCheck = 0;
    while (r.cursor < r.units.length) {
      const unitID = r.units[r.cursor];
      r.cursor += 1;
      // Read now, not from the list: the unit may have died or its id been reused.
      const teamID = this.reader.unitTeam(unitID);
      const unitDefID = this.reader.unitDefID(unitID);
      if (teamID === r.teamID && unitDefID !== undefined && !this.touched.has(unitID)) {
        const finished = this.reader.unitIsBeingBuilt(unitID) !== true;
        if (
          this.units.get(unitID * 2 + 1) !== teamID ||
          this.units.get(unitID * 2 + 2) !== stateOf(unitDefID, finished)
        ) {
          this.remove(unitID);
          this.add(unitID, unitDefID, this.teamUnits(teamID), finished);
        }
      }
      this.seen.set(unitID, true);
      // The stopwatch costs about as much as a unit's reads: look every few units.
      sinceCheck += 1;
      if (sinceCheck >= RESCAN_PER_CHECK) {
        sinceCheck = 0;
        if (budget.expired()) return false;
      }
    }
    return true;
  }

  /**
   * Drops the team's counted units the engine no longer lists (a missed UnitDestroyed):
   * a look at every unit slot, spread over steps (no per-team set of units to keep at
   * every call-in). False when the budget ran out first.
   */
  private sweep(r: Rescan, budget: Budget): boolean {
    const units = this.units;
    let sinceCheck = 0;
    while (r.sweep < this.slots) {
      const unitID = r.sweep as UnitID;
      r.sweep += 1;
      if (
        units.get(unitID * 2 + 1) === r.teamID &&
        !this.seen.has(unitID) &&
        !this.touched.has(unitID)
      ) {
        this.remove(unitID);
      }
      sinceCheck += 1;
      if (sinceCheck >= SWEEP_PER_CHECK) {
        sinceCheck = 0;
        if (budget.expired()) return false;
      }
    }
    return true;
  }
}

function copyOf(t: TeamUnits): TeamUnits {
  return {
    teamID: t.teamID,
    exact: t.exact,
    finished: copyCounts(t.finished),
    building: copyCounts(t.building),
    unknown: t.unknown,
  };
}

/**
 * The periodic `units` run, a team per unit of work: refreshes what the engine shows of
 * a team the view does not count itself, and takes the team's counts that changed. Each
 * step records what it took as one `units` change (a run over several frames makes
 * several, all stamped with the frame the run began).
 */
export class UnitCountsJob implements Job {
  private cursor = 0;
  private frame = 0;

  constructor(
    private readonly tracker: UnitTracker,
    private readonly teams: TeamDirectory,
    private readonly out: ChangeQueue,
  ) {}

  begin(budget: Budget): void {
    this.cursor = 0;
    this.frame = budget.gameFrame;
  }

  step(budget: Budget): boolean {
    const teams = this.teams.teamIDs;
    const tracker = this.tracker;
    // A team at a time (a battle's 16 teams took 0.5-1 ms in one step in the scale game),
    // and what a step took is recorded before it returns: a run cut short (a view change,
    // the category switched off) then holds nothing back.
    // The team list may be refreshed mid-run (TeamChanged): a team then skipped keeps its
    // marks for the next run.
    let changed: TeamUnitsChange[] | undefined;
    let done = true;
    while (this.cursor < teams.length) {
      const teamID = teams[this.cursor];
      this.cursor += 1;
      tracker.refreshVisible(teamID);
      const change = tracker.takeTeamChange(teamID);
      if (change !== undefined) (changed ??= []).push(change);
      if (budget.expired()) {
        done = this.cursor >= teams.length;
        break;
      }
    }
    if (done) tracker.endTakes();
    if (changed !== undefined) this.out.push({ type: "units", frame: this.frame, teams: changed });
    return done;
  }
}

/**
 * The periodic reconciliation: rebuilds queued teams first (start, view change), then
 * compares every exact team with the engine's counts, queueing a rebuild on a
 * difference (done in the next run).
 */
export class ReconcileJob implements Job {
  private cursor = 0;

  constructor(
    private readonly tracker: UnitTracker,
    private readonly teams: TeamDirectory,
  ) {}

  begin(_budget: Budget): void {
    this.cursor = 0;
  }

  step(budget: Budget): boolean {
    while (this.tracker.rescanning()) {
      if (!this.tracker.stepRescan(budget)) break;
      if (budget.expired()) return false;
    }
    const teams = this.teams.teamIDs;
    while (this.cursor < teams.length) {
      this.tracker.reconcile(teams[this.cursor]);
      this.cursor += 1;
      if (budget.expired()) return false;
    }
    return true;
  }
}
