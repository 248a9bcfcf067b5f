/**
 * `UnitDamaged` aggregated per interval, never one change per hit (a big fight makes
 * thousands a second): per unit and per team taken, paralyze damage apart, and dealt
 * per attacking team where the engine tells it (BAR's handler drops the attacker from
 * `UnitDamaged`, so under BAR `dealt` stays 0). Sums cover one interval only, so they
 * stay far below where single-precision floats lose whole units.
 */
import type { Budget, Job } from "./budget";
import type { ChangeQueue } from "./changes";
import type { TeamDamage, UnitDamage } from "./model";

export class DamageAggregator implements Job {
  private units = new LuaMap<UnitID, UnitDamage>();
  private unitList: UnitDamage[] = [];
  private teams = new LuaMap<TeamID, TeamDamage>();
  private teamList: TeamDamage[] = [];
  private fromFrame: number | undefined;

  constructor(private readonly out: ChangeQueue) {}

  private team(teamID: TeamID): TeamDamage {
    let t = this.teams.get(teamID);
    if (t === undefined) {
      t = { teamID, taken: 0, paralyzeTaken: 0, dealt: 0, paralyzeDealt: 0 };
      this.teams.set(teamID, t);
      this.teamList.push(t);
    }
    return t;
  }

  /** A hit: one table at most per unit and team per interval. */
  record(
    frame: number,
    unitID: UnitID,
    teamID: TeamID,
    damage: number,
    paralyzer: boolean,
    attackerTeamID: TeamID | undefined,
  ): void {
    if (!(damage > 0)) return; // also drops nan
    if (this.fromFrame === undefined) this.fromFrame = frame;
    let u = this.units.get(unitID);
    if (u === undefined || u.teamID !== teamID) {
      u = { unitID, teamID, damage: 0, paralyze: 0 };
      this.units.set(unitID, u);
      this.unitList.push(u);
    }
    const t = this.team(teamID);
    if (paralyzer) {
      u.paralyze += damage;
      t.paralyzeTaken += damage;
    } else {
      u.damage += damage;
      t.taken += damage;
    }
    if (attackerTeamID !== undefined) {
      const a = this.team(attackerTeamID);
      if (paralyzer) a.paralyzeDealt += damage;
      else a.dealt += damage;
    }
  }

  /** Records the interval's damage (if any) and starts a new interval. */
  step(budget: Budget): boolean {
    if (this.fromFrame !== undefined) {
      this.out.push({
        type: "damage",
        frame: budget.gameFrame,
        fromFrame: this.fromFrame,
        units: this.unitList,
        teams: this.teamList,
      });
    }
    this.clear();
    return true;
  }

  clear(): void {
    this.units = new LuaMap();
    this.unitList = [];
    this.teams = new LuaMap();
    this.teamList = [];
    this.fromFrame = undefined;
  }
}
