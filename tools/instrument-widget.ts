/**
 * A copy of the built widget that times chosen methods (`tsx tools/instrument-widget.ts`):
 * where a frame's time goes inside the widget, in the host (docs/performance.md, "Timing
 * inside the widget").
 *
 * Each `module:Class.method` (a module of the bundle, e.g. `src.protocol.session`, and a
 * class it exports) is wrapped at load: the wrapper reads `os.clock()` (the process's
 * CPU time: another process taking the CPU does not count) before and after each call,
 * and every --every drawn frames the widget echoes one `PROFILE` line with each method's
 * calls, mean, per-frame share and slowest call in µs (a method whose second argument is
 * a table with a `type` is timed per type: `Session.handle:unit_created`). A call over
 * --slow µs is echoed at once (`PROFILE-SLOW`, with the game frame). Nested methods count
 * in both. The wrapper costs about 0.15 µs a call besides its two clock reads: `os.clock`
 * is a system call of about 1.4 µs on this VM (kvm-clock), and half of each read lands
 * inside the time measured, so short calls read about 1.4 µs long. `--clock timer` reads
 * the engine's micro timer instead (the host's is 0.06 µs a read, 1 µs steps, differences
 * taken in C): wall time, so a call that loses the CPU reads long, but short calls read
 * true on a quiet machine.
 *
 * Only for the host: BAR's widgets may not have `os.clock`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BUNDLE_ENTRY, bundleEntryAt } from "./bench/bundle.ts";
import { WIDGET_FILE, parseArgs } from "./bench/common.ts";

const USAGE = `tsx tools/instrument-widget.ts --methods module:Class.method[,...] [--out FILE] [--in FILE] [--every N] [--slow US] [--worst N --roots LABEL,...]

  e.g. --methods src.protocol.session:Session.handle,src.protocol.backlog:Backlog.add
  --in     the built widget (default ${path.relative(process.cwd(), WIDGET_FILE)})
  --out    where the copy goes (default build/profiled_widget.lua); run it with the host's --widget
  --every  drawn frames per PROFILE line (default 600)
  --slow   echo each call slower than this, in µs (default 2000)
  --worst  each report also echoes the N drawn frames whose --roots (labels of the chosen
           methods, e.g. LiveDataApp.update,Collector.unitCreated) cost most, with every
           label's time in that frame (PROFILE-WORST): what the slowest frames are made of
  --clock  cpu: os.clock (the process's CPU time, about 1.4 µs a read here; default);
           timer: Spring.GetTimerMicros (wall time, 1 µs steps, 0.06 µs a read)`;

/** The wrapper and reporter, put at the top of the bundle (Lua 5.1). */
function prelude(
  every: number,
  slowUs: number,
  worst: number,
  roots: string[],
  clock: "cpu" | "timer",
): string {
  const rootSet = roots.map((r) => `[${JSON.stringify(r)}] = true`).join(", ");
  return `
local __prof_total, __prof_calls, __prof_max = {}, {}, {}
local __prof_frame, __prof_worst, __prof_roots = {}, {}, { ${rootSet} }
-- __prof_start() marks a call's start; __prof_us(mark) is the µs since. With the timer
-- the mark is the engine's raw timer and DiffTimers subtracts in C: the difference stays
-- exact however long the game has run, also with float numbers (seconds since load
-- would have 4 µs steps after half a minute under float).
local __prof_start, __prof_us
if ${JSON.stringify(clock)} == "timer" then
  local timer, diff = Spring.GetTimerMicros, Spring.DiffTimers
  __prof_start = timer
  __prof_us = function(mark) return diff(timer(), mark, false, true) * 1e6 end
else
  local clock = os.clock
  __prof_start = clock
  __prof_us = function(mark) return (clock() - mark) * 1e6 end
end
local function __prof_wrap(owner, key, name)
  local f = owner and owner[key]
  if f == nil then Spring.Echo("PROFILE missing " .. name) return end
  owner[key] = function(...)
    local _, second = ...
    local label = name
    if type(second) == "table" and type(second.type) == "string" then label = name .. ":" .. second.type end
    local t0 = __prof_start()
    local a, b, c, d = f(...)
    local us = __prof_us(t0)
    __prof_total[label] = (__prof_total[label] or 0) + us
    __prof_frame[label] = (__prof_frame[label] or 0) + us
    __prof_calls[label] = (__prof_calls[label] or 0) + 1
    if us > (__prof_max[label] or 0) then __prof_max[label] = us end
    if us > ${slowUs} then Spring.Echo(string.format("PROFILE-SLOW %s %.0f us at frame %d", label, us, Spring.GetGameFrame())) end
    return a, b, c, d
  end
end
local __prof_frames = 0
local function __prof_keep_frame()
  local rootUs = 0
  for label, us in pairs(__prof_frame) do
    if __prof_roots[label] then rootUs = rootUs + us end
  end
  if ${worst} > 0 then
    local n = #__prof_worst
    if n < ${worst} or rootUs > __prof_worst[n].us then
      local parts = {}
      for label, us in pairs(__prof_frame) do parts[#parts + 1] = string.format("%s=%.0f", label, us) end
      table.sort(parts)
      if n >= ${worst} then __prof_worst[n] = nil end
      __prof_worst[#__prof_worst + 1] = { us = rootUs, text = string.format("%.0f us (game frame %d): ", rootUs, Spring.GetGameFrame()) .. table.concat(parts, " ") }
      table.sort(__prof_worst, function(a, b) return a.us > b.us end)
    end
  end
  __prof_frame = {}
end
local function __prof_report()
  __prof_keep_frame()
  __prof_frames = __prof_frames + 1
  if __prof_frames % ${every} ~= 0 then return end
  local out = {}
  for label, us in pairs(__prof_total) do
    local n = __prof_calls[label]
    out[#out + 1] = string.format("%s calls=%d mean=%.2f perFrame=%.1f max=%.0f", label, n, us / n, us / ${every}, __prof_max[label] or 0)
  end
  table.sort(out)
  Spring.Echo("PROFILE " .. table.concat(out, " | "))
  for _, w in ipairs(__prof_worst) do Spring.Echo("PROFILE-WORST " .. w.text) end
  __prof_total, __prof_calls, __prof_max, __prof_worst = {}, {}, {}, {}
end
`;
}

