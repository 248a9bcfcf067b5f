/**
 * Collection benchmark (`npm run bench` runs it after tools/bench.ts; alone:
 * `tsx tools/bench-collect.ts`).
 *
 * Plays the host's scale game (16 teams, 625 units each, a battle destroying and
 * rebuilding 300 units every game second, full view) in real time (30 game frames a
 * second, drawn at --fps) with the built widget, disconnected (no receiver: the
 * connection costs nothing, but the session still encodes every change into its
 * backlog for a receiver that comes later), under the double and the float
 * interpreter, for each situation: the default categories, positions on, damage on,
 * and the default at 100 deaths a second. After at least --warmup seconds, and once
 * the opening's changes are sent (the 10,000 units' UnitCreated and UnitFinished; at
 * most --max-warmup seconds: a widget that cannot keep up never gets there, and the
 * table says so), the host's timings are reset
 * and --seconds seconds are measured with the host's --time-callins: `frame` is the
 * host thread's CPU time of each Update plus every call-in since the previous one
 * (what collection costs a drawn frame, call-ins included), and each call-in's own
 * CPU time. The host times each call around the widget's function (its pcall and
 * clock reads included) and, after each, an empty call the same way: the floor,
 * reported beside the figures; `net` is the frame less its floor. Figures: median, p99, max and mean in microseconds.
 *
 * The situations `...-alone` run a copy of the widget whose session encodes nothing
 * (tools/bench/collection-alone.ts): the collection's own cost, which issue #9's goals are
 * for (double, net: mean < 150 us and p99 < 500 us per frame with the default categories,
 * mean < 300 us with positions, no frame over 2 ms). The others run the widget as built,
 * the session encoding every change into its backlog: issue #12 wants the same goals to
 * hold with the protocol running (tools/bench-pipeline.ts adds the receiver). Frames over
 * 2 ms: compare with `npm run bench:stalls` (the machine's own, tools/bench-vm-stalls.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  BarHost,
  type HostStatus,
  type KbSummary,
  type TimingSummary,
} from "../test/host/driver.ts";
import { writeCollectionAloneWidget } from "./bench/collection-alone.ts";
import { frameCost } from "./bench/frame-cost.ts";
import { startReference, type Reference } from "./bench/reference.ts";
import { worldConfig } from "../test/host/world-driver.ts";
import {
  WIDGET_FILE,
  WIDGET_NAME,
  describeMachine,
  fmt,
  machineInfo,
  median,
  parseArgs,
  prepareInterpreters,
  scaleGame,
  sleep,
  table,
  writeWidgetConfig,
  type LuaInterpreter,
} from "./bench/common.ts";

const USAGE = `tsx tools/bench-collect.ts [--seconds N] [--warmup N] [--max-warmup N] [--fps N] [--repeats N] [--lua double|float|both] [--lua-gc engine|lua] [--widget FILE] [--situations ID,ID] [--set key=value,...] [--json FILE]

  --json  also write every run's figures to FILE (for tools/bench-ab.ts)`;

interface Situation {
  id: string;
  title: string;
  settings: Record<string, boolean | number | string>;
  /** Units destroyed (and rebuilt) per game second; the scale game's battle is 300. */
  killsPerSecond: number;
  /** The collection alone: the session encodes nothing (tools/bench/collection-alone.ts). */
  alone?: boolean;
}

const SITUATIONS: Situation[] = [
  {
    id: "default-alone",
    title: "default categories, collection alone",
    settings: {},
    killsPerSecond: 300,
    alone: true,
  },
  {
    id: "positions-alone",
    title: "positions on, collection alone",
    settings: { positions: true },
    killsPerSecond: 300,
    alone: true,
  },
  { id: "default", title: "default categories", settings: {}, killsPerSecond: 300 },
  {
    id: "positions",
    title: "positions on (every 1 s)",
    settings: { positions: true },
    killsPerSecond: 300,
  },
  { id: "damage", title: "damage on (every 1 s)", settings: { damage: true }, killsPerSecond: 300 },
  {
    id: "no-events",
    title: "default categories without events, 300 deaths/s",
    settings: { events: false },
    killsPerSecond: 300,
  },
  { id: "idle", title: "default categories, no battle", settings: {}, killsPerSecond: 0 },
  {
    id: "default-100",
    title: "default categories, 100 deaths/s",
    settings: {},
    killsPerSecond: 100,
  },
];

