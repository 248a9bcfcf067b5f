/**
 * The machine's own stalls, as a frame-cost benchmark sees them (`npm run bench:stalls`).
 *
 * Plays the same scale game as tools/bench-collect.ts (16 teams x 625 units, 300 deaths a
 * second, 60 drawn frames a second, the host's --time-callins) with a control widget in
 * place of ours: its Update does a fixed amount of work and its unit call-ins return at
 * once. `--kind arithmetic`: additions only (no table, no string, no engine call: nothing
 * that can allocate, rehash or miss the caches for long); `--kind memory`: reads of
 * random slots of a big array (cache misses, nothing allocated). Frames of it over 2 ms
 * were made so by the machine (another guest or the hypervisor taking the CPU), which
 * this VM counts as the thread's CPU time (/proc/stat shows no steal time here). Compare
 * its frames' max and p99.9 with bench-collect's at a similar mean (set --iterations to
 * match): a widget frame over 2 ms at the control's rate is no evidence of a slow path
 * in the widget.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BarHost } from "../test/host/driver.ts";
import { worldConfig } from "../test/host/world-driver.ts";
import { frameCost } from "./bench/frame-cost.ts";
import { startReference } from "./bench/reference.ts";
import { fmt, parseArgs, prepareInterpreters, scaleGame, sleep, table } from "./bench/common.ts";

const USAGE = `tsx tools/bench-vm-stalls.ts [--runs N] [--kind arithmetic|memory] [--iterations N] [--seconds N] [--warmup N] [--lua double|float]

  --kind        arithmetic (default): additions only, nothing read from memory;
                memory: reads of random slots of a 32 MiB array made at load (cache
                misses, as a frame that walks the game's units after the simulation)
  --iterations  additions or reads per Update (default 20000 additions or 2000 reads:
                20000 additions took 0.16-0.23 ms a frame on our test VM, a little more
                than the collection's mean; 2000 reads: see their figures)`;

type Kind = "arithmetic" | "memory";

/** Slots of the memory control's array (16 bytes each in Lua 5.1: 32 MiB). */
const MEMORY_SLOTS = 2 * 1024 * 1024;

function controlWidget(kind: Kind, iterations: number): string {
  const work =
    kind === "arithmetic"
      ? `  local x = 0
  for i = 1, ${iterations} do x = x + i * 0.5 end
  sink = x`
      : // A fixed pseudo-random walk (the ZX81's LCG, exact in float numbers too), spread
        // 31 slots (496 bytes) apart: a different cache line every read, no allocation.
        `  local x, at = 0, seed
  for _ = 1, ${iterations} do
    at = (at * 75 + 74) % 65537
    x = x + slots[at * 31 + 1]
  end
  seed, sink = at, x`;
  return `-- tools/bench-vm-stalls.ts: a fixed amount of ${kind} work per Update, nothing else
function widget:GetInfo() return { name = "Stall control", layer = 0, enabled = true } end
local sink, seed = 0, 1
local slots = {}
${kind === "memory" ? `for i = 1, ${MEMORY_SLOTS} do slots[i] = i end` : ""}
function widget:Update()
${work}
end
function widget:UnitCreated() end
function widget:UnitFinished() end
function widget:UnitDestroyed() end
function widget:GameFrame() end
`;
}

async function main(): Promise<void> {
  const args = parseArgs(
    process.argv.slice(2),
    {
      runs: "number",
      kind: "string",
      iterations: "number",
      seconds: "number",
      warmup: "number",
      lua: "string",
    },
    USAGE,
  );
  const runs = Number(args.runs ?? 5);
  const kind = String(args.kind ?? "arithmetic");
  if (kind !== "arithmetic" && kind !== "memory") {
    console.error(`--kind takes arithmetic or memory, not ${kind}\n${USAGE}`);
    process.exit(2);
  }
  const iterations = Math.floor(Number(args.iterations ?? (kind === "memory" ? 2000 : 20000)));
  const seconds = Number(args.seconds ?? 20);
  const warmup = Number(args.warmup ?? 10);
  const numbers = String(args.lua ?? "double");
  if (
    !Number.isInteger(runs) ||
    runs < 1 ||
    !(iterations > 0) ||
    !(seconds > 0) ||
    !(warmup >= 0)
  ) {
    console.error(
      `--runs takes a whole number from 1, --iterations and --seconds positive numbers, --warmup 0 or more\n${USAGE}`,
    );
    process.exit(2);
  }
  const lua = prepareInterpreters().available.find((l) => l.numbers === numbers);
  if (lua === undefined) {
    console.error(`no ${numbers} Lua 5.1 interpreter: run \`npm run setup:lua\` (see README)`);
    process.exit(2);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), "ldx-bench-stalls-"));
  const widget = path.join(tmp, "stall_control.lua");
  writeFileSync(widget, controlWidget(kind, iterations));
  const reference = startReference([lua]);
  const rows: string[][] = [];
  try {
    for (let r = 1; r <= runs; r++) {
      const world = worldConfig(scaleGame(warmup + seconds + 30, 300));
      const host = await BarHost.start({
        interpreter: lua.path,
        widget,
        world: world.configPath,
        fps: 60,
        quietSockets: true,
        timeCallIns: true,
        luaGc: "engine",
        maxSeconds: warmup + seconds + 60,
      });
      try {
        await sleep(warmup * 1000);
        await host.resetStats();
        const start = Date.now();
        await sleep(seconds * 1000);
        const net = frameCost(await host.status(), []).net;
        rows.push([
          String(r),
          fmt(net.meanUs),
          fmt(net.medianUs),
          fmt(net.p99Us),
          fmt(net.p999Us),
          fmt(net.maxUs),
          String(net.count),
          fmt(reference.medianUs(start, Date.now()), 2),
        ]);
      } finally {
        await host.shutdown();
        rmSync(path.dirname(world.configPath), { recursive: true, force: true });
      }
    }
  } finally {
    reference.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(
    `\n# The machine's stalls: a control widget (${kind}: ${iterations} ${kind === "memory" ? "random reads" : "additions"} per Update) in the scale game\n`,
  );
  console.log(
    `${lua.name}; ${seconds} s measured after ${warmup} s, per run; CPU µs per drawn frame, net of ` +
      `the host's floor (as bench-collect's); machine ref as in bench-collect (lower is faster).\n`,
  );
  console.log(
    table(
      ["run", "net mean", "net median", "net p99", "net p99.9", "net max", "frames", "machine ref"],
      rows,
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
