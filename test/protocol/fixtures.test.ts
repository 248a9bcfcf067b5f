/**
 * Every golden fixture line is valid against the schemas, every message type has one, and
 * lines a receiver must refuse are refused.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { INBOUND_TYPES, OUTBOUND_TYPES } from "../../protocol/messages.ts";
import { createValidator } from "./validator.ts";

const FIXTURES = path.resolve(import.meta.dirname, "../../protocol/fixtures");
const validator = createValidator();

interface FixtureLine {
  file: string;
  index: number;
  text: string;
}

function fixtureLines(): FixtureLine[] {
  const lines: FixtureLine[] = [];
  for (const file of readdirSync(FIXTURES).filter((n) => n.endsWith(".ndjson"))) {
    const text = readFileSync(path.join(FIXTURES, file), "utf8");
    expect(text.endsWith("\n"), `${file} ends with a newline`).toBe(true);
    text
      .slice(0, -1)
      .split("\n")
      .forEach((t, index) => lines.push({ file, index, text: t }));
  }
  return lines;
}

const lines = fixtureLines();
const isInbound = (l: FixtureLine): boolean => l.file === "inbound.ndjson";
const parse = (text: string): Record<string, unknown> => JSON.parse(text);
/** A message type's family: another widget's `ext.<widget>.<name>` is `ext`. */
const family = (type: string): string => (type.startsWith("ext.") ? "ext" : type);
const errorsOf = (l: FixtureLine, m: unknown): string[] =>
  (isInbound(l) ? validator.inbound(m) : validator.outbound(m)).map(
    (e) => `${e.instancePath} ${e.message}`,
  );

describe("golden fixtures", () => {
  test.each(lines.map((l) => [`${l.file}:${l.index + 1}`, l] as const))("%s is valid", (_, l) => {
    expect(errorsOf(l, parse(l.text))).toEqual([]);
  });

  test("every message type has a fixture line", () => {
    const outbound = new Set(
      lines.filter((l) => !isInbound(l)).map((l) => family(parse(l.text).type as string)),
    );
    const inbound = new Set(lines.filter(isInbound).map((l) => parse(l.text).type));
    expect([...OUTBOUND_TYPES].filter((t) => !outbound.has(t))).toEqual([]);
    expect([...INBOUND_TYPES].filter((t) => !inbound.has(t))).toEqual([]);
  });

  test("session.ndjson: seq counts up from 1; every missing seq is reported by a gap", () => {
    const session = lines.filter((l) => l.file === "session.ndjson").map((l) => parse(l.text));
    const seqs = session.filter((m) => m.type !== "hello").map((m) => m.seq as number);
    expect(seqs[0]).toBe(1);
    const missing: number[] = [];
    seqs.forEach((s, i) => {
      if (i > 0) for (let lost = seqs[i - 1]! + 1; lost < s; lost++) missing.push(lost);
      if (i > 0) expect(s).toBeGreaterThan(seqs[i - 1]!);
    });
    const reported: number[] = [];
    session.forEach((m, i) => {
      if (m.type !== "gap") return;
      const { firstSeq, lastSeq, dropped, counts } = m as {
        firstSeq: number;
        lastSeq: number;
        dropped: number;
        counts: Array<{ count: number }>;
      };
      expect(lastSeq).toBeLessThan(m.seq as number);
      const lost = missing.filter((s) => s >= firstSeq && s <= lastSeq);
      expect(lost.length).toBe(dropped);
      expect(counts.reduce((sum, c) => sum + c.count, 0)).toBe(dropped);
      expect(session[i + 1]?.type, "a snapshot follows a gap").toBe("snapshot");
      reported.push(...lost);
    });
    expect(reported).toEqual(missing);
  });
});

describe("lines that must be rejected", () => {
  const outbound = lines.filter((l) => !isInbound(l)).map((l) => parse(l.text));
  // The richest line of each type: session.ndjson sorts last.
  const byType = (type: string): Record<string, unknown> =>
    structuredClone(outbound.findLast((m) => family(m.type as string) === type)!);
  const reject = (m: unknown, inbound = false): void => {
    const errors = inbound ? validator.inbound(m) : validator.outbound(m);
    expect(errors.length, JSON.stringify(m).slice(0, 200)).toBeGreaterThan(0);
  };

  test("a sequenced message without seq", () => {
    for (const type of OUTBOUND_TYPES.filter((t) => t !== "hello")) {
      const m = byType(type);
      delete m.seq;
      reject(m);
    }
  });

  test("a message without frame", () => {
    const m = byType("unit_events");
    delete m.frame;
    reject(m);
  });

  test("seq 0, a fractional seq, a string seq", () => {
    for (const seq of [0, 1.5, "3"]) reject({ ...byType("team_died"), seq });
  });

  test("unknown or missing type, a type of the other direction", () => {
    reject({ ...byType("team_died"), type: "team_dead" });
    const m = byType("team_died");
    delete m.type;
    reject(m);
    reject({ type: "ack", seq: 3, frame: 1 });
    reject({ type: "bye", seq: 3, frame: 1, reason: "shutdown" }, true);
  });

  test("a field of the wrong type", () => {
    reject({ ...byType("unit_events"), events: [["created", "4711", 385, 0, null]] });
    reject({ ...byType("game_over"), winnersDerived: "yes" });
    reject({ ...byType("bye"), reason: "tired" });
  });

  test("unit counts as a numeric-keyed object instead of [unitDefID, count] pairs", () => {
    const m = byType("units");
    (m.teams as Array<Record<string, unknown>>)[0]!.finished = { "385": 22 };
    reject(m);
    const s = byType("snapshot");
    (s.units as Array<Record<string, unknown>>)[0]!.finished = { 1: [385, 22] };
    reject(s);
  });

  test("an array where an object belongs and an object where an array belongs", () => {
    reject({ ...byType("stats"), entry: [] });
    reject({ ...byType("game_over"), winners: {} });
  });

  test("a tuple of the wrong length", () => {
    const m = byType("positions");
    (m.units as unknown[][])[0]!.push(1);
    reject(m);
    const p = byType("positions");
    (p.units as unknown[][])[1]!.pop();
    reject(p);
  });

  test("a unit event row of an unknown kind, of another kind's length, or none at all", () => {
    reject({ ...byType("unit_events"), events: [["spawned", 4711, 385, 0]] });
    reject({ ...byType("unit_events"), events: [["finished", 4711, 385, 0, null]] });
    reject({ ...byType("unit_events"), events: [["destroyed", 4711, 385, 0]] });
    reject({ ...byType("unit_events"), events: [] });
  });

  test("an unknown extra field", () => {
    reject({ ...byType("team_died"), allyTeamID: 1 });
  });

  test("NaN and Infinity in the text are not JSON; null for an integer is not valid", () => {
    const text = JSON.stringify(byType("economy")).replace('"current":', '"current":NaN,"x":');
    expect(() => JSON.parse(text)).toThrow();
    expect(() => JSON.parse('{"type":"team_died","seq":1,"frame":Infinity,"teamID":1}')).toThrow();
    reject({ ...byType("team_died"), teamID: null });
    reject({ ...byType("unit_events"), events: [["created", 4711, null, 0, null]] });
  });

  test("inbound: ack without seq, configure with an unknown category or a rate out of range", () => {
    reject({ type: "ack" }, true);
    reject({ type: "ack", seq: -1 }, true);
    reject({ type: "configure", categories: { lasers: true } }, true);
    reject({ type: "configure", rates: { economy: 0.1 } }, true);
    reject({ type: "configure", rates: { snapshot: 100000 } }, true);
  });
});
