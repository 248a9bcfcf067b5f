/**
 * The world's units as its truth log tells them (test/host/barhost/world/truth.lua): every
 * team's finished and unfinished units by def at any frame, replayed from the unit events,
 * and the metal each team lost and killed. The ground truth the pipeline's recording and
 * overlay are checked against; it knows nothing of the widget or the receiver.
 */
import type { TruthLine } from "./world-driver.ts";

/** Counts by unitDefID. */
export type DefCounts = Map<number, number>;

export interface TeamUnitsTruth {
  finished: DefCounts;
  building: DefCounts;
}

interface LiveUnit {
  def: number;
  team: number;
  finished: boolean;
}

const UNIT_EVENTS = new Set(["UnitCreated", "UnitFinished", "UnitDestroyed", "UnitGiven"]);

function add(counts: DefCounts, def: number, n: number): void {
  const c = (counts.get(def) ?? 0) + n;
  if (c === 0) counts.delete(def);
  else counts.set(def, c);
}

/** Replays the unit events in frame order; `advanceTo` only moves forward. */
export class TruthUnits {
  readonly teams = new Map<number, TeamUnitsTruth>();
  private readonly units = new Map<number, LiveUnit>();
  private readonly events: TruthLine[];
  private next = 0;
  frame = -1;

  constructor(truth: TruthLine[]) {
    this.events = truth.filter((l) => UNIT_EVENTS.has(l.e));
  }

  /** Applies every unit event up to and including `frame`. */
  advanceTo(frame: number): this {
    if (frame < this.frame)
      throw new Error(`truth replay cannot go back from ${this.frame} to ${frame}`);
    this.frame = frame;
    for (; this.next < this.events.length && this.events[this.next]!.f <= frame; this.next++) {
      this.apply(this.events[this.next]!);
    }
    return this;
  }

  /** The frame of the next unit event not applied yet. */
  nextFrame(): number | undefined {
    return this.events[this.next]?.f;
  }

  team(teamID: number): TeamUnitsTruth {
    let t = this.teams.get(teamID);
    if (!t) {
      t = { finished: new Map(), building: new Map() };
      this.teams.set(teamID, t);
    }
    return t;
  }

  private apply(line: TruthLine): void {
    const id = Number(line.unitID);
    const def = Number(line.defID);
    switch (line.e) {
      case "UnitCreated": {
        const u = { def, team: Number(line.team), finished: false };
        this.units.set(id, u);
        add(this.team(u.team).building, def, 1);
        break;
      }
      case "UnitFinished": {
        const u = this.unit(id, line);
        u.finished = true;
        add(this.team(u.team).building, def, -1);
        add(this.team(u.team).finished, def, 1);
        break;
      }
      case "UnitDestroyed": {
        const u = this.unit(id, line);
        this.units.delete(id);
        add(u.finished ? this.team(u.team).finished : this.team(u.team).building, def, -1);
        break;
      }
      case "UnitGiven": {
        const u = this.unit(id, line);
        const kind = u.finished ? "finished" : "building";
        add(this.team(u.team)[kind], def, -1);
        u.team = Number(line.newTeam);
        add(this.team(u.team)[kind], def, 1);
        break;
      }
    }
  }

  private unit(id: number, line: TruthLine): LiveUnit {
    const u = this.units.get(id);
    if (!u) throw new Error(`truth log: ${line.e} of unit ${id} at frame ${line.f}, never created`);
    return u;
  }
}

/** Metal each team lost (its units destroyed) and killed (enemy units it destroyed). */
export function truthMetal(
  truth: TruthLine[],
  metalCost: (def: number) => number,
  allyOf: (team: number) => number,
): { lost: Map<number, number>; killed: Map<number, number> } {
  const lost = new Map<number, number>();
  const killed = new Map<number, number>();
  for (const l of truth) {
    if (l.e !== "UnitDestroyed") continue;
    const team = Number(l.team);
    const cost = metalCost(Number(l.defID));
    lost.set(team, (lost.get(team) ?? 0) + cost);
    if (typeof l.attackerTeam === "number" && allyOf(l.attackerTeam) !== allyOf(team)) {
      killed.set(l.attackerTeam, (killed.get(l.attackerTeam) ?? 0) + cost);
    }
  }
  return { lost, killed };
}
