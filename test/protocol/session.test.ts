/**
 * The transpiled session, run under fengari, Lua 5.1 in WebAssembly and the native double
 * and engine-like float interpreters, from a source of plain Lua tables shaped like the
 * collector's model (built from the golden fixtures): every line it writes, of every
 * message type, must be strict UTF-8 JSON that the protocol's schema accepts, with seqs
 * that rise by one except where a gap says what was dropped.
 *
 * Also: the row writer (the positions fast path) writes exactly what the general encoder
 * writes for the same values as tuples, for fuzzed rows; and the session id is the same
 * under every interpreter.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { registerMissingInterpreterTests } from "../support/interpreters.ts";
import { luaNumber, luaRunners, luaValue } from "./lua-harness.ts";
import { createValidator } from "./validator.ts";
import { OUTBOUND_TYPES } from "../../protocol/messages.ts";
import { random } from "../support/random.ts";
import { UNIT_EVENT_ROWS } from "../support/unit-event-rows.ts";

const FIXTURES = path.resolve(import.meta.dirname, "../../protocol/fixtures");
const fixture = (type: string): Record<string, unknown> => {
  for (const file of ["session.ndjson", "game-start.ndjson", "edge.ndjson", "ext.ndjson"]) {
    for (const line of readFileSync(path.join(FIXTURES, file), "utf8").split("\n")) {
      if (line.startsWith(`{"type":"${type}"`)) return JSON.parse(line);
    }
  }
  throw new Error(`no fixture line of type ${type}`);
};
const validator = createValidator();
const runners = luaRunners();
afterAll(() => runners.forEach((r) => r.close()));
registerMissingInterpreterTests();

type Pair = [number, number];
interface WireTeamUnits {
  teamID: number;
  finished: Pair[];
  building: Pair[];
  unknown: number;
}

/** A model TeamUnits (counts keyed by unitDefID) as a Lua constructor. */
function modelUnits(t: WireTeamUnits): string {
  const map = (pairs: Pair[]) => `{${pairs.map(([id, n]) => `[${id}]=${n}`).join(",")}}`;
  return `{teamID=${t.teamID},exact=true,finished=${map(t.finished)},building=${map(t.building)},unknown=${t.unknown}}`;
}

/** Removes `seq` (the session gives its own) and renders a fixture message as a model change. */
function change(type: string, edit?: (m: Record<string, unknown>) => void): string {
  const m = fixture(type);
  delete m.seq;
  edit?.(m);
  return luaValue(m);
}

/** Each unit event row's kind: the collector's change type and its fields after the kind. */
const UNIT_EVENT_FIELDS = Object.fromEntries(
  UNIT_EVENT_ROWS.map(([type, kind, fields]) => [kind, [type, fields] as const]),
);

/** The rows of every \`unit_events\` fixture line as the collector's changes (Lua constructors). */
function unitEventChanges(): string[] {
  const out: string[] = [];
  const text = readFileSync(path.join(FIXTURES, "session.ndjson"), "utf8");
  for (const line of text.split("\n")) {
    if (!line.startsWith(`{"type":"unit_events"`)) continue;
    const m = JSON.parse(line) as { frame: number; events: (string | number | null)[][] };
    for (const [kind, ...values] of m.events) {
      const [type, keys] = UNIT_EVENT_FIELDS[kind as string]!;
      const fields = keys
        .filter((_, i) => values[i] !== null)
        .map((k) => `${k}=${values[keys.indexOf(k)]}`);
      out.push(`{type="${type}",frame=${m.frame},${fields.join(",")}}`);
    }
  }
  return out;
}

/** The fixture's \`ext.*\` event as the collector records it (type ext, its name apart). */
function extChange(): string {
  const m = fixture("ext.hud.marker");
  return luaValue({ type: "ext", frame: m.frame, name: m.type, fields: m.fields });
}

