/**
 * The widget's JSON encoder (RFC 8259), written for the engine's Lua 5.1 with single-precision
 * numbers. The caller describes each value with a {@link Shape} (from the protocol schema), so
 * arrays and objects are never guessed from a Lua table and key order is fixed.
 *
 * - Strings: `"` and `\` escaped, control characters and DEL as short escapes or `\u00XX`,
 *   invalid UTF-8 replaced by U+FFFD (one per maximal invalid subsequence, as the WHATWG
 *   decoder does). Escaped strings are cached: names repeat in every snapshot.
 * - Numbers: whole values below 2^53 as integers; in the engine, other finite values as its own
 *   `tostring` when that reads back as the same float, else with 9 significant digits (enough
 *   for a float). The engine's `string.format` ignores `%e`/`%g` and honours only the `.N`
 *   precision, so there only `%d`, `%.Nf` and `%s` are used; stock Lua (tests) uses `%.9g`.
 *   nan and ±inf are written as `null` and counted.
 * - Output is built as parts joined once by `table.concat`; an object of at most 12 scalar
 *   fields (every event) in one `string.format` call with a pattern made once per shape, its
 *   `seq` and `frame` as `%d`: one new string per message, where each new string costs most
 *   of the time in a big Lua heap (the garbage collector's work grows with what is allocated).
 *
 * Needs no `_G`, `require` or `load` (BAR's widget environment has none of them).
 */

/** What a value is on the wire. */
export const enum Kind {
  Number = 1,
  String = 2,
  Boolean = 3,
  Array = 4,
  Tuple = 5,
  Object = 6,
  Tagged = 7,
}

export interface NumberShape {
  readonly kind: Kind.Number;
  /** Always a whole number within ±2^31 (seq, frame): a flat pattern writes it with %d. */
  readonly integer?: boolean;
}
export interface StringShape {
  readonly kind: Kind.String;
}
export interface BooleanShape {
  readonly kind: Kind.Boolean;
}
/** A list: a Lua sequence `t[1..#t]`; an empty table or an empty list is `[]`. */
export interface ArrayShape {
  readonly kind: Kind.Array;
  readonly item: Shape;
}
/** A fixed-length list; nil elements are written as null. */
export interface TupleShape {
  readonly kind: Kind.Tuple;
  /** Element shapes, 1-based. */
  readonly items: LuaTable<number, Shape>;
  readonly count: number;
  /** Every element is a number (unit counts, position and damage rows). */
  readonly numeric: boolean;
}
/**
 * A record with fixed keys in a fixed order; a nil field is written as null, or left out when
 * the field is optional (`token?: string`).
 */
export interface ObjectShape {
  readonly kind: Kind.Object;
  // Plain 1-based Lua tables: the encoder's loops index them without offset arithmetic.
  readonly keys: LuaTable<number, string>;
  readonly shapes: LuaTable<number, Shape>;
  readonly optional: LuaTable<number, boolean>;
  /** `{"key":` for the first key, `,"key":` for the others. */
  readonly prefixes: LuaTable<number, string>;
  readonly count: number;
  /**
   * The whole object as one `string.format` pattern (`{"type":%s,"seq":%d}`) when every
   * field is a required scalar and there are at most {@link FLAT_LIMIT}: the events, the
   * busiest messages, are written with one call instead of a part per key and value, and
   * without a string per integer field. `flatLine` is the same with the line's newline.
   */
  readonly flat: string | undefined;
  readonly flatLine: string | undefined;
}
/**
 * A tuple of one of several kinds, told apart by its first element, a string tag
 * (`["created", unitID, ...]`): the unit events' rows.
 */
export interface TaggedShape {
  readonly kind: Kind.Tagged;
  /** Each tag's tuple (its first element the tag's string). */
  readonly variants: LuaTable<string, TupleShape>;
  /** The tags in declared order, 1-based. */
  readonly tags: LuaTable<number, string>;
}
export type Shape =
  NumberShape | StringShape | BooleanShape | ArrayShape | TupleShape | ObjectShape | TaggedShape;

export const num: NumberShape = { kind: Kind.Number };
/** A number that is always whole and within ±2^31 (counters, frames). */
export const int: NumberShape = { kind: Kind.Number, integer: true };
export const str: StringShape = { kind: Kind.String };
export const bool: BooleanShape = { kind: Kind.Boolean };

export function arrayOf(item: Shape): ArrayShape {
  return { kind: Kind.Array, item };
}

export function tuple(items: readonly Shape[]): TupleShape {
  const table = new LuaTable<number, Shape>();
  let numeric = true;
  items.forEach((item, i) => {
    table.set(i + 1, item);
    if (item.kind !== Kind.Number) numeric = false;
  });
  return { kind: Kind.Tuple, items: table, count: items.length, numeric };
}

