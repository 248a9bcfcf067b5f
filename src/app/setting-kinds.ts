/**
 * The kinds of value a setting can hold: how each is checked, read from a word the
 * player typed, and shown to people. Pure. A setting in settings.ts picks one kind
 * and gets its validation, parsing and wording from it.
 */
import { formatNumber, quoteInput, shortInput } from "./format";

/** A value, or why there is none: `[value, undefined]` or `[undefined, message]`. */
export type Parsed<T> = LuaMultiReturn<[T, undefined] | [undefined, string]>;

export interface SettingKind<T> {
  /** Lua type of the value as saved in BAR's config file. */
  readonly luaType: "string" | "number" | "boolean";
  /** The argument in a command's usage: `<1-65535>`, `on|off`. */
  readonly argument: string;
  /** The allowed values for the docs: `0.1-60 s`, `error, warn, info, debug`. */
  readonly range: string;
  /** Unit shown after numbers (`s`, `ms`), if any. */
  readonly unit?: string;
  /** Every allowed value, when they are a few names (the options window lists them). */
  readonly names?: readonly T[];
  /**
   * Checks a value of the right Lua type (a saved one, or one a command built) and
   * returns it in its canonical form (an enum name in lower case), or why it is wrong.
   */
  check(this: void, value: T): Parsed<T>;
  /** Reads a word the player typed. The message does not name the command. */
  parse(this: void, text: string): Parsed<T>;
  /** For people: `0.3 s`, `on`, `off`, `bottom-right`. */
  format(this: void, value: T): string;
}

const NUMBER_PATTERN = "^%d*%.?%d+$";

export interface QuantityOptions {
  min: number;
  max: number;
  unit: "s" | "ms";
  /** 0 (typed as `0` or `off`) switches the feature off. */
  zeroIsOff?: boolean;
}

/** A number of seconds or milliseconds within `min`-`max` (or 0 for off). */
export function quantity(options: QuantityOptions): SettingKind<number> {
  const { min, max, unit, zeroIsOff } = options;
  const words = unit === "s" ? "seconds" : "milliseconds";
  const span = `${formatNumber(min)}-${formatNumber(max)}`;
  const allowed = zeroIsOff === true ? `0 (off) or ${span} ${words}` : `${span} ${words}`;
  // `shown`: the value as the player typed it, so 1e-300 is not echoed as "0".
  const check = (value: number, shown?: string): Parsed<number> => {
    // `value !== value` is NaN, which a hand-edited file can produce (0/0).
    const off = zeroIsOff === true && value === 0;
    if (value !== value || (!off && (value < min || value > max))) {
      return $multi(undefined, `${shown ?? formatNumber(value)} is outside ${allowed}`);
    }
    return $multi(value, undefined);
  };
  return {
    luaType: "number",
    argument: zeroIsOff === true ? `<${words}|off>` : `<${words}>`,
    range: zeroIsOff === true ? `0 (off) or ${span} ${unit}` : `${span} ${unit}`,
    unit,
    check,
    parse(text) {
      if (zeroIsOff === true && string.lower(text) === "off") {
        return $multi(0, undefined);
      }
      const value = string.find(text, NUMBER_PATTERN)[0] !== undefined ? tonumber(text) : undefined;
      if (value === undefined) {
        return $multi(undefined, `${quoteInput(text)} is not a number of ${words}`);
      }
      return check(value, shortInput(text));
    },
    format(value) {
      return zeroIsOff === true && value === 0 ? "off" : `${formatNumber(value)} ${unit}`;
    },
  };
}

/**
 * A whole number within `min`-`max`, such as a port; `noun` names it in messages, `unit`
 * (if any) follows it for people (`4096 KiB`).
 */
export function wholeNumber(
  min: number,
  max: number,
  noun: string,
  unit?: string,
): SettingKind<number> {
  const check = (value: number, shown?: string): Parsed<number> => {
    if (value !== math.floor(value) || value < min || value > max) {
      return $multi(
        undefined,
        `${noun} ${shown ?? formatNumber(value)} is not a whole number from ${min} to ${max}`,
      );
    }
    return $multi(value, undefined);
  };
  return {
    luaType: "number",
    argument: `<${min}-${max}>`,
    range: unit !== undefined ? `${min}-${max} ${unit}` : `${min}-${max}`,
    unit,
    check,
    parse(text) {
      if (string.find(text, "^%d+$")[0] === undefined) {
        return $multi(undefined, `${quoteInput(text)} is not a ${noun} number (${min}-${max})`);
      }
      return check(tonumber(text) ?? 0, shortInput(text));
    },
    format: unit !== undefined ? (value) => `${formatNumber(value)} ${unit}` : formatNumber,
  };
}

/** Longest secret accepted (bytes): a token, not a document. */
const MAX_SECRET = 128;

/**
 * A shared secret (the receiver's token): 1-128 printable ASCII characters without
 * spaces, or "" for none (typed `off`). Shown to people only as set or off, so that
 * `/livedata status` on a stream does not give it away.
 */
