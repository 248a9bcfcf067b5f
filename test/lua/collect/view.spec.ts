import { describe, expect, it } from "../framework";
import { readsAllyTeam, sameView, viewOf } from "../../../src/collect/view";
import type { LocalView } from "../../../src/collect/reader";

const base: LocalView = {
  spectating: false,
  fullView: false,
  replay: false,
  playerID: 3 as PlayerID,
  teamID: 2 as TeamID,
  allyTeamID: 1 as AllyTeamID,
};

describe("view", () => {
  it("a player reads its own ally team only", () => {
    const v = viewOf(base);
    expect(v.kind).toBe("player");
    expect(v.fullRead).toBe(false);
    expect(readsAllyTeam(v, 1 as AllyTeamID)).toBe(true);
    expect(readsAllyTeam(v, 0 as AllyTeamID)).toBe(false);
  });

  it("a spectator without full view reads like a player of the watched ally team", () => {
    const v = viewOf({ ...base, spectating: true });
    expect(v.kind).toBe("spectator");
    expect(readsAllyTeam(v, 1 as AllyTeamID)).toBe(true);
    expect(readsAllyTeam(v, 0 as AllyTeamID)).toBe(false);
  });

  it("a full-view spectator and a replay read every ally team", () => {
    const full = viewOf({ ...base, spectating: true, fullView: true });
    expect(full.kind).toBe("fullview");
    expect(readsAllyTeam(full, 0 as AllyTeamID)).toBe(true);
    const replay = viewOf({ ...base, spectating: true, fullView: true, replay: true });
    expect(replay.kind).toBe("replay");
    expect(replay.fullRead).toBe(true);
    const limitedReplay = viewOf({ ...base, spectating: true, fullView: false, replay: true });
    expect(limitedReplay.kind).toBe("spectator");
    expect(readsAllyTeam(limitedReplay, 0 as AllyTeamID)).toBe(false);
  });

  it("full view without spectating is not full read (the engine grants it to spectators)", () => {
    const v = viewOf({ ...base, fullView: true });
    expect(v.kind).toBe("player");
    expect(v.fullRead).toBe(false);
  });

  it("tells views apart by kind and ids", () => {
    expect(sameView(viewOf(base), viewOf(base))).toBe(true);
    expect(sameView(viewOf(base), viewOf({ ...base, spectating: true }))).toBe(false);
    expect(sameView(viewOf(base), viewOf({ ...base, teamID: 5 as TeamID }))).toBe(false);
    expect(sameView(viewOf(base), viewOf({ ...base, allyTeamID: 0 as AllyTeamID }))).toBe(false);
  });
});
