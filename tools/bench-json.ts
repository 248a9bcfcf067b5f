/**
 * Encoder benchmark (not a test): our widget JSON encoder against dkjson (pure Lua, Debian's
 * `lua-dkjson`) and lua-cjson (C, Debian's `lua-cjson`: the practical upper bound, not
 * available in BAR), in the same run on the same data, under the native double and
 * engine-like float lua5.1 interpreters (`npm run setup:lua`).
 *
 * Messages: (a) a full snapshot of a real game (../shared/data/games/colorado-4p4ai-2023.json
 * at its end: players, teams, economy, the latest statistics entry per team, unit counts per
 * def from real unit definitions); (b) a positions message of 10,000 units. For (b), "ours"
 * is the general encoder on the wire's tuples (what dkjson and cjson get); "ours, rows" is
 * the widget's own path: the collector's records through the row writer, in the sliced
 * encoder (src/protocol/sliced.ts) with a budget that never runs out.
 *
 * usage: npx tsx tools/bench-json.ts [--runs N]  (also the last part of `npm run bench`)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PositionRow, SnapshotMessage, StatsEntry, UnitCount } from "../protocol/messages.ts";
import { luaInterpreters } from "../test/support/interpreters.ts";
import { buildProtocolLua, luaValue } from "../test/protocol/lua-harness.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DATA = path.resolve(ROOT, "../shared/data");
const OUT = path.join(ROOT, "build/bench-json");
const DKJSON = "/usr/share/lua/5.1/dkjson.lua";

const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;

if (!existsSync(DKJSON)) {
  // Part of `npm run bench`: say what is missing, and do not fail the other benchmarks.
  console.error(
    `encoder benchmark skipped: ${DKJSON} not found; install the comparison encoders with ` +
      "`sudo apt-get install -y lua-dkjson lua-cjson` (Debian packages; `npm run setup:lua` does)",
  );
  process.exit(0);
}

interface GameFile {
  teamStats: Record<string, Array<Omit<StatsEntry, "time">>>;
  teams: Array<{ teamID: number; side: string }>;
}
interface UnitDefFile {
  unitDefs: Record<string, { name: string }>;
}

/** The fixture snapshot, moved to the end of the game with the real last statistics entries. */
function snapshotMessage(): SnapshotMessage {
  const game = JSON.parse(
    readFileSync(path.join(DATA, "games/colorado-4p4ai-2023.json"), "utf8"),
  ) as GameFile;
  const defs = JSON.parse(
    readFileSync(path.join(DATA, "bar-unitdefs.json"), "utf8"),
  ) as UnitDefFile;
  const line = readFileSync(path.join(ROOT, "protocol/fixtures/session.ndjson"), "utf8")
    .split("\n")
    .find((l) => l.startsWith('{"type":"snapshot"'))!;
  const snapshot = JSON.parse(line) as SnapshotMessage;
  const last = (teamID: number): StatsEntry => {
    const history = game.teamStats[String(teamID)]!;
    const entry = history[history.length - 1]!;
    return { time: Math.floor(entry.frame / 30), ...entry };
  };
  snapshot.frame = last(0).frame;
  snapshot.stats = game.teams.map((t) => ({ teamID: t.teamID, entry: last(t.teamID) }));
  // 60 defs per team of its faction, counts 1..40: a late-game army and base.
  const byPrefix = (prefix: string): number[] =>
    Object.entries(defs.unitDefs)
      .filter(([, d]) => d.name.startsWith(prefix))
      .map(([id]) => Number(id))
      .slice(0, 60);
  snapshot.units = game.teams.map((t, i) => {
    const ids = byPrefix(t.side === "Armada" ? "arm" : "cor");
    const finished: UnitCount[] = ids.map((id, k) => [id, 1 + ((id * 7 + k + i) % 40)]);
    const building: UnitCount[] = ids.slice(0, 5).map((id) => [id, 1]);
    return { teamID: t.teamID, finished, building, unknown: 0 };
  });
  return snapshot;
}

