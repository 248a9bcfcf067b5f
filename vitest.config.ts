import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The order the projects of a group start in, by name. vitest's own order is
 * alphabetical, which started the unit project's two long files (the specs and the
 * whole-bundle tests, a minute or more each) last, so one core idled at the end of the
 * group; started first, the short files fill the other core around them. Within a
 * project, vitest's order (failed first, then longest last time).
 */
const PROJECT_ORDER = ["unit", "receiver", "protocol"];

class ProjectsInOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = PROJECT_ORDER.indexOf(f.project.name);
      return i < 0 ? PROJECT_ORDER.length : i;
    };
    const position = new Map(base.map((f, i) => [f, i]));
    return [...base].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        rank(a) - rank(b) ||
        position.get(a)! - position.get(b)!,
    );
  }
}

/**
 * End-to-end files without timing checks: nothing they check depends on how fast the
 * machine is (correctness against the world's truth, the protocol, the recording), so two
 * of them may share the machine. Every other e2e file checks frame costs, retry delays or
 * the frame budget in real time and runs alone. A new e2e file runs alone unless listed.
 */
const E2E_UNTIMED = [
  "test/e2e/protocol.test.ts",
  "test/e2e/lifecycle.test.ts",
  "test/e2e/pipeline.test.ts",
  "test/e2e/world-collect-games.test.ts",
  "test/e2e/world-games.test.ts",
  "test/e2e/world-colorado.test.ts",
  "test/e2e/world-determinism.test.ts",
  "test/e2e/world-rules.test.ts",
];

export default defineConfig({
  test: {
    // Vitest's default leaves a core free (one worker on a 2-core machine); the unit,
    // receiver and protocol files are independent and CPU-bound, so use every core. The
    // timed e2e files still run one at a time (below).
    maxWorkers: Math.max(2, availableParallelism()),
    sequence: { sequencer: ProjectsInOrder },
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
          name: "e2e-untimed",
          include: E2E_UNTIMED,
          globalSetup: ["test/support/build-bundles.ts"],
          // After the unit, receiver and protocol files (real sockets and real time beside
          // CPU-bound files would only make both slower), two files at a time.
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          exclude: E2E_UNTIMED,
          globalSetup: ["test/support/build-bundles.ts"],
          // Last, alone: the frame-cost checks time real frames, and CPU-heavy tests on
          // the other core would distort them.
          sequence: { groupOrder: 2 },
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
