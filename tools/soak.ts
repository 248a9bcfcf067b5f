/**
 * Soak test of the built widget (`npm run soak`): many frames in the BAR-like
 * host while the test server keeps dropping the connection (kick) and going
 * down and up again (stop, start). Passes only if
 * - Lua memory after a full collection stays flat after the warm-up: the lowest
 *   sample of the last quarter is not above that of the first quarter by more
 *   than --tolerance-kb, and the least-squares trend over the measured part does
 *   not grow by more than twice that. Memory is read with the host's
 *   "gc settle", which first undoes what only the host's own garbage leaves
 *   behind (Lua's string table, and without hostclock a timer table, that grew
 *   and never shrink by themselves, in steps of 8-40 KiB); the samples then differ only by what the
 *   widget holds in each state (a connected socket object is 8 KiB). A leak of
 *   100 bytes per reconnect adds some 20 KiB over the default run.
 * - every socket the widget created was closed (none leaked, none left open);
 * - no error of any kind: no call-in error, no internal error counted by the
 *   widget, no blocking socket call, no host failure.
 *
 * Frames run faster than 60 per second (--fps), but the widget's clock is the
 * wall clock (Spring.GetTimer/DiffTimers in the host), so retry delays and
 * timeouts take their real time. Every --sample seconds the soak reads the
 * status and the call-in timings of the interval, resets the timings (their
 * histograms would otherwise grow with every new bucket and look like a leak)
 * and asks for a full garbage collection ("gc settle"), whose reply carries
 * collectgarbage("count").
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BarHost, type HostStatus, type TimingSummary } from "../test/host/driver.ts";
import { createTestServer } from "../receiver/testServer.ts";
import {
  REPO_ROOT,
  WIDGET_FILE,
  WIDGET_NAME,
  closedPort,
  describeBuild,
  describeMachine,
  fmt,
  linearFit,
  machineInfo,
  median,
  parseArgs,
  prepareInterpreters,
  round,
  sleep,
  table,
  widgetBuild,
  writeWidgetConfig,
  type LuaInterpreter,
} from "./bench/common.ts";

const USAGE = `Soak test of the built widget.

  npm run soak [-- options]

  --frames N         frames to run (default 120000)
  --fps N            frames per second of the host (default 500)
  --interpreter X    float (engine-like, default), double or both
  --cycle S          seconds between server actions kick, stop, start (default 2)
  --sample S         seconds between memory samples (default 2)
  --warmup F         fraction of the run left out of the trend (default 0.25, and
                     at least the first 15 s); a run too short to judge the trend
                     says so (about 35 s at the default sampling)
  --tolerance-kb N   growth of the memory floor allowed over the measured part, KiB
                     (default 16; the fitted trend is allowed twice as much)
  --widget FILE      widget file (default build/api_live_data_export.lua)
  --out FILE         JSON results (default build/soak-results.json)`;

/** Memory is not judged over the first seconds (see the trend below). */
const WARMUP_SECONDS = 15;
/** Samples after the warm-up needed to judge a trend. */
const MIN_TREND_SAMPLES = 8;

interface WidgetView {
  state?: string;
  totalAttempts?: number;
  connections?: number;
  internalErrors?: number;
  lastInternalError?: string;
  messagesSent?: number;
  droppedMessages?: number;
  queuedMessages?: number;
}

interface Sample {
  t: number;
  frames: number;
  /** After a full collection. */
  memoryKb: number;
  /** Before it: live data plus garbage not yet collected. */
  memoryLiveKb?: number;
  state?: string;
  openSockets: number;
  update?: TimingSummary;
  draw?: TimingSummary;
}

interface Check {
  check: string;
  value: string;
  ok: boolean;
}

