/**
 * Shared helpers of the benchmark (tools/bench.ts) and the soak test
 * (tools/soak.ts): the interpreters, the machine description, widget config
 * files in BAR's saved format (test/host/widget-config.ts), free and closed ports, the "black hole"
 * listener, a little statistics and plain-text tables.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import {
  REPO_ROOT,
  surveyInterpreters,
  type InterpreterSurvey,
  type LuaInterpreter,
} from "../../test/support/interpreters.ts";

import type { WorldConfig } from "../../test/host/world-driver.ts";

export { REPO_ROOT };
export { WIDGET_FILE, WIDGET_NAME, writeWidgetConfig } from "../../test/host/widget-config.ts";
export type { LuaInterpreter };

export const BENCH_DIR = path.join(REPO_ROOT, "tools/bench");

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------
// command line

export type ArgSpec = Record<string, "number" | "string" | "boolean">;
export type ParsedArgs = Record<string, number | string | boolean | undefined>;

/** Parses `--name value` and `--flag`; unknown options are an error. */
export function parseArgs(argv: string[], spec: ArgSpec, usage: string): ParsedArgs {
  const out: ParsedArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    if (raw === "--help" || raw === "-h") {
      console.log(usage);
      process.exit(0);
    }
    const eq = raw.indexOf("=");
    const name = (eq >= 0 ? raw.slice(0, eq) : raw).replace(/^--/, "");
    const kind = raw.startsWith("--") ? spec[name] : undefined;
    if (kind === undefined) {
      console.error(`unknown option: ${raw}\n\n${usage}`);
      process.exit(2);
    }
    if (kind === "boolean") {
      out[name] = true;
      continue;
    }
    const value = eq >= 0 ? raw.slice(eq + 1) : argv[++i];
    if (value === undefined) {
      console.error(`missing value for --${name}\n\n${usage}`);
      process.exit(2);
    }
    if (kind === "number") {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) {
        console.error(`--${name} needs a positive number, got ${value}`);
        process.exit(2);
      }
      out[name] = n;
    } else {
      out[name] = value;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// interpreters and machine

/**
 * Makes sure the interpreters exist (tools/setup-lua.sh is cached and returns
 * at once when they do; as root it installs what is missing), then probes them.
 */
export function prepareInterpreters(): InterpreterSurvey {
  if (process.platform !== "linux") {
    console.error("The benchmark and the soak test need Linux (real Lua 5.1 with LuaSocket).");
    process.exit(2);
  }
  const r = spawnSync("bash", [path.join(REPO_ROOT, "tools/setup-lua.sh")], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) {
    console.warn("setup-lua.sh did not finish; using whatever interpreters are present");
  }
  return surveyInterpreters();
}

export interface InterpreterInfo {
  name: string;
  path: string;
  numbers: string;
  version: string;
  socket: string;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
  virtualisation?: string;
  node: string;
  loadAverage: number[];
  interpreters: InterpreterInfo[];
}

function osPrettyName(): string {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
    if (m) return m[1]!;
  } catch {
    /* not Linux or no os-release */
  }
  return `${os.type()} ${os.release()}`;
}

/** "KVM", "KVM, container docker"...: what the CPU and systemd say, if anything. */
function virtualisation(): string | undefined {
  const parts: string[] = [];
  const lscpu = spawnSync("lscpu", [], { encoding: "utf8" });
  const m = /Hypervisor vendor:\s*(.+)/.exec(lscpu.stdout ?? "");
  if (m) parts.push(`${m[1]!.trim()} hypervisor`);
  const c = spawnSync("systemd-detect-virt", ["--container"], { encoding: "utf8" });
  const container = c.status === 0 ? c.stdout.trim() : "";
  if (container && container !== "none") parts.push(`container: ${container}`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}

export function interpreterInfo(lua: LuaInterpreter): InterpreterInfo {
  const r = spawnSync(lua.path, ["-e", "io.write(_VERSION)"], { encoding: "utf8" });
  return {
    name: lua.name,
    path: path.relative(REPO_ROOT, lua.path) || lua.path,
    numbers: lua.numbers,
    version: r.stdout.trim() || "?",
    socket: lua.socket,
  };
}

export function machineInfo(interpreters: LuaInterpreter[]): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "?",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: osPrettyName(),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    virtualisation: virtualisation(),
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    interpreters: interpreters.map(interpreterInfo),
  };
}

export function describeMachine(m: MachineInfo): string[] {
  return [
    `CPU:     ${m.cpu}, ${m.cores} cores${m.virtualisation ? ` (virtual machine: ${m.virtualisation})` : ""}, ${m.memoryGiB} GiB RAM`,
    `OS:      ${m.os} (${m.kernel})`,
    `Node:    ${m.node}`,
    ...m.interpreters.map(
      (i) => `Lua:     ${i.name}: ${i.version}, ${i.numbers} numbers, ${i.socket} (${i.path})`,
    ),
    `Load:    ${m.loadAverage.join(" ")} (1/5/15 min, at the start)`,
  ];
}

export interface WidgetBuild {
  file: string;
  bytes: number;
  sha256: string;
  /** The commit checked out, and whether src/ differs from it. */
  gitCommit?: string;
  srcModified?: boolean;
}

