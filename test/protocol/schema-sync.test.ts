/**
 * The committed schemas must be exactly what the generator makes from protocol/messages.ts:
 * a type change without `npm run protocol:schema` (or a hand edit of a schema) fails here.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { SCHEMA_DIR, formatSchema, generateSchemas } from "../../protocol/generate/schema.ts";
import { OUTBOUND_TYPES, INBOUND_TYPES } from "../../protocol/messages.ts";

describe("protocol/schema is generated from protocol/messages.ts", () => {
  const generated = generateSchemas();
  const committed = readdirSync(SCHEMA_DIR).filter((n) => n.endsWith(".schema.json"));

  test("the same set of schema files", () => {
    expect([...committed].sort()).toEqual([...generated.keys()].sort());
  });

  test("one schema per message type, in both directions", () => {
    for (const type of [...OUTBOUND_TYPES, ...INBOUND_TYPES]) {
      expect(generated.has(`${type}.schema.json`), type).toBe(true);
    }
  });

  test.each([...generated.keys()])("%s matches the types", async (name) => {
    const onDisk = readFileSync(path.join(SCHEMA_DIR, name), "utf8");
    // Compared as data first (a readable diff), then as text (formatting included).
    expect(JSON.parse(onDisk)).toEqual(generated.get(name));
    expect(onDisk).toBe(await formatSchema(generated.get(name)!));
  });
});
