/**
 * Reads the receiver's lines (docs/protocol.md, "Inbound"): a small JSON decoder for
 * the few short messages a receiver sends (ack, resync, configure, hello_reply), and
 * their validation. Anything malformed or unknown is reported as ignored, with the
 * reason, never raised: a receiver's mistake must not reset the connection.
 *
 * Pure: no engine calls.
 */

/** A decoded JSON value: tables for objects and arrays (arrays 1-based), `undefined` for null. */
export type JsonValue = string | number | boolean | undefined | LuaTable<string | number, unknown>;

/** Deepest nesting accepted: inbound messages are flat, so anything deeper is garbage. */
const MAX_DEPTH = 8;

interface Cursor {
  text: string;
  pos: number;
  error?: string;
}

const ESCAPES = new LuaTable<string, string>();
ESCAPES.set('"', '"');
ESCAPES.set("\\", "\\");
ESCAPES.set("/", "/");
ESCAPES.set("b", "\b");
ESCAPES.set("f", "\f");
ESCAPES.set("n", "\n");
ESCAPES.set("r", "\r");
ESCAPES.set("t", "\t");

function fail(c: Cursor, message: string): undefined {
  c.error ??= `${message} at byte ${c.pos}`;
  return undefined;
}

function skipSpace(c: Cursor): void {
  const [, last] = string.find(c.text, "^[ \t\r\n]*", c.pos);
  c.pos = (last ?? c.pos - 1) + 1;
}

/** UTF-8 bytes of a code point (the escapes a receiver may send in a string). */
function utf8(cp: number): string {
  if (cp < 0x80) return string.char(cp);
  if (cp < 0x800) return string.char(0xc0 + math.floor(cp / 64), 0x80 + (cp % 64));
  return string.char(
    0xe0 + math.floor(cp / 4096),
    0x80 + (math.floor(cp / 64) % 64),
    0x80 + (cp % 64),
  );
}

function readString(c: Cursor): string | undefined {
  const parts: string[] = [];
  let pos = c.pos + 1;
  for (;;) {
    const [first, last, chunk] = string.find(c.text, '^([^"\\\\%c]*)', pos);
    if (first !== undefined && last !== undefined && chunk !== undefined) {
      parts.push(chunk as string);
      pos = last + 1;
    }
    const ch = string.sub(c.text, pos, pos);
    if (ch === '"') {
      c.pos = pos + 1;
      return parts.join("");
    }
    if (ch !== "\\") {
      c.pos = pos;
      return fail(c, ch === "" ? "unterminated string" : "control character in a string");
    }
    const esc = string.sub(c.text, pos + 1, pos + 1);
    const simple = ESCAPES.get(esc);
    if (simple !== undefined) {
      parts.push(simple);
      pos += 2;
    } else if (esc === "u") {
      const hex = string.match(c.text, "^%x%x%x%x", pos + 2)[0];
      if (hex === undefined) {
        c.pos = pos;
        return fail(c, "bad \\u escape");
      }
      parts.push(utf8(tonumber(hex, 16) as number));
      pos += 6;
    } else {
      c.pos = pos;
      return fail(c, "bad escape");
    }
  }
}

function readValue(c: Cursor, depth: number): JsonValue {
  skipSpace(c);
  const ch = string.sub(c.text, c.pos, c.pos);
  if (ch === '"') return readString(c);
  if (ch === "{" || ch === "[") {
    if (depth >= MAX_DEPTH) return fail(c, "nested too deeply");
    const isObject = ch === "{";
    const result = new LuaTable<string | number, unknown>();
    let n = 0;
    c.pos += 1;
    skipSpace(c);
    if (string.sub(c.text, c.pos, c.pos) === (isObject ? "}" : "]")) {
      c.pos += 1;
      return result;
    }
    for (;;) {
      let key: string | undefined;
      if (isObject) {
        skipSpace(c);
        if (string.sub(c.text, c.pos, c.pos) !== '"') return fail(c, "expected a key");
        key = readString(c);
        if (key === undefined) return undefined;
        skipSpace(c);
        if (string.sub(c.text, c.pos, c.pos) !== ":") return fail(c, "expected ':'");
        c.pos += 1;
      }
      const value = readValue(c, depth + 1);
      if (c.error !== undefined) return undefined;
      if (key !== undefined) {
        if (value !== undefined) result.set(key, value);
      } else {
        n += 1;
        result.set(n, value);
      }
      skipSpace(c);
      const sep = string.sub(c.text, c.pos, c.pos);
      c.pos += 1;
      if (sep === (isObject ? "}" : "]")) return result;
      if (sep !== ",") return fail(c, `expected ',' or '${isObject ? "}" : "]"}'`);
    }
  }
  const [first, last, number] = string.find(c.text, "^(-?%d+%.?%d*[eE]?[-+]?%d*)", c.pos);
  if (first !== undefined && last !== undefined) {
    const value = tonumber(number);
    if (value === undefined) return fail(c, "bad number");
    c.pos = last + 1;
    return value;
  }
  for (const [word, value] of [
    ["true", true],
    ["false", false],
    ["null", undefined],
  ] as const) {
    if (string.sub(c.text, c.pos, c.pos + word.length - 1) === word) {
      c.pos += word.length;
      return value;
    }
  }
  return fail(c, ch === "" ? "unexpected end" : "unexpected character");
}