export function secret(): SettingKind<string> {
  const check = (value: string): Parsed<string> => {
    if (value === "") return $multi(value, undefined);
    if (value.length > MAX_SECRET) {
      return $multi(undefined, `the token is longer than ${MAX_SECRET} characters`);
    }
    if (string.find(value, "^[!-~]+$")[0] === undefined) {
      return $multi(undefined, "the token must be printable ASCII without spaces");
    }
    return $multi(value, undefined);
  };
  return {
    luaType: "string",
    argument: "<token|off>",
    range: `off or 1-${MAX_SECRET} printable characters`,
    check,
    parse(text) {
      if (string.lower(text) === "off") return $multi("", undefined);
      return check(text);
    },
    format: (value) => (value === "" ? "off" : "set"),
  };
}

const ON_WORDS = new LuaTable<string, boolean>();
for (const word of ["on", "true", "1", "yes"]) ON_WORDS.set(word, true);
for (const word of ["off", "false", "0", "no"]) ON_WORDS.set(word, false);

/** Reads on/off (also true/false, yes/no, 1/0) in any case. */
export function parseSwitch(text: string | undefined): boolean | undefined {
  return text !== undefined ? ON_WORDS.get(string.lower(text)) : undefined;
}

/** On or off; saved as true or false. */
export function onOff(): SettingKind<boolean> {
  return {
    luaType: "boolean",
    argument: "on|off",
    range: "on or off",
    check: (value) => $multi(value, undefined),
    parse(text) {
      const on = parseSwitch(text);
      if (on === undefined) return $multi(undefined, `${quoteInput(text)} is not on or off`);
      return $multi(on, undefined);
    },
    format: (value) => (value ? "on" : "off"),
  };
}

/** One of `names`, typed in any case; `noun` names it in usages and messages ("level"). */
export function oneOf<T extends string>(names: readonly T[], noun: string): SettingKind<T> {
  const pick = (text: string): Parsed<T> => {
    const lower = string.lower(text);
    for (const name of names) {
      if (name === lower) return $multi(name, undefined);
    }
    return $multi(undefined, `the ${noun} must be one of ${names.join(", ")}`);
  };
  return {
    luaType: "string",
    argument: `<${noun}>`,
    range: names.join(", "),
    names,
    check: pick,
    parse: pick,
    format: (value) => value,
  };
}

/**
 * `undefined` when `host` can be a receiver's address, else why not: a dotted IPv4
 * address (four numbers 0-255, no leading zeros, which some resolvers read as octal)
 * or a host name of RFC 1123 labels (letters, digits and inner hyphens, 1-63
 * characters each, 253 in all). A name whose last label is all digits can only be
 * meant as an IPv4 address, so `1.2.3.4.5` is one that is invalid.
 */
export function checkHost(host: string): string | undefined {
  if (host.length === 0) {
    return "the host is empty";
  }
  if (host.length > 253) {
    return "the host is longer than 253 characters";
  }
  if (string.find(host, "^[%w%.%-]+$")[0] === undefined) {
    return `${quoteInput(host)} is not a hostname or IPv4 address (letters, digits, hyphens and dots only; IPv6 is not supported by the engine)`;
  }
  if (string.find(host, "%.%.")[0] !== undefined || string.find(host, "^%.")[0] !== undefined) {
    return `${quoteInput(host)} is not a hostname or IPv4 address: it has an empty part between dots`;
  }
  if (string.find(host, "%.$")[0] !== undefined) {
    return `${quoteInput(host)} is not a hostname or IPv4 address: it ends with a dot`;
  }
  if (
    string.find(host, "^[%d%.]+$")[0] !== undefined ||
    string.find(host, "%.%d+$")[0] !== undefined
  ) {
    return checkIPv4(host);
  }
  for (const [label] of string.gmatch(host, "[^%.]+")) {
    if (label.length > 63) {
      return `${quoteInput(host)} is not a hostname: a part is longer than 63 characters`;
    }
    if (string.find(label, "^%-")[0] !== undefined || string.find(label, "%-$")[0] !== undefined) {
      return `${quoteInput(host)} is not a hostname or IPv4 address: a part cannot start or end with a hyphen`;
    }
  }
  return undefined;
}

function checkIPv4(host: string): string | undefined {
  const invalid = `${quoteInput(host)} is not a valid IPv4 address (four numbers 0-255 separated by dots)`;
  const [a, b, c, d] = string.match(host, "^(%d+)%.(%d+)%.(%d+)%.(%d+)$");
  if (a === undefined) {
    return invalid;
  }
  for (const octet of [a, b, c, d]) {
    // A leading zero reads as octal to some resolvers (010 is 8): refuse the doubt.
    if (octet.length > 3 || (octet.length > 1 && string.sub(octet, 1, 1) === "0")) {
      return invalid;
    }
    if ((tonumber(octet) ?? 256) > 255) {
      return invalid;
    }
  }
  return undefined;
}

/** A receiver's address: an IPv4 address or a host name (see `checkHost`). */
export function hostAddress(): SettingKind<string> {
  const check = (value: string): Parsed<string> => {
    const problem = checkHost(value);
    if (problem !== undefined) return $multi(undefined, problem);
    return $multi(value, undefined);
  };
  return {
    luaType: "string",
    argument: "<host>",
    range: "IPv4 address or host name",
    check,
    parse: check,
    format: (value) => value,
  };
}
