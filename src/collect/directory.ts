/**
 * The teams of the game and their ally teams, read once and refreshed when the engine
 * says something changed (TeamChanged, TeamDied, a view change). Collectors walk
 * `teamIDs` with cursors instead of asking the engine for the list every run.
 */
import type { GameReader } from "./reader";

export class TeamDirectory {
  teamIDs: TeamID[] = [];
  gaiaTeamID: TeamID | undefined;
  private allyOf = new LuaMap<TeamID, AllyTeamID>();

  constructor(private readonly reader: GameReader) {}

  refresh(): void {
    const teams: TeamID[] = [];
    const allyOf = new LuaMap<TeamID, AllyTeamID>();
    for (const teamID of this.reader.teamList()) {
      const info = this.reader.teamInfo(teamID);
      if (info !== undefined) {
        teams.push(teamID);
        allyOf.set(teamID, info.allyTeamID);
      }
    }
    this.teamIDs = teams;
    this.allyOf = allyOf;
    this.gaiaTeamID = this.reader.gaiaTeamID();
  }

  allyTeamOf(teamID: TeamID): AllyTeamID | undefined {
    return this.allyOf.get(teamID);
  }
}
