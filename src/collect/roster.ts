/**
 * Players and teams: everyone may read them (RecoilEngine LuaSyncedRead.cpp does no
 * access check on GetPlayerInfo/GetTeamInfo/GetTeamColor), except start positions.
 */
import type { PlayerState, TeamState } from "./model";
import type { GameReader } from "./reader";

/** BAR publishes an AI's display name as this game-rules param plus the teamID. */
export const AI_NAME_PARAM_PREFIX = "ainame_";

export function readPlayer(reader: GameReader, playerID: PlayerID): PlayerState | undefined {
  const p = reader.playerInfo(playerID);
  if (p === undefined) return undefined;
  return {
    playerID,
    name: p.name,
    teamID: p.teamID,
    allyTeamID: p.allyTeamID,
    spectator: p.spectator,
    active: p.active,
    pingSeconds: p.pingSeconds,
    cpuUsage: p.cpuUsage,
  };
}

export function readPlayers(reader: GameReader): PlayerState[] {
  const out: PlayerState[] = [];
  for (const playerID of reader.playerList()) {
    const p = readPlayer(reader, playerID);
    if (p !== undefined) out.push(p);
  }
  return out;
}

export function readTeam(
  reader: GameReader,
  teamID: TeamID,
  gaiaTeamID: TeamID | undefined,
): TeamState | undefined {
  const t = reader.teamInfo(teamID);
  if (t === undefined) return undefined;
  let aiName: string | undefined = undefined;
  if (t.hasAI) {
    const name = reader.gameRulesParam(AI_NAME_PARAM_PREFIX + tostring(teamID));
    if (typeof name === "string" && name !== "") aiName = name;
  }
  return {
    teamID,
    allyTeamID: t.allyTeamID,
    leader: t.leader,
    isAI: t.hasAI,
    aiName,
    side: t.side,
    color: reader.teamColor(teamID),
    isDead: t.isDead,
    isGaia: teamID === gaiaTeamID,
    startPosition: reader.teamStartPosition(teamID),
  };
}

export function readTeams(reader: GameReader): TeamState[] {
  const gaia = reader.gaiaTeamID();
  const out: TeamState[] = [];
  for (const teamID of reader.teamList()) {
    const t = readTeam(reader, teamID, gaia);
    if (t !== undefined) out.push(t);
  }
  return out;
}
