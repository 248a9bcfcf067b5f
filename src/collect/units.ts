/**
 * Unit counts per team and unitDefID.
 *
 * Teams the view reads fully ("exact": its ally team, or all with full view) are
 * counted from the call-ins, finished and under construction apart, with one small
 * record per unit, made when it is first counted (one map keyed by unitID: three maps,
 * the first version, cost three lookups a call-in, and all three rehashed together as
 * ids came and went: 4-8 ms in one call every few seconds of a battle). Now and then the
 * counts are checked against the engine's `GetTeamUnitsCounts`; a team that differs
 * (or was never scanned: the widget started mid-game, the view changed) is rebuilt
 * from `GetTeamUnits` across steps.
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

function bump(counts: DefCounts, unitDefID: UnitDefID, by: number): void {
  const n = (counts.get(unitDefID) ?? 0) + by;
  if (n > 0) counts.set(unitDefID, n);
  else counts.delete(unitDefID);
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

/**
 * The counts of `defs` in `counts`, 0 for those with none (a partial `units` change),
 * and clears `defs`: its table is kept for the next marks (clearing leaves its slots,
 * where a new table would grow again through every size each second).
 */
function takeCounts(counts: DefCounts, defs: LuaMap<UnitDefID, boolean>): DefCounts {
  const out = new LuaMap<UnitDefID, number>();
  for (const [unitDefID] of defs) {
    out.set(unitDefID, counts.get(unitDefID) ?? 0);
    defs.delete(unitDefID);
  }
  return out;
}