interface SoakResult {
  interpreter: string;
  numbers: string;
  frames: number;
  seconds: number;
  serverActions: Record<string, number>;
  widget: WidgetView;
  serverTotals: { acceptedConnections: number; closedConnections: number; linesReceived: number };
  sockets?: { created: number; closed: number; leaked: number; open: number };
  memory: {
    firstKb: number;
    lastKb: number;
    minKb: number;
    maxKb: number;
    warmupFrames: number;
    slopeKbPer100kFrames: number;
    slopeKbPerHour: number;
    fittedGrowthKb: number;
    firstQuarterMedianKb: number;
    lastQuarterMedianKb: number;
    firstQuarterMinKb: number;
    lastQuarterMinKb: number;
    /** Growth of the lowest sample from the first to the last quarter (after warm-up). */
    quarterGrowthKb: number;
    toleranceKb: number;
    /** Whether the run was long enough to judge the trend (else the checks say so). */
    judged: boolean;
    measuredSamples: number;
  };
  timings: {
    updateMedianUs?: number;
    updateP99Us?: number;
    updateMaxUs?: number;
    drawMedianUs?: number;
    drawMaxUs?: number;
  };
  errors: string[];
  checks: Check[];
  passed: boolean;
  samples: Sample[];
}

function view(s: HostStatus): WidgetView {
  return (s.widgetStatus ?? {}) as WidgetView;
}