/** Tuples told apart by their first element: `[tag, tuple]` pairs in declared order. */
export function tagged(variants: ReadonlyArray<readonly [string, TupleShape]>): TaggedShape {
  const table = new LuaTable<string, TupleShape>();
  const tags = new LuaTable<number, string>();
  variants.forEach(([tag, shape], i) => {
    table.set(tag, shape);
    tags.set(i + 1, tag);
  });
  return { kind: Kind.Tagged, variants: table, tags };
}

/** Most fields an object may have to be written by its `flat` pattern. */
export const FLAT_LIMIT = 12;

/** Marks an object field that is left out when nil. */
export const OPTIONAL = true;

/**
 * A record; `fields` in wire order: `[["teamID", num], ["metal", resource]]`, a third element
 * {@link OPTIONAL} for a field left out when nil. The first field cannot be optional.
 */
export function object(
  fields: ReadonlyArray<readonly [string, Shape] | readonly [string, Shape, boolean]>,
): ObjectShape {
  const keys = new LuaTable<number, string>();
  const shapes = new LuaTable<number, Shape>();
  const optional = new LuaTable<number, boolean>();
  const prefixes = new LuaTable<number, string>();
  let count = 0;
  let flat = "";
  let flatOk = fields.length <= FLAT_LIMIT;
  for (const field of fields) {
    const isOptional = field[2] === true;
    if (isOptional && count === 0) error("the first field of an object cannot be optional");
    count += 1;
    const prefix = (count === 1 ? "{" : ",") + quote(field[0]) + ":";
    prefixes.set(count, prefix);
    keys.set(count, field[0]);
    shapes.set(count, field[1]);
    optional.set(count, isOptional);
    const kind = field[1].kind;
    if (isOptional || (kind !== Kind.Number && kind !== Kind.String && kind !== Kind.Boolean)) {
      flatOk = false;
    }
    // A key with % in it must not read as a conversion.
    const integer = kind === Kind.Number && field[1].integer === true;
    flat += string.gsub(prefix, "%%", "%%%%")[0] + (integer ? "%d" : "%s");
  }
  flatOk = flatOk && count > 0;
  return {
    kind: Kind.Object,
    keys,
    shapes,
    optional,
    prefixes,
    count,
    flat: flatOk ? flat + "}" : undefined,
    flatLine: flatOk ? flat + "}\n" : undefined,
  };
}

/** Counts kept since the widget started (reported in the heartbeat). */
export const encoderCounts = {
  /** nan or ±inf written as null. */
  nonFinite: 0,
  /** Values whose Lua type did not match the shape, written as null. */
  mismatched: 0,
};

// ---------------------------------------------------------------------------------------
// Strings

/** Replacement of every byte that needs escaping (a gsub table). */
const ESCAPES: Record<string, string> = {
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  '"': '\\"',
  "\\": "\\\\",
};
for (let byte = 0; byte < 32; byte++) {
  const char = string.char(byte);
  if (ESCAPES[char] === undefined) ESCAPES[char] = string.format("\\u%04x", byte);
}
ESCAPES[string.char(127)] = "\\u007f";

// Byte classes are built from byte values: a TypeScript "\x80" would be written to Lua as
// the two UTF-8 bytes of U+0080, not as the byte 0x80.
const NEEDS_ESCAPE =
  "[%z" + string.char(1) + "-" + string.char(31) + '"\\' + string.char(127) + "]";
const HIGH_BYTE = "[" + string.char(128) + "-" + string.char(255) + "]";
const REPLACEMENT = string.char(0xef, 0xbf, 0xbd);

/**
 * Copies valid UTF-8 sequences and replaces each maximal invalid subsequence by U+FFFD
 * (the WHATWG decoder's rule: an unexpected byte ends the sequence and is read again).
 */
function fixUtf8(s: string): string {
  const parts = new LuaTable<number, string>();
  let n = 0;
  let pos = 1;
  const len = s.length;
  for (;;) {
    const [high] = string.find(s, HIGH_BYTE, pos);
    if (high === undefined) {
      n += 1;
      parts.set(n, string.sub(s, pos));
      break;
    }
    if (high > pos) {
      n += 1;
      parts.set(n, string.sub(s, pos, high - 1));
    }
    const lead = string.byte(s, high);
    let needed = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      needed = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      needed = 2;
      if (lead === 0xe0) lower = 0xa0;
      else if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      needed = 3;
      if (lead === 0xf0) lower = 0x90;
      else if (lead === 0xf4) upper = 0x8f;
    }
    let next = high + 1;
    let valid = needed > 0;
    for (let k = 1; k <= needed; k++) {
      if (next > len) {
        valid = false;
        break;
      }
      const byte = string.byte(s, next);
      if (byte < lower || byte > upper) {
        valid = false;
        break;
      }
      lower = 0x80;
      upper = 0xbf;
      next += 1;
    }
    n += 1;
    parts.set(n, valid ? string.sub(s, high, next - 1) : REPLACEMENT);
    pos = next;
    if (pos > len) break;
  }
  return table.concat(parts as unknown as string[]);
}

