/**
 * Loading saved settings setting by setting, and saving them. DEFAULTS spells the
 * defaults out on purpose, apart from src/app/settings.ts, as an independent oracle.
 */
import { describe, expect, it } from "../framework";
import { CONFIG_VERSION, loadConfig, saveConfig } from "../../../src/app/config";
import { defaultConfig } from "../../../src/app/settings";

const DEFAULTS = {
  host: "127.0.0.1",
  port: 9876,
  enabled: true,
  autoReconnect: true,
  retryInitialDelay: 1,
  retryMaxDelay: 30,
  connectTimeout: 5,
  silenceTimeout: 15,
  sendInterval: 100,
  frameBudget: 0.5,
  logLevel: "info",
  showIndicator: true,
  indicatorCorner: "bottom-right",
  detail: "standard",
  economy: true,
  units: true,
  stats: true,
  events: true,
  unitdefs: true,
  positions: false,
  damage: false,
  economySeconds: 1,
  unitsSeconds: 1,
  statsSeconds: 5,
  positionsSeconds: 1,
  damageSeconds: 1,
  reconcileSeconds: 10,
  keyframeSeconds: 60,
  backlogKiB: 4096,
  token: "",
};

describe("loadConfig", () => {
  it("uses the defaults when nothing was saved, silently", () => {
    expect(loadConfig(undefined)).toEqual({ config: DEFAULTS, warnings: [] });
    expect(defaultConfig()).toEqual(DEFAULTS);
  });

  it("takes missing keys from the defaults without a warning (older saved files)", () => {
    expect(loadConfig({ port: 9000 })).toEqual({
      config: { ...DEFAULTS, port: 9000 },
      warnings: [],
    });
  });

  it("keeps every valid setting", () => {
    const saved = {
      host: "10.0.0.5",
      port: 1234,
      enabled: false,
      autoReconnect: false,
      retryInitialDelay: 0.5,
      retryMaxDelay: 10,
      connectTimeout: 2,
      silenceTimeout: 0,
      sendInterval: 0,
      frameBudget: 1.5,
      logLevel: "debug",
      showIndicator: false,
      indicatorCorner: "top-left",
      detail: "full",
      economy: false,
      units: false,
      stats: false,
      events: false,
      unitdefs: false,
      positions: true,
      damage: true,
      economySeconds: 2,
      unitsSeconds: 0.5,
      statsSeconds: 15,
      positionsSeconds: 0.25,
      damageSeconds: 3,
      reconcileSeconds: 60,
      keyframeSeconds: 30,
      backlogKiB: 512,
      token: "s3cret-token",
    };
    expect(loadConfig(saved)).toEqual({ config: saved, warnings: [] });
  });

  it("replaces each wrong-typed setting by its default with one warning, keeping the rest", () => {
    const result = loadConfig({
      host: 5,
      port: "9000",
      autoReconnect: "yes",
      logLevel: 3,
      showIndicator: false,
      indicatorCorner: "middle",
      frameBudget: "fast",
    });
    expect(result.config).toEqual({ ...DEFAULTS, showIndicator: false });
    expect(result.warnings).toEqual([
      "saved setting host is a number, not a string: using the default 127.0.0.1",
      "saved setting port is a string, not a number: using the default 9876",
      "saved setting autoReconnect is a string, not true or false: using the default on",
      "saved setting frameBudget is a string, not a number: using the default 0.5 ms",
      "saved setting logLevel is a number, not a string: using the default info",
      "saved setting indicatorCorner is invalid (the corner must be one of top-left, top-right, bottom-left, bottom-right): using the default bottom-right",
    ]);
  });

  it("replaces out-of-range values, each with its own warning", () => {
    const result = loadConfig({
      port: 70000,
      retryInitialDelay: 0,
      retryMaxDelay: 100000,
      connectTimeout: 0 / 0,
      silenceTimeout: 2,
      frameBudget: 5,
      host: "bad host!",
    });
    expect(result.config).toEqual(DEFAULTS);
    expect(result.warnings).toHaveLength(7);
    expect(result.warnings).toContain(
      "saved setting port is invalid (port 70000 is not a whole number from 1 to 65535): using the default 9876",
    );
    expect(result.warnings).toContain(
      "saved setting silenceTimeout is invalid (2 is outside 0 (off) or 3-600 seconds): using the default 15 s",
    );
    expect(result.warnings).toContain(
      "saved setting connectTimeout is invalid (nan is outside 0.5-120 seconds): using the default 5 s",
    );
  });

  it("replaces a wrong collection setting by its default, keeping the others", () => {
    const result = loadConfig({
      positions: "yes",
      economySeconds: 0.5,
      positionsSeconds: 0.2,
      statsSeconds: 4000,
    });
    expect(result.config).toEqual({ ...DEFAULTS, positionsSeconds: 0.2 });
    expect(result.warnings).toEqual([
      "saved setting positions is a string, not true or false: using the default off",
      "saved setting economySeconds is invalid (0.5 is outside 1-3600 seconds): using the default 1 s",
      "saved setting statsSeconds is invalid (4000 is outside 1-3600 seconds): using the default 5 s",
    ]);
  });

  it("replaces a wrong delivery setting by its default, keeping the others", () => {
    const result = loadConfig({ backlogKiB: 1.5, keyframeSeconds: 2, token: "two words" });
    expect(result.config).toEqual(DEFAULTS);
    expect(result.warnings).toEqual([
      "saved setting keyframeSeconds is invalid (2 is outside 5-3600 seconds): using the default 60 s",
      "saved setting backlogKiB is invalid (backlog 1.5 is not a whole number from 64 to 65536): using the default 4096 KiB",
      "saved setting token is invalid (the token must be printable ASCII without spaces): using the default off",
    ]);
  });

  it("applies the host rule to a saved host", () => {
    for (const host of ["-", "...", "1.2.3.4.5", "256.0.0.1"]) {
      const result = loadConfig({ host, port: 1234 });
      expect(result.config.host).toBe("127.0.0.1");
      expect(result.config.port).toBe(1234);
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatch("^saved setting host is invalid");
    }
  });

  it("takes a saved enum in any case as its canonical name", () => {
    expect(loadConfig({ logLevel: "WARN" }).config.logLevel).toBe("warn");
  });

  it("rejects a fractional port and a non-table", () => {
    expect(loadConfig({ port: 80.5 }).config.port).toBe(9876);
    expect(loadConfig("garbage")).toEqual({
      config: DEFAULTS,
      warnings: ["saved settings are a string, not a table: using defaults"],
    });
  });

  it("repairs a maximum retry delay below the initial one, with one warning", () => {
    const result = loadConfig({ retryInitialDelay: 20, retryMaxDelay: 5 });
    expect(result.config.retryInitialDelay).toBe(20);
    expect(result.config.retryMaxDelay).toBe(20);
    expect(result.warnings).toEqual([
      "saved retryMaxDelay 5 s is below retryInitialDelay 20 s: using 20 s for both",
    ]);
  });

  it("ignores unknown keys from other versions", () => {
    expect(loadConfig({ futureSetting: [1, 2], configVersion: 7 })).toEqual({
      config: DEFAULTS,
      warnings: [],
    });
  });
});

describe("saveConfig", () => {
  it("saves plain values only, with the version", () => {
    expect(CONFIG_VERSION).toBe(1);
    expect(saveConfig(defaultConfig())).toEqual({ ...DEFAULTS, configVersion: 1 });
  });

  it("round-trips through loadConfig", () => {
    const config = { ...defaultConfig(), host: "pc.lan", silenceTimeout: 0, frameBudget: 0.2 };
    expect(loadConfig(saveConfig(config))).toEqual({ config, warnings: [] });
  });
});
