/**
 * The collector's model (src/collect/model.ts) in the wire's form (protocol/messages.ts).
 * Most records already are: the encoder writes only the keys of a message's shape, in
 * its order, and a nil field as null, so events, economy, players and teams go out as
 * the collector made them. What differs is converted here: unit counts (maps keyed by
 * unitDefID on the model, sorted `[unitDefID, count]` lists on the wire; a `units`
 * message carries only the counts that changed), and statistics entries.
 */
import type { Change, DefCounts, Snapshot, TeamUnits, TeamUnitsChange } from "../collect/model";
import type { CollectSettings } from "../collect/settings";
import type { SnapshotReason, Settings } from "../../protocol/messages";
import type { Parts, RowWriter } from "./json";

/**
 * A team's unit counts for the wire: each of `finished` and `building` is written as
 * `[unitDefID, count]` pairs (the `teamUnits` shape), here its unitDefIDs sorted and
 * the counts to read them from (a def absent from `counts`: 0). Not a table per pair:
 * a battle's `units` message has thousands (a table constructor costs about 1.3 µs in
 * Lua 5.1), so only `TEAM_UNITS_ROWS` writes it, not the general encoder.
 */
export interface WireTeamUnits {
  teamID: number;
  finished: WireCounts;
  building: WireCounts;
  unknown: number;
}

/** Sorted unitDefIDs and their counts; `counts` is not changed while the message is made. */
export interface WireCounts {
  defs: UnitDefID[];
  counts: DefCounts;
}

/**
 * `defs` sorted with Lua's own `<` (numbers: no Lua comparator call per comparison,
 * which cost more than everything else in a battle's `units` message), with the counts
 * to write them with.
 */
function sortedCounts(defs: UnitDefID[], counts: DefCounts): WireCounts {
  table.sort(defs);
  return { defs, counts };
}

/** Every count of `counts`, by unitDefID (so equal states encode equally). */
export function unitCounts(counts: DefCounts): WireCounts {
  const defs: UnitDefID[] = [];
  for (const [unitDefID] of counts) defs.push(unitDefID);
  return sortedCounts(defs, counts);
}

/** `t`'s counts for the wire (they are read when written: `t` must not change meanwhile). */
export function wireTeamUnits(t: TeamUnits): WireTeamUnits {
  return {
    teamID: t.teamID,
    finished: unitCounts(t.finished),
    building: unitCounts(t.building),
    unknown: t.unknown,
  };
}

/** The counts of `after` that differ from `before`, a vanished def as count 0 (absent). */
function changedCounts(before: DefCounts | undefined, after: DefCounts): WireCounts {
  const defs: UnitDefID[] = [];
  for (const [unitDefID, count] of after) {
    if (before?.get(unitDefID) !== count) defs.push(unitDefID);
  }
  if (before !== undefined) {
    for (const [unitDefID] of before) {
      if (!after.has(unitDefID)) defs.push(unitDefID);
    }
  }
  return sortedCounts(defs, after);
}

/**
 * Applies a partial change's counts (0: none left) to what the receiver knows; returns
 * those that differ from it, by unitDefID.
 */
function applyCounts(known: DefCounts, changed: DefCounts): WireCounts {
  const defs: UnitDefID[] = [];
  for (const [unitDefID, count] of changed) {
    if ((known.get(unitDefID) ?? 0) === count) continue;
    defs.push(unitDefID);
    if (count > 0) known.set(unitDefID, count);
    else known.delete(unitDefID);
  }
  return sortedCounts(defs, changed);
}

const format = string.format;
/** Four pairs in one string.format: one string made per four pairs, not per number. */
const FOUR_PAIRS = "[%d,%d],[%d,%d],[%d,%d],[%d,%d]";
const MORE_FOUR_PAIRS = "," + FOUR_PAIRS;

/**
 * Appends the `[unitDefID, count]` pairs of `list`, comma-separated, to parts[n+1..];
 * returns the new n.
 */
function pairsInto(parts: Parts, n: number, list: WireCounts): number {
  const defs = list.defs as unknown as LuaTable<number, UnitDefID>;
  const counts = list.counts;
  const count = defs.length();
  let i = 1;
  while (i + 3 <= count) {
    const a = defs.get(i);
    const b = defs.get(i + 1);
    const c = defs.get(i + 2);
    const d = defs.get(i + 3);
    n += 1;
    parts.set(
      n,
      format(
        i > 1 ? MORE_FOUR_PAIRS : FOUR_PAIRS,
        a,
        counts.get(a) ?? 0,
        b,
        counts.get(b) ?? 0,
        c,
        counts.get(c) ?? 0,
        d,
        counts.get(d) ?? 0,
      ),
    );
    i += 4;
  }
  while (i <= count) {
    const a = defs.get(i);
    n += 1;
    parts.set(n, format(i > 1 ? ",[%d,%d]" : "[%d,%d]", a, counts.get(a) ?? 0));
    i += 1;
  }
  return n;
}

/**
 * Writes `WireTeamUnits` first..last as the general encoder writes the `teamUnits` shape
 * (its pairs as `[unitDefID, count]` tuples), byte for byte: a battle's `units` message holds thousands of pairs (3-8 ms a message
 * through the general path in the scale game at 300 deaths a second). Every value is a
 * whole number by construction (ids and counts), so `%d` writes it as the encoder would.
 */