function positionsMessage(count: number): {
  type: "positions";
  seq: number;
  frame: number;
  fromFrame: number;
  units: PositionRow[];
} {
  let state = 12345;
  const rand = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const units: PositionRow[] = [];
  for (let i = 0; i < count; i++) {
    units.push([
      1 + Math.floor(rand() * 32000),
      1 + Math.floor(rand() * 1964),
      Math.floor(rand() * 8),
      Math.fround(rand() * 12288),
      Math.fround(rand() * 8192),
      Math.fround(rand()),
    ]);
  }
  return { type: "positions", seq: 100, frame: 99000, fromFrame: 98970, units };
}

mkdirSync(OUT, { recursive: true });
const protocolLua = buildProtocolLua();
const dataLua = path.join(OUT, "data.lua");
const positions = positionsMessage(10_000);
const KEYS = ["unitID", "unitDefID", "teamID", "x", "z", "health"];
/** The positions as the collector has them: one record per unit. */
const records = {
  ...positions,
  units: positions.units.map((row) => Object.fromEntries(KEYS.map((k, i) => [k, row[i]]))),
};
writeFileSync(
  dataLua,
  `return {\nsnapshot = ${luaValue(snapshotMessage())},\npositions = ${luaValue(positions)},\npositionRecords = ${luaValue(records)},\n}\n`,
);

interface Row {
  interpreter: string;
  encoder: string;
  message: string;
  bytes: number;
  seconds: number;
}
const rows: Row[] = [];
const interpreters = luaInterpreters();
if (interpreters.length === 0) {
  console.error("no native lua5.1 interpreter: run `npm run setup:lua`");
  process.exit(1);
}
for (const interpreter of interpreters) {
  const r = spawnSync(
    interpreter.path,
    [
      path.join(ROOT, "tools/bench/json_bench.lua"),
      protocolLua,
      dataLua,
      DKJSON,
      String(runs),
      "0.05",
    ],
    { encoding: "utf8", timeout: 600_000 },
  );
  if (r.status !== 0) {
    console.error(`${interpreter.name}: ${r.stderr || r.error}`);
    process.exit(1);
  }
  for (const line of r.stdout.trim().split("\n")) {
    const [encoder, message, bytes, seconds] = line.split("\t");
    rows.push({
      interpreter: interpreter.name,
      encoder: encoder!,
      message: message!,
      bytes: Number(bytes),
      seconds: Number(seconds),
    });
  }
}

const find = (i: string, e: string, m: string): Row | undefined =>
  rows.find((r) => r.interpreter === i && r.encoder === e && r.message === m);
/** The widget's own path for a message: the row writer for positions, else the encoder. */
const oursFor = (i: string, m: string): Row => find(i, "ours, rows", m) ?? find(i, "ours", m)!;
const lines = [
  `JSON encoder benchmark: median of ${runs} samples per cell; ${os.cpus()[0]?.model ?? "?"}, ${os.cpus().length} cores, Node ${process.version}`,
  "",
  "| interpreter | message | encoder | bytes | ms per message | MB/s | its time ÷ ours |",
  "| --- | --- | --- | --- | --- | --- | --- |",
];
for (const row of rows) {
  const ours = oursFor(row.interpreter, row.message);
  lines.push(
    `| ${row.interpreter} | ${row.message} | ${row.encoder} | ${row.bytes} | ${(row.seconds * 1000).toFixed(3)} | ${(row.bytes / row.seconds / 1e6).toFixed(1)} | ${row === ours ? "" : (row.seconds / ours.seconds).toFixed(2)} |`,
  );
}
// The goals: at least 2x dkjson, within 4x of cjson, for the widget's own path.
lines.push("");
for (const row of rows.filter((r) => r === oursFor(r.interpreter, r.message))) {
  const dk = find(row.interpreter, "dkjson", row.message);
  const cj = find(row.interpreter, "cjson", row.message);
  const parts = [`${row.interpreter}, ${row.message} (${row.encoder}):`];
  if (dk) parts.push(`${(dk.seconds / row.seconds).toFixed(2)}x dkjson's speed (goal >= 2)`);
  if (cj) parts.push(`${(row.seconds / cj.seconds).toFixed(2)}x cjson's time (goal <= 4)`);
  lines.push(parts.join(" "));
}
console.log(lines.join("\n"));
