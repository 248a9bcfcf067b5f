import { availableParallelism } from "node:os";
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Within a group, the files that took longest last time start first, whatever their
 * project (vitest's own order runs the projects of a group one after the other, so the
 * unit project's two long files started last and one core idled at the end). Files
 * without a recorded duration keep vitest's order, before the others.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const root = this.ctx.config.root;
    const rows = base.map((file, index) => ({
      file,
      index,
      group: file.project.config.sequence.groupOrder,
      ms: this.ctx.cache.getFileTestResults(`${file.project.name}:${relative(root, file.moduleId)}`)
        ?.duration,
    }));
    rows.sort((a, b) => {
      if (a.group !== b.group) return a.group - b.group;
      if (a.ms === undefined || b.ms === undefined) {
        if (a.ms !== b.ms) return a.ms === undefined ? -1 : 1;
        return a.index - b.index;
      }
      return b.ms - a.ms || a.index - b.index;
    });
    return rows.map((r) => r.file);
  }
}

export default defineConfig({
  test: {
    // Vitest's default leaves a core free (one worker on a 2-core machine); the unit,
    // receiver and protocol files are independent and CPU-bound, so use every core. The
    // e2e project still runs one file at a time (below).
    maxWorkers: Math.max(2, availableParallelism()),
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          globalSetup: ["test/support/build-bundles.ts"],
          sequence: { groupOrder: 0 },
          // fengari runs the widget's longest specs (minutes of frames) in 8-10 s on an
          // idle machine; a loaded one has taken twice as long.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "receiver",
          include: ["test/receiver/**/*.test.ts"],
          sequence: { groupOrder: 0 },
          // Real sockets, child processes and a browser beside the other projects' files.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "protocol",
          include: ["test/protocol/**/*.test.ts"],
          globalSetup: ["test/protocol/global-setup.ts"],
          sequence: { groupOrder: 0 },
          // The encoder tests transpile and run Lua; the schema test runs the generator.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/build-bundles.ts"],
          // After the other projects, alone: the frame-cost checks time real frames, and
          // CPU-heavy unit tests on the other core would distort them.
          sequence: { groupOrder: 1 },
          // Real sockets and real time: one file at a time so frame timings are not
          // distorted by a second suite competing for the two cores.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