let QUOTED = new LuaTable<string, string>();
let quotedCount = 0;
/** Distinct strings kept escaped; the cache starts over when full (bounded memory). */
const QUOTED_LIMIT = 4096;

/** A JSON string literal for any Lua string. */
function quote(s: string): string {
  const cached = QUOTED.get(s);
  if (cached !== undefined) return cached;
  let body = s;
  const [high] = string.find(s, HIGH_BYTE);
  if (high !== undefined) body = fixUtf8(s);
  [body] = string.gsub(body, NEEDS_ESCAPE, ESCAPES);
  const literal = '"' + body + '"';
  if (quotedCount >= QUOTED_LIMIT) {
    QUOTED = new LuaTable<string, string>();
    quotedCount = 0;
  }
  QUOTED.set(s, literal);
  quotedCount += 1;
  return literal;
}

// ---------------------------------------------------------------------------------------
// Numbers

// Library functions as locals: a global lookup per call is measurable in Lua 5.1.
const luaType = type;
const luaToString = tostring;
const luaToNumber = tonumber;
const format = string.format;
const concat = table.concat;
const floor = math.floor;

const HUGE = math.huge;
/** %d takes the build's C int, 32 bits in some builds: whole numbers below this in size. */
export const TWO_31 = 2147483648;
const TWO_53 = 9007199254740992;
const LN10 = math.log(10);

// tostring writes whole numbers of int range as plain integers in Lua 5.1 (double and the
// engine's float); Lua 5.3 (fengari, in tests) writes a float 3.0 as "3.0": use %d there.
const half = 1.5;
const tostringIsInteger = luaToString(half * 2) === "3" && luaToString(-half * 2) === "-3";

// Which formatter does the work for non-whole numbers. The engine's tostring is its own
// (at most 10 characters, single precision, e.g. "123.456001") and its string.format ignores
// %g; there, tostring is tried first and checked by reading it back. Stock Lua (the test
// interpreters) prints with %.14g through printf, slow and too long for a float: there one
// %.9g does it (9 significant digits: a float survives the round trip).
const engineToString = luaToString(1 / 3).length <= 10;
const useG = !engineToString && format("%.3g", 1234.5) === "1.23e+03";

/**
 * Texts of the small whole numbers seen so far (counts, unit def ids, team ids): a lookup
 * beats formatting. Only below 4096: frames and unit ids (a pool of about 32,000 that a
 * long game goes all through) would fill it with texts seen once, up to 2 MiB, which the
 * pipeline soak showed as a widget growing for two hours.
 */
const INTEGER_TEXT = new LuaTable<number, string>();
const INTEGER_CACHE_LIMIT = 4096;

/** 10^k read from text (correctly rounded, unlike pow in some C libraries), k in -330..310. */
const POWERS = new LuaTable<number, number>();
for (const k of $range(-330, 310)) POWERS.set(k, luaToNumber("1e" + format("%d", k)) ?? 0);
function power10(k: number): number {
  return POWERS.get(k) ?? 0;
}

/** floor(log10(ax)) for a finite ax > 0. */
function decimalExponent(ax: number): number {
  // Common magnitudes by comparison with exact powers (cheaper than two C calls).
  if (ax >= 1e-6 && ax < 1e9) {
    let e = 0;
    if (ax >= 1) {
      while (ax >= POWERS.get(e + 1)!) e += 1;
    } else {
      e = -1;
      while (ax < POWERS.get(e)!) e -= 1;
    }
    return e;
  }
  // Elsewhere the logarithm, corrected where it rounds wrong.
  let e = floor(math.log(ax) / LN10);
  if (ax >= power10(e + 1)) e += 1;
  else if (ax < power10(e)) e -= 1;
  return e;
}

/** Adds one to a string of decimal digits ("1299" → "1300", "99" → "100"). */
function incrementDigits(digits: string): string {
  const [head, nines] = string.match(digits, "^(.-)(9*)$");
  const zeros = string.rep("0", (nines ?? "").length);
  if (head === undefined || head.length === 0) return "1" + zeros;
  return string.sub(head, 1, -2) + string.char(string.byte(head, -1) + 1) + zeros;
}

