// Finds a Chromium for the browser tests: CHROMIUM_PATH, else Debian's /usr/bin/chromium.
// Absent, the tests are skipped with a message, except under CI=true where they must run.
import { existsSync } from "node:fs";

export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((candidate) => candidate && existsSync(candidate)) ?? null;
}

export function browserSkipReason(): string | null {
  if (chromiumPath() !== null) return null;
  const message =
    "no Chromium found (set CHROMIUM_PATH, or run `npm run setup:browser` as root on Debian/Ubuntu)";
  if (process.env.CI === "true") throw new Error(`browser tests must run under CI: ${message}`);
  return message;
}