function modelSource(): string {
  const snap = fixture("snapshot") as Record<string, unknown> & {
    units: WireTeamUnits[];
    stats: { teamID: number; entry: unknown }[];
    game: Record<string, unknown>;
    view: Record<string, unknown>;
  };
  const units = fixture("units") as { frame: number; teams: WireTeamUnits[] };
  const stats = fixture("stats") as { frame: number; teamID: number; entry: unknown };
  const positions = fixture("positions") as { units: (number | null)[][] };
  const damage = fixture("damage") as { units: number[][] };
  const game = { ...snap.game, frame: snap.frame };
  const view = { ...snap.view, fullRead: true };
  const defs = (fixture("unitdefs") as { unitDefs: unknown[] }).unitDefs;
  const rowsOf = (keys: string[], rows: (number | null)[][]) =>
    `{${rows
      .map(
        (r) =>
          `{${keys.map((k, i) => `${k}=${r[i] === null ? "nil" : luaNumber(r[i]!)}`).join(",")}}`,
      )
      .join(",")}}`;
  const events = [
    "game_started",
    ...unitEventChanges(),
    "team_died",
    "player_added",
    "player_changed",
    "player_removed",
    "game_paused",
    "game_resumed",
    "economy",
    "view_changed",
    "game_over",
  ].map((t) => (t.startsWith("{") ? t : change(t)));
  return `
    local GAME = ${luaValue(game)}
    local VIEW = ${luaValue(view)}
    local SNAPSHOT = {
      frame = ${snap.frame}, game = GAME, view = VIEW,
      players = ${luaValue(snap.players)}, teams = ${luaValue(snap.teams)},
      economy = ${luaValue(snap.economy)},
      units = {${snap.units.map(modelUnits).join(",")}},
      stats = {${snap.stats.map((s) => `{teamID=${s.teamID},index=3,live=false,entry=${luaValue(s.entry)}}`).join(",")}},
    }
    local CHANGES = {
      ${events.join(",\n")},
      { type = "units", frame = ${units.frame}, teams = {${units.teams.map(modelUnits).join(",")}} },
      { type = "stats", frame = ${stats.frame}, stats = { teamID = ${stats.teamID}, index = 4, live = false, entry = ${luaValue(stats.entry)} } },
      ${change("positions", (m) => (m.units = []))},
      ${change("damage", (m) => (m.units = []))},
      ${extChange()},
    }
    CHANGES[#CHANGES - 1].units = ${rowsOf(["unitID", "unitDefID", "teamID", "x", "z", "health"], positions.units)}
    CHANGES[#CHANGES].units = ${rowsOf(["unitID", "teamID", "damage", "paralyze"], damage.units)}
    -- The collector's own queue: unit events go into its batches, as in the widget.
    local queue = setmetatable({}, J.ChangeQueue.prototype)
    queue:____constructor()
    local source = {
      snapshot = function(self) return SNAPSHOT end,
      changes = queue,
      catalog = { entries = ${luaValue(defs)}, complete = true },
      game = { read = function(self) return GAME end },
      currentView = function(self) return VIEW end,
    }
    local function push(c) queue:push(c) end
  `;
}

/** Drives a session: connect, every change, the receiver's lines, a heartbeat, a loss, bye. */
const DRIVE = `
  ${modelSource()}
  local clock = { t = 100 }
  function clock:now() return self.t end
  -- A budget that expires on every third look: big messages take several steps.
  local budget = { now = 0, gameFrame = 45000, looks = 0 }
  function budget:expired() self.looks = self.looks + 1; return self.looks % 3 == 0 end
  local settings = { categories = { economy = true, units = true, stats = true, events = true,
    unitdefs = true, positions = true, damage = true },
    rates = { economy = 1, units = 1, positions = 1, damage = 1, snapshot = 60 } }
  local session = setmetatable({}, J.Session.prototype)
  session:____constructor({ source = source, clock = clock, id = J.makeSessionID({ "test", 1 }),
    version = "1.0.0", settings = function() return settings end, token = function() return "t0ken" end,
    frameCost = function() return { meanMs = 0.0625, maxMs = 0.8125 } end, unitDefsPartBytes = 600 })
  local out = {}
  local function frame(seconds, take)
    clock.t = clock.t + (seconds or 0.25)
    budget.now = clock.t
    session:receiveLimit()
    if take ~= false then
      local chunk = session:take(65536)
      if chunk then out[#out + 1] = chunk; session:written(#chunk) end
    end
    for _ = 1, 50 do
      session.sender:step(budget)
      session.bulk:step(budget)
    end
  end
  session:opened()
  for _ = 1, 4 do frame() end
  for _, c in ipairs(CHANGES) do push(c) end
  for _ = 1, 8 do frame() end
  session:received('{"type":"ack","seq":3}\\n{"type":"resync"}\\n{"type":"configure","rates":{"units":5}}\\n')
  for _ = 1, 4 do frame() end
  for _ = 1, 30 do frame() end -- nothing happens: heartbeats
  -- A loss: a bound smaller than what waits, with the socket taking nothing.
  session:setBacklogBytes(2000)
  for _, c in ipairs(CHANGES) do push(c) end
  for _ = 1, 4 do frame(0.25, false) end
  for _ = 1, 8 do frame() end
  session:bye("shutdown")
  frame()
  return { table.concat(out) }
`;

