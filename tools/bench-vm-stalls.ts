/**
 * The machine's own stalls, as a frame-cost benchmark sees them (`npm run bench:stalls`).
 *
 * Plays the same scale game as tools/bench-collect.ts (16 teams x 625 units, 300 deaths a
 * second, 60 drawn frames a second, the host's --time-callins) with a control widget in
 * place of ours: its Update does a fixed amount of pure arithmetic (no table, no string,
 * no engine call: nothing that can allocate, rehash or miss the caches for long) and its
 * unit call-ins return at once. Whatever frames of it take over 2 ms were made so by the
 * machine (another guest or the hypervisor taking the CPU), which this VM counts as the
 * thread's CPU time (/proc/stat shows no steal time here). Compare its frames' max and
 * p99.9 with bench-collect's at a similar mean: a widget frame over 2 ms at the control's
 * rate is no evidence of a slow path in the widget.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BarHost } from "../test/host/driver.ts";
import { worldConfig } from "../test/host/world-driver.ts";
import { frameCost } from "./bench/frame-cost.ts";
import { startReference } from "./bench/reference.ts";
import { fmt, parseArgs, prepareInterpreters, scaleGame, sleep, table } from "./bench/common.ts";

const USAGE = `tsx tools/bench-vm-stalls.ts [--runs N] [--iterations N] [--seconds N] [--warmup N] [--lua double|float]

  --iterations  additions per Update (default 20000: about 0.13-0.2 ms on our test VM,
                the collection's mean frame)`;

function controlWidget(iterations: number): string {
  return `-- tools/bench-vm-stalls.ts: fixed pure arithmetic per Update, nothing else
function widget:GetInfo() return { name = "Stall control", layer = 0, enabled = true } end
local sink = 0
function widget:Update()
  local x = 0
  for i = 1, ${iterations} do x = x + i * 0.5 end
  sink = x
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
    { runs: "number", iterations: "number", seconds: "number", warmup: "number", lua: "string" },
    USAGE,
  );
  const runs = Number(args.runs ?? 5);
  const iterations = Math.floor(Number(args.iterations ?? 20000));
  const seconds = Number(args.seconds ?? 20);
  const warmup = Number(args.warmup ?? 10);
  const numbers = String(args.lua ?? "double");
  if (!(iterations > 0) || !(runs > 0) || !(seconds > 0) || !(warmup >= 0)) {
    console.error(`--runs, --iterations and --seconds take positive numbers\n${USAGE}`);
    process.exit(2);
  }
  const lua = prepareInterpreters().available.find((l) => l.numbers === numbers);
  if (lua === undefined) {
    console.error(`no ${numbers} Lua 5.1 interpreter: run \`npm run setup:lua\` (see README)`);
    process.exit(2);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), "ldx-bench-stalls-"));
  const widget = path.join(tmp, "stall_control.lua");
  writeFileSync(widget, controlWidget(iterations));
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
      }
    }
  } finally {
    reference.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(
    `\n# The machine's stalls: a control widget (${iterations} additions per Update) in the scale game\n`,
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
