// Runs before the tests: builds the widget, then (on Linux) makes sure the Lua 5.1
// interpreters for the end-to-end suite exist. tools/setup-lua.sh is cached and
// returns at once when they do; as root it installs what is missing with apt-get,
// otherwise it prints the command to run. Without them the end-to-end tests say how
// to get them (and fail under CI), so this step never fails the run by itself.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: "inherit" }).status;

if (run(process.execPath, [join(root, "tools", "build.mjs")]) !== 0) {
  process.exit(1);
}
if (process.platform === "linux") {
  if (run("bash", [join(root, "tools", "setup-lua.sh")]) !== 0) {
    console.warn(
      "prepare-tests: the Lua interpreters are not ready; the end-to-end tests will say what is missing",
    );
  }
} else {
  console.warn(
    "prepare-tests: the end-to-end tests need Linux (Lua 5.1 + LuaSocket); only unit tests will run here",
  );
}
