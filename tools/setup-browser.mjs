// npm run setup:browser -- installs the Chromium the overlay's browser tests drive.
// Debian/Ubuntu as root: apt-get install chromium. Elsewhere (Windows, macOS, no root) it
// only explains what to do: any installed Chrome, Chromium or Edge works via CHROMIUM_PATH.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";

const KNOWN = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const found = [process.env.CHROMIUM_PATH, ...KNOWN].find((p) => p && existsSync(p));
if (found) {
  console.log(`Chromium is installed: ${found}`);
  process.exit(0);
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (process.platform === "linux" && isRoot && existsSync("/usr/bin/apt-get")) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args) => spawnSync("apt-get", args, { stdio: "inherit", env }).status === 0;
  if (
    run(["update", "-qq"]) &&
    run(["install", "-y", "-qq", "--no-install-recommends", "chromium"])
  ) {
    console.log("Chromium installed: /usr/bin/chromium");
    process.exit(0);
  }
  console.error("apt-get could not install chromium");
  process.exit(1);
}

console.log(`No Chromium found. The overlay's browser tests are skipped without one.
- Debian/Ubuntu: run this again as root (it runs apt-get install chromium).
- Windows, macOS or another Linux: install Chrome, Chromium or Edge and set CHROMIUM_PATH
  to its executable, e.g.
    Windows:  set CHROMIUM_PATH=C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe
    macOS:    export CHROMIUM_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"`);
