/**
 * Who is watching, and what that lets the widget read. Mirrors the engine's access
 * model (RecoilEngine rts/Lua/LuaUI.cpp `UpdateTeams`, rts/Lua/LuaUtils.cpp
 * `IsAlliedTeam`): full read for a full-view spectator (and a replay, full view by
 * default), otherwise the local ally team only.
 */
import type { View } from "./model";
import type { GameReader, LocalView } from "./reader";

function kindOf(local: LocalView): View["kind"] {
  if (!local.spectating) return "player";
  if (!local.fullView) return "spectator";
  return local.replay ? "replay" : "fullview";
}

export function viewOf(local: LocalView): View {
  return {
    kind: kindOf(local),
    fullRead: local.spectating && local.fullView,
    playerID: local.playerID,
    teamID: local.teamID,
    allyTeamID: local.allyTeamID,
  };
}

export function readView(reader: GameReader): View {
  return viewOf(reader.localView());
}

/** Whether `local` is still `view`, without building a view (checked every second). */
export function isView(local: LocalView, view: View): boolean {
  return (
    kindOf(local) === view.kind &&
    (local.spectating && local.fullView) === view.fullRead &&
    local.playerID === view.playerID &&
    local.teamID === view.teamID &&
    local.allyTeamID === view.allyTeamID
  );
}

export function sameView(a: View, b: View): boolean {
  return (
    a.kind === b.kind &&
    a.fullRead === b.fullRead &&
    a.playerID === b.playerID &&
    a.teamID === b.teamID &&
    a.allyTeamID === b.allyTeamID
  );
}

/** Whether the view reads a team of `allyTeamID` like its own (economy, statistics, all units). */
export function readsAllyTeam(view: View, allyTeamID: AllyTeamID): boolean {
  return view.fullRead || view.allyTeamID === allyTeamID;
}