/** Which widget build was measured (the figures belong to that file). */
export function widgetBuild(file: string): WidgetBuild {
  const data = readFileSync(file);
  const git = (args: string[]) => spawnSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" });
  const head = git(["rev-parse", "--short", "HEAD"]);
  const dirty = git(["status", "--porcelain", "--", "src"]);
  return {
    file: path.relative(REPO_ROOT, file) || file,
    bytes: data.length,
    sha256: createHash("sha256").update(data).digest("hex"),
    gitCommit: head.status === 0 ? head.stdout.trim() : undefined,
    srcModified: dirty.status === 0 ? dirty.stdout.trim().length > 0 : undefined,
  };
}

export function describeBuild(b: WidgetBuild): string {
  const git = b.gitCommit
    ? `, commit ${b.gitCommit}${b.srcModified ? " with uncommitted changes in src/" : ""}`
    : "";
  return `Widget:  ${b.file} (${b.bytes} bytes, sha256 ${b.sha256.slice(0, 12)}${git})`;
}

// ---------------------------------------------------------------------------
// ports and the black hole

/** The lowest port the system hands out for port 0 (Linux: 32768 by default). */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/);
    const n = Number(low);
    if (Number.isInteger(n) && n > 2048) return n;
  } catch {
    /* not Linux */
  }
  return 32768;
}

async function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => resolve(true));
  });
  if (ok) await new Promise<void>((resolve) => server.close(() => resolve()));
  return ok;
}

/**
 * A loopback port with no listener. It is taken below the range the system
 * hands out for port 0, so that no listener started later (the host's own
 * control connection, a test server) is given it; and checked free just now.
 */
export async function closedPort(): Promise<number> {
  const high = ephemeralLow() - 1;
  const low = Math.max(1024, high - 12000);
  for (let i = 0; i < 50; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}

export interface BlackHole {
  port: number;
  /** Whether a probe connect really stayed pending. */
  pending: boolean;
  details: Record<string, unknown>;
  stop(): void;
}

/**
 * A listener whose full accept backlog makes every new connect stay pending
 * (tools/bench/blackhole.lua); verified on this machine before use.
 */
export async function startBlackHole(lua: LuaInterpreter, verifySeconds = 1): Promise<BlackHole> {
  const proc = spawn(
    lua.path,
    [path.join(BENCH_DIR, "blackhole.lua"), "--verify", String(verifySeconds)],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (c: string) => (stderr += c));
  const lines = createInterface({ input: proc.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("black hole did not start")), 15_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`black hole exited with ${code}: ${stderr.trim()}`));
    });
  });
  const details = JSON.parse(first) as Record<string, unknown>;
  return {
    port: Number(details.port),
    pending: details.pending === true,
    details,
    stop: () => {
      proc.stdin.end();
      setTimeout(() => proc.kill(), 2000).unref();
    },
  };
}

// ---------------------------------------------------------------------------
// statistics

/** Jiffies the kernel counted for all CPUs, from /proc/stat (Linux only). */
export interface CpuTicks {
  total: number;
  steal: number;
}

export function cpuTicks(): CpuTicks | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const fields = line.trim().split(/\s+/);
    if (fields[0] !== "cpu") return undefined;
    // user nice system idle iowait irq softirq steal (guest time is inside user)
    const values = fields.slice(1, 9).map(Number);
    if (values.length < 8 || values.some((v) => !Number.isFinite(v))) return undefined;
    return { total: values.reduce((a, v) => a + v, 0), steal: values[7]! };
  } catch {
    return undefined;
  }
}

/**
 * Share of the CPUs' time between two readings that the hypervisor gave to other
 * machines (steal), in percent: how noisy a virtual machine was during a run.
 */
export function stealPercent(from?: CpuTicks, to?: CpuTicks): number | undefined {
  if (!from || !to || to.total <= from.total) return undefined;
  return ((to.steal - from.steal) / (to.total - from.total)) * 100;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Least-squares line y = intercept + slope * x. */
export function linearFit(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const n = xs.length;
  if (n < 2) return { slope: 0, intercept: ys[0] ?? 0 };
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export function round(v: number | undefined, digits = 1): number | undefined {
  if (v === undefined || !Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function fmt(v: number | undefined, digits = 1): string {
  if (v === undefined || Number.isNaN(v)) return "-";
  return v.toFixed(digits);
}

// ---------------------------------------------------------------------------
// tables

/** A Markdown table with padded columns (readable in a terminal too). */
export function table(header: string[], rows: string[][], alignRight?: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const right = alignRight ?? header.map((_, i) => i > 0);
  const line = (cells: string[]) =>
    "| " +
    cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ") +
    " |";
  const rule =
    "|" +
    widths.map((w, i) => (right[i] ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|") +
    "|";
  return [line(header), rule, ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------
// the scale game and results

/**
 * The benchmarks' scale game: 16 teams x 625 units, full view, in real time, a battle that
 * destroys and rebuilds `kills` units every game second, for `seconds` game seconds.
 */
export function scaleGame(seconds: number, kills = 300): WorldConfig {
  return {
    driver: "scale",
    seed: 5,
    view: "fullview",
    speed: 1,
    truthTeams: false,
    truthDamage: false,
    scale: { teams: 16, unitsPerTeam: 625, killsPerSecond: kills, seconds },
  };
}

/** Writes a run's results as JSON with what made them: `{kind, date, command, ...fields}`. */
export function writeResults(file: string, kind: string, fields: Record<string, unknown>): void {
  const script = path.relative(REPO_ROOT, process.argv[1] ?? "");
  const command = `npx tsx ${script} ${process.argv.slice(2).join(" ")}`.trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const results = { kind, date: new Date().toISOString(), command, ...fields };
  writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
}
