/**
 * Generates the JSON Schemas (draft 2020-12) of the wire protocol from protocol/messages.ts:
 * one file per message type, plus `outbound.schema.json` and `inbound.schema.json`, which
 * pick the message's schema by its `type`.
 *
 * `npm run protocol:schema` writes them to protocol/schema/; test/protocol/schema-sync.test.ts
 * regenerates them in memory and fails when the committed files differ, so the types and the
 * schemas cannot drift apart.
 *
 * ts-json-schema-generator writes draft-07; the conversion to 2020-12 below is mechanical:
 * `definitions` → `$defs`, tuple `items: [...]` → `prefixItems` with `items: false`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createGenerator } from "ts-json-schema-generator";

export const PROTOCOL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SCHEMA_DIR = path.join(PROTOCOL_DIR, "schema");
const SOURCE = path.join(PROTOCOL_DIR, "messages.ts");

/** Base of every schema's `$id`; `.invalid` is reserved: the ids name, they do not locate. */
export const SCHEMA_ID_BASE = "https://live-data-export.invalid/protocol/2/";
const DRAFT = "https://json-schema.org/draft/2020-12/schema";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Reads `MESSAGE_TYPE_NAMES` and the type lists from the source, without executing it. */
function readTypeTable(): {
  names: Record<string, string>;
  outbound: string[];
  inbound: string[];
} {
  const source = readFileSync(SOURCE, "utf8");
  const block = (name: string, open: string, close: string): string => {
    const start = source.indexOf(`export const ${name} = ${open}`);
    const end = source.indexOf(close, start);
    if (start < 0 || end < 0) throw new Error(`${name} not found in ${SOURCE}`);
    return source.slice(start, end);
  };
  const names: Record<string, string> = {};
  for (const m of block("MESSAGE_TYPE_NAMES", "{", "} as const").matchAll(/(\w+): "(\w+)"/g)) {
    names[m[1]!] = m[2]!;
  }
  const list = (name: string): string[] =>
    [...block(name, "[", "] as const").matchAll(/"(\w+)"/g)].map((m) => m[1]!);
  return { names, outbound: list("OUTBOUND_TYPES"), inbound: list("INBOUND_TYPES") };
}

/** draft-07 → 2020-12, recursively. */
function convert(node: Json): Json {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string") {
      out[key] = value.replace("#/definitions/", "#/$defs/");
    } else if (key === "definitions") {
      out.$defs = convert(value);
    } else if (key === "items" && Array.isArray(value)) {
      out.prefixItems = value.map(convert);
      out.items = false;
    } else if (key === "additionalItems") {
      // Replaced by `items: false` above (tuples are strict).
    } else {
      out[key] = convert(value);
    }
  }
  return out;
}

/** Every schema file: name → content. */
export function generateSchemas(): Map<string, JsonObject> {
  const { names, outbound, inbound } = readTypeTable();
  const generator = createGenerator({
    path: SOURCE,
    expose: "export",
    topRef: false,
    jsDoc: "extended",
    strictTuples: true,
    additionalProperties: false,
    skipTypeCheck: true,
    sortProps: true,
  });
  const files = new Map<string, JsonObject>();
  for (const type of [...outbound, ...inbound]) {
    const typeName = names[type];
    if (!typeName) throw new Error(`no type name for message type ${type}`);
    const raw = convert(generator.createSchema(typeName) as Json) as JsonObject;
    delete raw.$schema;
    files.set(`${type}.schema.json`, {
      $schema: DRAFT,
      $id: `${SCHEMA_ID_BASE}${type}.schema.json`,
      title: type,
      ...raw,
    });
  }
  // One schema per direction: the message's `type` picks the schema that applies. A
  // family (`ext`: another widget's events) is named by its own type's pattern.
  const patternOf = (type: string): string | undefined => {
    const properties = files.get(`${type}.schema.json`)!.properties as JsonObject;
    const pattern = (properties.type as JsonObject).pattern;
    return typeof pattern === "string" ? pattern : undefined;
  };
  const union = (direction: string, types: string[]): JsonObject => {
    const exact = types.filter((type) => patternOf(type) === undefined);
    const families = types.filter((type) => patternOf(type) !== undefined);
    const typeOf = (type: string): JsonObject => {
      const pattern = patternOf(type);
      return pattern !== undefined ? { type: "string", pattern } : { const: type };
    };
    return {
      $schema: DRAFT,
      $id: `${SCHEMA_ID_BASE}${direction}.schema.json`,
      title: `${direction} message`,
      type: "object",
      required: ["type"],
      properties: {
        type:
          families.length === 0
            ? { enum: exact }
            : { anyOf: [{ enum: exact }, ...families.map((type) => typeOf(type))] },
      },
      allOf: types.map((type) => ({
        if: { properties: { type: typeOf(type) } },
        then: { $ref: `${type}.schema.json` },
      })),
    };
  };
  files.set("outbound.schema.json", union("outbound", outbound));
  files.set("inbound.schema.json", union("inbound", inbound));
  return files;
}

/** The file text as committed: formatted by prettier, so `prettier --check` agrees. */
export async function formatSchema(schema: JsonObject): Promise<string> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(SCHEMA_DIR + "/x.json")) ?? {};
  return prettier.format(JSON.stringify(schema), { ...options, parser: "json" });
}
