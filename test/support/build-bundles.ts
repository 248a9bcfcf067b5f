/**
 * vitest global setup: builds the widget and the spec bundle before the tests run,
 * and again before every re-run in watch mode, so no test ever runs a stale build/.
 * A build error (type error, architecture violation) stops the run.
 *
 * The unit and the e2e project both name this setup, and vitest loads it once per
 * project in the same process: the build is shared through `globalThis`, so a run (or a
 * re-run) builds once, not once per project.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { REPO_ROOT } from "./interpreters.ts";

interface Build {
  promise: Promise<void>;
  done: boolean;
}

const KEY = Symbol.for("live-data-export.bundle-build");
const shared = globalThis as { [KEY]?: Build };

function startBuild(): Build {
  const build: Build = { promise: Promise.resolve(), done: false };
  build.promise = new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "tools", "build.mjs"), "all"], {
      cwd: REPO_ROOT,
      stdio: "inherit",
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error("the build failed (see above): no test runs against a stale bundle"));
    });
  }).finally(() => {
    build.done = true;
  });
  return build;
}

/**
 * The build in progress or done; a new one when there is none, or when `fresh` (a
 * re-run) and the last one is over: the first project's hook starts it, the others wait.
 */
function bundles(fresh: boolean): Promise<void> {
  const current = shared[KEY];
  if (current === undefined || (fresh && current.done)) shared[KEY] = startBuild();
  return shared[KEY]!.promise;
}

export default async function setup(project: TestProject): Promise<void> {
  project.onTestsRerun(() => bundles(true));
  await bundles(false);
}
