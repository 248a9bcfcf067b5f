/**
 * How fast this machine runs Lua while a benchmark measures (docs/performance.md, "The
 * machine's speed"). On the project's VMs the same CPU work takes up to 1.7 times as
 * long for minutes at a time (a fixed Lua loop: 0.71 against 1.22 µs a row within one
 * hour, with no other process running and no steal time reported), so a frame figure
 * means little without the machine's speed beside it.
 *
 * `startReference` runs tools/bench/reference.lua in a Lua interpreter on the side: every
 * `everyMs` it asks for one burst of a fixed workload (about 25 ms of CPU, a few per cent
 * of the other core) and records the CPU µs a round took, stamped with the time of the
 * answer. `medianUs(from, to)` is the median of the bursts answered in that window: lower
 * means a faster machine. Compare frame figures only from windows at similar speeds, or
 * run the two builds side by side (docs/performance.md).
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { BENCH_DIR, median, type LuaInterpreter } from "./common.ts";

const SCRIPT = path.join(BENCH_DIR, "reference.lua");

export interface Reference {
  /** Median µs per round of the bursts answered between the two times (ms since the epoch); undefined if none. */
  medianUs(fromMs: number, toMs: number): number | undefined;
  stop(): void;
}

/**
 * Starts the reference loop, a burst every `everyMs`, in the double interpreter of
 * `interpreters` (its `os.clock` is CPU time), else the first.
 */
export function startReference(interpreters: LuaInterpreter[], everyMs = 500): Reference {
  const lua = interpreters.find((l) => l.numbers === "double") ?? interpreters[0]!;
  const samples: { at: number; us: number }[] = [];
  const child: ChildProcess = spawn(lua.path, [SCRIPT], { stdio: ["pipe", "pipe", "ignore"] });
  let buffered = "";
  child.stdout!.on("data", (data: Buffer) => {
    buffered += data.toString();
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const us = Number(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (Number.isFinite(us)) samples.push({ at: Date.now(), us });
      newline = buffered.indexOf("\n");
    }
  });
  // A reference that cannot run leaves the column empty; the benchmark goes on.
  child.on("error", () => clearInterval(timer));
  child.stdin!.on("error", () => clearInterval(timer));
  const timer = setInterval(() => {
    if (child.stdin!.writable) child.stdin!.write("go\n");
  }, everyMs);
  return {
    medianUs(fromMs, toMs) {
      const inWindow = samples.filter((s) => s.at >= fromMs && s.at <= toMs).map((s) => s.us);
      return inWindow.length > 0 ? median(inWindow) : undefined;
    },
    stop() {
      clearInterval(timer);
      child.stdin!.end();
      child.kill();
    },
  };
}