/** Decodes one JSON text. Returns the value, or undefined and the reason. */
export function decodeJson(text: string): LuaMultiReturn<[JsonValue, string | undefined]> {
  const c: Cursor = { text, pos: 1 };
  const value = readValue(c, 0);
  if (c.error === undefined) {
    skipSpace(c);
    if (c.pos <= text.length) fail(c, "trailing characters");
  }
  if (c.error !== undefined) return $multi(undefined, c.error);
  return $multi(value, undefined);
}

/** What a receiver's line asks of the widget. */
export type InboundRequest =
  | { type: "ack"; seq: number; session?: string }
  | { type: "resync" }
  | { type: "hello_reply"; protocol: number; receiver: string; version: string }
  | { type: "configure"; categories: LuaTable<string, boolean>; rates: LuaTable<string, number> }
  | { type: "ignored"; reason: string };

function ignored(reason: string): InboundRequest {
  return { type: "ignored", reason };
}

function isTable(v: unknown): v is LuaTable<string | number, unknown> {
  return typeof v === "object";
}

/** Reads a table of `name → value` pairs of one Lua type, or reports why not. */
function pairsOf<T>(
  value: unknown,
  luaType: "boolean" | "number",
): LuaMultiReturn<[LuaTable<string, T> | undefined, string | undefined]> {
  const out = new LuaTable<string, T>();
  if (value === undefined) return $multi(out, undefined);
  if (!isTable(value)) return $multi(undefined, "not an object");
  for (const [k, v] of pairs(value)) {
    if (typeof k !== "string" || type(v) !== luaType) {
      return $multi(undefined, `${tostring(k)} is not a ${luaType}`);
    }
    out.set(k, v as T);
  }
  return $multi(out, undefined);
}

/**
 * Reads one line from the receiver (without its newline). Lines over `maxBytes` are
 * ignored unread. Never raises.
 */
export function readInbound(line: string, maxBytes: number): InboundRequest {
  if (line.length > maxBytes) return ignored("line too long");
  const [value, err] = decodeJson(line);
  if (err !== undefined) return ignored(`not JSON: ${err}`);
  if (!isTable(value)) return ignored("not an object");
  const kind = value.get("type");
  if (kind === "ack") {
    const seq = value.get("seq");
    const session = value.get("session");
    if (typeof seq !== "number" || seq < 0 || math.floor(seq) !== seq) {
      return ignored("ack without an integer seq");
    }
    if (session !== undefined && typeof session !== "string")
      return ignored("ack session not a string");
    return { type: "ack", seq, session };
  }
  if (kind === "resync") return { type: "resync" };
  if (kind === "hello_reply") {
    const protocol = value.get("protocol");
    const receiver = value.get("receiver");
    const version = value.get("version");
    if (typeof protocol !== "number") return ignored("hello_reply without a protocol number");
    return {
      type: "hello_reply",
      protocol,
      receiver: typeof receiver === "string" ? receiver : "",
      version: typeof version === "string" ? version : "",
    };
  }
  if (kind === "configure") {
    const [categories, e1] = pairsOf<boolean>(value.get("categories"), "boolean");
    if (categories === undefined) return ignored(`configure categories: ${e1}`);
    const [rates, e2] = pairsOf<number>(value.get("rates"), "number");
    if (rates === undefined) return ignored(`configure rates: ${e2}`);
    return { type: "configure", categories, rates };
  }
  return ignored(typeof kind === "string" ? `unknown type ${kind}` : "no type");
}
