/**
 * Team statistics: each new `GetTeamStatsHistory` entry, once, for every team whose
 * history the view may read (its own ally team; every team with full view; every team
 * once the game is over, RecoilEngine LuaSyncedRead.cpp `GetTeamStatsHistory`).
 *
 * The engine pushes an entry every 15 s of game time (`TeamStatistics::statsPeriod`)
 * and keeps accumulating into the last one, whose frame it reports as "now": so
 * entries 1..n-1 are final and are emitted once each; the last one is emitted only
 * when the game is over (flagged `live`), as the final tally. A team read for the
 * first time (the game ended, the view changed) is caught up from its first entry,
 * a bounded number of entries per step. Cursors survive view changes, so no entry is
 * emitted twice.
 */
import type { Budget, Job } from "./budget";
import type { ChangeQueue } from "./changes";
import type { TeamDirectory } from "./directory";
import type { TeamStatsEntry, View } from "./model";
import type { GameReader } from "./reader";
import { readsAllyTeam } from "./view";

/** Entries read per engine call (each is a table of 21 fields). */
export const STATS_CHUNK = 8;

export class StatsTracker implements Job {
  /** Latest entry emitted per team (for snapshots). */
  readonly latest = new LuaMap<TeamID, TeamStatsEntry>();
  /** Index of the last final entry emitted, per team. */
  private readonly emitted = new LuaMap<TeamID, number>();
  /** Teams whose live entry was emitted at game over. */
  private readonly liveEmitted = new LuaMap<TeamID, boolean>();
  private cursor = 0;
  private over = false;

  constructor(
    private readonly reader: GameReader,
    private readonly teams: TeamDirectory,
    private readonly view: () => View,
    private readonly out: ChangeQueue,
  ) {}

  begin(_budget: Budget): void {
    this.cursor = 0;
    this.over = this.reader.isGameOver();
  }

  step(budget: Budget): boolean {
    const view = this.view();
    const teams = this.teams.teamIDs;
    while (this.cursor < teams.length) {
      const teamID = teams[this.cursor];
      const allyTeamID = this.teams.allyTeamOf(teamID);
      const readable = this.over || (allyTeamID !== undefined && readsAllyTeam(view, allyTeamID));
      // One engine call at most per pass of the loop; a team with more to catch up
      // keeps the cursor for the next pass or step.
      if (!readable || !this.advance(teamID, budget.gameFrame)) this.cursor += 1;
      if (budget.expired()) return false;
    }
    return true;
  }

  /** Emits up to STATS_CHUNK entries of one team; true when it has more to emit. */
  private advance(teamID: TeamID, frame: number): boolean {
    const count = this.reader.teamStatsCount(teamID);
    if (count === undefined || count < 1) return false;
    const done = this.emitted.get(teamID) ?? 0;
    const finals = count - 1;
    if (done < finals) {
      const last = math.min(finals, done + STATS_CHUNK);
      const entries = this.reader.teamStats(teamID, done + 1, last);
      if (entries === undefined) return false;
      for (let i = 0; i < entries.length; i++) {
        this.emit({ teamID, index: done + 1 + i, live: false, entry: entries[i] }, frame);
      }
      this.emitted.set(teamID, done + entries.length);
      if (entries.length === 0) return false;
      // More finals to read, or the live entry of a finished game: come back.
      return done + entries.length < finals || (this.over && this.liveEmitted.get(teamID) !== true);
    }
    if (this.over && this.liveEmitted.get(teamID) !== true) {
      const entries = this.reader.teamStats(teamID, count, count);
      if (entries !== undefined && entries.length > 0) {
        this.liveEmitted.set(teamID, true);
        this.emit({ teamID, index: count, live: true, entry: entries[0] }, frame);
      }
    }
    return false;
  }

  private emit(stats: TeamStatsEntry, frame: number): void {
    this.latest.set(stats.teamID, stats);
    this.out.push({ type: "stats", frame, stats });
  }

  /** Latest entries the view may read now (a new view may read fewer teams). */
  readable(view: View, over: boolean): TeamStatsEntry[] {
    const out: TeamStatsEntry[] = [];
    for (const teamID of this.teams.teamIDs) {
      const entry = this.latest.get(teamID);
      const allyTeamID = this.teams.allyTeamOf(teamID);
      if (
        entry !== undefined &&
        (over || (allyTeamID !== undefined && readsAllyTeam(view, allyTeamID)))
      ) {
        out.push(entry);
      }
    }
    return out;
  }
}
