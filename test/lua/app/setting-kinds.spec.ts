/** The kinds of setting values: checks, parsing of typed words, wording. */
import { describe, expect, it } from "../framework";
import {
  checkHost,
  hostAddress,
  onOff,
  oneOf,
  quantity,
  SettingKind,
  wholeNumber,
} from "../../../src/app/setting-kinds";

interface Outcome<T> {
  value?: T;
  problem?: string;
}

function parse<T>(this: void, kind: SettingKind<T>, text: string): Outcome<T> {
  const [value, problem] = kind.parse(text);
  return { value, problem };
}

function check<T>(this: void, kind: SettingKind<T>, candidate: T): Outcome<T> {
  const [value, problem] = kind.check(candidate);
  return { value, problem };
}

describe("checkHost", () => {
  const valid = [
    "127.0.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "192.168.1.20",
    "localhost",
    "my-pc.lan",
    "a",
    "x1",
    "1password.example",
    "example.com",
    `${"a".repeat(63)}.com`,
  ];
  for (const host of valid) {
    it(`accepts ${host.length > 30 ? "a 63-character label" : host}`, () => {
      expect(checkHost(host)).toBeUndefined();
    });
  }

  const invalid: Array<[string, string]> = [
    ["", "the host is empty"],
    ["-", "cannot start or end with a hyphen"],
    ["-pc.lan", "cannot start or end with a hyphen"],
    ["pc-.lan", "cannot start or end with a hyphen"],
    ["...", "empty part"],
    ["a..b", "empty part"],
    [".a", "empty part"],
    ["a.", "ends with a dot"],
    ["1.2.3.4.5", "not a valid IPv4 address"],
    ["1.2.3", "not a valid IPv4 address"],
    ["256.1.1.1", "not a valid IPv4 address"],
    ["1.2.3.999", "not a valid IPv4 address"],
    ["010.0.0.1", "not a valid IPv4 address"],
    ["1234", "not a valid IPv4 address"],
    ["host.123", "not a valid IPv4 address"],
    ["::1", "is not a hostname or IPv4 address"],
    ["a b", "is not a hostname or IPv4 address"],
    ["bad_host!", "is not a hostname or IPv4 address"],
    [`${"a".repeat(64)}.com`, "longer than 63 characters"],
    ["x".repeat(254), "longer than 253 characters"],
  ];
  for (const [host, why] of invalid) {
    it(`refuses ${host.length > 30 ? `a ${host.length}-character name` : `"${host}"`}: ${why}`, () => {
      expect(checkHost(host)).toContain(why);
    });
  }

  it("accepts a 253-character name of valid labels", () => {
    const name = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
    expect(name).toHaveLength(253);
    expect(checkHost(name)).toBeUndefined();
  });

  it("is the check of the host kind, for typed and saved values", () => {
    const kind = hostAddress();
    expect(parse(kind, "10.0.0.5").value).toBe("10.0.0.5");
    const [value, problem] = kind.check("1.2.3.4.5");
    expect(value).toBeUndefined();
    expect(problem).toContain("not a valid IPv4 address");
  });
});

describe("quantity", () => {
  const seconds = quantity({ min: 0.1, max: 60, unit: "s" });

  it("reads numbers of seconds within its range", () => {
    expect(parse(seconds, "0.5").value).toBe(0.5);
    expect(parse(seconds, ".5").value).toBe(0.5);
    expect(parse(seconds, "60").value).toBe(60);
    expect(parse(seconds, "0.1").value).toBe(0.1);
  });

  it("says what is wrong with a word that is not a number in range, without a prefix", () => {
    expect(parse(seconds, "soon").problem).toBe('"soon" is not a number of seconds');
    expect(parse(seconds, "-1").problem).toBe('"-1" is not a number of seconds');
    expect(parse(seconds, "1e3").problem).toBe('"1e3" is not a number of seconds');
    expect(parse(seconds, "0").problem).toBe("0 is outside 0.1-60 seconds");
    expect(parse(seconds, "61").problem).toBe("61 is outside 0.1-60 seconds");
  });

  it("refuses nan and out-of-range values of the right type", () => {
    expect(check(seconds, 0 / 0).problem).toBe("nan is outside 0.1-60 seconds");
    expect(check(seconds, 1e9).problem).toBe("1000000000 is outside 0.1-60 seconds");
    expect(check(seconds, 30).value).toBe(30);
  });

  it("formats the engine's floats for people", () => {
    expect(seconds.format(0.30000001192092896)).toBe("0.3 s");
    expect(seconds.format(30)).toBe("30 s");
    expect(seconds.range).toBe("0.1-60 s");
    expect(seconds.argument).toBe("<seconds>");
  });

  it("takes 0 or off for off when zero is off, and nothing between 0 and the minimum", () => {
    const silence = quantity({ min: 3, max: 600, unit: "s", zeroIsOff: true });
    expect(parse(silence, "off").value).toBe(0);
    expect(parse(silence, "OFF").value).toBe(0);
    expect(parse(silence, "0").value).toBe(0);
    expect(parse(silence, "3").value).toBe(3);
    expect(parse(silence, "2").problem).toBe("2 is outside 0 (off) or 3-600 seconds");
    expect(silence.format(0)).toBe("off");
    expect(silence.format(15)).toBe("15 s");
    expect(silence.range).toBe("0 (off) or 3-600 s");
    expect(parse(seconds, "off").problem).toBe('"off" is not a number of seconds');
  });

  it("speaks milliseconds when its unit is ms", () => {
    const budget = quantity({ min: 0.1, max: 2, unit: "ms" });
    expect(parse(budget, "0.25").value).toBe(0.25);
    expect(parse(budget, "3").problem).toBe("3 is outside 0.1-2 milliseconds");
    expect(budget.format(0.5)).toBe("0.5 ms");
  });
});

describe("wholeNumber", () => {
  const port = wholeNumber(1, 65535, "port");
  const cases: Array<[string, number | undefined]> = [
    ["9876", 9876],
    ["1", 1],
    ["65535", 65535],
    ["0", undefined],
    ["65536", undefined],
    ["70000", undefined],
    ["abc", undefined],
    ["-5", undefined],
    ["12.5", undefined],
    ["", undefined],
  ];
  for (const [text, expected] of cases) {
    it(`reads "${text}" as ${tostring(expected)}`, () => {
      expect(parse(port, text).value).toBe(expected);
    });
  }

  it("says why, naming the noun", () => {
    expect(parse(port, "0").problem).toBe("port 0 is not a whole number from 1 to 65535");
    expect(parse(port, "abc").problem).toBe('"abc" is not a port number (1-65535)');
    expect(check(port, 80.5).problem).toBe("port 80.5 is not a whole number from 1 to 65535");
  });
});

describe("onOff and oneOf", () => {
  it("reads on/off words in any case", () => {
    const kind = onOff();
    for (const word of ["on", "ON", "true", "yes", "1"]) expect(parse(kind, word).value).toBe(true);
    for (const word of ["off", "Off", "false", "no", "0"])
      expect(parse(kind, word).value).toBe(false);
    expect(parse(kind, "maybe").problem).toBe('"maybe" is not on or off');
    expect(kind.format(true)).toBe("on");
  });

  it("reads one of its names in any case and gives the canonical name", () => {
    const kind = oneOf(["error", "warn"], "level");
    expect(parse(kind, "WARN").value).toBe("warn");
    expect(parse(kind, "Error").value).toBe("error");
    expect(parse(kind, "loud").problem).toBe("the level must be one of error, warn");
    expect(kind.range).toBe("error, warn");
    expect(kind.argument).toBe("<level>");
  });
});
