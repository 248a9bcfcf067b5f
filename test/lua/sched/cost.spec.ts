/** CostMeter: the sums behind the cost report. */
import { describe, expect, it } from "../framework";
import { CostMeter } from "../../../src/sched/cost";

describe("CostMeter", () => {
  it("counts, keeps the largest value and sums", () => {
    const meter = new CostMeter();
    meter.add(120);
    meter.add(480.5);
    meter.add(3);
    expect(meter.count).toBe(3);
    expect(meter.maxUs).toBe(480.5);
    expect(meter.totalUs()).toBe(603.5);
  });

  it("carries whole seconds out of the sum without losing the rest", () => {
    const meter = new CostMeter();
    // 0.75 s worth per add: every add carries, and leaves a remainder.
    for (let i = 0; i < 1000; i++) meter.add(750_000.25);
    expect(meter.totalUs()).toBe(750_000_250);
  });

  it("starts over after reset", () => {
    const meter = new CostMeter();
    meter.add(2_500_000);
    meter.reset();
    expect(meter.count).toBe(0);
    expect(meter.maxUs).toBe(0);
    expect(meter.totalUs()).toBe(0);
    meter.add(7);
    expect(meter.totalUs()).toBe(7);
  });
});