const CALLINS = ["UnitCreated", "UnitFinished", "UnitDestroyed", "UnitDamaged", "GameFrame"];

interface Run {
  frame: TimingSummary;
  /** The host's floor per frame: an empty call-in timed the same way after each call. */
  floor: TimingSummary;
  /** The frame less its floor: the widget's own cost. */
  net: TimingSummary;
  /** One empty timed call. */
  callFloor: TimingSummary;
  update: TimingSummary;
  callins: Record<string, TimingSummary>;
  overBudget: number;
  schedulerFrames: number;
  /** Seconds of warm-up until the opening's changes were sent (undefined: not within it). */
  caughtUpAfter: number | undefined;
  /** Changes waiting in the collector's queue at the start and the end of the measurement. */
  pendingBefore: number;
  pendingAfter: number;
  /** Messages the session produced per second, and changes dropped unread, while measured. */
  producedPerSecond: number;
  droppedChanges: number;
  /** The frame-rate guard's step at the start and the end of the measurement (README). */
  guardBefore: number;
  guardAfter: number;
  /** Seconds the last positions scan completed while measured took (undefined: none completed). */
  positionsScanSeconds: number | undefined;
  /** What the widget allocated per drawn frame (KiB; the host's frameAllocKb). */
  allocKb: TimingSummary;
  /** The host's collection slots while measured: what the whole Lua state allocated, and their CPU time. */
  stateAllocatedKb: number;
  gcCpuMs: number;
  /** The PROFILE lines of a widget copy from tools/instrument-widget.ts, in the measured window. */
  profile: string[];
  /** The machine's speed while measured (tools/bench/reference.ts): µs a reference round, median. */
  referenceUs: number | undefined;
}

async function runOnce(
  lua: LuaInterpreter,
  situation: Situation,
  opts: {
    seconds: number;
    warmup: number;
    maxWarmup: number;
    fps: number;
    widget: string;
    /** The same widget with a session that encodes nothing, for the situations `alone`. */
    aloneWidget: string;
    luaGc: "engine" | "lua";
    /** Widget settings over every situation's (--set). */
    settings: Record<string, boolean | number | string>;
  },
  tmp: string,
  reference: Reference,
): Promise<Run> {
  const configPath = path.join(tmp, `${situation.id}-${lua.numbers}.lua`);
  writeWidgetConfig(configPath, {
    [WIDGET_NAME]: { enabled: false, ...situation.settings, ...opts.settings },
  });
  const world = worldConfig(
    scaleGame(opts.maxWarmup + opts.seconds + 30, situation.killsPerSecond),
  );
  const host = await BarHost.start({
    interpreter: lua.path,
    widget: situation.alone === true ? opts.aloneWidget : opts.widget,
    configPath,
    world: world.configPath,
    fps: opts.fps,
    quietSockets: true,
    timeCallIns: true,
    luaGc: opts.luaGc,
    maxSeconds: opts.maxWarmup + opts.seconds + 60,
  });
  try {
    // The opening's 10,000 units were created and finished with the widget listening:
    // 20,000 changes to send before the battle's steady state. Measure that state, once
    // the queue is down to a few frames' worth (or say that it never got there).
    const start = Date.now();
    await sleep(opts.warmup * 1000);
    let caughtUpAfter: number | undefined;
    for (;;) {
      const waiting = ((await host.status()).widgetStatus as WidgetStatus).collection.pending;
      const elapsed = (Date.now() - start) / 1000;
      if (waiting <= CAUGHT_UP) {
        caughtUpAfter = elapsed;
        break;
      }
      if (elapsed >= opts.maxWarmup) break;
      await sleep(1000);
    }
    await host.resetStats();
    const windowStart = Date.now();
    const echoesBefore = host.widgetEchoes.length;
    const beforeStatus = await host.status();
    const before = beforeStatus.widgetStatus as WidgetStatus;
    await sleep(opts.seconds * 1000);
    const s: HostStatus = await host.status();
    const referenceUs = reference.medianUs(windowStart, Date.now());
    const after = s.widgetStatus as WidgetStatus;
    if (after.internalErrors !== 0) throw new Error(`internal error: ${after.lastInternalError}`);
    const cost = frameCost(s, CALLINS);
    return {
      frame: cost.gross,
      floor: cost.floor,
      net: cost.net,
      callFloor: cost.callFloor,
      update: cost.update,
      callins: cost.callins,
      overBudget: after.frameCost.overBudget - before.frameCost.overBudget,
      schedulerFrames: after.frameCost.frames - before.frameCost.frames,
      caughtUpAfter,
      pendingBefore: before.collection.pending,
      pendingAfter: after.collection.pending,
      producedPerSecond: (after.delivery.produced - before.delivery.produced) / opts.seconds,
      droppedChanges: after.collection.dropped - before.collection.dropped,
      guardBefore: before.delivery.throttleLevel,
      guardAfter: after.delivery.throttleLevel,
      positionsScanSeconds:
        (after.collection.recordedByType.positions ?? 0) >
        (before.collection.recordedByType.positions ?? 0)
          ? after.collection.positionsScan?.seconds
          : undefined,
      allocKb: kbTiming(s.frameAllocKb),
      stateAllocatedKb: (s.gc?.allocatedKb ?? 0) - (beforeStatus.gc?.allocatedKb ?? 0),
      gcCpuMs: (s.gc?.cpuMs ?? 0) - (beforeStatus.gc?.cpuMs ?? 0),
      profile: host.widgetEchoes.slice(echoesBefore).filter((e) => e.startsWith("PROFILE")),
      referenceUs,
    };
  } finally {
    await host.kill();
    rmSync(path.dirname(world.configPath), { recursive: true, force: true });
  }
}

