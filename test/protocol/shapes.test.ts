/**
 * The encoder's message shapes (src/protocol/shapes.ts, read back from the transpiled Lua)
 * agree with the JSON Schemas: same message types, same keys, optional exactly where the
 * schema does not require, arrays, tuples and scalars where the schema has them.
 */
import { afterAll, describe, expect, test } from "vitest";
import { OUTBOUND_TYPES } from "../../protocol/messages.ts";
import { luaRunners } from "./lua-harness.ts";
import { loadSchemas } from "./validator.ts";

type Dumped =
  | "number"
  | "string"
  | "boolean"
  | { array: Dumped }
  | { tuple: Dumped[] }
  | { tagged: Array<[string, Dumped]> }
  | { object: Array<[string, Dumped, boolean]> };

type Schema = Record<string, unknown>;

const DUMP = `
local function dump(shape)
  local k = shape.kind
  if k == 1 then return '"number"' elseif k == 2 then return '"string"'
  elseif k == 3 then return '"boolean"'
  elseif k == 4 then return '{"array":' .. dump(shape.item) .. '}'
  elseif k == 5 then
    local t = {}
    for i = 1, #shape.items do t[i] = dump(shape.items[i]) end
    return '{"tuple":[' .. table.concat(t, ",") .. ']}'
  elseif k == 7 then
    local t = {}
    for i = 1, #shape.tags do
      local tag = shape.tags[i]
      t[i] = string.format('[%q,%s]', tag, dump(shape.variants[tag]))
    end
    return '{"tagged":[' .. table.concat(t, ",") .. ']}'
  end
  local t = {}
  for i = 1, #shape.keys do
    t[i] = string.format('[%q,%s,%s]', shape.keys[i], dump(shape.shapes[i]), tostring(shape.optional[i]))
  end
  return '{"object":[' .. table.concat(t, ",") .. ']}'
end
local names, out = {}, {}
for name in pairs(J.OUTBOUND_SHAPES) do names[#names + 1] = name end
table.sort(names)
for i, name in ipairs(names) do out[i] = string.format('[%q,%s]', name, dump(J.OUTBOUND_SHAPES[name])) end
return { "[" .. table.concat(out, ",") .. "]" }`;

/** The schema's description of a value, in the dump's terms (null allowed or not is ignored). */
function fromSchema(node: Schema, defs: Record<string, Schema>): Dumped {
  if (typeof node.$ref === "string") {
    const target = defs[node.$ref.replace("#/$defs/", "")];
    if (!target) throw new Error(`unresolved ${node.$ref}`);
    return fromSchema({ ...target, ...node, $ref: undefined }, defs);
  }
  if (Array.isArray(node.anyOf)) {
    const nonNull = (node.anyOf as Schema[]).filter((s) => s.type !== "null");
    if (nonNull.length > 1) return { tagged: nonNull.map((s) => taggedTuple(s, defs)) };
    if (nonNull.length !== 1) throw new Error(`unsupported anyOf ${JSON.stringify(node)}`);
    return fromSchema(nonNull[0]!, defs);
  }
  const types = (Array.isArray(node.type) ? node.type : [node.type]).filter((t) => t !== "null");
  const type = types.length === 0 && "enum" in node ? "string" : types[0];
  if (type === "integer" || type === "number") return "number";
  if (type === "string" || type === "boolean") return type;
  if (type === "array") {
    if (Array.isArray(node.prefixItems)) {
      return { tuple: (node.prefixItems as Schema[]).map((s) => fromSchema(s, defs)) };
    }
    return { array: fromSchema(node.items as Schema, defs) };
  }
  if (type === "object") {
    const properties = (node.properties ?? {}) as Record<string, Schema>;
    const required = new Set((node.required ?? []) as string[]);
    return {
      object: Object.entries(properties).map(([key, s]) => [
        key,
        fromSchema(s, defs),
        !required.has(key),
      ]),
    };
  }
  throw new Error(`unsupported schema ${JSON.stringify(node)}`);
}

/** One alternative of a union of tuples told apart by a constant first element. */
function taggedTuple(node: Schema, defs: Record<string, Schema>): [string, Dumped] {
  const resolved = typeof node.$ref === "string" ? defs[node.$ref.replace("#/$defs/", "")] : node;
  const first = (resolved?.prefixItems as Schema[] | undefined)?.[0];
  if (resolved === undefined || typeof first?.const !== "string") {
    throw new Error(`unsupported anyOf alternative ${JSON.stringify(node)}`);
  }
  return [first.const, fromSchema(resolved, defs)];
}

/** Objects compared as sorted key lists: key order is the encoder's choice. */
function canonical(d: Dumped): unknown {
  if (typeof d === "string") return d;
  if ("array" in d) return { array: canonical(d.array) };
  if ("tuple" in d) return { tuple: d.tuple.map(canonical) };
  if ("tagged" in d) return { tagged: d.tagged.map(([tag, v]) => [tag, canonical(v)]) };
  return {
    object: [...d.object]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([k, v, optional]) => [k, canonical(v), optional]),
  };
}

const [runner, ...others] = luaRunners();
afterAll(() => [runner, ...others].forEach((r) => r?.close()));

describe("encoder shapes agree with the JSON Schemas", () => {
  const dumped = new Map(
    JSON.parse(runner!.strings(DUMP)[0]!.toString("utf8")) as Array<[string, Dumped]>,
  );
  const schemas = loadSchemas();

  test("one shape per outbound message type", () => {
    expect([...dumped.keys()].sort()).toEqual([...OUTBOUND_TYPES].sort());
  });

  test.each([...OUTBOUND_TYPES])("%s", (type) => {
    const schema = schemas.get(`${type}.schema.json`)!;
    const expected = fromSchema(schema, (schema.$defs ?? {}) as Record<string, Schema>);
    expect(canonical(dumped.get(type)!)).toEqual(canonical(expected));
  });
});
