/**
 * The widget's JSON encoder, transpiled to Lua and run under fengari, Lua 5.1 (WebAssembly)
 * and the native double and engine-like float interpreters:
 * - it writes every golden fixture line (byte for byte with double numbers; the same values
 *   at single precision under the float interpreter, whose tostring is the engine's);
 * - strings: fuzzed bytes (control characters, DEL, quotes, invalid UTF-8) give valid UTF-8
 *   JSON that a strict parser reads back as the WHATWG decoder reads the input;
 * - numbers: valid JSON numbers, integers exact and without exponent, floats round-trip at
 *   single precision, nan/inf written as null and counted;
 * - arrays and objects as the shape says, whatever the Lua table looks like.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { registerMissingInterpreterTests } from "../support/interpreters.ts";
import { luaBytes, luaNumber, luaRunners, luaValue } from "./lua-harness.ts";
import { createValidator } from "./validator.ts";
import { random } from "../support/random.ts";
import { UNIT_EVENT_ROWS } from "../support/unit-event-rows.ts";
import { UNIT_EVENTS_MAX_ROWS } from "../../protocol/messages.ts";

const FIXTURES = path.resolve(import.meta.dirname, "../../protocol/fixtures");
const OUTBOUND_FILES = ["session.ndjson", "game-start.ndjson", "edge.ndjson", "ext.ndjson"];
const fixtureLines = OUTBOUND_FILES.flatMap((file) =>
  readFileSync(path.join(FIXTURES, file), "utf8")
    .split("\n")
    .filter((l) => l.length > 0),
);
const validator = createValidator();
const runners = luaRunners();
afterAll(() => runners.forEach((r) => r.close()));
registerMissingInterpreterTests();

/** Parsed JSON with every number rounded to single precision (what the engine holds). */
function atFloat(value: unknown): unknown {
  if (typeof value === "number") return Math.fround(value);
  if (Array.isArray(value)) return value.map(atFloat);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, atFloat(v)]));
  }
  return value;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const whatwgUtf8 = new TextDecoder("utf-8");
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function significantDigits(text: string): number {
  const mantissa = text
    .replace(/^-/, "")
    .replace(/[eE].*$/, "")
    .replace(".", "");
  return mantissa.replace(/^0+/, "").replace(/0+$/, "").length;
}

/** Random byte strings rich in what breaks JSON writers. */
function fuzzStrings(count: number, seed: number): Buffer[] {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const pieces: ReadonlyArray<() => number[]> = [
    () => [0x20 + Math.floor(rand() * 95)], // printable ASCII
    () => [Math.floor(rand() * 32)], // control
    () => [pick([0x22, 0x5c, 0x7f, 0x2f])], // quote, backslash, DEL, slash
    () => [...Buffer.from(pick(["é", "日本", "☕", "😀", "\u2028", "\uffff", "\u{10ffff}"]))],
    () => [0x80 + Math.floor(rand() * 64)], // stray continuation byte
    () => [pick([0xc0, 0xc1, 0xf5, 0xf8, 0xfe, 0xff])], // never valid
    () => [pick([0xc3, 0xe2, 0xf0])], // truncated lead
    () => [0xe2, 0x82], // truncated three-byte sequence
    () => [pick([0xe0, 0xed, 0xf0, 0xf4]), pick([0x80, 0x9f, 0xa0, 0xbf, 0x8f, 0x90]), 0x80, 0x80],
  ];
  const strings: Buffer[] = [Buffer.alloc(0)];
  for (let i = 1; i < count; i++) {
    const bytes: number[] = [];
    const length = Math.floor(rand() * 24);
    for (let k = 0; k < length; k++) bytes.push(...pick(pieces)());
    strings.push(Buffer.from(bytes));
  }
  return strings;
}

