// Builds the widget: type-checks and transpiles src/ into one Lua 5.1 file.
// Plain Node so it runs the same on Windows, macOS and Linux.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkArchitecture } from "./check-architecture.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tstl = join(dirname(require.resolve("typescript-to-lua/package.json")), "dist", "tstl.js");
const output = join(root, "build", "api_live_data_export.lua");

rmSync(output, { force: true });
const problems = checkArchitecture(join(root, "tsconfig.json"), root);
if (problems.length > 0) {
  for (const problem of problems) console.error(`architecture: ${problem}`);
  console.error("build failed: see docs/architecture.md for the layers and the engine adapter");
  process.exit(1);
}
// tstl writes its output even when type checking fails, so the exit code decides.
const result = spawnSync(process.execPath, [tstl, "-p", join(root, "tstl.json")], {
  cwd: root,
  stdio: "inherit",
});
if (result.status !== 0) {
  console.error(`build failed: tstl exited with ${result.status ?? result.signal}`);
  rmSync(output, { force: true });
  process.exit(1);
}
if (!existsSync(output)) {
  console.error(`build failed: ${output} was not written`);
  process.exit(1);
}

// BAR's widget environment has no _G: a bundle that reads it fails to load there.
const source = readFileSync(output, "utf8");
const globalRead = source.match(/\b_G\b/);
if (globalRead) {
  console.error("build failed: the bundle refers to _G, which BAR's widget environment lacks");
  process.exit(1);
}
console.log(`built ${output} (${Buffer.byteLength(source)} bytes)`);
