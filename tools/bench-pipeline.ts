/**
 * The whole pipeline at scale (`npm run bench:pipeline`): the host's scale game (16 teams,
 * 10,000 units, a battle destroying and rebuilding 300 units every game second, full view)
 * in real time with the built widget connected to the receiver, run as a user runs it in
 * its own process; positions off and on, under the double and the float interpreter.
 *
 * Measured over --seconds after --warmup seconds of the game (the widget's catalog and
 * snapshot are delivered in a pregame first, as in BAR):
 * - the widget's cost per drawn frame in CPU time (the host's --time-callins; net = less
 *   the host's own floor, as tools/bench-collect.ts) and the frames over its budget;
 * - bytes per second on the wire (what the receiver's listener received);
 * - the receiver's CPU (share of one core) and resident memory, from /proc;
 * - the latency from a call-in to the overlay's stream: the world stamps each unit event
 *   with the host clock in its truth log when it calls the widget (truthClock), a reader of
 *   the receiver's WebSocket stream (the overlay's) stamps its arrival; the host clock is
 *   mapped to Node's by the smallest reply delay of its `clock` command.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BarHost } from "../test/host/driver.ts";
import { surveyInterpreters } from "../test/support/interpreters.ts";
import { startReference, type Reference } from "./bench/reference.ts";
import { Pipeline, type WidgetStatus } from "../test/host/pipeline.ts";
import { readTruth } from "../test/host/world-driver.ts";
import { ChildReceiver, type ProcessUsage } from "./bench/child-receiver.ts";
import {
  closedPort,
  describeMachine,
  fmt,
  machineInfo,
  median,
  parseArgs,
  REPO_ROOT,
  scaleGame,
  sleep,
  table,
  writeResults,
  type LuaInterpreter,
} from "./bench/common.ts";
import { frameCost, type FrameCost } from "./bench/frame-cost.ts";
import { eventKey, StreamArrivals, TRUTH_NAME } from "./bench/stream-arrivals.ts";

const USAGE = `The whole pipeline at scale: frame cost, wire, receiver, latency.

  npx tsx tools/bench-pipeline.ts [options]      (npm run bench:pipeline builds first)

  --seconds N        measured seconds per run (default 30)
  --warmup N         seconds of battle before measuring (default 10)
  --catch-up N       at most this many seconds for the widget to send the opening's
                     units first (default 60)
  --kills N          units destroyed (and rebuilt) per game second (default 300)
  --lua X            double, float or both (default both)
  --positions X      off, on or both (default both)
  --fps N            host frames per second (default 60)
  --keyframe N       the widget's keyframe snapshot interval in seconds (default: its own, 60)
  --latency-out F    also write each measured event's [game frame, latency ms or null
                     when it never arrived, event] as JSON to F, one file per run
                     (F-<double|float>-positions-<on|off>.json): where the late events fall
  --widget FILE      another build of the widget (e.g. an older commit's, or a copy from
                     tools/instrument-widget.ts) instead of the built one
  --out FILE         JSON results (default build/bench-pipeline-results.json)`;

const CALLINS = ["UnitCreated", "UnitFinished", "UnitDestroyed", "GameFrame"];

/** Percentile by rank (nearest rank). */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

interface RunResult {
  interpreter: string;
  positions: boolean;
  seconds: number;
  /** The machine's speed while measured (tools/bench/reference.ts): µs a reference round. */
  referenceUs: number | undefined;
  cost: FrameCost;
  overBudget: number;
  schedulerFrames: number;
  bytesPerSecond: number;
  linesPerSecond: number;
  receiverCpuPercent: number;
  receiverRssMiB: { first: number; max: number; last: number };
  latencyMs: { median: number; p99: number; max: number; events: number; missing: number };
  widget: WidgetStatus["delivery"];
  /** Changes the widget's collection could not queue (its queue of 20,000 was full). */
  collectionDropped: number;
  /** Messages the widget dropped (counted, reported in a gap) within the measured window. */
  droppedInWindow: number;
  catchUp: { caughtUp: boolean; seconds: number };
  /** The frame-rate guard's step, read once a second through the window (README). */
  guardSteps: number[];
}

async function connectionTotals(httpPort: number): Promise<{ bytes: number; lines: number }> {
  const r = await fetch(`http://127.0.0.1:${httpPort}/api/connections`);
  const body = (await r.json()) as { totals: { bytesReceived: number; linesReceived: number } };
  return { bytes: body.totals.bytesReceived, lines: body.totals.linesReceived };
}