interface WidgetStatus {
  internalErrors: number;
  lastInternalError?: string;
  frameCost: { frames: number; overBudget: number };
  collection: {
    pending: number;
    dropped: number;
    /** Changes recorded by type since the start (the host's JSON of a Lua table). */
    recordedByType: Partial<Record<string, number>>;
    /** The last complete positions scan: units, wall seconds and game frames it took. */
    positionsScan?: { units: number; seconds: number; frames: number };
  };
  delivery: { produced: number; throttleLevel: number };
}

/** The host's frameAllocKb in the shape the tables read (values in KiB). */
function kbTiming(t: KbSummary | undefined): TimingSummary {
  return {
    count: t?.count ?? 0,
    meanUs: t?.meanKb,
    medianUs: t?.medianKb,
    p99Us: t?.p99Kb,
    maxUs: t?.maxKb,
  };
}

/** Changes waiting that count as caught up: about two drawn frames of the battle. */
const CAUGHT_UP = 50;

/**
 * Seconds the last positions scan completed in the measured window took (median over the
 * runs that completed one); "none in the window" when no run did.
 */
function scanSeconds(runs: Run[]): string {
  const spans = runs.flatMap((x) =>
    x.positionsScanSeconds === undefined ? [] : [x.positionsScanSeconds],
  );
  if (spans.length === 0) return "none in the window";
  const missed = runs.length - spans.length;
  return fmt(median(spans)) + (missed > 0 ? ` (${missed} run(s): none)` : "");
}

function med(runs: Run[], pick: (r: Run) => number | undefined): number | undefined {
  const values = runs.map(pick).filter((v): v is number => v !== undefined);
  return values.length > 0 ? median(values) : undefined;
}

/** One run's figures as tools/bench-ab.ts reads them (µs per drawn frame). */
export interface RunFigures {
  situation: string;
  interpreter: string;
  netMeanUs: number | undefined;
  netMedianUs: number | undefined;
  netP99Us: number | undefined;
  netMaxUs: number | undefined;
  overBudget: number;
  guardBefore: number;
  guardAfter: number;
  positionsScanSeconds: number | undefined;
  referenceUs: number | undefined;
}

function writeJson(
  file: string,
  widget: string,
  situations: Situation[],
  interpreters: LuaInterpreter[],
  results: Map<string, Run[]>,
): void {
  const runs: RunFigures[] = [];
  for (const situation of situations) {
    for (const lua of interpreters) {
      for (const run of results.get(`${situation.id}|${lua.name}`) ?? []) {
        runs.push({
          situation: situation.id,
          interpreter: lua.name,
          netMeanUs: run.net.meanUs,
          netMedianUs: run.net.medianUs,
          netP99Us: run.net.p99Us,
          netMaxUs: run.net.maxUs,
          overBudget: run.overBudget,
          guardBefore: run.guardBefore,
          guardAfter: run.guardAfter,
          positionsScanSeconds: run.positionsScanSeconds,
          referenceUs: run.referenceUs,
        });
      }
    }
  }
  writeFileSync(file, JSON.stringify({ widget, runs }, null, 2));
}

