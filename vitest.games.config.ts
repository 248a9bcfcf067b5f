// `npm run test:games`: the whole pipeline on every shared real game, view and fault seed
// (test/games/), too long for `npm test`, which runs one game (test/e2e/pipeline.test.ts).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/games/**/*.test.ts"],
    globalSetup: ["test/support/build-bundles.ts"],
    // Real sockets and real time, as the e2e project: one file at a time.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
