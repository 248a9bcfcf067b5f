// Creates a folder and its missing parents, failing at once where that is impossible.
// Not fs.mkdirSync(dir, { recursive: true }): Node 20's version retries forever, at full CPU,
// when a parent exists but refuses to hold a new folder with ENOENT (procfs: mkdir("/proc/x")
// says ENOENT while /proc exists), so `--recordings /proc/x` hung the whole receiver. Here
// each level is tried at most twice: once, and once more after its parent was made.
import fs from "node:fs";
import path from "node:path";

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** mkdir that accepts a folder already there; throws anything else (a file in the way too). */
function makeOne(dir: string): void {
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    if (codeOf(error) === "EEXIST" && isDirectory(dir)) return;
    throw error;
  }
}

export function makeDirectory(dir: string): void {
  try {
    makeOne(dir);
    return;
  } catch (error) {
    const parent = path.dirname(dir);
    if (codeOf(error) !== "ENOENT" || parent === dir) throw error;
    makeDirectory(parent);
  }
  // The parent exists now: a second ENOENT is final.
  makeOne(dir);
}
