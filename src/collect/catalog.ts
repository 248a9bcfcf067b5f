/**
 * The unit definition catalog: every `UnitDefs` entry (about 1,000-2,000 in BAR),
 * read once, a few per step (each is a dozen proxy-table reads, which cost about as
 * much as a `Spring.` call), and cached. Ids run 1..N (RecoilEngine
 * rts/Sim/Units/UnitDefHandler.cpp, sorted by name), so the cursor stops at the first
 * id without an entry.
 */
import type { Budget, Job } from "./budget";
import type { UnitDefInfo } from "./model";
import type { GameReader } from "./reader";

export class UnitDefCatalog implements Job {
  readonly entries: UnitDefInfo[] = [];
  complete = false;
  /** Told once, when the last entry is read (the protocol's bulk job encodes it then). */
  onComplete: ((this: void) => void) | undefined;
  private nextID = 1;

  constructor(private readonly reader: GameReader) {}

  step(budget: Budget): boolean {
    while (!this.complete) {
      const unitDefID = this.nextID as UnitDefID;
      const d = this.reader.unitDef(unitDefID);
      if (d === undefined) {
        this.complete = true;
        if (this.onComplete !== undefined) this.onComplete();
        break;
      }
      this.entries.push({
        unitDefID,
        name: d.name,
        humanName: d.humanName,
        metalCost: d.metalCost,
        energyCost: d.energyCost,
        buildTime: d.buildTime,
        health: d.health,
        speed: d.speed,
        buildSpeed: d.buildSpeed,
        isBuilding: d.isBuilding,
        isFactory: d.isFactory,
        isBuilder: d.isBuilder,
        unitgroup: d.unitgroup,
        techlevel: d.techlevel,
        iscommander: d.iscommander,
        weaponCount: d.weaponCount,
      });
      this.nextID += 1;
      if (budget.expired()) return false;
    }
    return true;
  }
}