function fuzzNumbers(seed: number): number[] {
  const rand = random(seed);
  const special = [
    0,
    -0,
    1,
    -1,
    1.4e-45,
    -1.4e-45,
    1e-40,
    1.17549435e-38,
    1e-7,
    9.999999e-5,
    0.1,
    1 / 3,
    2 / 3,
    123.456,
    99999.995,
    1e38,
    3.4028235e38,
    -3.4028235e38,
    2 ** 24 - 1,
    2 ** 24,
    2 ** 24 + 1,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31),
    2 ** 53 - 1,
    2 ** 53,
    2 ** 53 + 2,
    1e300,
    1e-300,
    5e-324,
    NaN,
    Infinity,
    -Infinity,
  ];
  const values = [...special];
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  for (let i = 0; i < 700; i++) {
    bits[0] = Math.floor(rand() * 2 ** 32); // any float32, denormals included
    values.push(asFloat[0]!);
  }
  for (let i = 0; i < 300; i++) values.push(Math.fround((rand() - 0.5) * 10 ** (rand() * 12 - 4)));
  for (let i = 0; i < 200; i++) values.push((rand() - 0.5) * 10 ** (rand() * 80 - 40)); // doubles
  for (let i = 0; i < 200; i++) values.push(Math.round((rand() - 0.5) * 2 ** (rand() * 54)));
  return values;
}