async function main(): Promise<void> {
  const args = parseArgs(
    process.argv.slice(2),
    {
      seconds: "number",
      warmup: "number",
      "max-warmup": "number",
      fps: "number",
      repeats: "number",
      lua: "string",
      "lua-gc": "string",
      widget: "string",
      situations: "string",
      set: "string",
      json: "string",
    },
    USAGE,
  );
  // Settings for every situation, e.g. --set frameBudget=0.3 (README's settings table).
  const settings: Record<string, boolean | number | string> = {};
  for (const pair of args.set !== undefined ? String(args.set).split(",") : []) {
    const [key, raw] = pair.split("=");
    if (key === undefined || key === "" || raw === undefined) {
      console.error(`--set takes key=value pairs, not ${pair}\n${USAGE}`);
      process.exit(2);
    }
    settings[key] =
      raw === "true"
        ? true
        : raw === "false"
          ? false
          : Number.isNaN(Number(raw))
            ? raw
            : Number(raw);
  }
  const seconds = Number(args.seconds ?? 20);
  const warmup = Number(args.warmup ?? 5);
  const maxWarmup = Math.max(warmup, Number(args["max-warmup"] ?? 40));
  const fps = Number(args.fps ?? 60);
  const repeats = Number(args.repeats ?? 1);
  const which = String(args.lua ?? "both");
  const luaGc = String(args["lua-gc"] ?? "engine");
  if (luaGc !== "engine" && luaGc !== "lua") {
    console.error(`--lua-gc takes engine or lua, not ${luaGc}\n${USAGE}`);
    process.exit(2);
  }
  // another build (e.g. an older commit's) to compare with in the same conditions
  const widget = args.widget !== undefined ? path.resolve(String(args.widget)) : WIDGET_FILE;
  const known = SITUATIONS.map((x) => x.id);
  const wanted = args.situations !== undefined ? String(args.situations).split(",") : known;
  const unknown = wanted.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    console.error(`no situation ${unknown.join(", ")} (there are ${known.join(", ")})\n${USAGE}`);
    process.exit(2);
  }
  const situations = SITUATIONS.filter((x) => wanted.includes(x.id));
  const survey = prepareInterpreters();
  const interpreters = survey.available.filter((l) => which === "both" || l.numbers === which);
  if (interpreters.length === 0) {
    console.error("no usable Lua 5.1 interpreter: run `npm run setup:lua` (see README)");
    process.exit(2);
  }
  console.log("\n# Live Data Export: collection benchmark (scale game)\n");
  console.log(describeMachine(machineInfo(interpreters)).join("\n"));
  console.log(`Widget:  ${path.relative(process.cwd(), widget) || widget}`);
  if (Object.keys(settings).length > 0) console.log(`Settings: ${JSON.stringify(settings)}`);
  console.log(
    `Lua GC:  ${luaGc === "engine" ? "engine (stopped in call-ins, collected in the engine's slot before each simulation frame, as in Recoil)" : "lua (Lua's own collector, working at every allocation)"}`,
  );
  console.log(
    `\nScale game: 16 teams x 625 units, 300 (or 100) destroyed and rebuilt each game second, ` +
      `full view, real time at ${fps} fps; warm-up at least ${warmup} s, then until the ` +
      `opening's changes are sent (at most ${maxWarmup} s); ${seconds} s measured, ${repeats} run(s) ` +
      `per situation (medians over runs). CPU time per drawn frame: Update plus the call-ins since ` +
      `the previous one, gross and less the host's floor (net); us.`,
  );
  const tmp = mkdtempSync(path.join(os.tmpdir(), "ldx-bench-collect-"));
  const aloneWidget = path.join(tmp, "collection_alone.lua");
  if (situations.some((x) => x.alone === true)) writeCollectionAloneWidget(widget, aloneWidget);
  const results = new Map<string, Run[]>();
  // The machine's speed beside each run.
  const reference = startReference(interpreters);
  for (let r = 0; r < repeats; r++) {
    for (const situation of situations) {
      for (const lua of interpreters) {
        const key = `${situation.id}|${lua.name}`;
        const run = await runOnce(
          lua,
          situation,
          { seconds, warmup, maxWarmup, fps, widget, aloneWidget, luaGc, settings },
          tmp,
          reference,
        );
        results.set(key, [...(results.get(key) ?? []), run]);
      }
    }
  }
  reference.stop();
  rmSync(tmp, { recursive: true, force: true });
  if (args.json !== undefined)
    writeJson(String(args.json), widget, situations, interpreters, results);
  const rows: string[][] = [];
  for (const situation of situations) {
    for (const lua of interpreters) {
      const runs = results.get(`${situation.id}|${lua.name}`) ?? [];
      rows.push([
        situation.title,
        lua.name,
        fmt(med(runs, (x) => x.net.medianUs)),
        fmt(med(runs, (x) => x.net.p99Us)),
        fmt(Math.max(...runs.map((x) => x.net.maxUs ?? 0))),
        fmt(med(runs, (x) => x.net.meanUs)),
        fmt(med(runs, (x) => x.frame.medianUs)),
        fmt(med(runs, (x) => x.frame.p99Us)),
        fmt(Math.max(...runs.map((x) => x.frame.maxUs ?? 0))),
        fmt(med(runs, (x) => x.frame.meanUs)),
        fmt(med(runs, (x) => x.floor.meanUs)),
        fmt(
          med(runs, (x) => x.callFloor.medianUs),
          2,
        ),
        String(med(runs, (x) => x.overBudget) ?? "-"),
        String(med(runs, (x) => x.schedulerFrames) ?? "-"),
        fmt(
          med(runs, (x) => x.referenceUs),
          2,
        ),
      ]);
    }
  }
  console.log(
    "\n## Per drawn frame (CPU us): net (the widget's own) and gross (with the host's floor)\n",
  );
  console.log(
    "net = gross less the floor: an empty call-in timed the same way after each call " +
      "(the host's pcall and clock reads). machine ref: the machine's speed while measured, " +
      "CPU us of a fixed Lua round run on the side (tools/bench/reference.ts; lower is " +
      "faster): this VM's speed varies by up to 1.7 times for minutes at a time, so compare " +
      "frame figures only at similar references (docs/performance.md).\n",
  );
  console.log(
    table(
      [
        "situation",
        "interpreter",
        "net median",
        "net p99",
        "net max",
        "net mean",
        "gross median",
        "gross p99",
        "gross max",
        "gross mean",
        "floor mean",
        "floor per call",
        "frames over budget",
        "frames",
        "machine ref",
      ],
      rows,
      [false, false, true, true, true, true, true, true, true, true, true, true, true, true, true],
    ),
  );
  const keepRows: string[][] = [];
  for (const situation of situations) {
    for (const lua of interpreters) {
      const runs = results.get(`${situation.id}|${lua.name}`) ?? [];
      const caught = runs.map((x) => x.caughtUpAfter);
      keepRows.push([
        situation.title,
        lua.name,
        caught.every((c) => c !== undefined)
          ? fmt(median(caught.map((c) => c ?? 0)))
          : `not within ${maxWarmup} s`,
        fmt(med(runs, (x) => x.producedPerSecond)),
        String(med(runs, (x) => x.pendingBefore) ?? "-"),
        String(med(runs, (x) => x.pendingAfter) ?? "-"),
        String(med(runs, (x) => x.droppedChanges) ?? "-"),
        runs.map((x) => `${x.guardBefore}-${x.guardAfter}`).join(", "),
        situation.settings.positions === true ? scanSeconds(runs) : "-",
      ]);
    }
  }
  console.log(
    "\n## Keeping up: the changes the collection records, and what the session makes of them\n",
  );
  console.log(
    "A widget that keeps up sends each game second's changes within the frames' budget; " +
      "one that does not uses its whole budget every frame, its queue fills, and what is " +
      "dropped is counted (and reported to a receiver as a gap). The frame-rate guard " +
      "(README, 'Protecting the frame rate') steps the collection down when the work " +
      "fills the budget: at step 4 no unit events and no unit counts are sent, so compare " +
      "frame figures only at the same step. A positions scan takes what its share of the " +
      "budget allows (docs/collection.md): its seconds are those of the last scan completed in the window.\n",
  );
  console.log(
    table(
      [
        "situation",
        "interpreter",
        "opening sent after (s)",
        "messages/s",
        "queued at start",
        "queued at end",
        "changes dropped",
        "guard step (start-end)",
        "positions scan (s)",
      ],
      keepRows,
      [false, false, true, true, true, true, true, false, true],
    ),
  );
  const callRows: string[][] = [];
  for (const situation of situations) {
    for (const lua of interpreters) {
      const runs = results.get(`${situation.id}|${lua.name}`) ?? [];
      for (const name of CALLINS) {
        const calls = runs.map((x) => x.callins[name]).filter((t) => t !== undefined);
        if (calls.length === 0 || calls[0]!.count === 0) continue;
        callRows.push([
          situation.title,
          lua.name,
          name,
          String(median(calls.map((t) => t.count))),
          fmt(median(calls.map((t) => t.medianUs ?? 0))),
          fmt(median(calls.map((t) => t.p99Us ?? 0))),
          fmt(Math.max(...calls.map((t) => t.maxUs ?? 0))),
          fmt(median(calls.map((t) => t.meanUs ?? 0)), 2),
        ]);
      }
    }
  }
  console.log("\n## Per call-in (CPU us)\n");
  console.log(
    table(
      ["situation", "interpreter", "call-in", "calls", "median", "p99", "max", "mean"],
      callRows,
      [false, false, false, true, true, true, true, true],
    ),
  );
  if (luaGc === "engine") printGarbage(situations, interpreters, results, seconds, fps);
  printProfile(situations, interpreters, results);
}

