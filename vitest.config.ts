import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Vitest's default leaves a core free (one worker on a 2-core machine); the unit,
    // receiver and protocol files are independent and CPU-bound, so use every core. The
    // e2e project still runs one file at a time (below).
    maxWorkers: Math.max(2, availableParallelism()),
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