/** `d.dddddddde±X`: 9 significant digits from the digit string of a value and its exponent. */
function scientific(negative: boolean, digits: string, exponent: number): string {
  let mantissa = string.sub(digits, 1, 9);
  if (digits.length > 9 && string.byte(digits, 10) >= 0x35) {
    const rounded = incrementDigits(mantissa);
    if (rounded.length > 9) {
      mantissa = string.sub(rounded, 1, 9);
      exponent += 1;
    } else {
      mantissa = rounded;
    }
  }
  const [fraction] = string.match(string.sub(mantissa, 2), "^(.-)0*$");
  const text =
    string.sub(mantissa, 1, 1) +
    (fraction !== undefined && fraction.length > 0 ? "." + fraction : "") +
    (exponent < 0 ? "e-" : "e+") +
    string.format("%d", math.abs(exponent));
  return negative ? "-" + text : text;
}

const FIXED_FORMATS = new LuaTable<number, string>();

/** 9 significant digits for a finite value that is not a small whole number. */
function fixedText(x: number): string {
  const negative = x < 0;
  const ax = negative ? -x : x;
  const e = decimalExponent(ax);
  if (ax >= TWO_53) {
    // Whole; C's %.0f gives its exact digits. fengari's (JavaScript) switches to exponent
    // notation above 1e21: there, scale to 10 digits first (double arithmetic, close enough).
    const digits = string.format("%.0f", ax);
    const [notDigit] = string.find(digits, "%D");
    if (notDigit === undefined) return scientific(negative, digits, digits.length - 1);
    const scaled = string.format("%.0f", ax / power10(e - 9));
    return scientific(negative, scaled, e - 9 + scaled.length - 1);
  }
  const decimals = 8 - e;
  if (decimals > 99) {
    // Below 1e-91 (only doubles get there): scale into [1, 10) first; a float is long 0 here.
    // 10^-e overflows for the smallest doubles: scale in two steps.
    const scaled = string.format("%.8f", (ax * power10(200)) / power10(e + 200));
    const [digits] = string.gsub(scaled, "%.", "");
    return scientific(negative, digits, e + (digits.length > 9 ? 1 : 0));
  }
  if (decimals <= 0) return string.format("%.0f", x);
  let fixed = FIXED_FORMATS.get(decimals);
  if (fixed === undefined) {
    fixed = "%." + format("%d", decimals) + "f";
    FIXED_FORMATS.set(decimals, fixed);
  }
  const text = format(fixed, x);
  if (string.byte(text, -1) !== 0x30) return text;
  // Trailing zeros (and a bare point) carry nothing.
  const [trimmed] = string.match(text, "^(.-)%.?0*$");
  return trimmed ?? text;
}

/** JSON text of a Lua number. */
function numberText(x: number): string {
  if (x % 1 === 0) {
    // Whole (nan and ±inf are not: their remainder is nan).
    if (x === 0) return "0"; // also -0, which tostring writes as "-0"
    if (x > 0 && x < INTEGER_CACHE_LIMIT) {
      let text = INTEGER_TEXT.get(x);
      if (text === undefined) {
        text = tostringIsInteger ? luaToString(x) : format("%d", x);
        INTEGER_TEXT.set(x, text);
      }
      return text;
    }
    if (x > -TWO_31 && x < TWO_31) return tostringIsInteger ? luaToString(x) : format("%d", x);
    // %d is limited to the C integer of the build (32 bits in some); %.0f is exact below 2^53.
    if (x > -TWO_53 && x < TWO_53) return format("%.0f", x);
    return fixedText(x);
  }
  if (x !== x || x === HUGE || x === -HUGE) {
    encoderCounts.nonFinite += 1;
    return "null";
  }
  if (useG) return format("%.9g", x);
  // The engine's shortest form when it reads back exactly ("123.456001", "1.0e-20": valid
  // JSON numbers), else 9 significant digits with %.Nf.
  const text = luaToString(x);
  if (luaToNumber(text) === x) return text;
  return fixedText(x);
}

// ---------------------------------------------------------------------------------------
// Values

/** Output pieces, joined once by `table.concat` (1-based, n the last used). */
export type Parts = LuaTable<number, string>;

function mismatch(parts: Parts, n: number): number {
  encoderCounts.mismatched += 1;
  parts.set(n + 1, "null");
  return n + 1;
}

/** A number element's text: nil is null; undefined when it is not a number. */
function element(value: unknown): string | undefined {
  if (luaType(value) === "number")
    return INTEGER_TEXT.get(value as number) ?? numberText(value as number);
  return value === undefined ? "null" : undefined;
}

/**
 * A row of numbers as one string: big messages are mostly such
 * rows, and one part per row instead of one per number and comma halves the bookkeeping.
 * undefined for other lengths or a non-number element (the caller's general path counts it).
 */
