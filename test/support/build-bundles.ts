/**
 * vitest global setup: builds the widget and the spec bundle before the tests run,
 * and again before every re-run in watch mode, so no test ever runs a stale build/.
 * A build error (type error, architecture violation) stops the run.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { REPO_ROOT } from "./interpreters.ts";

let built: Promise<void> | undefined;

function buildAll(): Promise<void> {
  built ??= new Promise((resolve, reject) => {
    const result = spawnSync(process.execPath, [join(REPO_ROOT, "tools", "build.mjs"), "all"], {
      cwd: REPO_ROOT,
      stdio: "inherit",
    });
    if (result.status === 0) resolve();
    else reject(new Error("the build failed (see above): no test runs against a stale bundle"));
  });
  return built;
}

export default async function setup(project: TestProject): Promise<void> {
  project.onTestsRerun(async () => {
    built = undefined;
    await buildAll();
  });
  await buildAll();
}