describe.each(runners.map((r) => [r.name, r] as const))("%s", (_, runner) => {
  test("every line of a session is valid JSON of its schema; seqs rise by one except where a gap says", () => {
    const [bytes] = runner.strings(DRIVE);
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.slice(0, -1).split("\n");
    const messages = lines.map((l) => JSON.parse(l) as { type: string; seq?: number });
    messages.forEach((m, i) => expect(validator.outbound(m), lines[i]).toEqual([]));
    const types = new Set(messages.map((m) => (m.type.startsWith("ext.") ? "ext" : m.type)));
    expect(OUTBOUND_TYPES.filter((t) => !types.has(t))).toEqual([]);
    expect(messages[0]!.type).toBe("hello");
    // The unit events of a frame recorded one after another share one message, in order:
    // the first pass's unit_events are the fixture's, seqs aside.
    const fixtureEvents = readFileSync(path.join(FIXTURES, "session.ndjson"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith(`{"type":"unit_events"`))
      .map((l) => JSON.parse(l) as { frame: number; events: unknown[] })
      .map(({ frame, events }) => ({ frame, events }));
    const written = (messages as unknown as { type: string; frame: number; events: unknown[] }[])
      .filter((m) => m.type === "unit_events")
      .map(({ frame, events }) => ({ frame, events }));
    expect(written.slice(0, fixtureEvents.length)).toEqual(fixtureEvents);
    // Seqs: one connection, no resends here; every hole inside a gap's range.
    const seqs = messages.slice(1).map((m) => m.seq!);
    const gaps = messages.filter((m) => m.type === "gap") as unknown as {
      firstSeq: number;
      lastSeq: number;
      dropped: number;
    }[];
    let holes = 0;
    for (let i = 1; i < seqs.length; i++) {
      expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
      for (let s = seqs[i - 1]! + 1; s < seqs[i]!; s++) {
        holes += 1;
        expect(gaps.some((g) => s >= g.firstSeq && s <= g.lastSeq)).toBe(true);
      }
    }
    expect(holes).toBeGreaterThan(0);
    expect(holes).toBe(gaps.reduce((n, g) => n + g.dropped, 0));
    const heartbeat = messages.find((m) => m.type === "heartbeat") as unknown as {
      frameCostMaxMs: number;
    };
    expect(heartbeat.frameCostMaxMs).toBe(0.8125);
    expect(messages[messages.length - 1]!.type).toBe("bye");
  });
});

/** A cell as Lua source: mostly engine-like numbers, sometimes what breaks writers. */
function fuzzCell(rand: () => number): string {
  const r = rand();
  if (r < 0.4) return luaNumber(Math.floor(rand() * 40000));
  if (r < 0.75) return luaNumber(Math.fround((rand() - 0.3) * 10 ** (rand() * 8 - 3)));
  const special = [
    "nil",
    "(0/0)",
    "(1/0)",
    "(-1/0)",
    "(-0.0)",
    luaNumber(2 ** 31),
    luaNumber(-(2 ** 40)),
    luaNumber(1e300),
    luaNumber(3.4028235e38),
    '"12"',
    "true",
    "{}",
  ];
  return special[Math.floor(rand() * special.length)]!;
}

/**
 * Lua that writes one `type` message whole (`encode`, with `wholeFields`) and again in
 * slices with a row writer (`slicedFields`, `rows`: the SlicedEncoder's rows option; a
 * budget that runs out at every other look), after `setup`. It returns both lines and
 * the encoder's counts (nonFinite/mismatched) before, between and after.
 */
function writerTrial(
  setup: string,
  type: string,
  wholeFields: string,
  slicedFields: string,
  rows: string,
): string {
  return `
      ${setup}
      local counts = J.encoderCounts
      local before = counts.nonFinite .. "/" .. counts.mismatched
      local whole = J.encode(J.OUTBOUND_SHAPES.${type},
        { type = "${type}", seq = 7, frame = 2, ${wholeFields} }) .. "\\n"
      local middle = counts.nonFinite .. "/" .. counts.mismatched
      local enc = setmetatable({}, J.SlicedEncoder.prototype)
      enc:____constructor()
      enc:start(J.OUTBOUND_SHAPES.${type}, { type = "${type}", frame = 2, ${slicedFields} }, ${rows})
      local looks = 0
      local budget = { expired = function() looks = looks + 1; return looks % 2 == 0 end }
      while not enc:step(budget) do end
      local sliced = enc:finish(7)
      local after = counts.nonFinite .. "/" .. counts.mismatched
      return { whole, sliced, before .. " " .. middle .. " " .. after }`;
}

/** What each path of a writerTrial added to the counts: [nonFinite, mismatched] of the whole, then of the slices. */
function trialCounts(counts: Uint8Array): [number[], number[]] {
  const [before, middle, after] = Buffer.from(counts).toString("utf8").split(" ");
  const delta = (a: string, b: string) => {
    const [x, y] = a.split("/").map(Number);
    const [z, w] = b.split("/").map(Number);
    return [z! - x!, w! - y!];
  };
  return [delta(before!, middle!), delta(middle!, after!)];
}

const POSITION_KEYS = ["unitID", "unitDefID", "teamID", "x", "z", "health"];

describe.each(runners.map((r) => [r.name, r] as const))("%s", (_, runner) => {
  test("the row writer writes fuzzed rows exactly as the general encoder writes them as tuples", () => {
    const rand = random(23);
    const rows = Array.from({ length: 400 }, () => POSITION_KEYS.map(() => fuzzCell(rand)));
    const setup = `
      local tuples, records = {}, {}
      ${rows
        .map(
          (cells, i) => `
      tuples[${i + 1}] = { ${cells.map((c, k) => `[${k + 1}] = ${c}`).join(", ")} }
      records[${i + 1}] = { ${cells.map((c, k) => `${POSITION_KEYS[k]} = ${c}`).join(", ")} }`,
        )
        .join("")}`;
    const [general, fast, counts] = runner.strings(
      writerTrial(
        setup,
        "positions",
        "fromFrame = 1, units = tuples",
        "fromFrame = 1, units = records",
        `{ key = "units", writer = J.recordRows(${luaValue(POSITION_KEYS)}, 3), batch = 7 }`,
      ),
    );
    expect(fast!.toString("utf8")).toBe(general!.toString("utf8"));
    JSON.parse(general!.toString("utf8"));
    // Each path counted the same nan/inf and mismatched values.
    const [whole, sliced] = trialCounts(counts!);
    expect(sliced).toEqual(whole);
    expect(whole[0]).toBeGreaterThan(0);
  });

  test("the economy writer writes fuzzed teams exactly as the general encoder writes them", () => {
    const rand = random(37);
    const RESOURCE_KEYS = [
      "current",
      "storage",
      "pull",
      "income",
      "expense",
      "share",
      "sent",
      "received",
      "excess",
    ];
    // A resource: a record of fuzzed cells, sometimes nil or not a record (the general path).
    const resource = (): string => {
      const r = rand();
      if (r < 0.05) return "nil";
      if (r < 0.1) return '"metal"';
      return `{ ${RESOURCE_KEYS.map((k) => `${k} = ${fuzzCell(rand)}`).join(", ")} }`;
    };
    const teams = Array.from(
      { length: 300 },
      (_, i) =>
        `{ teamID = ${i % 7 === 0 ? fuzzCell(rand) : String(i)}, metal = ${resource()}, energy = ${resource()} }`,
    );
    const [general, fast, counts] = runner.strings(
      writerTrial(
        `local teams = { ${teams.join(",\n")} }`,
        "economy",
        "teams = teams",
        "teams = teams",
        `{ key = "teams", writer = J.numberRecordRows(J.arrayItem(J.OUTBOUND_SHAPES.economy, "teams")), batch = 3 }`,
      ),
    );
    expect(fast!.toString("utf8")).toBe(general!.toString("utf8"));
    JSON.parse(general!.toString("utf8"));
    const [whole, sliced] = trialCounts(counts!);
    expect(sliced).toEqual(whole);
    // nan/inf and wrong types were among them.
    expect(whole[0]).toBeGreaterThan(0);
    expect(whole[1]).toBeGreaterThan(0);
  });

  test("the unit counts writer writes fuzzed teams exactly as the general encoder writes them", () => {
    const rand = random(29);
    const int = (max: number) => Math.floor(rand() * max);
    // Distinct unitDefIDs in the order the writer is given them; some counts 0.
    const pairs = (): Pair[] => {
      const ids = new Set(Array.from({ length: int(4) === 0 ? 0 : int(40) }, () => int(5000)));
      return [...ids].map((id) => [id, int(5) === 0 ? 0 : 1 + int(300)]);
    };
    // 0 to 9 pairs exercise the groups of four and the rest; ids past 4095 miss the cache.
    const teams = Array.from({ length: 12 }, (_, i) => ({
      teamID: i === 11 ? 250 : i,
      finished: i < 10 ? pairs().slice(0, i) : pairs(),
      building: pairs(),
      unknown: int(3) === 0 ? int(70000) : 0,
    }));
    // The writer's form: the unitDefIDs and their counts, a count of 0 absent or present.
    const wire = (list: Pair[]) =>
      `{defs={${list.map(([id]) => id).join(",")}},counts={${list
        .filter(([id, n]) => n > 0 || id % 2 === 0)
        .map(([id, n]) => `[${id}]=${n}`)
        .join(",")}}}`;
    const wireTeams = teams.map(
      (t) =>
        `{teamID=${t.teamID},finished=${wire(t.finished)},building=${wire(t.building)},unknown=${t.unknown}}`,
    );
    const [general, fast] = runner.strings(`
      local teams = ${luaValue(teams)}
      local whole = J.encode(J.OUTBOUND_SHAPES.units, { type = "units", seq = 7, frame = 2, teams = teams }) .. "\\n"
      local enc = setmetatable({}, J.SlicedEncoder.prototype)
      enc:____constructor()
      enc:start(J.OUTBOUND_SHAPES.units, { type = "units", frame = 2, teams = {${wireTeams.join(",")}} },
        { key = "teams", writer = J.TEAM_UNITS_ROWS, batch = 1 })
      local looks = 0
      local budget = { expired = function() looks = looks + 1; return looks % 2 == 0 end }
      while not enc:step(budget) do end
      return { whole, enc:finish(7) }`);
    expect(fast!.toString("utf8")).toBe(general!.toString("utf8"));
    expect(JSON.parse(general!.toString("utf8")).teams).toHaveLength(12);
  });

  test("the session id is 16 hex characters, the same under every interpreter, different per input", () => {
    const ids = runner
      .strings(
        `return { J.makeSessionID({ "20261130-120000", 12345, "3f2a94c1d07e5b68a1c9e4f20b7d6a53" }),
          J.makeSessionID({ "20261130-120001", 12345, "3f2a94c1d07e5b68a1c9e4f20b7d6a53" }) }`,
      )
      .map((b) => b.toString("utf8"));
    expect(ids[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[0]).toBe(SESSION_ID);
  });
});

/**
 * The id computed in JavaScript's exact integers, as session-id.ts describes it: the float
 * interpreter must agree, so no intermediate value may have lost precision.
 */
const SESSION_ID = (() => {
  const text = Buffer.from("20261130-120000|12345|3f2a94c1d07e5b68a1c9e4f20b7d6a53");
  const multipliers = [31, 37, 41, 43];
  const seeds = [7919, 104, 52711, 33391];
  return multipliers
    .map((m, lane) => {
      let h = seeds[lane]!;
      for (const byte of text) h = (h * m + byte + lane) % 65521;
      return h.toString(16).padStart(4, "0");
    })
    .join("");
})();
