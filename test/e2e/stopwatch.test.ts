/**
 * The engine stopwatch (src/engine/stopwatch.ts) two hours into a game, in the BAR-like
 * host under each interpreter: the host's timers count from an engine started 7200 s
 * earlier (--engine-uptime), as the engine's do, and the fixture
 * test/host/fixtures/stopwatch_probe.ts times busy loops of 50 µs, measured by the
 * host's C stopwatch (--reference-clock).
 *
 * Under float numbers (as in the engine), os.clock() is 7200-odd seconds held in 24
 * bits: it moves in steps of 2^-11 s (488 µs), so differences of it cannot see 50 µs.
 * Spring.GetTimer() counts whole milliseconds. The stopwatch diffs GetTimerMicros in
 * C and stays within a few microseconds.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import * as tstl from "typescript-to-lua";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BarHost } from "../host/driver.ts";
import {
  luaInterpreters,
  registerMissingInterpreterTests,
  REPO_ROOT,
} from "../support/interpreters.ts";

const FIXTURE = path.join(REPO_ROOT, "test", "host", "fixtures", "stopwatch_probe.ts");
const OUT_DIR = path.join(REPO_ROOT, "build", "stopwatch-probe");
const TWO_HOURS = 7200;

/** Builds the fixture with the widget's own modules into one Lua file, as the widget is built. */
function buildProbe(): string {
  mkdirSync(OUT_DIR, { recursive: true });
  const config = path.join(OUT_DIR, "tsconfig.json");
  writeFileSync(
    config,
    JSON.stringify({
      extends: path.join(REPO_ROOT, "tsconfig.json"),
      include: [path.join(REPO_ROOT, "types"), FIXTURE],
      compilerOptions: { rootDir: REPO_ROOT, outDir: OUT_DIR },
      tstl: {
        luaTarget: "5.1",
        luaBundle: "stopwatch_probe.lua",
        luaBundleEntry: FIXTURE,
        luaLibImport: "require-minimal",
        noImplicitSelf: true,
        noHeader: true,
        sourceMapTraceback: false,
      },
    }),
  );
  const { diagnostics } = tstl.transpileProject(config);
  if (diagnostics.length > 0) {
    throw new Error(
      ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => REPO_ROOT,
        getNewLine: () => "\n",
      }),
    );
  }
  return path.join(OUT_DIR, "stopwatch_probe.lua");
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

interface Slice {
  /** The reference's time within the stopwatch's interval, µs. */
  inner: number;
  /** The reference's time around it, µs. */
  outer: number;
  watched: number;
  absolute: number;
  milli: number;
}

/** How far `value` lies outside [low, high]. */
function outside(value: number, low: number, high: number): number {
  return value < low ? low - value : value > high ? value - high : 0;
}

let probe: string;

beforeAll(() => {
  probe = buildProbe();
});

afterEach(async () => {
  await BarHost.killAll();
});

registerMissingInterpreterTests();

describe.each(luaInterpreters())("engine stopwatch under $name, two hours into a game", (lua) => {
  it("measures 50 µs slices within a few µs, where os.clock and GetTimer cannot", async () => {
    const host = await BarHost.start({
      interpreter: lua.path,
      widget: probe,
      engineUptime: TWO_HOURS,
      referenceClock: true,
    });
    await host.waitForEcho(/^PROBE done$/, 60_000);
    const echoes = host.widgetEchoes;
    expect(echoes).toContain("PROBE resolution 1");

    const slices: Slice[] = echoes
      .filter((line) => line.startsWith("SLICE "))
      .map((line) => {
        const [inner, outer, watched, absolute, milli] = line.slice(6).split(" ").map(Number);
        return { inner, outer, watched, absolute, milli };
      });
    expect(slices).toHaveLength(300);
    // Each loop ran for 50 µs by the reference (a little more: the last look at it).
    expect(
      quantile(
        slices.map((s) => s.inner),
        0.5,
      ),
    ).toBeGreaterThanOrEqual(50);
    expect(
      quantile(
        slices.map((s) => s.inner),
        0.5,
      ),
    ).toBeLessThan(60);

    // The true interval lies between inner and outer; the timer's whole microseconds
    // may put the reading up to 1 µs outside. A preempted sample can do worse.
    const stopwatchError = slices.map((s) => outside(s.watched, s.inner, s.outer));
    const clockError = slices.map((s) => outside(s.absolute, s.inner, s.outer));
    const milliError = slices.map((s) => outside(s.milli, s.inner, s.outer));
    const worst = JSON.stringify(
      slices
        .map((s, i) => ({ ...s, error: stopwatchError[i] }))
        .sort((a, b) => b.error - a.error)
        .slice(0, 40),
    );
    expect(quantile(stopwatchError, 0.5), worst).toBeLessThanOrEqual(1);
    expect(quantile(stopwatchError, 0.9), worst).toBeLessThanOrEqual(3);
    // Whole milliseconds: 0 or 1000 for a 50 µs loop.
    expect(quantile(milliError, 0.5)).toBeGreaterThan(40);
    if (lua.numbers === "float") {
      // os.clock() moves in 488 µs steps at 7200 s: it reads 0 or 488 for 50 µs.
      expect(quantile(clockError, 0.5)).toBeGreaterThan(40);
      expect(new Set(slices.map((s) => Math.round(s.absolute))).size).toBeLessThanOrEqual(3);
    } else {
      // With double numbers the absolute clock would do: the failure is the float's.
      expect(quantile(clockError, 0.5)).toBeLessThanOrEqual(5);
    }

    // An interval of 1.5 s, across whole seconds of the engine's timers, is as precise.
    const long = echoes.find((line) => line.startsWith("LONG "));
    expect(long).toBeDefined();
    const [inner, outer, watched] = long!.slice(5).split(" ").map(Number);
    expect(inner).toBeGreaterThan(1e6);
    expect(outside(watched, inner, outer), long).toBeLessThanOrEqual(1);

    await host.shutdown();
  });
});
