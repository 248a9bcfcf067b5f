/**
 * Positions of every unit the view can see (opt-in: high volume), scanned team by team
 * across steps. Each unit is read when the cursor reaches it, not from the list taken
 * when its team started: unit ids are recycled (RecoilEngine SimObjectIDPool), so a
 * listed unit may have died and its id now name another team's unit. A scan records
 * each unit id once (a unit given to a team scanned later is not counted twice).
 */
import type { Budget, Job } from "./budget";
import type { ChangeQueue } from "./changes";
import type { TeamDirectory } from "./directory";
import type { PositionRow } from "./model";
import type { GameReader } from "./reader";

/**
 * Units read between looks at the budget (each is 4 engine calls, 5-8 µs in the host's
 * scale game, where the simulation leaves the units' data out of the CPU's caches): few,
 * as the scan works within a small share and a step ends only at a look.
 */
export const POSITIONS_PER_CHECK = 4;

/** A complete scan: its units, and the time from its first step to its last. */
export interface PositionScanSpan {
  units: number;
  /** Wall-clock seconds (the scheduler's clock). */
  seconds: number;
  /** Game frames (30 a game second; none pass while the game is paused). */
  frames: number;
}

export class PositionScan implements Job {
  private teamCursor = 0;
  private units: UnitID[] | undefined;
  private unitCursor = 0;
  private rows: PositionRow[] = [];
  private fromFrame = 0;
  /** unitID -> number of the scan that recorded it (reused across scans). */
  private readonly seen = new LuaMap<UnitID, number>();
  private scan = 0;
  private fromTime = 0;
  /**
   * The last complete scan. A scan works within a small share of the frame budget, so
   * with many units it spans seconds: status shows how fresh positions are.
   */
  lastScan: PositionScanSpan | undefined;

  constructor(
    private readonly reader: GameReader,
    private readonly teams: TeamDirectory,
    private readonly out: ChangeQueue,
  ) {}

  begin(budget: Budget): void {
    this.scan += 1;
    this.teamCursor = 0;
    this.units = undefined;
    this.unitCursor = 0;
    this.rows = [];
    this.fromFrame = budget.gameFrame;
    this.fromTime = budget.now;
  }

  step(budget: Budget): boolean {
    const r = this.reader;
    const teams = this.teams.teamIDs;
    let sinceCheck = 0;
    while (this.teamCursor < teams.length) {
      if (this.units === undefined) {
        // Enemies: only units in LOS or radar (the engine filters).
        this.units = r.teamUnits(teams[this.teamCursor]) ?? [];
        this.unitCursor = 0;
      }
      const units = this.units;
      while (this.unitCursor < units.length) {
        const unitID = units[this.unitCursor];
        this.unitCursor += 1;
        if (this.seen.get(unitID) !== this.scan) {
          const teamID = r.unitTeam(unitID);
          const [x, z] = r.unitPosition(unitID);
          if (teamID !== undefined && x !== undefined && z !== undefined) {
            this.seen.set(unitID, this.scan);
            this.rows.push({
              unitID,
              unitDefID: r.unitDefID(unitID),
              teamID,
              x,
              z,
              health: r.unitHealthFraction(unitID),
            });
          }
        }
        sinceCheck += 1;
        if (sinceCheck >= POSITIONS_PER_CHECK) {
          sinceCheck = 0;
          if (budget.expired()) return false;
        }
      }
      this.units = undefined;
      this.teamCursor += 1;
    }
    this.out.push({
      type: "positions",
      frame: budget.gameFrame,
      fromFrame: this.fromFrame,
      units: this.rows,
    });
    this.lastScan = {
      units: this.rows.length,
      seconds: budget.now - this.fromTime,
      frames: budget.gameFrame - this.fromFrame,
    };
    this.rows = [];
    return true;
  }
}