async function soak(
  lua: LuaInterpreter,
  opts: {
    frames: number;
    fps: number;
    cycle: number;
    sample: number;
    warmup: number;
    toleranceKb: number;
    widget: string;
  },
): Promise<SoakResult> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "ldx-soak-"));
  // below the range the system hands out for port 0: while the server is
  // stopped, no other listener is given its port
  const server = createTestServer({ host: "127.0.0.1", port: await closedPort() });
  const address = await server.start();
  const configPath = path.join(tmp, "config.lua");
  writeWidgetConfig(configPath, {
    [WIDGET_NAME]: {
      host: "127.0.0.1",
      port: address.port,
      // short delays: many attempts, connections and sockets in the run
      retryInitialDelay: 0.25,
      retryMaxDelay: 2,
      connectTimeout: 5,
      showIndicator: true,
    },
  });
  const expectedSeconds = opts.frames / opts.fps;
  const host = await BarHost.start({
    interpreter: lua.path,
    widget: opts.widget,
    configPath,
    fps: opts.fps,
    maxSeconds: Math.ceil(expectedSeconds * 3 + 120),
    commandTimeoutMs: 30_000,
  });

  const actions = ["kick", "stop", "start"] as const;
  const serverActions: Record<string, number> = { kick: 0, stop: 0, start: 0 };
  let next = 0;
  let acting = Promise.resolve();
  const timer = setInterval(() => {
    const action = actions[next % actions.length]!;
    next++;
    acting = acting.then(async () => {
      await server[action]();
      serverActions[action]!++;
    });
  }, opts.cycle * 1000);

  const samples: Sample[] = [];
  const started = Date.now();
  let last: HostStatus | undefined;
  let lastReport = 0;
  try {
    for (;;) {
      await sleep(opts.sample * 1000);
      const status = await host.status();
      await host.resetStats();
      const gc = await host.send("gc settle");
      const sockets = gc.sockets as { open: number; leaked: number };
      last = status;
      const sample: Sample = {
        t: round((Date.now() - started) / 1000, 2)!,
        frames: status.frames,
        memoryKb: round(Number(gc.memoryKb), 2)!,
        memoryLiveKb: round(status.memoryKb, 2),
        state: view(status).state,
        openSockets: sockets.open,
        update: status.update,
        draw: status.draw,
      };
      samples.push(sample);
      if (sockets.open > 1 || sockets.leaked > 0) {
        throw new Error(`sockets after a full collection: ${JSON.stringify(gc.sockets)}`);
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        console.log(
          `  ${fmt(sample.t, 0).padStart(4)} s  frame ${String(sample.frames).padStart(7)}  ` +
            `memory ${fmt(sample.memoryKb, 1)} KiB after GC (${fmt(sample.memoryLiveKb, 1)} live)  ` +
            `${sample.state}, ${view(status).connections} connections, ${view(status).totalAttempts} attempts`,
        );
      }
      if (status.frames >= opts.frames) break;
    }
  } finally {
    clearInterval(timer);
  }
  await acting;
  const exit = await host.shutdown(30_000);
  const serverTotals = server.totals;
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
  const seconds = (Date.now() - started) / 1000;

  // ---- memory trend
  // Memory climbs over the first server cycles (tables and the string table
  // reach their working size): leave out --warmup of the frames, and at least
  // the first WARMUP_SECONDS.
  const warmupFrames = Math.round(opts.frames * opts.warmup);
  const measured = samples.filter((s) => s.frames >= warmupFrames && s.t >= WARMUP_SECONDS);
  const judged = measured.length >= MIN_TREND_SAMPLES;
  const fit = linearFit(
    measured.map((s) => s.frames),
    measured.map((s) => s.memoryKb),
  );
  const span =
    measured.length > 1 ? measured[measured.length - 1]!.frames - measured[0]!.frames : 0;
  const quarter = Math.max(1, Math.floor(measured.length / 4));
  const firstQ = measured.slice(0, quarter).map((s) => s.memoryKb);
  const lastQ = measured.slice(-quarter).map((s) => s.memoryKb);
  const memories = samples.map((s) => s.memoryKb);
  const framesPerSecond = samples.length > 0 ? samples[samples.length - 1]!.frames / seconds : 0;
  const memory = {
    firstKb: memories[0] ?? NaN,
    lastKb: memories[memories.length - 1] ?? NaN,
    minKb: Math.min(...memories),
    maxKb: Math.max(...memories),
    warmupFrames,
    slopeKbPer100kFrames: round(fit.slope * 100_000, 3)!,
    slopeKbPerHour: round(fit.slope * framesPerSecond * 3600, 1)!,
    fittedGrowthKb: round(fit.slope * span, 2)!,
    firstQuarterMedianKb: round(median(firstQ), 2)!,
    lastQuarterMedianKb: round(median(lastQ), 2)!,
    firstQuarterMinKb: round(Math.min(...firstQ), 2)!,
    lastQuarterMinKb: round(Math.min(...lastQ), 2)!,
    quarterGrowthKb: round(Math.min(...lastQ) - Math.min(...firstQ), 2)!,
    toleranceKb: opts.toleranceKb,
    judged,
    measuredSamples: measured.length,
  };

  // ---- timings over the whole run (medians of the intervals' figures, worst max)
  const upd = samples.map((s) => s.update).filter((u): u is TimingSummary => !!u && u.count > 0);
  const drw = samples.map((s) => s.draw).filter((u): u is TimingSummary => !!u && u.count > 0);
  const timings = {
    updateMedianUs: round(median(upd.map((u) => u.medianUs ?? NaN)), 2),
    updateP99Us: round(median(upd.map((u) => u.p99Us ?? NaN)), 1),
    updateMaxUs: upd.length > 0 ? Math.max(...upd.map((u) => u.maxUs ?? 0)) : undefined,
    drawMedianUs: round(median(drw.map((u) => u.medianUs ?? NaN)), 2),
    drawMaxUs: drw.length > 0 ? Math.max(...drw.map((u) => u.maxUs ?? 0)) : undefined,
  };

  // ---- errors
  const widget = last ? view(last) : {};
  const errors: string[] = [];
  if (host.failure) errors.push(host.failure.message.split("\n")[0]!);
  for (const e of host.errors) errors.push(`${e.kind} error in ${e.where}: ${e.message}`);
  for (const e of host.events.filter((e) => e.type === "blocking_call")) {
    errors.push(`blocking socket call: ${String(e.name)} (${String(e.detail)})`);
  }
  if (widget.internalErrors) {
    errors.push(`${widget.internalErrors} internal errors: ${widget.lastInternalError}`);
  }
  for (const line of host.widgetEchoes.filter((l) => /internal error|error:/i.test(l))) {
    errors.push(`widget printed: ${line}`);
  }
  if (exit.exitEvent?.errorCount) errors.push(`host counted ${exit.exitEvent.errorCount} errors`);
  if (host.stderr.trim()) errors.push(`host stderr: ${host.stderr.trim().slice(0, 500)}`);

  const sockets = exit.sockets;
  const tooShort =
    `NOT JUDGED: ${measured.length} samples after the warm-up, ${MIN_TREND_SAMPLES} needed ` +
    `(run at least ${WARMUP_SECONDS + MIN_TREND_SAMPLES * opts.sample} s)`;
  const checks: Check[] = [
    {
      check: `frames run (at least ${opts.frames})`,
      value: String(last?.frames ?? 0),
      ok: (last?.frames ?? 0) >= opts.frames,
    },
    {
      check: `memory floor: lowest sample, last quarter minus first (after warm-up), <= ${opts.toleranceKb} KiB`,
      value: judged ? `${fmt(memory.quarterGrowthKb, 2)} KiB` : tooShort,
      ok: !judged || memory.quarterGrowthKb <= opts.toleranceKb,
    },
    {
      check: `memory trend: least-squares growth over the measured part, <= ${2 * opts.toleranceKb} KiB`,
      value: judged
        ? `${fmt(memory.fittedGrowthKb, 2)} KiB (${fmt(memory.slopeKbPer100kFrames, 3)} KiB per 100k frames)`
        : tooShort,
      ok: !judged || memory.fittedGrowthKb <= 2 * opts.toleranceKb,
    },
    {
      check: "sockets: every one created was closed",
      value: sockets ? `${sockets.created} created, ${sockets.closed} closed` : "unknown",
      ok: !!sockets && sockets.created === sockets.closed,
    },
    {
      check: "sockets: none leaked (garbage-collected without close) or left open",
      value: sockets ? `${sockets.leaked} leaked, ${sockets.open} open` : "unknown",
      ok: !!sockets && sockets.leaked === 0 && sockets.open === 0,
    },
    {
      check: "the connection was dropped and made again many times",
      value: `${widget.connections ?? 0} connections, ${widget.totalAttempts ?? 0} attempts`,
      ok: (widget.connections ?? 0) >= Math.floor(serverActions.kick! / 2),
    },
    { check: "no errors", value: String(errors.length), ok: errors.length === 0 },
    {
      check: "host exited cleanly",
      value: `code ${exit.code}`,
      ok: exit.code === 0,
    },
  ];
  return {
    interpreter: lua.name,
    numbers: lua.numbers,
    frames: last?.frames ?? 0,
    seconds: round(seconds, 1)!,
    serverActions,
    widget,
    serverTotals: {
      acceptedConnections: serverTotals.acceptedConnections,
      closedConnections: serverTotals.closedConnections,
      linesReceived: serverTotals.linesReceived,
    },
    sockets,
    memory,
    timings,
    errors,
    checks,
    passed: checks.every((c) => c.ok),
    samples,
  };
}