function numericRow(list: LuaTable<number, unknown>, count: number): string | undefined {
  const a = element(list.get(1));
  const b = element(list.get(2));
  if (a === undefined || b === undefined) return undefined;
  // One string.format (%s only): a chain of + would be emitted with parentheses that make
  // Lua build every intermediate string.
  if (count === 2) return format("[%s,%s]", a, b);
  const c = element(list.get(3));
  const d = element(list.get(4));
  if (c === undefined || d === undefined) return undefined;
  if (count === 4) return format("[%s,%s,%s,%s]", a, b, c, d);
  const e = element(list.get(5));
  const f = element(list.get(6));
  if (e === undefined || f === undefined || count !== 6) return undefined;
  return format("[%s,%s,%s,%s,%s,%s]", a, b, c, d, e, f);
}

/** Appends the JSON of `value` as described by `shape` to parts[n+1..]; returns the new n. */
function encodeInto(parts: Parts, n: number, shape: Shape, value: unknown): number {
  const valueType = luaType(value);
  if (valueType === "nil") {
    parts.set(n + 1, "null");
    return n + 1;
  }
  const kind = shape.kind;
  if (kind === Kind.Number) {
    if (valueType !== "number") return mismatch(parts, n);
    parts.set(n + 1, numberText(value as number));
    return n + 1;
  }
  if (kind === Kind.String) {
    if (valueType !== "string") return mismatch(parts, n);
    parts.set(n + 1, QUOTED.get(value as string) ?? quote(value as string));
    return n + 1;
  }
  if (kind === Kind.Boolean) {
    if (valueType !== "boolean") return mismatch(parts, n);
    parts.set(n + 1, value === true ? "true" : "false");
    return n + 1;
  }
  if (valueType !== "table") return mismatch(parts, n);
  if (kind === Kind.Object) {
    const record = value as LuaTable<string, unknown>;
    const count = shape.count;
    if (count === 0) {
      parts.set(n + 1, "{}");
      return n + 1;
    }
    const keys = shape.keys;
    const shapes = shape.shapes;
    const prefixes = shape.prefixes;
    const optional = shape.optional;
    for (const i of $range(1, count)) {
      const field = record.get(keys.get(i));
      const fieldShape = shapes.get(i);
      if (field === undefined) {
        if (!optional.get(i)) {
          parts.set(n + 1, prefixes.get(i));
          parts.set(n + 2, "null");
          n += 2;
        }
      } else {
        n += 1;
        parts.set(n, prefixes.get(i));
        // Scalars inline: most fields are numbers or strings.
        const fieldKind = fieldShape.kind;
        if (fieldKind === Kind.Number && luaType(field) === "number") {
          n += 1;
          parts.set(n, INTEGER_TEXT.get(field as number) ?? numberText(field as number));
        } else if (fieldKind === Kind.String && luaType(field) === "string") {
          n += 1;
          parts.set(n, QUOTED.get(field as string) ?? quote(field as string));
        } else {
          n = encodeInto(parts, n, fieldShape, field);
        }
      }
    }
    parts.set(n + 1, "}");
    return n + 1;
  }
  const list = value as LuaTable<number, unknown>;
  if (kind === Kind.Array) {
    const item = shape.item;
    const count = list.length();
    if (count === 0) {
      parts.set(n + 1, "[]");
      return n + 1;
    }
    n += 1;
    parts.set(n, "[");
    const numbers = item.kind === Kind.Number;
    for (const i of $range(1, count)) {
      if (i > 1) {
        n += 1;
        parts.set(n, ",");
      }
      const element = list.get(i);
      if (numbers && luaType(element) === "number") {
        n += 1;
        parts.set(n, INTEGER_TEXT.get(element as number) ?? numberText(element as number));
      } else {
        n = encodeInto(parts, n, item, element);
      }
    }
    parts.set(n + 1, "]");
    return n + 1;
  }
  if (kind === Kind.Tagged) {
    const variant = shape.variants.get(list.get(1) as string);
    if (variant === undefined) return mismatch(parts, n);
    return encodeInto(parts, n, variant, list);
  }
  // Tuple
  if (shape.numeric) {
    const nonFinite = encoderCounts.nonFinite;
    const text = numericRow(list, shape.count);
    if (text !== undefined) {
      parts.set(n + 1, text);
      return n + 1;
    }
    // The general path below writes (and counts) every element again.
    encoderCounts.nonFinite = nonFinite;
  }
  const items = shape.items;
  n += 1;
  parts.set(n, "[");
  for (const i of $range(1, shape.count)) {
    if (i > 1) {
      n += 1;
      parts.set(n, ",");
    }
    const itemShape = items.get(i);
    const element = list.get(i);
    if (itemShape.kind === Kind.Number && luaType(element) === "number") {
      n += 1;
      // Small whole numbers (ids, counts) straight from the cache, without a call.
      parts.set(n, INTEGER_TEXT.get(element as number) ?? numberText(element as number));
    } else {
      n = encodeInto(parts, n, itemShape, element);
    }
  }
  parts.set(n + 1, "]");
  return n + 1;
}