export const TEAM_UNITS_ROWS: RowWriter = (parts, n, rows, first, last) => {
  for (const i of $range(first, last)) {
    const t = rows.get(i) as WireTeamUnits;
    n += 1;
    parts.set(
      n,
      format(i > 1 ? ',{"teamID":%d,"finished":[' : '{"teamID":%d,"finished":[', t.teamID),
    );
    n = pairsInto(parts, n, t.finished);
    n += 1;
    parts.set(n, '],"building":[');
    n = pairsInto(parts, n, t.building);
    n += 1;
    parts.set(n, format('],"unknown":%d}', t.unknown));
  }
  return n;
};

function copyCounts(counts: DefCounts): DefCounts {
  const out = new LuaMap<UnitDefID, number>();
  for (const [k, v] of counts) out.set(k, v);
  return out;
}

/**
 * What the receiver knows of every team's unit counts: the last snapshot's, updated by
 * each `units` message produced since. A `units` message then carries only the counts
 * that differ from it (protocol: new absolute counts, 0 for none left).
 */
export class KnownUnits {
  private teams = new LuaMap<TeamID, TeamUnits>();

  /**
   * A snapshot went out with these counts. Their tables are kept and changed in place from
   * now on, not copied (a battle's snapshot holds thousands of counts: a copy took about
   * 1 ms in one frame in the host's scale game): the caller hands them over.
   */
  reset(units: readonly TeamUnits[]): void {
    const teams = new LuaMap<TeamID, TeamUnits>();
    for (const t of units) teams.set(t.teamID, t);
    this.teams = teams;
  }

  /**
   * The `units` message's entry for a team whose counts may have changed, appended to
   * `out`: only the defs whose count differs from what the receiver knows; nothing for a
   * team without a difference. What it appends is then known. One team per call, so that
   * a caller can spread a battle's teams over frames.
   */
  diffTeam(t: TeamUnitsChange, out: WireTeamUnits[]): void {
    if (t.partial) {
      this.applyPartial(t, out);
      return;
    }
    const known = this.teams.get(t.teamID);
    const finished = changedCounts(known?.finished, t.finished);
    const building = changedCounts(known?.building, t.building);
    if (
      known === undefined ||
      finished.defs.length > 0 ||
      building.defs.length > 0 ||
      known.unknown !== t.unknown
    ) {
      out.push({ teamID: t.teamID, finished, building, unknown: t.unknown });
      this.remember(t);
    }
  }

  /** A partial change: only its defs are compared, and what the receiver knows updated in place. */
  private applyPartial(t: TeamUnitsChange, out: WireTeamUnits[]): void {
    let known = this.teams.get(t.teamID);
    const fresh = known === undefined;
    if (known === undefined) {
      // A team the receiver has no counts of: it had no units when they were last sent.
      known = {
        teamID: t.teamID,
        exact: t.exact,
        finished: new LuaMap(),
        building: new LuaMap(),
        unknown: 0,
      };
      this.teams.set(t.teamID, known);
    }
    const finished = applyCounts(known.finished, t.finished);
    const building = applyCounts(known.building, t.building);
    if (
      fresh ||
      finished.defs.length > 0 ||
      building.defs.length > 0 ||
      known.unknown !== t.unknown
    ) {
      out.push({ teamID: t.teamID, finished, building, unknown: t.unknown });
      known.unknown = t.unknown;
    }
  }

  private remember(t: TeamUnits): void {
    this.teams.set(t.teamID, {
      teamID: t.teamID,
      exact: t.exact,
      finished: copyCounts(t.finished),
      building: copyCounts(t.building),
      unknown: t.unknown,
    });
  }
}

/** A `snapshot` record (seq written by the encoder's `finish`). */
export function snapshotRecord(s: Snapshot, reason: SnapshotReason, settings: Settings): object {
  return {
    type: "snapshot",
    frame: s.frame,
    reason,
    game: s.game,
    view: s.view,
    settings,
    players: s.players,
    teams: s.teams,
    economy: s.economy,
    units: s.units.map((t) => wireTeamUnits(t)),
    stats: s.stats,
  };
}

/** A `stats` record: the entry's team and the entry itself at the top level. */
export function statsRecord(c: Extract<Change, { type: "stats" }>): object {
  return { type: "stats", frame: c.frame, teamID: c.stats.teamID, entry: c.stats.entry };
}

/** The wire's settings (`hello`, `snapshot`) from the collector's and the keyframe interval. */
export function wireSettings(c: CollectSettings, snapshotSeconds: number): Settings {
  return {
    categories: {
      economy: c.economy,
      units: c.units,
      stats: c.stats,
      events: c.events,
      unitdefs: c.unitdefs,
      positions: c.positions,
      damage: c.damage,
    },
    rates: {
      economy: c.economySeconds,
      units: c.unitsSeconds,
      positions: c.positionsSeconds,
      damage: c.damageSeconds,
      snapshot: snapshotSeconds,
    },
  };
}

/** Puts settings in force (e.g. after a `configure`) into the collector's settings. */
export function applyToCollector(s: Settings, into: CollectSettings): void {
  const c = s.categories;
  into.economy = c.economy;
  into.units = c.units;
  into.stats = c.stats;
  into.events = c.events;
  into.unitdefs = c.unitdefs;
  into.positions = c.positions;
  into.damage = c.damage;
  into.economySeconds = s.rates.economy;
  into.unitsSeconds = s.rates.units;
  into.positionsSeconds = s.rates.positions;
  into.damageSeconds = s.rates.damage;
}