function printResult(r: SoakResult): void {
  console.log(`\n### ${r.interpreter}\n`);
  console.log(
    `${r.frames} frames in ${fmt(r.seconds, 0)} s; server actions: ${r.serverActions.kick} kicks, ` +
      `${r.serverActions.stop} stops, ${r.serverActions.start} starts; the server accepted ` +
      `${r.serverTotals.acceptedConnections} connections and received ${r.serverTotals.linesReceived} lines.\n`,
  );
  const n = r.samples.length;
  const picks = [
    ...new Set(
      Array.from({ length: Math.min(n, 11) }, (_, i) =>
        Math.round((i * (n - 1)) / Math.max(1, Math.min(n, 11) - 1)),
      ),
    ),
  ];
  console.log('Lua memory (collectgarbage("count")) over the run:\n');
  console.log(
    table(
      ["seconds", "frame", "KiB after full GC", "KiB live", "state"],
      picks.map((i) => {
        const s = r.samples[i]!;
        return [
          fmt(s.t, 0),
          String(s.frames),
          fmt(s.memoryKb, 1),
          fmt(s.memoryLiveKb, 1),
          s.state ?? "?",
        ];
      }),
    ),
  );
  const m = r.memory;
  console.log(
    `\nAfter full GC: first ${fmt(m.firstKb, 1)} KiB, last ${fmt(m.lastKb, 1)} KiB, range ` +
      `${fmt(m.minKb, 1)}-${fmt(m.maxKb, 1)} KiB. Trend over the ${m.measuredSamples} samples after ` +
      `the warm-up (${m.warmupFrames} frames and ${WARMUP_SECONDS} s): ` +
      `${fmt(m.slopeKbPer100kFrames, 3)} KiB per 100k frames (${fmt(m.slopeKbPerHour, 1)} KiB per hour at ` +
      `this rate); first -> last quarter: median ${fmt(m.firstQuarterMedianKb, 2)} -> ` +
      `${fmt(m.lastQuarterMedianKb, 2)} KiB, lowest ${fmt(m.firstQuarterMinKb, 2)} -> ${fmt(m.lastQuarterMinKb, 2)} KiB.`,
  );
  const t = r.timings;
  console.log(
    `Call-in cost over the run (medians over the sampling intervals, worst max): Update median ` +
      `${fmt(t.updateMedianUs, 2)} us, p99 ${fmt(t.updateP99Us)} us, max ${fmt(t.updateMaxUs)} us; DrawScreen ` +
      `median ${fmt(t.drawMedianUs, 2)} us, max ${fmt(t.drawMaxUs)} us.\n`,
  );
  console.log(
    table(
      ["check", "value", "ok"],
      r.checks.map((c) => [c.check, c.value, c.ok ? "yes" : "NO"]),
      [false, true, true],
    ),
  );
  for (const e of r.errors.slice(0, 20)) console.log(`  error: ${e}`);
}