/** The field texts (or whole numbers for %d) of a flat object, reused: no table per call. */
const FLAT_TEXTS = new LuaTable<number, string | number>();

/**
 * A flat object in one `string.format` call, or undefined when a field is nil or of another
 * type than its shape says (the general path then writes it, with null, and counts it).
 */
function encodeFlat(shape: ObjectShape, pattern: string, value: unknown): string | undefined {
  if (luaType(value) !== "table") return undefined;
  const record = value as LuaTable<string, unknown>;
  const count = shape.count;
  const keys = shape.keys;
  const shapes = shape.shapes;
  const texts = FLAT_TEXTS;
  const nonFinite = encoderCounts.nonFinite;
  for (const i of $range(1, count)) {
    const field = record.get(keys.get(i));
    const fieldType = luaType(field);
    const fieldShape = shapes.get(i);
    const kind = fieldShape.kind;
    if (kind === Kind.Number && fieldType === "number") {
      const x = field as number;
      if (fieldShape.integer !== true) {
        texts.set(i, INTEGER_TEXT.get(x) ?? numberText(x));
      } else if (x % 1 === 0 && x > -TWO_31 && x < TWO_31) {
        texts.set(i, x);
      } else {
        // Not whole after all (or nan, ±inf): the general path writes and counts it.
        encoderCounts.nonFinite = nonFinite;
        return undefined;
      }
    } else if (kind === Kind.String && fieldType === "string") {
      texts.set(i, QUOTED.get(field as string) ?? quote(field as string));
    } else if (kind === Kind.Boolean && fieldType === "boolean") {
      texts.set(i, field === true ? "true" : "false");
    } else if (fieldType === "nil" && !(kind === Kind.Number && fieldShape.integer === true)) {
      // A required field without a value, as the general path writes it (an attacker the
      // view cannot see).
      texts.set(i, "null");
    } else {
      // The general path writes (and counts) every field again.
      encoderCounts.nonFinite = nonFinite;
      return undefined;
    }
  }
  // Texts past `count` are left from a longer object: the pattern has no %s for them,
  // and string.format ignores arguments it does not use.
  return format(
    pattern,
    texts.get(1),
    texts.get(2),
    texts.get(3),
    texts.get(4),
    texts.get(5),
    texts.get(6),
    texts.get(7),
    texts.get(8),
    texts.get(9),
    texts.get(10),
    texts.get(11),
    texts.get(12),
  );
}

// ---------------------------------------------------------------------------------------
// Rows of numbers read from records: the collector keeps positions and damage as records
// ({unitID, x, ...}); the wire has them as tuples. Writing each row with one
// string.format from the record's fields skips a tuple table per row and the general
// path's calls per element: the fast path for the biggest messages.

/** Writes rows first..last of `rows` (1-based), a comma before all but row 1; returns the new n. */
export type RowWriter = (
  this: void,
  parts: Parts,
  n: number,
  rows: LuaTable<number, unknown>,
  first: number,
  last: number,
) => number;

/**
 * A number cell's text, the same as the general path writes it (nil and other types:
 * null, the latter counted). A finite fraction (a coordinate, a health) takes the
 * short way in this one call: it is most of what a positions message holds.
 */
function cellText(value: unknown): string {
  if (luaType(value) === "number") {
    const x = value as number;
    // nan and ±inf fail `x === x` or the bounds: numberText writes them as null.
    if (x % 1 !== 0 && x === x && x !== HUGE && x !== -HUGE) {
      if (useG) return format("%.9g", x);
      const text = luaToString(x);
      if (luaToNumber(text) === x) return text;
      return fixedText(x);
    }
    return numberText(x);
  }
  if (value !== undefined) encoderCounts.mismatched += 1;
  return "null";
}

/**
 * `cellText` for a cell that is usually a small whole number (an id, a team): its text
 * from the cache. For rows written by hand (the unit events).
 */
function idText(value: unknown): string {
  return INTEGER_TEXT.get(value as number) ?? cellText(value);
}

/**
 * A writer of records as tuples of numbers: `[r[keys[1]], ..., r[keys[k]]]` for 2 to 6
 * keys, byte for byte what the general path writes for the same values as tuples. The
 * first `whole` keys usually hold small whole numbers (ids, teams): their texts come
 * from the cache; the others (coordinates, health, damage) go straight to `cellText`.
 */
