// Builds the widget: checks the architecture, type-checks and transpiles src/ into one
// Lua 5.1 file. `node tools/build.mjs tests` builds the spec bundle (src/ with
// test/lua/) instead, `all` both. Plain Node so it runs the same on every OS.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkArchitecture } from "./check-architecture.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tstl = join(dirname(require.resolve("typescript-to-lua/package.json")), "dist", "tstl.js");

const BUNDLES = {
  widget: { config: "tstl.json", output: join(root, "build", "api_live_data_export.lua") },
  tests: { config: "tstl.tests.json", output: join(root, "build", "tests.lua") },
};

/** Builds one bundle; returns an error message or undefined. */
function build({ config, output }) {
  rmSync(output, { force: true });
  // tstl writes its output even when type checking fails, so the exit code decides.
  const result = spawnSync(process.execPath, [tstl, "-p", join(root, config)], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    rmSync(output, { force: true });
    return `tstl exited with ${result.status ?? result.signal}`;
  }
  if (!existsSync(output)) return `${output} was not written`;
  // BAR's widget environment has no _G: a bundle that reads it fails to load there.
  const source = readFileSync(output, "utf8");
  if (/\b_G\b/.test(source)) {
    return `${output} refers to _G, which BAR's widget environment lacks`;
  }
  console.log(`built ${output} (${Buffer.byteLength(source)} bytes)`);
  return undefined;
}

const which = process.argv[2] ?? "widget";
if (!["widget", "tests", "all"].includes(which)) {
  console.error(`usage: node tools/build.mjs [widget|tests|all]`);
  process.exit(2);
}
const problems = checkArchitecture(join(root, "tsconfig.json"), root);
if (problems.length > 0) {
  for (const problem of problems) console.error(`architecture: ${problem}`);
  console.error("build failed: see docs/architecture.md for the layers and the engine adapter");
  process.exit(1);
}
for (const name of which === "all" ? ["widget", "tests"] : [which]) {
  const error = build(BUNDLES[name]);
  if (error !== undefined) {
    console.error(`build failed (${name}): ${error}`);
    process.exit(1);
  }
}
