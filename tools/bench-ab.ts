/**
 * Two widget builds side by side (`tsx tools/bench-ab.ts --a FILE --b FILE`): this VM's
 * speed wanders by up to 1.7 times for minutes (docs/performance.md, "The machine's
 * speed"), so a change worth 5-10 % of a frame shows only when both builds are measured at
 * the same time. Each pair runs tools/bench-collect.ts for A and for B at once, one host
 * each (the machine has two cores), and reads their figures back (its --json); the summary
 * is the median over the pairs of B's net mean less A's, and of B's over A's.
 *
 * A build of another commit: `git worktree add /tmp/wt-old <sha>`, link node_modules into
 * it, `npm run build` there, and pass its build/api_live_data_export.lua.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RunFigures } from "./bench-collect.ts";
import { fmt, median, parseArgs, table } from "./bench/common.ts";

const USAGE = `tsx tools/bench-ab.ts --a FILE --b FILE [--pairs N] [--situations ID,ID] [--lua double|float|both] [--seconds N] [--warmup N] [--set key=value,...]

  --a, --b      the two built widgets (e.g. /tmp/old.lua and build/api_live_data_export.lua)
  --pairs       how many times both are measured at once (default 3)
  --situations  tools/bench-collect.ts's situations (default: default)
  --lua         interpreter(s) (default double)
  --seconds     measured seconds a run (default 20); --warmup seconds before (default 25)
  --set         settings for both, as tools/bench-collect.ts takes them`;

const TOOL = path.join(path.dirname(new URL(import.meta.url).pathname), "bench-collect.ts");

interface Output {
  widget: string;
  runs: RunFigures[];
}

/** Runs tools/bench-collect.ts with `args`; resolves with its --json output. */
function collect(args: string[], json: string, label: string): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", TOOL, ...args, "--json", json], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) {
        reject(new Error(`${label}: tools/bench-collect.ts exited with ${code}\n${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(readFileSync(json, "utf8")) as Output);
      } catch (err) {
        reject(new Error(`${label}: no figures in ${json}: ${String(err)}`));
      }
    });
  });
}

function runKey(r: RunFigures): string {
  return `${r.situation} (${r.interpreter})`;
}

async function main(): Promise<void> {
  const args = parseArgs(
    process.argv.slice(2),
    {
      a: "string",
      b: "string",
      pairs: "number",
      situations: "string",
      lua: "string",
      seconds: "number",
      warmup: "number",
      set: "string",
    },
    USAGE,
  );
  if (args.a === undefined || args.b === undefined) {
    console.error(`--a and --b are needed\n\n${USAGE}`);
    process.exit(2);
  }
  const files = [path.resolve(String(args.a)), path.resolve(String(args.b))];
  for (const file of files) {
    if (!existsSync(file)) {
      console.error(`no widget at ${file}\n\n${USAGE}`);
      process.exit(2);
    }
  }
  const pairs = Math.floor(Number(args.pairs ?? 3));
  const common = [
    "--situations",
    String(args.situations ?? "default"),
    "--lua",
    String(args.lua ?? "double"),
    "--seconds",
    String(args.seconds ?? 20),
    "--warmup",
    String(args.warmup ?? 25),
    ...(args.set !== undefined ? ["--set", String(args.set)] : []),
  ];
  const tmp = mkdtempSync(path.join(os.tmpdir(), "ldx-bench-ab-"));
  console.log(`\n# Side by side: A ${files[0]}\n#               B ${files[1]}\n`);
  // By situation and interpreter: each pair's [A, B].
  const byKey = new Map<string, [RunFigures, RunFigures][]>();
  for (let p = 1; p <= pairs; p++) {
    const [a, b] = await Promise.all(
      files.map((file, i) =>
        collect(
          ["--widget", file, ...common],
          path.join(tmp, `${p}-${i}.json`),
          `pair ${p} ${"AB"[i]}`,
        ),
      ),
    );
    for (const runA of a!.runs) {
      const runB = b!.runs.find((r) => runKey(r) === runKey(runA));
      if (runB === undefined) continue;
      const list = byKey.get(runKey(runA)) ?? [];
      list.push([runA, runB]);
      byKey.set(runKey(runA), list);
    }
    console.log(`pair ${p} of ${pairs} measured`);
  }
  rmSync(tmp, { recursive: true, force: true });
  const rows: string[][] = [];
  const summary: string[][] = [];
  for (const [key, list] of byKey) {
    list.forEach(([a, b], i) => {
      rows.push([
        key,
        String(i + 1),
        fmt(a.netMeanUs),
        fmt(b.netMeanUs),
        fmt(diff(a.netMeanUs, b.netMeanUs)),
        fmt(ratio(a.netMeanUs, b.netMeanUs), 3),
        fmt(a.netP99Us),
        fmt(b.netP99Us),
        `${a.guardBefore}-${a.guardAfter} / ${b.guardBefore}-${b.guardAfter}`,
        `${fmt(a.referenceUs)} / ${fmt(b.referenceUs)}`,
      ]);
    });
    const diffs = list.map(([a, b]) => diff(a.netMeanUs, b.netMeanUs)).filter(isNumber);
    const ratios = list.map(([a, b]) => ratio(a.netMeanUs, b.netMeanUs)).filter(isNumber);
    summary.push([
      key,
      String(list.length),
      fmt(median(diffs)),
      fmt(median(ratios), 3),
      diffs.length > 0 ? `${fmt(Math.min(...diffs))} to ${fmt(Math.max(...diffs))}` : "-",
      `${diffs.filter((d) => d < 0).length} of ${diffs.length}`,
    ]);
  }
  console.log(
    "\n## Each pair (net µs per drawn frame; machine ref: µs a reference round, lower is faster)\n",
  );
  console.log(
    table(
      [
        "situation (interpreter)",
        "pair",
        "A mean",
        "B mean",
        "B - A",
        "B / A",
        "A p99",
        "B p99",
        "guard step A / B",
        "machine ref A / B",
      ],
      rows,
    ),
  );
  console.log("\n## Summary: B against A\n");
  console.log(
    table(
      [
        "situation (interpreter)",
        "pairs",
        "median B - A (µs)",
        "median B / A",
        "range of B - A",
        "pairs B lower",
      ],
      summary,
    ),
  );
  console.log(
    "\nCompare only pairs at the same guard step (README, 'Protecting the frame rate'): a build that steps down sends less.",
  );
}

function diff(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : b - a;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || a === 0 ? undefined : b / a;
}

function isNumber(x: number | undefined): x is number {
  return x !== undefined;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
