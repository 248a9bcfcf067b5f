/**
 * Who won. The engine passes the winning ally teams to `GameOver`, but BAR's widget
 * handler calls `widget:GameOver()` without them (Beyond-All-Reason
 * luaui/barwidgets.lua), so they are derived: the ally teams (Gaia's aside) that still
 * have a team not dead. When every ally team still has one, nothing can be said and
 * the list is empty ("undecided", as the engine's empty list).
 */
import type { TeamState } from "./model";

export function deriveWinners(teams: readonly TeamState[]): AllyTeamID[] {
  const alive = new LuaMap<AllyTeamID, boolean>();
  const all = new LuaMap<AllyTeamID, boolean>();
  const order: AllyTeamID[] = [];
  for (const t of teams) {
    if (t.isGaia) continue;
    if (!all.has(t.allyTeamID)) {
      all.set(t.allyTeamID, true);
      order.push(t.allyTeamID);
    }
    if (!t.isDead) alive.set(t.allyTeamID, true);
  }
  const winners = order.filter((a) => alive.has(a));
  winners.sort((a, b) => a - b);
  return winners.length === order.length ? [] : winners;
}
