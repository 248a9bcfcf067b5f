/**
 * Economy of every team the view may read: the engine's 9 values per resource
 * (`GetTeamResources`). The engine updates them once a game second (team SlowUpdate on
 * every 30th frame), so a run that starts in the same game second as the last sample
 * reads nothing: never faster than the engine, whatever the wall-clock rate. A run in
 * the next game second samples, however few frames later: the game's end comes with the
 * engine's last update, often less than 30 frames after the last sample.
 */
import { Budget, FRAMES_PER_SECOND, Job } from "./budget";
import type { ChangeQueue } from "./changes";
import type { TeamDirectory } from "./directory";
import type { TeamEconomy, View } from "./model";
import type { GameReader } from "./reader";
import { readsAllyTeam } from "./view";

export class EconomySampler implements Job {
  /** Last sample per team (for snapshots). */
  latest = new LuaMap<TeamID, TeamEconomy>();
  private lastFrame: number | undefined;
  private sampling = false;
  private cursor = 0;
  private frame = 0;
  private pending: TeamEconomy[] = [];

  constructor(
    private readonly reader: GameReader,
    private readonly teams: TeamDirectory,
    private readonly view: () => View,
    private readonly out: ChangeQueue,
  ) {}

  begin(budget: Budget): void {
    const frame = budget.gameFrame;
    this.sampling =
      this.lastFrame === undefined ||
      math.floor(frame / FRAMES_PER_SECOND) > math.floor(this.lastFrame / FRAMES_PER_SECOND);
    this.cursor = 0;
    this.frame = frame;
  }

  step(budget: Budget): boolean {
    if (!this.sampling) return true;
    const view = this.view();
    const teams = this.teams.teamIDs;
    while (this.cursor < teams.length) {
      const teamID = teams[this.cursor];
      this.cursor += 1;
      const allyTeamID = this.teams.allyTeamOf(teamID);
      // Enemy resources are nil even after game over (IsAlliedTeam only): do not ask.
      if (allyTeamID !== undefined && readsAllyTeam(view, allyTeamID)) {
        const metal = this.reader.teamResources(teamID, "metal");
        const energy = this.reader.teamResources(teamID, "energy");
        if (metal !== undefined && energy !== undefined) {
          this.pending.push({ teamID, metal, energy });
        }
      }
      if (this.cursor < teams.length && budget.expired()) return false;
    }
    this.sampling = false;
    this.lastFrame = this.frame;
    // Nothing readable (no team yet): no tables made, the last sample stays empty.
    if (this.pending.length === 0) return true;
    const latest = new LuaMap<TeamID, TeamEconomy>();
    for (const e of this.pending) latest.set(e.teamID, e);
    this.latest = latest;
    this.out.push({ type: "economy", frame: this.frame, teams: this.pending });
    this.pending = [];
    return true;
  }

  /** A new view: the old samples may show teams it may not read. */
  reset(): void {
    this.latest = new LuaMap();
    this.lastFrame = undefined;
    this.sampling = false;
  }
}