function wrapCalls(methods: string[]): string {
  return methods
    .map((spec) => {
      const match = /^([\w.-]+):(\w+)\.(\w+)$/.exec(spec);
      if (match === null) throw new Error(`not module:Class.method: ${spec}\n\n${USAGE}`);
      const [, module, cls, method] = match;
      return `__prof_wrap(require("${module}").${cls}.prototype, "${method}", "${cls}.${method}")`;
    })
    .join("\n");
}

function main(): void {
  const args = parseArgs(
    process.argv.slice(2),
    {
      methods: "string",
      out: "string",
      in: "string",
      every: "number",
      slow: "number",
      worst: "number",
      roots: "string",
      clock: "string",
    },
    USAGE,
  );
  if (args.methods === undefined) {
    console.error(USAGE);
    process.exit(2);
  }
  const input = String(args.in ?? WIDGET_FILE);
  const output = String(args.out ?? path.join(path.dirname(WIDGET_FILE), "profiled_widget.lua"));
  const every = Number(args.every ?? 600);
  const slow = Number(args.slow ?? 2000);
  const worst = Number(args.worst ?? 0);
  const roots = args.roots === undefined ? [] : String(args.roots).split(",");
  if (worst > 0 && roots.length === 0) throw new Error(`--worst needs --roots\n\n${USAGE}`);
  const clock = String(args.clock ?? "cpu");
  if (clock !== "cpu" && clock !== "timer") throw new Error(`--clock cpu|timer\n\n${USAGE}`);
  const source = readFileSync(input, "utf8");
  const at = bundleEntryAt(source, input);
  const firstLine = source.indexOf("\n") + 1;
  if (firstLine <= 0) throw new Error(`${input} is not a widget bundle (one line only)`);
  const tail = [
    BUNDLE_ENTRY,
    wrapCalls(String(args.methods).split(",")),
    // widget.Update is timed too, as the label `widget.Update` (a root for --worst).
    "do local update = widget.Update; widget.Update = function(...) local t0 = __prof_start(); local r = update(...); __prof_frame['widget.Update'] = (__prof_frame['widget.Update'] or 0) + __prof_us(t0); __prof_report(); return r end end",
  ].join("\n");
  const out =
    source.slice(0, firstLine) +
    prelude(every, slow, worst, roots, clock) +
    source.slice(firstLine, at) +
    tail +
    source.slice(at + BUNDLE_ENTRY.length);
  writeFileSync(output, out);
  console.log(`wrote ${output}`);
}

main();
