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
 * in the widget. `--kind send`: one LuaSocket `send` of a fixed line every game frame
 * (as the widget's connection makes) to a sink in its own process that only drains: what
 * the kernel's loopback path costs the game's thread, with no encoding at all.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import os from "node:os";
import path from "node:path";
import { BarHost } from "../test/host/driver.ts";
import { worldConfig } from "../test/host/world-driver.ts";
import { frameCost } from "./bench/frame-cost.ts";
import { startReference } from "./bench/reference.ts";
import { fmt, parseArgs, prepareInterpreters, scaleGame, sleep, table } from "./bench/common.ts";

const USAGE = `tsx tools/bench-vm-stalls.ts [--runs N] [--kind arithmetic|memory|send] [--iterations N] [--every N] [--seconds N] [--warmup N] [--lua double|float]

  --kind        arithmetic (default): additions only, nothing read from memory;
                memory: reads of random slots of a 32 MiB array made at load (cache
                misses, as a frame that walks the game's units after the simulation);
                send: one send of a line of --iterations bytes every --every game
                frames (default 1) on a no-delay loopback TCP connection to a sink
                process that only drains it
  --iterations  additions, reads or bytes per Update (default 20000 additions, 2000
                reads or 1500 bytes: 20000 additions took 0.16-0.23 ms a frame on our
                test VM, a little more than the collection's mean; 1500 bytes is a game
                frame's unit_events at 300 deaths a second)`;

type Kind = "arithmetic" | "memory" | "send";

/** A process that accepts loopback connections and drains them, counting the bytes. */
interface Sink {
  port: number;
  /** Bytes received so far (asked of the sink). */
  bytes(): Promise<number>;
  stop(): void;
}

const SINK_SCRIPT = `
const net = require("node:net");
let bytes = 0;
const server = net.createServer((s) => s.on("data", (d) => (bytes += d.length)).on("error", () => {}));
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("data", () => console.log(bytes));
process.stdin.on("end", () => process.exit(0));
`;

async function startSink(): Promise<Sink> {
  const proc = spawn(process.execPath, ["-e", SINK_SCRIPT], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: proc.stdout });
  const next = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the sink did not answer")), 10_000);
      lines.once("line", (line) => {
        clearTimeout(timer);
        resolve(Number(line));
      });
    });
  const port = await next();
  return {
    port,
    bytes: () => {
      const answer = next();
      proc.stdin.write("?\n");
      return answer;
    },
    stop: () => {
      proc.stdin.end();
      setTimeout(() => proc.kill(), 2000).unref();
    },
  };
}

/** Slots of the memory control's array (16 bytes each in Lua 5.1: 32 MiB). */
const MEMORY_SLOTS = 2 * 1024 * 1024;

function sendWidget(port: number, bytes: number, every: number): string {
  return `-- tools/bench-vm-stalls.ts: one send of ${bytes} bytes every ${every} game frames, nothing else
function widget:GetInfo() return { name = "Stall control", layer = 0, enabled = true } end
local line = string.rep("x", ${bytes - 1}) .. "\\n"
local client, connected, due
function widget:Initialize()
  client = socket.tcp()
  client:settimeout(0)
  client:connect("127.0.0.1", ${port})
end
function widget:GameFrame(n)
  if n % ${every} == 0 then due = true end
end
function widget:Update()
  if not connected then
    local _, writable = socket.select(nil, { client }, 0)
    if writable[1] == nil then return end
    connected = true
    client:setoption("tcp-nodelay", true)
  end
  if due then
    due = false
    client:send(line)
  end
end
function widget:Shutdown() client:close() end
function widget:UnitCreated() end
function widget:UnitFinished() end
function widget:UnitDestroyed() end
`;
}

function controlWidget(kind: Exclude<Kind, "send">, iterations: number): string {
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
  if (kind !== "arithmetic" && kind !== "memory" && kind !== "send") {
    console.error(`--kind takes arithmetic, memory or send, not ${kind}\n${USAGE}`);
    process.exit(2);
  }
  const defaultIterations = { arithmetic: 20000, memory: 2000, send: 1500 }[kind];
  const iterations = Math.floor(Number(args.iterations ?? defaultIterations));
  const every = Number(args.every ?? 1);
  const seconds = Number(args.seconds ?? 20);
  const warmup = Number(args.warmup ?? 10);
  const numbers = String(args.lua ?? "double");
  if (
    !Number.isInteger(runs) ||
    runs < 1 ||
    !(iterations > 0) ||
    !Number.isInteger(every) ||
    every < 1 ||
    !(seconds > 0) ||
    !(warmup >= 0)
  ) {
    console.error(
      `--runs and --every take whole numbers from 1, --iterations and --seconds positive numbers, --warmup 0 or more\n${USAGE}`,
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
  const sink = kind === "send" ? await startSink() : undefined;
  writeFileSync(
    widget,
    sink === undefined
      ? controlWidget(kind as Exclude<Kind, "send">, iterations)
      : sendWidget(sink.port, iterations, every),
  );
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
        const bytesBefore = await sink?.bytes();
        await sleep(seconds * 1000);
        const net = frameCost(await host.status(), []).net;
        const bytesAfter = await sink?.bytes();
        const kibPerSecond =
          bytesBefore === undefined || bytesAfter === undefined
            ? undefined
            : (bytesAfter - bytesBefore) / 1024 / ((Date.now() - start) / 1000);
        rows.push([
          String(r),
          fmt(net.meanUs),
          fmt(net.medianUs),
          fmt(net.p99Us),
          fmt(net.p999Us),
          fmt(net.maxUs),
          String(net.count),
          ...(sink === undefined ? [] : [fmt(kibPerSecond)]),
          fmt(reference.medianUs(start, Date.now()), 2),
        ]);
      } finally {
        await host.shutdown();
        rmSync(path.dirname(world.configPath), { recursive: true, force: true });
      }
    }
  } finally {
    reference.stop();
    sink?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  const work =
    kind === "send"
      ? `a send of ${iterations} bytes every ${every} game frame${every === 1 ? "" : "s"}`
      : `${iterations} ${kind === "memory" ? "random reads" : "additions"} per Update`;
  console.log(`\n# The machine's stalls: a control widget (${kind}: ${work}) in the scale game\n`);
  console.log(
    `${lua.name}; ${seconds} s measured after ${warmup} s, per run; CPU µs per drawn frame, net of ` +
      `the host's floor (as bench-collect's); machine ref as in bench-collect (lower is faster).\n`,
  );
  console.log(
    table(
      [
        "run",
        "net mean",
        "net median",
        "net p99",
        "net p99.9",
        "net max",
        "frames",
        ...(sink === undefined ? [] : ["sink KiB/s"]),
        "machine ref",
      ],
      rows,
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