export function recordRows(keys: readonly string[], whole: number): RowWriter {
  const count = keys.length;
  if (count < 2 || count > 6) error("recordRows takes 2 to 6 keys");
  // One reused table per writer: "[", cell, ",", cell, ..., "]", joined by one
  // table.concat (string.format would call sprintf once per %s).
  const row = new LuaTable<number, string>();
  const key = new LuaTable<number, string>();
  keys.forEach((k, i) => key.set(i + 1, k));
  const size = 2 * count + 1;
  for (let i = 1; i <= size; i++) row.set(i, i % 2 === 1 ? "," : "");
  row.set(size, "]");
  return (parts, n, rows, first, last) => {
    for (const i of $range(first, last)) {
      const r = rows.get(i) as LuaTable<string, unknown>;
      row.set(1, i > 1 ? ",[" : "[");
      for (const k of $range(1, count)) {
        const value = r.get(key.get(k));
        row.set(
          2 * k,
          k <= whole ? (INTEGER_TEXT.get(value as number) ?? cellText(value)) : cellText(value),
        );
      }
      n += 1;
      parts.set(n, concat(row as unknown as string[], "", 1, size));
    }
    return n;
  };
}

/** Lua 5.1's `unpack` (the engine's); `table.unpack` where the tests run Lua 5.3 (fengari). */
export const unpackList: (
  this: void,
  list: unknown[],
  i: number,
  j: number,
) => LuaMultiReturn<unknown[]> =
  (unpack as unknown as typeof unpackList | undefined) ??
  (table as unknown as { unpack: typeof unpackList }).unpack;

/**
 * A writer of records whose fields are numbers or records of numbers (one level: a team's
 * economy, `{"teamID":0,"metal":{"current":…,…},"energy":{…}}`), byte for byte what the
 * general path writes for `shape`, counts included. Each record is one `string.format`:
 * whole numbers by `%d`, the others by `%.9g` where stock Lua writes them so, anything
 * else (the engine's `tostring`, nil, nan, a wrong type) as the text `cellText` gives it.
 * The general path made a string of every number and a part of every key (an economy
 * message, 16 teams of 19 numbers, took about 0.6 ms in the host's scale game). A record
 * whose inner records are not all tables goes through the general path. Raises when
 * `shape` has other fields (at load).
 */
export function numberRecordRows(shape: ObjectShape): RowWriter {
  // For each number: the record's key, the inner record's key (undefined: a field of its
  // own), and the format's fixed text before it.
  const outerKeys = new LuaTable<number, string>();
  const innerKeys = new LuaTable<number, string | undefined>();
  const before = new LuaTable<number, string>();
  const nested: string[] = [];
  let count = 0;
  let closing = "}";
  for (const i of $range(1, shape.count)) {
    const field = shape.shapes.get(i);
    const prefix = shape.prefixes.get(i);
    if (field.kind === Kind.Number && !shape.optional.get(i)) {
      count += 1;
      outerKeys.set(count, shape.keys.get(i));
      before.set(count, (i > 1 && closing === "}}" ? "}" : "") + prefix);
      closing = "}";
    } else if (field.kind === Kind.Object && !shape.optional.get(i)) {
      nested.push(shape.keys.get(i));
      for (const k of $range(1, field.count)) {
        if (field.shapes.get(k).kind !== Kind.Number || field.optional.get(k)) {
          error("numberRecordRows: an inner field that is not a number");
        }
        count += 1;
        outerKeys.set(count, shape.keys.get(i));
        innerKeys.set(count, field.keys.get(k));
        const lead = k === 1 ? (closing === "}}" ? "}" : "") + prefix : "";
        before.set(count, lead + field.prefixes.get(k));
      }
      closing = "}}";
    } else {
      error("numberRecordRows: a field that is neither a number nor a record of numbers");
    }
  }
  // A key with % in it must not read as a conversion.
  for (const j of $range(1, count)) before.set(j, string.gsub(before.get(j), "%%", "%%%%")[0]);
  const formats = new LuaTable<number, string>();
  const values = new LuaTable<number, unknown>();
  const last = 2 * count + 1;
  formats.set(last, closing);
  return (parts, n, rows, first, final) => {
    for (const i of $range(first, final)) {
      const record = rows.get(i) as LuaTable<string, unknown>;
      if (i > 1) {
        n += 1;
        parts.set(n, ",");
      }
      let tables = luaType(record) === "table";
      for (const key of nested) {
        if (tables && luaType(record.get(key)) !== "table") tables = false;
      }
      if (!tables) {
        n = encodeInto(parts, n, shape, record);
        continue;
      }
      for (const j of $range(1, count)) {
        const outer = record.get(outerKeys.get(j));
        const inner = innerKeys.get(j);
        let value = inner === undefined ? outer : (outer as LuaTable<string, unknown>).get(inner);
        let spec = "%s";
        if (luaType(value) === "number") {
          const x = value as number;
          // Whole beyond %d's range: the general path's own text (%.0f, or digits and an exponent).
          if (x % 1 === 0) {
            if (x > -TWO_31 && x < TWO_31) spec = "%d";
          } else if (useG && x === x && x !== HUGE && x !== -HUGE) {
            spec = "%.9g";
          }
        }
        if (spec === "%s") value = cellText(value);
        formats.set(2 * j - 1, before.get(j));
        formats.set(2 * j, spec);
        values.set(j, value);
      }
      n += 1;
      parts.set(
        n,
        format(
          concat(formats as unknown as string[], "", 1, last),
          ...unpackList(values as unknown as unknown[], 1, count),
        ),
      );
    }
    return n;
  };
}