/** Waits (at most `seconds`) until the widget has next to nothing left to collect or send. */
async function caughtUp(
  pipeline: Pipeline,
  seconds: number,
): Promise<{ caughtUp: boolean; seconds: number }> {
  const start = Date.now();
  for (;;) {
    const w = await pipeline.widget();
    const waiting = w.collection.pending + w.delivery.queuedMessages;
    const elapsed = (Date.now() - start) / 1000;
    if (waiting < 200) return { caughtUp: true, seconds: elapsed };
    if (elapsed > seconds) return { caughtUp: false, seconds: elapsed };
    await sleep(1000);
  }
}

/** `F-<double|float>-<positions on|off>.json` for the per-event latencies of one run. */
function runFile(prefix: string, lua: LuaInterpreter, positions: boolean): string {
  return `${prefix.replace(/\.json$/, "")}-${lua.numbers}-positions-${positions ? "on" : "off"}.json`;
}

async function runOnce(
  lua: LuaInterpreter,
  positions: boolean,
  opts: {
    seconds: number;
    warmup: number;
    fps: number;
    catchUp: number;
    kills: number;
    keyframe: number | undefined;
    latencyOut: string | undefined;
    widget: string | undefined;
  },
  reference: Reference,
): Promise<RunResult> {
  const receiver = new ChildReceiver(
    await closedPort(),
    await closedPort(),
    mkdtempSync(path.join(os.tmpdir(), "ldx-bench-pipeline-")),
    true,
  );
  const pipeline = await Pipeline.start({
    interpreter: lua.path,
    widget: opts.widget,
    receiver,
    fps: opts.fps,
    timeCallIns: true,
    quietSockets: true,
    maxSeconds: opts.catchUp + opts.warmup + opts.seconds + 400,
    settings:
      opts.keyframe === undefined ? { positions } : { positions, keyframeSeconds: opts.keyframe },
    world: {
      ...scaleGame(opts.catchUp + opts.warmup + opts.seconds + 90, opts.kills),
      truthClock: true,
      autoStart: false,
    },
  });
  const stream = new StreamArrivals();
  try {
    await stream.connect(receiver.httpPort);
    await pipeline.startGameWhenReady(180_000);
    // The opening makes every unit at once (20,000 events): measure once the widget has
    // sent them, in the battle's steady state.
    const catchUp = await caughtUp(pipeline, opts.catchUp);
    console.log(
      `  ${catchUp.caughtUp ? "caught up with" : "NOT caught up with"} the opening after ${fmt(catchUp.seconds, 0)} s`,
    );
    await sleep(opts.warmup * 1000);
    await pipeline.host.resetStats();
    const fromFrame = Number((await pipeline.host.world("state")).frame);
    const before = {
      at: Date.now(),
      usage: receiver.usage()!,
      wire: await connectionTotals(receiver.httpPort),
      widget: await pipeline.widget(),
    };
    const rss: number[] = [];
    const guardSteps: number[] = [];
    const until = before.at + opts.seconds * 1000;
    while (Date.now() < until) {
      await sleep(1000);
      const u = receiver.usage();
      if (u) rss.push(u.rssMiB);
      guardSteps.push((await pipeline.widget()).delivery.throttleLevel);
    }
    const status = await pipeline.host.status();
    const referenceUs = reference.medianUs(before.at, Date.now());
    const toFrame = Number((await pipeline.host.world("state")).frame);
    const after = {
      at: Date.now(),
      usage: receiver.usage() as ProcessUsage,
      wire: await connectionTotals(receiver.httpPort),
      widget: status.widgetStatus as WidgetStatus & {
        frameCost: { frames: number; overBudget: number };
      },
    };
    const beforeCost = before.widget as unknown as {
      frameCost: { frames: number; overBudget: number };
    };
    const offset = await pipeline.host.clockOffsetMs();
    // Let the window's last events reach the stream, then end the game.
    await caughtUp(pipeline, 30);
    await pipeline.stop();
    stream.close();
    // A widget copy from tools/instrument-widget.ts echoes where its time went.
    for (const echo of pipeline.host.widgetEchoes.filter((e) => e.startsWith("PROFILE"))) {
      console.log(echo.replaceAll(" | ", "\n    "));
    }
    if (after.widget.internalErrors !== 0) {
      throw new Error(`widget internal error: ${after.widget.lastInternalError}`);
    }

    const latencies: number[] = [];
    /** [game frame, ms (null: never arrived), event] of each event, for --latency-out. */
    const perEvent: [number, number | null, string][] = [];
    let missing = 0;
    for (const line of readTruth(pipeline.truthLog)) {
      if (line.f < fromFrame || line.f > toFrame || typeof line.ws !== "number") continue;
      if (!Object.values(TRUTH_NAME).includes(line.e)) continue;
      const arrived = stream.arrivals.get(eventKey(line.e, Number(line.unitID), line.f));
      if (arrived === undefined) {
        missing++;
        perEvent.push([line.f, null, line.e]);
        continue;
      }
      latencies.push(arrived - (line.ws * 1000 + Number(line.wus) / 1000 + offset));
      perEvent.push([line.f, latencies[latencies.length - 1]!, line.e]);
    }
    if (opts.latencyOut !== undefined) {
      writeFileSync(runFile(opts.latencyOut, lua, positions), JSON.stringify(perEvent));
    }
    pipeline.removeFiles();
    const seconds = (after.at - before.at) / 1000;
    return {
      interpreter: lua.name,
      positions,
      seconds,
      referenceUs,
      cost: frameCost(status, CALLINS),
      overBudget: after.widget.frameCost.overBudget - beforeCost.frameCost.overBudget,
      schedulerFrames: after.widget.frameCost.frames - beforeCost.frameCost.frames,
      bytesPerSecond: (after.wire.bytes - before.wire.bytes) / seconds,
      linesPerSecond: (after.wire.lines - before.wire.lines) / seconds,
      receiverCpuPercent: ((after.usage.cpuSeconds - before.usage.cpuSeconds) / seconds) * 100,
      receiverRssMiB: {
        first: rss[0] ?? NaN,
        max: Math.max(...rss),
        last: rss[rss.length - 1] ?? NaN,
      },
      latencyMs: {
        median: median(latencies),
        p99: percentile(latencies, 99),
        max: Math.max(...latencies),
        events: latencies.length,
        missing,
      },
      widget: after.widget.delivery,
      collectionDropped: after.widget.collection.dropped,
      droppedInWindow: after.widget.delivery.dropped - before.widget.delivery.dropped,
      catchUp,
      guardSteps,
    };
  } catch (error) {
    stream.close();
    await pipeline.kill();
    throw error;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(
    process.argv.slice(2),
    {
      seconds: "number",
      warmup: "number",
      "catch-up": "number",
      kills: "number",
      lua: "string",
      positions: "string",
      fps: "number",
      keyframe: "number",
      "latency-out": "string",
      widget: "string",
      out: "string",
    },
    USAGE,
  );
  const opts = {
    seconds: Number(args.seconds ?? 30),
    warmup: Number(args.warmup ?? 10),
    catchUp: Number(args["catch-up"] ?? 60),
    kills: Number(args.kills ?? 300),
    fps: Number(args.fps ?? 60),
    keyframe: args.keyframe === undefined ? undefined : Number(args.keyframe),
    latencyOut: args["latency-out"] === undefined ? undefined : String(args["latency-out"]),
    widget: args.widget === undefined ? undefined : path.resolve(String(args.widget)),
  };
  if (opts.widget !== undefined && !existsSync(opts.widget)) {
    console.error(`no widget at ${opts.widget}\n${USAGE}`);
    process.exit(2);
  }
  const which = String(args.lua ?? "both");
  const positionsArg = String(args.positions ?? "both");
  const positionRuns = positionsArg === "both" ? [false, true] : [positionsArg === "on"];
  const interpreters = surveyInterpreters().available.filter(
    (l) => which === "both" || l.numbers === which,
  );
  if (interpreters.length === 0) {
    console.error("no usable Lua 5.1 interpreter: run `npm run setup:lua` (see README)");
    process.exit(2);
  }
  console.log("\n# Live Data Export: the whole pipeline at scale\n");
  console.log(describeMachine(machineInfo(interpreters)).join("\n"));
  if (opts.widget !== undefined) console.log(`Widget:  ${opts.widget}`);
  console.log(
    `\nScale game: 16 teams x 625 units, ${opts.kills} destroyed and rebuilt each game second, full view, ` +
      `real time at ${opts.fps} fps, the widget connected to the receiver (its own process); ` +
      `${opts.warmup} s of game before ${opts.seconds} s measured.`,
  );
  const results: RunResult[] = [];
  // The machine's speed beside each run (tools/bench/reference.ts).
  const reference = startReference(interpreters);
  try {
    for (const positions of positionRuns) {
      for (const lua of interpreters) {
        console.log(`\n[${lua.name}, positions ${positions ? "on" : "off"}] running...`);
        results.push(await runOnce(lua, positions, opts, reference));
      }
    }
  } finally {
    reference.stop();
  }
  const us = (v: number | undefined) => fmt(v, 0);
  console.log(
    "\n## The widget per drawn frame (CPU us; net = less the host's floor; machine ref: " +
      "CPU us of a fixed Lua round run on the side while measured, lower is faster: " +
      "tools/bench/reference.ts)\n",
  );
  console.log(
    table(
      [
        "interpreter",
        "positions",
        "net mean",
        "net median",
        "net p99",
        "net max",
        "gross mean",
        "gross p99",
        "gross max",
        "over budget",
        "machine ref",
      ],
      results.map((r) => [
        r.interpreter,
        r.positions ? "on" : "off",
        us(r.cost.net.meanUs),
        us(r.cost.net.medianUs),
        us(r.cost.net.p99Us),
        us(r.cost.net.maxUs),
        us(r.cost.gross.meanUs),
        us(r.cost.gross.p99Us),
        us(r.cost.gross.maxUs),
        `${r.overBudget} / ${r.schedulerFrames}`,
        fmt(r.referenceUs, 2),
      ]),
    ),
  );
  console.log("\n## Wire, receiver, latency (call-in to the overlay's stream)\n");
  console.log(
    table(
      [
        "interpreter",
        "positions",
        "KiB/s",
        "lines/s",
        "receiver CPU %",
        "receiver RSS MiB (first-max)",
        "latency median ms",
        "p99 ms",
        "max ms",
        "events",
        "dropped (queue / backlog; in the window)",
        "opening sent in",
        "guard step (lowest-highest in the window)",
      ],
      results.map((r) => [
        r.interpreter,
        r.positions ? "on" : "off",
        fmt(r.bytesPerSecond / 1024, 1),
        fmt(r.linesPerSecond, 0),
        fmt(r.receiverCpuPercent, 1),
        `${fmt(r.receiverRssMiB.first, 0)}-${fmt(r.receiverRssMiB.max, 0)}`,
        fmt(r.latencyMs.median, 1),
        fmt(r.latencyMs.p99, 1),
        fmt(r.latencyMs.max, 1),
        `${r.latencyMs.events}${r.latencyMs.missing ? ` (${r.latencyMs.missing} missing)` : ""}`,
        `${r.collectionDropped} / ${r.widget.dropped}; ${r.droppedInWindow}`,
        `${fmt(r.catchUp.seconds, 0)} s${r.catchUp.caughtUp ? "" : " (not)"}`,
        `${Math.min(...r.guardSteps)}-${Math.max(...r.guardSteps)}`,
      ]),
    ),
  );
  console.log("\n## Goals\n");
  for (const r of results) {
    const name = `${r.interpreter}, positions ${r.positions ? "on" : "off"}`;
    const meanGoal = r.positions ? 300 : 150;
    const checks = [
      [`net mean < ${meanGoal} us`, (r.cost.net.meanUs ?? Infinity) < meanGoal],
      ...(r.positions ? [] : [["net p99 < 500 us", (r.cost.net.p99Us ?? Infinity) < 500] as const]),
      ["no frame over 2 ms", (r.cost.net.maxUs ?? Infinity) <= 2000],
      ["latency p99 < 250 ms", r.latencyMs.p99 < 250],
      ["every event of the window delivered", r.latencyMs.missing === 0],
    ] as const;
    console.log(
      `- ${name}: ${checks.map(([c, ok]) => `${c} ${ok ? "MET" : "NOT MET"}`).join("; ")}`,
    );
  }
  const out = path.resolve(REPO_ROOT, String(args.out ?? "build/bench-pipeline-results.json"));
  writeResults(out, "live-data-export pipeline benchmark", {
    machine: machineInfo(interpreters),
    settings: opts,
    results,
  });
  console.log(`\nResults written to ${path.relative(REPO_ROOT, out)}.`);
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  await BarHost.killAll();
  process.exit(1);
});
