// The numbers casters use, derived from a GameState. Definitions follow BAR's spectator HUD
// (luaui/Widgets/gui_spectator_hud.lua) and are documented field by field in docs/receiver.md.
import type { UnitDefInfo } from "../../protocol/messages.ts";
import type { DefCounts, GameState, TeamState } from "./gameState.ts";

export interface TeamMetrics {
  teamID: number;
  allyTeamID: number;
  /** Metal and energy income per second (GetTeamResources "income"); null when unreadable. */
  metalIncome: number | null;
  energyIncome: number | null;
  /** Σ metalCost of finished units with weapons that can move. */
  armyValue: number;
  /** Σ metalCost of finished units with weapons that cannot move (speed 0). */
  defenceValue: number;
  /** Σ metalCost of finished units whose unitgroup is "metal" or "energy". */
  ecoValue: number;
  /** Σ metalCost of finished units whose unitgroup is "util". */
  utilityValue: number;
  /** Σ buildSpeed of finished builders that can assist (builders that are not factories). */
  buildPower: number;
  /** Finished units (all types, including those not in the catalog). */
  unitCount: number;
  killedMetal: number;
  lostMetal: number;
  killedUnits: number;
  lostUnits: number;
  /** From the latest statistics entry; null when the view may not read it. */
  damageDealt: number | null;
  damageReceived: number | null;
  /** floor(dealt × 100 / max(received, 1)), BAR's spectator HUD formula; null without stats. */
  damageEfficiency: number | null;
}

const num = (value: number | null | undefined): number => value ?? 0;

/** Calls `add` for each finished unit type of the team with its definition and count. */
function forEachFinished(
  counts: DefCounts,
  defs: Record<string, UnitDefInfo>,
  add: (def: UnitDefInfo, count: number) => void,
): void {
  for (const id in counts) {
    const def = defs[id];
    const count = counts[id]!;
    if (def && count > 0) add(def, count);
  }
}

/** Army value alone: the chart samples it every economy message, so it is kept cheap. */
export function armyValue(team: TeamState, defs: Record<string, UnitDefInfo>): number {
  let value = 0;
  forEachFinished(team.finished, defs, (def, count) => {
    if (def.weaponCount > 0 && num(def.speed) > 0) value += num(def.metalCost) * count;
  });
  return value;
}

export function teamMetrics(team: TeamState, defs: Record<string, UnitDefInfo>): TeamMetrics {
  let army = 0;
  let defence = 0;
  let eco = 0;
  let utility = 0;
  let buildPower = 0;
  forEachFinished(team.finished, defs, (def, count) => {
    const cost = num(def.metalCost) * count;
    if (def.weaponCount > 0) {
      if (num(def.speed) > 0) army += cost;
      else defence += cost;
    }
    if (def.unitgroup === "metal" || def.unitgroup === "energy") eco += cost;
    if (def.unitgroup === "util") utility += cost;
    if (def.isBuilder && !def.isFactory) buildPower += num(def.buildSpeed) * count;
  });
  let unitCount = 0;
  for (const id in team.finished) unitCount += team.finished[id]!;
  const dealt = team.stats ? num(team.stats.damageDealt) : null;
  const received = team.stats ? num(team.stats.damageReceived) : null;
  return {
    teamID: team.info.teamID,
    allyTeamID: team.info.allyTeamID,
    metalIncome: team.metal ? team.metal.income : null,
    energyIncome: team.energy ? team.energy.income : null,
    armyValue: army,
    defenceValue: defence,
    ecoValue: eco,
    utilityValue: utility,
    buildPower,
    unitCount,
    killedMetal: team.killedMetal,
    lostMetal: team.lostMetal,
    killedUnits: team.killedUnits,
    lostUnits: team.lostUnits,
    damageDealt: dealt,
    damageReceived: received,
    damageEfficiency: damageEfficiency(dealt, received),
  };
}

export function damageEfficiency(dealt: number | null, received: number | null): number | null {
  if (dealt === null || received === null) return null;
  return Math.floor((dealt * 100) / Math.max(received, 1));
}

/** Metrics of every team but Gaia, in teamID order. */
export function gameMetrics(state: GameState): TeamMetrics[] {
  return state.teams
    .filter((team) => !team.info.isGaia)
    .map((team) => teamMetrics(team, state.unitDefs));
}
