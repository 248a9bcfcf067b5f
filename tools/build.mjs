// Builds the widget: checks the architecture, type-checks and transpiles src/ into one
// Lua 5.1 file. `node tools/build.mjs tests` builds the spec bundle (src/ with
// test/lua/) instead, `all` both (at once: two compilers, one per core). Plain Node so it
// runs the same on every OS.
import { spawn } from "node:child_process";
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

/** Runs tstl on `config`; resolves with its exit code, or the signal that ended it. */
function transpile(config) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tstl, "-p", join(root, config)], {
      cwd: root,
      stdio: "inherit",
    });
    child.on("error", (error) => resolve(error.message));
    child.on("exit", (code, signal) => resolve(code ?? signal));
  });
}

/** Builds one bundle; resolves with an error message or undefined. */
async function build({ config, output }) {
  rmSync(output, { force: true });
  // tstl writes its output even when type checking fails, so the exit code decides.
  const status = await transpile(config);
  if (status !== 0) {
    rmSync(output, { force: true });
    return `tstl exited with ${status}`;
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
const names = which === "all" ? ["widget", "tests"] : [which];
const errors = await Promise.all(names.map((name) => build(BUNDLES[name])));
let failed = false;
errors.forEach((error, i) => {
  if (error === undefined) return;
  console.error(`build failed (${names[i]}): ${error}`);
  failed = true;
});
if (failed) process.exit(1);
