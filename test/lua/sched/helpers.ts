/** Work items for the scheduler specs: each spends fake time as its work. */
import type { Slice, Work } from "../../../src/sched/work";
import type { FakeStopwatch } from "../fakes/fake-stopwatch";

/** Never finishes: does units of `unitUs` until its slice expires (a sender with a full queue). */
export class Hungry implements Work {
  units = 0;
  constructor(
    private readonly stopwatch: FakeStopwatch,
    private readonly unitUs = 1,
  ) {}

  step(slice: Slice): boolean {
    do {
      this.stopwatch.spend(this.unitUs);
      this.units += 1;
    } while (!slice.expired());
    return false;
  }
}

/** Spends `costUs` once per run and finishes it (a periodic sample). */
export class Fixed implements Work {
  runs = 0;
  steps = 0;
  constructor(
    private readonly stopwatch: FakeStopwatch,
    public costUs: number,
  ) {}

  begin(): void {
    this.runs += 1;
  }

  step(): boolean {
    this.steps += 1;
    this.stopwatch.spend(this.costUs);
    return true;
  }
}

/**
 * A resumable job over `count` items with a cursor (a unit scan): each item costs
 * `itemUs`, and the job looks at the clock after every item. Records the order in
 * which items were processed and the cursor's value at each `begin`.
 */
export class Scan implements Work {
  cursor = 0;
  processed: number[] = [];
  begins = 0;
  constructor(
    private readonly stopwatch: FakeStopwatch,
    private readonly count: number,
    private readonly itemUs: number,
  ) {}

  begin(): void {
    this.begins += 1;
    this.cursor = 0;
  }

  step(slice: Slice): boolean {
    while (this.cursor < this.count) {
      this.cursor += 1;
      this.processed.push(this.cursor);
      this.stopwatch.spend(this.itemUs);
      if (slice.expired()) return this.cursor >= this.count;
    }
    return true;
  }
}
