/** Loading saved settings field by field, and parsing typed values. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LUA_VMS } from "../support/lua-vm.ts";
import { Lab } from "./lab.ts";

interface Loaded {
  config: Record<string, unknown>;
  warnings: string[];
}

const DEFAULTS = {
  host: "127.0.0.1",
  port: 9876,
  enabled: true,
  autoReconnect: true,
  retryInitialDelay: 1,
  retryMaxDelay: 30,
  connectTimeout: 5,
  silenceTimeout: 15,
  logLevel: "info",
  showIndicator: true,
  indicatorCorner: "bottom-right",
};

describe.each(LUA_VMS)("config under $name", ({ create }) => {
  let lab: Lab;
  beforeEach(() => {
    lab = new Lab(create()).loadModules();
    lab.exec(`config = req("src.app.config")`);
  });
  afterEach(() => lab.close());

  const load = (luaTable: string) =>
    lab.lua<Loaded>(
      `local r = config.loadConfig(${luaTable}); return { config = r.config, warnings = #r.warnings > 0 and r.warnings or nil }`,
    );

  it("uses the defaults when nothing was saved, silently", () => {
    expect(load("nil")).toEqual({ config: DEFAULTS });
  });

  it("takes missing keys from the defaults without a warning (older saved files)", () => {
    expect(load(`{ port = 9000 }`)).toEqual({ config: { ...DEFAULTS, port: 9000 } });
  });

  it("keeps every valid field", () => {
    const saved = {
      host: "10.0.0.5",
      port: 1234,
      enabled: false,
      autoReconnect: false,
      retryInitialDelay: 0.5,
      retryMaxDelay: 10,
      connectTimeout: 2,
      silenceTimeout: 15,
      logLevel: "debug",
      showIndicator: false,
      indicatorCorner: "top-left",
    };
    const lua = `{ host = "10.0.0.5", port = 1234, enabled = false, autoReconnect = false,
      retryInitialDelay = 0.5, retryMaxDelay = 10, connectTimeout = 2, logLevel = "debug", showIndicator = false, indicatorCorner = "top-left" }`;
    expect(load(lua)).toEqual({ config: saved });
  });

  it("replaces each wrong-typed field by its default with one warning, keeping the rest", () => {
    const result = load(
      `{ host = 5, port = "9000", autoReconnect = "yes", logLevel = 3, showIndicator = false, indicatorCorner = "middle" }`,
    );
    expect(result.config).toEqual({ ...DEFAULTS, showIndicator: false });
    expect(result.warnings).toHaveLength(5);
    expect(result.warnings.join("\n")).toMatch(/host is a number, not a string/);
    expect(result.warnings.join("\n")).toMatch(/port is a string, not a number/);
  });

  it("replaces out-of-range values", () => {
    const result = load(
      `{ port = 70000, retryInitialDelay = 0, retryMaxDelay = 100000, connectTimeout = 0/0, host = "bad host!" }`,
    );
    expect(result.config).toEqual(DEFAULTS);
    expect(result.warnings).toHaveLength(5);
  });

  it("rejects a fractional port and a non-table", () => {
    expect(load(`{ port = 80.5 }`).config["port"]).toBe(9876);
    expect(load(`"garbage"`)).toEqual({
      config: DEFAULTS,
      warnings: ["saved settings are a string, not a table: using defaults"],
    });
  });

  it("repairs a maximum retry delay below the initial one", () => {
    const result = load(`{ retryInitialDelay = 20, retryMaxDelay = 5 }`);
    expect(result.config).toMatchObject({ retryInitialDelay: 20, retryMaxDelay: 20 });
    expect(result.warnings).toHaveLength(1);
  });

  it("ignores unknown keys from other versions", () => {
    expect(load(`{ futureSetting = { 1, 2 }, configVersion = 7 }`)).toEqual({ config: DEFAULTS });
  });

  it("saves plain values only, with a version", () => {
    expect(lab.lua(`return config.saveConfig(config.defaultConfig())`)).toEqual({
      ...DEFAULTS,
      configVersion: 1,
    });
  });

  it.each([
    ["9876", 9876],
    ["1", 1],
    ["65535", 65535],
    ["0", null],
    ["65536", null],
    ["70000", null],
    ["abc", null],
    ["-5", null],
    ["12.5", null],
    ["", null],
  ])("parses the port %j as %j", (text, expected) => {
    expect(lab.lua(`return (config.parsePort(${JSON.stringify(text)}))`)).toBe(expected);
  });

  it.each([
    ["127.0.0.1", true],
    ["localhost", true],
    ["my-pc.lan", true],
    ["", false],
    ["256.1.1.1", false],
    ["::1", false],
    ["a b", false],
    ["x".repeat(254), false],
  ])("checks the host %j (valid: %j)", (host, valid) => {
    expect(lab.lua(`return config.checkHost(${JSON.stringify(host)}) == nil`)).toBe(valid);
  });
});
