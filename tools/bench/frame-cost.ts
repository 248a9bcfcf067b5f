/**
 * The widget's cost per drawn frame from the host's --time-callins timings (CPU time):
 * `gross` is Update plus every call-in since the previous one, `floor` the same number of
 * empty call-ins timed the same way (the host's pcall and clock reads), `net` the frame
 * less its floor. Shared by the collection and the pipeline benchmarks.
 */
import type { HostStatus, TimingSummary } from "../../test/host/driver.ts";

export interface FrameCost {
  gross: TimingSummary;
  floor: TimingSummary;
  net: TimingSummary;
  /** One empty timed call. */
  callFloor: TimingSummary;
  update: TimingSummary;
  /** Each call-in's own CPU time, by name. */
  callins: Record<string, TimingSummary>;
}

export function frameCost(status: HostStatus, callins: string[]): FrameCost {
  const timings = status as unknown as Record<string, TimingSummary>;
  const own: Record<string, TimingSummary> = {};
  for (const name of callins) {
    const t = timings[`callinCpu${name}`];
    if (t !== undefined) own[name] = t;
  }
  return {
    gross: timings.frameCpu!,
    floor: timings.frameFloorCpu!,
    net: timings.frameNetCpu!,
    callFloor: timings.callinFloorCpu!,
    update: timings.updateCpu!,
    callins: own,
  };
}