describe.each(runners.map((r) => [r.name, r] as const))("%s", (_, runner) => {
  const float = runner.numbers === "float";

  test("writes every golden fixture line (byte for byte, or the same floats at single precision)", () => {
    const messages = fixtureLines.map((line) => JSON.parse(line) as { type: string });
    const out = runner.strings(
      `local S = J.OUTBOUND_SHAPES\nreturn {\n${messages
        .map((m) => {
          const value = luaValue(m);
          // Another widget's event: its shape comes from its fields (extShape).
          if (m.type.startsWith("ext."))
            return `(function(m) return J.encode(J.extShape(m.fields), m) end)(${value})`;
          return `J.encode(S[${luaBytes(Buffer.from(m.type))}], ${value})`;
        })
        .join(",\n")}\n}`,
    );
    expect(out.length).toBe(fixtureLines.length);
    out.forEach((bytes, i) => {
      const text = strictUtf8.decode(bytes);
      expect(validator.outbound(JSON.parse(text))).toEqual([]);
      if (float) {
        expect(JSON.stringify(atFloat(JSON.parse(text)))).toBe(
          JSON.stringify(atFloat(JSON.parse(fixtureLines[i]!))),
        );
      } else {
        expect(text).toBe(fixtureLines[i]);
      }
    });
  });

  test("strings: fuzzed bytes give valid, strictly parsed JSON equal to the WHATWG decoding", () => {
    const inputs = fuzzStrings(400, 7);
    const out = runner.strings(
      `return {\n${inputs.map((b) => `J.quote(${luaBytes(b)})`).join(",\n")}\n}`,
    );
    expect(out.length).toBe(inputs.length);
    out.forEach((bytes, i) => {
      const context = `input ${inputs[i]!.toString("hex")} → ${bytes.toString("hex")}`;
      // Bytes: valid UTF-8, no raw control character or DEL, no raw newline.
      expect(() => strictUtf8.decode(bytes), context).not.toThrow();
      expect(
        bytes.some((b) => b < 0x20 || b === 0x7f),
        context,
      ).toBe(false);
      expect(JSON.parse(bytes.toString("utf8")), context).toBe(whatwgUtf8.decode(inputs[i]));
    });
  });

  test("strings: DEL and control characters use the short escapes or \\u00XX", () => {
    const input = Buffer.from([0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x00, 0x1f, 0x7f, 0x22, 0x5c]);
    const [out] = runner.strings(`return { J.quote(${luaBytes(input)}) }`);
    expect(out!.toString("utf8")).toBe('"\\b\\t\\n\\f\\r\\u0000\\u001f\\u007f\\"\\\\"');
  });

  test("numbers: valid JSON, exact integers, single-precision round trip, nan/inf → null counted", () => {
    const values = fuzzNumbers(11);
    const out = runner.strings(
      `local before = J.encoderCounts.nonFinite\nlocal r = {\n${values
        .map((x) => `J.numberText${luaNumber(x)}`)
        .join(",\n")}\n}\nr[#r + 1] = tostring(J.encoderCounts.nonFinite - before)\nreturn r`,
    );
    expect(out.length).toBe(values.length + 1);
    let nulls = 0;
    values.forEach((x, i) => {
      const text = out[i]!.toString("utf8");
      // The number the interpreter held: a float interpreter reads x as Math.fround(x).
      const held = float ? Math.fround(x) : x;
      const context = `${x} (held ${held}) → ${text}`;
      if (!Number.isFinite(held)) {
        expect(text, context).toBe("null");
        nulls += 1;
        return;
      }
      expect(text, context).toMatch(JSON_NUMBER);
      const read = Number(text);
      if (Number.isInteger(held) && Math.abs(held) < 2 ** 53) {
        expect(text, context).toBe(Math.abs(held).toFixed(0) === "0" ? "0" : held.toFixed(0));
      } else if (float || Math.fround(held) === held) {
        // A single-precision value survives the round trip, in at most 9 significant digits
        // when the fallback is needed (the engine's tostring is at most 9 too).
        expect(Math.fround(read), context).toBe(Math.fround(held));
        if (float) expect(significantDigits(text), context).toBeLessThanOrEqual(9);
      } else {
        // A double that is no float: within half a unit of the 9th significant digit.
        expect(Math.abs(read - held), context).toBeLessThanOrEqual(Math.abs(held) * 5.1e-9);
      }
    });
    expect(out[values.length]!.toString("utf8")).toBe(String(nulls));
  });

  test("a big message encoded in slices (head, element ranges, tail) equals the whole", () => {
    const pick = (type: string): string =>
      luaValue(JSON.parse(fixtureLines.find((l) => l.startsWith(`{"type":"${type}"`))!));
    // An array at the end (positions.units) and one in the middle (snapshot.teams).
    const cases: Array<[string, string]> = [
      ["positions", "units"],
      ["snapshot", "teams"],
      ["snapshot", "economy"],
    ];
    const out = runner.strings(`
      local S = J.OUTBOUND_SHAPES
      local function sliced(shape, value, key, step)
        local parts, n = {}, 0
        n = J.encodeHead(parts, n, shape, value, key)
        local list = value[key]
        local first = 1
        while first <= #list do
          local last = math.min(#list, first + step - 1)
          n = J.encodeElements(parts, n, shape, key, list, first, last)
          first = last + 1
        end
        n = J.encodeTail(parts, n, shape, value, key)
        return table.concat(parts, "", 1, n)
      end
      local r = {}
      ${cases
        .map(
          ([type, key]) => `
      do
        local value = ${pick(type)}
        r[#r + 1] = J.encode(S.${type}, value)
        r[#r + 1] = sliced(S.${type}, value, "${key}", 1)
        r[#r + 1] = sliced(S.${type}, value, "${key}", 3)
        value.${key} = {}
        r[#r + 1] = J.encode(S.${type}, value)
        r[#r + 1] = sliced(S.${type}, value, "${key}", 2)
      end`,
        )
        .join("")}
      return r`);
    expect(out.length).toBe(cases.length * 5);
    for (let c = 0; c < cases.length; c++) {
      const [whole, byOne, byThree, empty, emptySliced] = out.slice(c * 5, c * 5 + 5);
      expect(byOne!.toString()).toBe(whole!.toString());
      expect(byThree!.toString()).toBe(whole!.toString());
      expect(emptySliced!.toString()).toBe(empty!.toString());
      expect(JSON.parse(empty!.toString())[cases[c]![1]]).toEqual([]);
    }
  });

  test("flat messages (one string.format) are written exactly as the general path writes them", () => {
    // Values for the fields: mostly of the field's type, some of every other kind, so that
    // both the one-call path and its fall back to the general path (nil, mismatch, a
    // non-whole or out-of-range seq/frame, nan) are taken; the counters must move alike.
    const rand = random(23);
    const numbers = [0, 1, 7, 31999, 32768, 45000, 2 ** 31 - 1, 2 ** 31, -5, 0.5, 123.456, 1e-7];
    const specials = ["(0/0)", "(1/0)", "(-1/0)", "(-0.0)"];
    const strings = ["", "unit_created", 'q"uote\\', "\u00e9t\u00e9", "%d%s%%", "\n\t"];
    const pickFrom = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    const anyValue = (): string => {
      const r = rand();
      if (r < 0.35) return luaNumber(pickFrom(numbers));
      if (r < 0.45) return pickFrom(specials);
      if (r < 0.6) return luaBytes(Buffer.from(pickFrom(strings), "utf8"));
      if (r < 0.7) return pickFrom(["true", "false"]);
      if (r < 0.8) return "{}";
      return "nil";
    };
    const typed = (kind: string): string =>
      kind === "number"
        ? luaNumber(rand() < 0.8 ? Math.floor(rand() * 40000) : pickFrom(numbers))
        : kind === "string"
          ? luaBytes(Buffer.from(pickFrom(strings), "utf8"))
          : pickFrom(["true", "false"]);
    const RECORDS = 40;
    // The Lua side asks for values by kind: a table of candidates per record and field.
    const table = (pick: () => string): string =>
      `{${Array.from({ length: RECORDS * 16 }, pick).join(",")}}`;
    const out = runner.strings(`
      local S = J.OUTBOUND_SHAPES
      local NUM, STR, BOOL, ANY = ${table(() => typed("number"))}, ${table(() => typed("string"))},
        ${table(() => typed("boolean"))}, ${table(anyValue)}
      local MIX = ${table(() => (rand() < 0.92 ? "true" : "false"))}
      local function general(shape, value)
        local parts = {}
        local n = J.encodeInto(parts, 0, shape, value)
        return table.concat(parts, "", 1, n)
      end
      local function counts()
        return { J.encoderCounts.nonFinite, J.encoderCounts.mismatched }
      end
      local function delta(a, b)
        return string.format("%d/%d", b[1] - a[1], b[2] - a[2])
      end
      local r = {}
      local function compare(shape, value)
        local c0 = counts()
        local expected = general(shape, value)
        local c1 = counts()
        local got = J.encode(shape, value)
        local c2 = counts()
        local line = J.encodeLine(shape, value)
        local c3 = counts()
        r[#r + 1] = expected
        r[#r + 1] = got
        r[#r + 1] = line
        r[#r + 1] = delta(c0, c1) .. " " .. delta(c1, c2) .. " " .. delta(c2, c3)
      end
      local names = {}
      for name, shape in pairs(S) do if shape.flat ~= nil then names[#names + 1] = name end end
      table.sort(names)
      r[1] = table.concat(names, ",")
      for _, name in ipairs(names) do
        local shape = S[name]
        for k = 1, ${RECORDS} do
          local value = {}
          for i = 1, shape.count do
            local slot = (k - 1) * 16 + i
            local kind = shape.shapes[i].kind
            local typedValue = kind == 1 and NUM[slot] or kind == 2 and STR[slot] or BOOL[slot]
            if MIX[slot] then value[shape.keys[i]] = typedValue else value[shape.keys[i]] = ANY[slot] end
          end
          value.type = name
          compare(shape, value)
        end
      end
      -- A nan counted before a later mismatch: the count must not be taken twice.
      local pair = J.object({ { "type", J.str }, { "a", J.num }, { "b", J.num } })
      compare(pair, { type = "pair", a = 0/0, b = {} })
      compare(pair, { type = "pair", a = 1/0, b = "x" })
      return r`);
    const names = out[0]!.toString().split(",");
    // The busiest messages take the one-call path.
    for (const name of ["team_died", "player_removed", "game_paused", "game_resumed", "bye"]) {
      expect(names).toContain(name);
    }
    expect(out.length).toBe(1 + (names.length * RECORDS + 2) * 4);
    let whole = 0;
    for (let i = 1; i < out.length; i += 4) {
      const expected = out[i]!.toString("hex");
      expect(out[i + 1]!.toString("hex"), out[i]!.toString()).toBe(expected);
      expect(out[i + 2]!.toString("hex"), out[i]!.toString()).toBe(expected + "0a");
      const [general, fast, line] = out[i + 3]!.toString().split(" ");
      expect(fast, out[i]!.toString()).toBe(general);
      expect(line, out[i]!.toString()).toBe(general);
      if (general === "0/0") whole += 1;
    }
    // Enough records without nan or mismatch to exercise the one-call path itself.
    expect(whole).toBeGreaterThan(names.length * 5);
  });

  test("arrays and objects come from the shape, not from the table", () => {
    const [empty, numericKeys, withToken, withoutToken, mismatched, row, count] = runner.strings(`
      local S = J.OUTBOUND_SHAPES
      local view = { kind = "player", playerID = 1, teamID = 2, allyTeamID = 0 }
      local settings = { categories = {}, rates = {} }
      local hello = { type = "hello", protocol = 1, source = "s", version = "v", session = "x",
        nextSeq = 1, frame = 0, engineVersion = "e", gameName = "g", gameVersion = "gv",
        mapName = "m", view = view, settings = settings }
      local before = J.encoderCounts.mismatched
      local r = {
        J.encode(S.game_over, { type = "game_over", seq = 1, frame = 2, winners = {}, winnersDerived = false }),
        J.encode(S.team_died, { [1] = 9, [2] = 8, type = "team_died", seq = 3, frame = 4, teamID = 5 }),
        J.encode(S.hello, setmetatable({ token = "t" }, { __index = hello })),
        J.encode(S.hello, hello),
        J.encode(S.team_died, { type = "team_died", seq = "7", frame = 1, teamID = {} }),
        J.encode(S.positions, { type = "positions", seq = 1, frame = 2, fromFrame = 1,
          units = { { 10, nil, 1, 2.5, 3.5, nil }, { 11, "x", 1, 2.5, 3.5, 1 } } }),
      }
      r[#r + 1] = tostring(J.encoderCounts.mismatched - before)
      return r`);
    expect(JSON.parse(empty!.toString())).toEqual({
      type: "game_over",
      seq: 1,
      frame: 2,
      winners: [],
      winnersDerived: false,
    });
    expect(numericKeys!.toString()).toBe(
      JSON.stringify({ type: "team_died", seq: 3, frame: 4, teamID: 5 }),
    );
    expect(JSON.parse(withToken!.toString()).token).toBe("t");
    expect("token" in JSON.parse(withoutToken!.toString())).toBe(false);
    expect(JSON.parse(mismatched!.toString())).toEqual({
      type: "team_died",
      seq: null,
      frame: 1,
      teamID: null,
    });
    expect(JSON.parse(row!.toString()).units).toEqual([
      [10, null, 1, 2.5, 3.5, null],
      [11, null, 1, 2.5, 3.5, 1],
    ]);
    expect(count!.toString()).toBe("3");
  });

  test("a unit event's row (the session's writer) is what the shape writes, counts included; a batch's rows are the rows joined", () => {
    // Every kind with ids, nil, nan, a fraction and values of the wrong type; the row
    // writer must give the bytes and the counts of the general path with UNIT_EVENT_ROW.
    const rand = random(31);
    const values = [
      "0",
      "7",
      "31999",
      "45000",
      "2147483648",
      "2147483647",
      "-3",
      "(-0.0)",
      "nil",
      "0/0",
      "1/0",
      "2.5",
      '"x"',
      "{}",
    ];
    const pick = (): string =>
      rand() < 0.6
        ? String(Math.floor(rand() * 40000))
        : values[Math.floor(rand() * values.length)]!;
    const KINDS = UNIT_EVENT_ROWS;
    const cases: string[] = [];
    for (let k = 0; k < 60; k++) {
      const [type, tag, keys] = KINDS[k % KINDS.length]!;
      const picked = keys.map(pick);
      const record = keys.map((key, i) => `${key} = ${picked[i]}`).join(", ");
      const row = [`"${tag}"`, ...picked].map((v, i) => `[${i + 1}] = ${v}`).join(", ");
      cases.push(`{ { type = "${type}", frame = 1, ${record} }, { ${row} } }`);
    }
    // Rows as the engine makes them (whole ids; an attacker or a builder wholly there or
    // wholly nil): the one-call paths, each kind both ways.
    const id = (): string => String(Math.floor(rand() * 40000));
    for (const [type, tag, keys] of KINDS) {
      for (const others of ["ids", "nil"]) {
        const optional = (i: number): boolean =>
          (type === "unit_created" && i === 3) || (type === "unit_destroyed" && i >= 3);
        const picked = keys.map((_, i) => (others === "nil" && optional(i) ? "nil" : id()));
        const record = keys.map((key, i) => `${key} = ${picked[i]}`).join(", ");
        const row = [`"${tag}"`, ...picked].map((v, i) => `[${i + 1}] = ${v}`).join(", ");
        cases.push(`{ { type = "${type}", frame = 1, ${record} }, { ${row} } }`);
      }
    }
    // A destroyed row with each set of its attacker's four values there (the engine leaves
    // out what the view cannot see, and the weapon on its own): each has its own format.
    const [, destroyedTag, destroyedKeys] = KINDS.find(([type]) => type === "unit_destroyed")!;
    for (let mask = 0; mask < 16; mask++) {
      const picked = destroyedKeys.map((_, i) =>
        i < 3 || Math.floor(mask / 2 ** (i - 3)) % 2 === 1 ? id() : "nil",
      );
      const record = destroyedKeys.map((key, i) => `${key} = ${picked[i]}`).join(", ");
      const row = [`"${destroyedTag}"`, ...picked].map((v, i) => `[${i + 1}] = ${v}`).join(", ");
      cases.push(`{ { type = "unit_destroyed", frame = 1, ${record} }, { ${row} } }`);
    }
    const out = runner.strings(`
      local r = {}
      for _, case in ipairs({ ${cases.join(",\n")} }) do
        local c0 = J.encoderCounts.nonFinite + J.encoderCounts.mismatched * 1000
        local parts = {}
        local n = J.encodeInto(parts, 0, J.UNIT_EVENT_ROW, case[2])
        local general = table.concat(parts, "", 1, n)
        local c1 = J.encoderCounts.nonFinite + J.encoderCounts.mismatched * 1000
        local fast = J.unitEventRow(case[1])
        local c2 = J.encoderCounts.nonFinite + J.encoderCounts.mismatched * 1000
        r[#r + 1] = general
        r[#r + 1] = fast
        r[#r + 1] = tostring(c1 - c0) .. " " .. tostring(c2 - c1)
      end
      -- All of them as one frame's batch: one message's rows.
      local batch = {}
      for i, case in ipairs({ ${cases.join(",\n")} }) do batch[i] = case[1] end
      r[#r + 1] = J.unitEventsTextOf(batch)
      return r`);
    expect(out.length).toBe((60 + 10 + 16) * 3 + 1);
    const generalRows: string[] = [];
    for (let i = 0; i < out.length - 1; i += 3) generalRows.push(out[i]!.toString());
    expect(out[out.length - 1]!.toString()).toBe(generalRows.join(","));
    let nulls = 0;
    for (let i = 0; i < out.length - 1; i += 3) {
      const general = out[i]!.toString();
      expect(out[i + 1]!.toString(), general).toBe(general);
      const [a, b] = out[i + 2]!.toString().split(" ");
      expect(b, general).toBe(a);
      expect(Array.isArray(JSON.parse(general))).toBe(true);
      if (general.includes("null")) nulls += 1;
    }
    // Both ids and nulls (nil, nan, wrong types) were written.
    expect(nulls).toBeGreaterThan(10);
    expect(nulls).toBeLessThan(60);
  });

  test("a full batch of destroyed rows with every value (the most values one string.format takes) is written whole", () => {
    const out = runner.strings(`
      local batch, rows = {}, {}
      for i = 1, ${UNIT_EVENTS_MAX_ROWS} do
        local b = batch
        b[i] = { type = "unit_destroyed", frame = 1, unitID = 30000 + i, unitDefID = 400 + i,
          teamID = i % 16, attackerID = 20000 + i, attackerDefID = 500 + i, attackerTeamID = 15 - i % 16,
          weaponDefID = 700 + i }
        -- The general path's row (the shape's), not the writer's own.
        local parts = {}
        local n = J.encodeInto(parts, 0, J.UNIT_EVENT_ROW, { "destroyed", b[i].unitID, b[i].unitDefID,
          b[i].teamID, b[i].attackerID, b[i].attackerDefID, b[i].attackerTeamID, b[i].weaponDefID })
        rows[i] = table.concat(parts, "", 1, n)
      end
      return { J.unitEventsTextOf(batch), table.concat(rows, ",") }`);
    const [text, joined] = out.map((b) => b.toString());
    expect(text).toBe(joined);
    const parsed = JSON.parse(`[${text}]`) as unknown[][];
    expect(parsed).toHaveLength(UNIT_EVENTS_MAX_ROWS);
    expect(parsed[UNIT_EVENTS_MAX_ROWS - 1]).toEqual([
      "destroyed",
      30000 + UNIT_EVENTS_MAX_ROWS,
      400 + UNIT_EVENTS_MAX_ROWS,
      UNIT_EVENTS_MAX_ROWS % 16,
      20000 + UNIT_EVENTS_MAX_ROWS,
      500 + UNIT_EVENTS_MAX_ROWS,
      15 - (UNIT_EVENTS_MAX_ROWS % 16),
      700 + UNIT_EVENTS_MAX_ROWS,
    ]);
  });
});