// ---------------------------------------------------------------------------------------
// Big messages in slices: head, elements first..last of one array field, tail. Encoding a
// 10,000-unit positions message takes tens of milliseconds, so the caller spreads it over
// frames (sliced.ts).

function arrayField(shape: ObjectShape, key: string): LuaMultiReturn<[number, ArrayShape]> {
  for (const i of $range(1, shape.count)) {
    const field = shape.shapes.get(i);
    if (shape.keys.get(i) === key && field.kind === Kind.Array) return $multi(i, field);
  }
  return error("no array field " + key);
}

/** Field `i` of `record` with its key (nothing for a nil optional field); returns the new n. */
function writeField(
  parts: Parts,
  n: number,
  shape: ObjectShape,
  record: LuaTable<string, unknown>,
  i: number,
): number {
  const field = record.get(shape.keys.get(i));
  if (field === undefined && shape.optional.get(i)) return n;
  parts.set(n + 1, shape.prefixes.get(i));
  return encodeInto(parts, n + 1, shape.shapes.get(i), field);
}

/** The shape of the elements of the array field `key` (raises when there is none). */
export function arrayItem(shape: ObjectShape, key: string): Shape {
  const [, array] = arrayField(shape, key);
  return array.item;
}

/** The fields of `record` before the array field `key`, then `"key":[`. */
export function encodeHead(
  parts: Parts,
  n: number,
  shape: ObjectShape,
  record: LuaTable<string, unknown>,
  key: string,
): number {
  const [index] = arrayField(shape, key);
  for (const i of $range(1, index - 1)) n = writeField(parts, n, shape, record, i);
  parts.set(n + 1, shape.prefixes.get(index) + "[");
  return n + 1;
}

/** Elements first..last of the array field `key` (1-based; a comma before all but the first). */
export function encodeElements(
  parts: Parts,
  n: number,
  shape: ObjectShape,
  key: string,
  list: LuaTable<number, unknown>,
  first: number,
  last: number,
): number {
  const [, array] = arrayField(shape, key);
  for (const i of $range(first, last)) {
    if (i > 1) {
      n += 1;
      parts.set(n, ",");
    }
    n = encodeInto(parts, n, array.item, list.get(i));
  }
  return n;
}

/** `]`, then the fields of `record` after the array field `key`, then `}`. */
export function encodeTail(
  parts: Parts,
  n: number,
  shape: ObjectShape,
  record: LuaTable<string, unknown>,
  key: string,
): number {
  const [index] = arrayField(shape, key);
  n += 1;
  parts.set(n, "]");
  for (const i of $range(index + 1, shape.count)) n = writeField(parts, n, shape, record, i);
  parts.set(n + 1, "}");
  return n + 1;
}

/** The JSON text of `value` as described by `shape` (no newline). */
export function encode(shape: Shape, value: unknown): string {
  return encodeEnding(shape, value, false);
}

/** `encode` and a newline: one NDJSON line (a flat object's in one string, not two). */
export function encodeLine(shape: Shape, value: unknown): string {
  return encodeEnding(shape, value, true);
}

/** The JSON of `value`, with a newline after it when `line`: flat in one call if it can be. */
function encodeEnding(shape: Shape, value: unknown, line: boolean): string {
  if (shape.kind === Kind.Object) {
    const pattern = line ? shape.flatLine : shape.flat;
    if (pattern !== undefined) {
      const text = encodeFlat(shape, pattern, value);
      if (text !== undefined) return text;
    }
  }
  const parts = new LuaTable<number, string>();
  let n = encodeInto(parts, 0, shape, value);
  if (line) {
    n += 1;
    parts.set(n, "\n");
  }
  return concat(parts as unknown as string[], "", 1, n);
}

// Exported here: inside this module the calls stay local functions (no table lookup).
export { encodeInto, idText, numberText, quote, writeField };