/** Empties a team's marks of one kind (the table is kept for the next marks). */
function clearMarks(defs: LuaMap<UnitDefID, boolean>): void {
  for (const [unitDefID] of defs) defs.delete(unitDefID);
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

/** What changed in a team's counts since the last `units` change. */
interface Marks {
  finished: LuaMap<UnitDefID, boolean>;
  building: LuaMap<UnitDefID, boolean>;
  /** The team was read anew: every count goes in the change. */
  full: boolean;
  /** Anything marked since the last take (the tables are kept, emptied, between takes). */
  any: boolean;
}

/** A unit the view counts: its team, its type, and whether it is built. */
interface TrackedUnit {
  teamID: TeamID;
  unitDefID: UnitDefID;
  finished: boolean;
}

interface Rescan {
  teamID: TeamID;
  units: UnitID[];
  cursor: number;
}

export class UnitTracker {
  private readonly tracked = new LuaMap<UnitID, TrackedUnit>();
  /** Tracked units per exact team. */
  private members = new LuaMap<TeamID, LuaMap<UnitID, boolean>>();
  private counts = new LuaMap<TeamID, TeamUnits>();
  /** Per team, which defs changed since the last `units` change (kept between changes). */
  private dirty = new LuaMap<TeamID, Marks>();
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
   * `isExact` for the call-ins: the team's counts record it (made with the view in force,
   * and made anew with every view change by `resetAll`), one lookup instead of reading
   * the team's ally team and the view at every unit event.
   */
  private counted(teamID: TeamID): boolean {
    const t = this.counts.get(teamID);
    return t !== undefined ? t.exact : this.isExact(teamID);
  }

  private marks(teamID: TeamID): Marks {
    let m = this.dirty.get(teamID);
    if (m === undefined) {
      m = { finished: new LuaMap(), building: new LuaMap(), full: false, any: false };
      this.dirty.set(teamID, m);
    }
    m.any = true;
    return m;
  }

  private teamUnits(teamID: TeamID): TeamUnits {
    let t = this.counts.get(teamID);
    if (t === undefined) {
      t = {
        teamID,
        exact: this.isExact(teamID),
        finished: new LuaMap(),
        building: new LuaMap(),
        unknown: 0,
      };
      this.counts.set(teamID, t);
    }
    return t;
  }

  private add(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID, finished: boolean): void {
    this.tracked.set(unitID, { teamID, unitDefID, finished });
    let m = this.members.get(teamID);
    if (m === undefined) {
      m = new LuaMap();
      this.members.set(teamID, m);
    }
    m.set(unitID, true);
    this.recount(teamID, unitDefID, finished, 1);
  }

  /** Moves a team's finished or building count of a def by `by`, marking it changed. */
  private recount(teamID: TeamID, unitDefID: UnitDefID, finished: boolean, by: number): void {
    const t = this.teamUnits(teamID);
    const marks = this.marks(teamID);
    bump(finished ? t.finished : t.building, unitDefID, by);
    (finished ? marks.finished : marks.building).set(unitDefID, true);
  }

  private remove(unitID: UnitID): void {
    const u = this.tracked.get(unitID);
    if (u === undefined) return;
    this.recount(u.teamID, u.unitDefID, u.finished, -1);
    this.members.get(u.teamID)?.delete(unitID);
    this.tracked.delete(unitID);
  }

  // Call-ins: O(1), no table per call.

  created(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID): void {
    if (this.rescan !== undefined) this.touched.set(unitID, true);
    if (this.tracked.get(unitID) !== undefined || !this.counted(teamID)) return;
    this.add(unitID, unitDefID, teamID, false);
  }

  finished(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID): void {
    if (this.rescan !== undefined) this.touched.set(unitID, true);
    if (!this.counted(teamID)) return;
    const u = this.tracked.get(unitID);
    if (u !== undefined && u.finished) return;
    if (u !== undefined && u.teamID === teamID && u.unitDefID === unitDefID) {
      // The usual case: tracked since its UnitCreated; only its count moves.
      const t = this.teamUnits(teamID);
      const marks = this.marks(teamID);
      bump(t.building, unitDefID, -1);
      bump(t.finished, unitDefID, 1);
      marks.building.set(unitDefID, true);
      marks.finished.set(unitDefID, true);
      u.finished = true;
      return;
    }
    this.remove(unitID);
    this.add(unitID, unitDefID, teamID, true);
  }

  destroyed(unitID: UnitID): void {
    this.remove(unitID);
  }

  /** Given or taken: the unit now belongs to `newTeamID` (idempotent: both call-ins may come). */
  moved(unitID: UnitID, unitDefID: UnitDefID, newTeamID: TeamID): void {
    if (this.rescan !== undefined) this.touched.set(unitID, true);
    const u = this.tracked.get(unitID);
    if (u !== undefined && u.teamID === newTeamID) return;
    const finished = u !== undefined ? u.finished : this.reader.unitIsBeingBuilt(unitID) !== true;
    this.remove(unitID);
    if (this.counted(newTeamID)) this.add(unitID, unitDefID, newTeamID, finished);
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
   * A team's change since its last take (new tables): the counts of the defs that
   * changed, or all of them for a team read anew; undefined when nothing changed. Clears
   * the team's marks. One team per call, so that a battle's teams spread over frames.
   */
  takeTeamChange(teamID: TeamID): TeamUnitsChange | undefined {
    const t = this.counts.get(teamID);
    const marks = this.dirty.get(teamID);
    if (marks === undefined || !marks.any || t === undefined) return undefined;
    const full = marks.full;
    const finished = full ? copyCounts(t.finished) : takeCounts(t.finished, marks.finished);
    const building = full ? copyCounts(t.building) : takeCounts(t.building, marks.building);
    if (full) {
      clearMarks(marks.finished);
      clearMarks(marks.building);
    }
    marks.full = false;
    marks.any = false;
    return { teamID, exact: t.exact, finished, building, unknown: t.unknown, partial: !full };
  }

  /** Ends a run of takes over the listed teams: the marks of a team no longer listed go with it. */
  endTakes(): void {
    for (const [teamID] of this.dirty) {
      if (this.teams.allyTeamOf(teamID) === undefined) this.dirty.delete(teamID);
    }
  }

  /** Forget everything and rebuild every exact team (start, view change). */
  resetAll(): void {
    // Emptied, not replaced: its slots stay for the units counted anew.
    for (const [unitID] of this.tracked) this.tracked.delete(unitID);
    this.members = new LuaMap();
    this.counts = new LuaMap();
    this.dirty = new LuaMap();
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
          (marks ??= this.marks(teamID)).finished.set(unitDefID, true);
      }
      for (const [unitDefID] of t.finished) {
        if (!counts.has(unitDefID)) (marks ??= this.marks(teamID)).finished.set(unitDefID, true);
      }
      if (marks === undefined) return;
    }
    this.counts.set(teamID, {
      teamID,
      exact: false,
      finished: copyCounts(counts),
      building: new LuaMap(),
      unknown,
    });
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
      this.rescan = { teamID, units: this.reader.teamUnits(teamID) ?? [], cursor: 0 };
      if (budget.expired()) return true;
    }
    const r = this.rescan;
    let sinceCheck = 0;
    while (r.cursor < r.units.length) {
      const unitID = r.units[r.cursor];
      r.cursor += 1;
      // Read now, not from the list: the unit may have died or its id been reused.
      const teamID = this.reader.unitTeam(unitID);
      const unitDefID = this.reader.unitDefID(unitID);
      if (teamID === r.teamID && unitDefID !== undefined && !this.touched.has(unitID)) {
        const finished = this.reader.unitIsBeingBuilt(unitID) !== true;
        const u = this.tracked.get(unitID);
        if (
          u === undefined ||
          u.teamID !== teamID ||
          u.unitDefID !== unitDefID ||
          u.finished !== finished
        ) {
          this.remove(unitID);
          this.add(unitID, unitDefID, teamID, finished);
        }
      }
      this.seen.set(unitID, true);
      // The stopwatch costs about as much as a unit's reads: look every few units.
      sinceCheck += 1;
      if (sinceCheck >= RESCAN_PER_CHECK) {
        sinceCheck = 0;
        if (budget.expired()) return true;
      }
    }
    // Tracked units the engine no longer lists (a missed UnitDestroyed) are dropped.
    const m = this.members.get(r.teamID);
    if (m !== undefined) {
      const stale: UnitID[] = [];
      for (const [unitID] of m) {
        if (!this.seen.has(unitID) && !this.touched.has(unitID)) stale.push(unitID);
      }
      for (const unitID of stale) this.remove(unitID);
    }
    this.seen = new LuaMap();
    this.rescan = undefined;
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
