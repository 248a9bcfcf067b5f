/**
 * Compile-time tests of the engine declarations: each `@ts-expect-error` line must be
 * a type error, or `npm run lint` fails (tsc reports an unused directive).
 */
declare const unitID: UnitID;
declare const teamID: TeamID;
declare const allyTeamID: AllyTeamID;

function takesTeam(this: void, team: TeamID): TeamID {
  return team;
}
function takesAllyTeam(this: void, allyTeam: AllyTeamID): AllyTeamID {
  return allyTeam;
}

export const checks = [
  takesTeam(teamID),
  takesAllyTeam(allyTeamID),
  // Ids are numbers: arithmetic and comparison work and give plain numbers.
  teamID + 1,
  unitID < 32000,
  takesTeam(3 as TeamID),
  // @ts-expect-error a TeamID is not an AllyTeamID
  takesAllyTeam(teamID),
  // @ts-expect-error a UnitID is not a TeamID
  takesTeam(unitID),
  // @ts-expect-error a plain number must be cast on purpose
  takesTeam(3),
  // @ts-expect-error arithmetic loses the brand
  takesTeam(teamID + 1),
];