/**
 * What the widget leaves to the engine's collector: the KiB it allocates per frame, and the
 * collection slots' CPU time in proportion to its share of what the whole Lua state (the
 * world included) allocated. An estimate: a cycle's cost depends on the live heap too.
 */
function printGarbage(
  situations: Situation[],
  interpreters: LuaInterpreter[],
  results: Map<string, Run[]>,
  seconds: number,
  fps: number,
): void {
  const rows: string[][] = [];
  for (const situation of situations) {
    for (const lua of interpreters) {
      const runs = results.get(`${situation.id}|${lua.name}`) ?? [];
      const share = (x: Run): number | undefined => {
        const frames = x.allocKb.count;
        const widgetKb = (x.allocKb.meanUs ?? 0) * frames;
        if (x.stateAllocatedKb <= 0 || frames === 0) return undefined;
        return ((widgetKb / x.stateAllocatedKb) * x.gcCpuMs * 1000) / frames;
      };
      rows.push([
        situation.title,
        lua.name,
        fmt(
          med(runs, (x) => x.allocKb.meanUs),
          1,
        ),
        fmt(
          med(runs, (x) => x.allocKb.p99Us),
          1,
        ),
        fmt(med(runs, (x) => ((x.allocKb.meanUs ?? 0) * x.allocKb.count) / seconds)),
        fmt(med(runs, (x) => x.stateAllocatedKb / seconds)),
        fmt(
          med(runs, (x) => x.gcCpuMs / seconds),
          1,
        ),
        fmt(med(runs, share), 1),
      ]);
    }
  }
  console.log("\n## Garbage: what the widget leaves to the engine's collector\n");
  console.log(
    `The engine collects outside the call-ins (--lua-gc engine), so the frame figures above ` +
      `leave it out. The widget's share is the slots' CPU time in proportion to the KiB it ` +
      `allocated against the whole Lua state's (the world's included), per drawn frame ` +
      `(${fps} fps): an estimate.\n`,
  );
  console.log(
    table(
      [
        "situation",
        "interpreter",
        "KiB/frame mean",
        "KiB/frame p99",
        "widget KiB/s",
        "Lua state KiB/s",
        "collector ms/s",
        "widget's share us/frame",
      ],
      rows,
      [false, false, true, true, true, true, true, true],
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/** The echoes of a widget copy made by tools/instrument-widget.ts (none for the built widget). */
function printProfile(
  situations: Situation[],
  interpreters: LuaInterpreter[],
  results: Map<string, Run[]>,
): void {
  const lines: string[] = [];
  for (const situation of situations) {
    for (const lua of interpreters) {
      for (const run of results.get(`${situation.id}|${lua.name}`) ?? []) {
        for (const echo of run.profile) {
          lines.push(`${situation.id} ${lua.name}: ${echo.replaceAll(" | ", "\n    ")}`);
        }
      }
    }
  }
  if (lines.length === 0) return;
  console.log("\n## Inside the widget (tools/instrument-widget.ts), the measured window\n");
  console.log(lines.join("\n"));
}
