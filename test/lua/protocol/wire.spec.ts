/**
 * The `units` path from the collector's changes to the wire: what `KnownUnits` hands the
 * writer (sorted unitDefIDs and the counts to read them from, no table per pair) and
 * what `TEAM_UNITS_ROWS` writes of it, while the receiver's known counts move on.
 */
import { describe, expect, it } from "../framework";
import type { DefCounts, TeamUnits, TeamUnitsChange } from "../../../src/collect/model";
import type { Parts } from "../../../src/protocol/json";
import { KnownUnits, TEAM_UNITS_ROWS, wireTeamUnits } from "../../../src/protocol/wire";
import type { WireTeamUnits } from "../../../src/protocol/wire";

/** Counts from `[unitDefID, count]` pairs. */
function counts(this: void, pairs: [number, number][]): DefCounts {
  const out = new LuaMap<UnitDefID, number>();
  for (const [unitDefID, n] of pairs) out.set(unitDefID as UnitDefID, n);
  return out;
}

function team(
  this: void,
  teamID: number,
  finished: [number, number][],
  building: [number, number][],
  partial = false,
): TeamUnitsChange {
  return {
    teamID: teamID as TeamID,
    exact: true,
    finished: counts(finished),
    building: counts(building),
    unknown: 0,
    partial,
  };
}

/** The teams as TEAM_UNITS_ROWS writes them (the `teams` array's elements). */
function written(this: void, teams: WireTeamUnits[]): string {
  const parts: Parts = new LuaTable();
  const rows = teams as unknown as LuaTable<number, unknown>;
  const n = TEAM_UNITS_ROWS(parts, 0, rows, 1, teams.length);
  return table.concat(parts as unknown as string[], "", 1, n);
}

describe("wire: unit counts", () => {
  it("a full change carries the counts that differ, sorted, a vanished def as 0", () => {
    const known = new KnownUnits();
    known.reset([
      team(
        0,
        [
          [7, 1],
          [5, 2],
          [9, 4],
        ],
        [[3, 1]],
      ),
    ]);
    const out: WireTeamUnits[] = [];
    known.diffTeam(
      team(
        0,
        [
          [9, 4],
          [12, 1],
          [5, 3],
        ],
        [
          [3, 1],
          [2, 2],
        ],
      ),
      out,
    );
    expect(written(out)).toBe(
      '{"teamID":0,"finished":[[5,3],[7,0],[12,1]],"building":[[2,2]],"unknown":0}',
    );
  });

  it("writes groups of four and the rest, large ids and counts, in unitDefID order", () => {
    const finished: [number, number][] = [];
    for (let i = 9; i >= 1; i--) finished.push([i * 1000, i === 5 ? 70000 : i]);
    const out: WireTeamUnits[] = [];
    new KnownUnits().diffTeam(team(3, finished, [[1, 1]]), out);
    expect(written(out)).toBe(
      '{"teamID":3,"finished":[[1000,1],[2000,2],[3000,3],[4000,4],[5000,70000],' +
        '[6000,6],[7000,7],[8000,8],[9000,9]],"building":[[1,1]],"unknown":0}',
    );
  });

  it("what a team's entry writes stays as diffed while later changes move what is known", () => {
    const known = new KnownUnits();
    known.reset([]);
    const first: WireTeamUnits[] = [];
    // A full change (the team read anew), then partial ones on top of what it left known.
    known.diffTeam(
      team(
        0,
        [
          [5, 1],
          [6, 2],
        ],
        [],
      ),
      first,
    );
    const second: WireTeamUnits[] = [];
    known.diffTeam(
      team(
        0,
        [
          [5, 4],
          [6, 0],
        ],
        [[8, 1]],
        true,
      ),
      second,
    );
    const third: WireTeamUnits[] = [];
    known.diffTeam(team(0, [[5, 9]], [[8, 0]], true), third);
    expect(written(first)).toBe('{"teamID":0,"finished":[[5,1],[6,2]],"building":[],"unknown":0}');
    expect(written(second)).toBe(
      '{"teamID":0,"finished":[[5,4],[6,0]],"building":[[8,1]],"unknown":0}',
    );
    expect(written(third)).toBe('{"teamID":0,"finished":[[5,9]],"building":[[8,0]],"unknown":0}');
  });

  it("a snapshot's teams are written whole, by unitDefID", () => {
    const t: TeamUnits = team(
      2,
      [
        [40, 1],
        [4, 2],
        [400, 3],
      ],
      [],
    );
    expect(written([wireTeamUnits(t)])).toBe(
      '{"teamID":2,"finished":[[4,2],[40,1],[400,3]],"building":[],"unknown":0}',
    );
  });
  it("matches a plain model over many changes of varied sizes, teams and kinds", () => {
    // What the receiver knows, kept the plain way; each diffed team's text written from it.
    const model = new LuaMap<number, { f: DefCounts; b: DefCounts; unknown: number }>();
    const pairsOf = (list: number[], counts: DefCounts) =>
      list.map((d) => `[${d},${counts.get(d as UnitDefID) ?? 0}]`).join(",");
    const changedDefs = (before: DefCounts, after: DefCounts, partial: boolean) => {
      const out: number[] = [];
      for (const [d, n] of after)
        if ((before.get(d) ?? (partial ? 0 : undefined)) !== n) out.push(d);
      if (!partial) for (const [d] of before) if (after.get(d) === undefined) out.push(d);
      table.sort(out);
      return out;
    };
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const known = new KnownUnits();
    known.reset([]);
    for (let step = 1; step <= 300; step++) {
      const teamID = rand(5);
      const partial = rand(4) !== 0;
      const size = rand(3) === 0 ? rand(60) : rand(6);
      const finished: [number, number][] = [];
      const building: [number, number][] = [];
      for (let i = 0; i < size; i++) {
        (rand(2) === 0 ? finished : building).push([
          1 + rand(40),
          rand(partial ? 4 : 3) + (partial ? 0 : 1),
        ]);
      }
      const change = team(teamID, finished, building, partial);
      change.unknown = rand(8) === 0 ? rand(3) : 0;
      let m = model.get(teamID);
      const fresh = m === undefined;
      m ??= { f: new LuaMap(), b: new LuaMap(), unknown: 0 };
      const f = changedDefs(m.f, change.finished, partial);
      const b = changedDefs(m.b, change.building, partial);
      const expected =
        fresh || f.length > 0 || b.length > 0 || m.unknown !== change.unknown
          ? `{"teamID":${teamID},"finished":[${pairsOf(f, change.finished)}],"building":[${pairsOf(b, change.building)}],"unknown":${change.unknown}}`
          : undefined;
      if (partial) {
        for (const [kind, counts] of [
          [m.f, change.finished],
          [m.b, change.building],
        ] as const) {
          for (const [d, n] of counts) {
            if (n > 0) kind.set(d, n);
            else kind.delete(d);
          }
        }
        if (expected !== undefined) m.unknown = change.unknown;
      } else if (expected !== undefined) {
        m = { f: new LuaMap(), b: new LuaMap(), unknown: change.unknown };
        for (const [d, n] of change.finished) m.f.set(d, n);
        for (const [d, n] of change.building) m.b.set(d, n);
      }
      model.set(teamID, m);
      const out: WireTeamUnits[] = [];
      known.diffTeam(change, out);
      expect(out.length > 0 ? written(out) : undefined).toBe(expected);
    }
  });
});
