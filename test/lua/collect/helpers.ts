import type { Job } from "../../../src/collect/budget";
import type { Change } from "../../../src/collect/model";
import { CountingBudget } from "../fakes/fake-game";

/** Runs one run of `job` (begin, then steps of `checks` looks each); returns the steps taken. */
export function runJob(
  this: void,
  job: Job,
  frame: number,
  checks = 1_000_000,
  maxSteps = 10_000,
): number {
  const budget = new CountingBudget().reset(checks, frame);
  if (job.begin !== undefined) job.begin(budget);
  for (let steps = 1; steps <= maxSteps; steps++) {
    budget.reset(checks, frame);
    if (job.step(budget)) return steps;
  }
  throw `job did not finish in ${maxSteps} steps`;
}

/** The changes of one type. */
export function ofType<T extends Change["type"]>(
  this: void,
  changes: Change[],
  type: T,
): Extract<Change, { type: T }>[] {
  return changes.filter((c) => c.type === type) as Extract<Change, { type: T }>[];
}
