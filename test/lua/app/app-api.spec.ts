/**
 * The API for other widgets as the app serves it (`WG.LiveDataExport` in main.ts):
 * getConfig, setConfig checked like the commands and all or nothing, connect and
 * disconnect. Whole widget calls (pcall, a colon call) are in test/e2e/control.test.ts.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { LiveDataApp } from "../../../src/app/app";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedTransport } from "../fakes/scripted-transport";

let transport: ScriptedTransport;
let clock: ManualClock;
let lines: string[];
let app: LiveDataApp;

beforeEach(() => {
  transport = new ScriptedTransport();
  transport.openStatus = "pending";
  clock = new ManualClock(0);
  lines = [];
  app = new LiveDataApp({
    transport,
    clock,
    echo: (line) => {
      lines.push(line);
    },
    stamp: () => "12:00:00",
  });
});

describe("getConfig", () => {
  it("returns a copy: changing it changes nothing", () => {
    const config = app.getConfig();
    expect(config.port).toBe(9876);
    config.port = 1;
    expect(app.getConfig().port).toBe(9876);
  });
});

describe("setConfig", () => {
  it("applies values of the saved type and words as the commands take them", () => {
    const result = app.setConfig({ port: 9000, economy: "off", retryInitialDelay: "0.5" });
    expect(result).toEqual({
      ok: true,
      changed: ["receiver set to 127.0.0.1:9000"],
    });
    expect(app.config.port).toBe(9000);
    expect(app.config.economy).toBe(false);
    expect(app.config.retryInitialDelay).toBe(0.5);
    expect(lines[lines.length - 1]).toContain("set by another widget: receiver set to");
  });

  it("rejects the whole table when one key is wrong, saying why for each", () => {
    const result = app.setConfig({ port: 0, economy: false, colour: "red", host: 5 });
    expect(result.ok).toBe(false);
    expect(result.changed).toEqual([]);
    expect(result.rejected).toEqual({
      port: "port 0 is not a whole number from 1 to 65535",
      colour: "unknown setting",
      host: "a number, not a string (IPv4 address or host name)",
    });
    expect(app.config.port).toBe(9876);
    expect(app.config.economy).toBe(true);
  });

  it("checks the rules between settings on the result", () => {
    const result = app.setConfig({ retryMaxDelay: 2, retryInitialDelay: 5 });
    expect(result.rejected).toEqual({
      retryMaxDelay: "the maximum retry delay (2 s) is below the initial delay (5 s)",
    });
    expect(app.config.retryMaxDelay).toBe(30);
  });

  it("refuses what is not a table of settings", () => {
    expect(app.setConfig(undefined).rejected).toEqual({
      "": "expected a table of settings, got nil",
    });
    expect(app.setConfig("port 9000").rejected).toEqual({
      "": "expected a table of settings, got string",
    });
    expect(app.setConfig([1, 2]).rejected).toEqual({
      "1": "unknown setting",
      "2": "unknown setting",
    });
    const raising = new LuaTable<AnyNotNil, number>();
    raising.set(setmetatable({}, { __tostring: () => error("boom") }), 1);
    expect(app.setConfig(raising).rejected).toEqual({ "<table>": "unknown setting" });
    expect(app.setConfig({ enabled: false }).rejected).toEqual({
      enabled: "use connect() or disconnect()",
    });
    const huge: Record<string, number> = {};
    for (let i = 1; i <= 100; i++) huge[`k${i}`] = i;
    expect(app.setConfig(huge).rejected).toEqual({
      "": "more than 64 keys: not a settings change",
    });
  });

  it("says nothing and reports no change when every value is already set", () => {
    const before = lines.length;
    expect(app.setConfig({ port: 9876 })).toEqual({ ok: true, changed: [] });
    expect(lines.length).toBe(before);
  });
});

describe("connect and disconnect", () => {
  it("act as the commands do, the setting `enabled` following", () => {
    app.start();
    expect(app.connection.state()).toBe("CONNECTING");
    app.request("disconnect");
    expect(app.connection.state()).toBe("DISCONNECTED");
    expect(app.config.enabled).toBe(false);
    app.request("connect");
    expect(app.connection.state()).toBe("CONNECTING");
    expect(app.config.enabled).toBe(true);
  });
});