async function main(): Promise<void> {
  const args = parseArgs(
    process.argv.slice(2),
    {
      frames: "number",
      fps: "number",
      interpreter: "string",
      cycle: "number",
      sample: "number",
      warmup: "number",
      "tolerance-kb": "number",
      widget: "string",
      out: "string",
    },
    USAGE,
  );
  const opts = {
    frames: Math.floor((args.frames as number | undefined) ?? 120_000),
    fps: (args.fps as number | undefined) ?? 500,
    cycle: (args.cycle as number | undefined) ?? 2,
    sample: (args.sample as number | undefined) ?? 2,
    warmup: (args.warmup as number | undefined) ?? 0.25,
    toleranceKb: (args["tolerance-kb"] as number | undefined) ?? 16,
    widget: args.widget ? path.resolve(String(args.widget)) : WIDGET_FILE,
  };
  if (!existsSync(opts.widget)) {
    console.error(`${opts.widget} does not exist: run npm run build`);
    process.exit(2);
  }
  if (opts.warmup >= 0.9) {
    console.error("--warmup must be below 0.9");
    process.exit(2);
  }
  const which = (args.interpreter as string | undefined) ?? "float";
  if (!["double", "float", "both"].includes(which)) {
    console.error(`--interpreter must be float, double or both\n\n${USAGE}`);
    process.exit(2);
  }
  const out = path.resolve(
    REPO_ROOT,
    (args.out as string | undefined) ?? "build/soak-results.json",
  );

  const survey = prepareInterpreters();
  const interpreters = survey.available.filter((l) => which === "both" || l.numbers === which);
  if (interpreters.length === 0 || (which === "both" && interpreters.length < 2)) {
    for (const m of survey.missing)
      console.error(`${m.name} is missing (${m.reason}): ${m.install}`);
    process.exit(2);
  }
  const machine = machineInfo(interpreters);
  const build = widgetBuild(opts.widget);
  console.log("# Live Data Export: soak test\n");
  console.log(describeMachine(machine).join("\n"));
  console.log(describeBuild(build));
  console.log(
    `\nSettings: ${opts.frames} frames at ${opts.fps} fps (about ${fmt(opts.frames / opts.fps / 60, 1)} min ` +
      `per interpreter); the server kicks, stops and starts in turn every ${opts.cycle} s; memory ` +
      `sampled every ${opts.sample} s after a full collection; trend after the first ` +
      `${fmt(opts.warmup * 100, 0)} % of the frames, tolerance ${opts.toleranceKb} KiB.`,
  );
  const results: SoakResult[] = [];
  const started = Date.now();
  try {
    for (const lua of interpreters) {
      console.log(`\n[${lua.name}] running...`);
      const r = await soak(lua, opts);
      results.push(r);
      printResult(r);
    }
  } finally {
    await BarHost.killAll();
  }
  const passed = results.every((r) => r.passed);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        kind: "live-data-export soak test",
        date: new Date().toISOString(),
        command: `npm run soak${process.argv.length > 2 ? " -- " + process.argv.slice(2).join(" ") : ""}`,
        machine,
        widget: build,
        settings: opts,
        durationSeconds: Math.round((Date.now() - started) / 1000),
        passed,
        results,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(
    `\nSoak ${passed ? "PASSED" : "FAILED"}` +
      (results.some((r) => !r.memory.judged)
        ? " (memory trend NOT JUDGED: the run was too short)"
        : "") +
      `. Results written to ${path.relative(REPO_ROOT, out)}.`,
  );
  if (!passed) process.exitCode = 1;
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  await BarHost.killAll();
  process.exit(1);
});
