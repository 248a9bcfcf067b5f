/**
 * The whole widget through its call-ins, as BAR drives it: commands typed in chat,
 * settings saved and restored, the status line, shutdown and error containment.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LUA_VMS } from "../support/lua-vm.ts";
import { Lab } from "./lab.ts";

const HELPERS = `
  function frames(n, dt)
    dt = dt or 1 / 60
    for i = 1, n do clock:advance(dt); env:Update(dt); env:DrawScreen() end
  end
  function status() return env.WG.LiveDataExport.getStatus() end
  function echoesFrom(i)
    local out = {}
    for k = i, #engine.echoes do out[#out + 1] = engine.echoes[k] end
    return out
  end
`;

describe.each(LUA_VMS)("the widget under $name", ({ create }) => {
  let lab: Lab;
  beforeEach(() => {
    lab = new Lab(create()).loadWidget();
    lab.exec(HELPERS);
  });
  afterEach(() => lab.close());

  const start = (saved?: string) => {
    if (saved !== undefined) lab.exec(`env:SetConfigData(${saved})`);
    lab.exec("env:Initialize()");
  };
  const type = (line: string) => lab.exec(`engine.type(${JSON.stringify(line)})`);
  const state = () => lab.lua<string>("return status().state");
  const echoes = () => lab.lua<string[]>("return engine.echoes");
  const saved = () => lab.lua<Record<string, unknown>>("return env:GetConfigData()");

  it("registers /livedata as a text action, publishes its status and connects", () => {
    start();
    expect(lab.lua("return engine.actions.livedata.types")).toBe("t");
    expect(state()).toBe("CONNECTING");
    expect(lab.lua("return engine.socket.created")).toBe(1);
    // connect is issued in the first frame and confirmed in the second
    lab.exec(`engine.socket.last.phase = "connected"; frames(1)`);
    expect(state()).toBe("CONNECTING");
    lab.exec("frames(1)");
    expect(state()).toBe("CONNECTED");
    // The protocol session's hello opens the connection (docs/protocol.md).
    const sent = lab.lua<string>("return engine.socket.last.sent");
    const hello = JSON.parse(sent.split("\n")[0]!);
    expect(hello).toMatchObject({
      type: "hello",
      protocol: 2,
      source: "Live Data Export",
      version: "1.0.0",
      nextSeq: 1,
    });
    expect(hello.session).toMatch(/^[0-9a-f]{16}$/);
  });

  it("answers /livedata status with the diagnostics", () => {
    start();
    lab.exec(`engine.socket.last.phase = "connected"; frames(120)`);
    const before = echoes().length;
    type("livedata status");
    const reply = echoes().slice(before).join("\n");
    expect(reply).toMatch(/state: CONNECTED \(127\.0\.0\.1:9876\), connected for 2\.0 s/);
    expect(reply).toMatch(
      /attempts: 0 failed since the last connection, 1 in all; retry delay 1\.0 s/,
    );
    expect(reply).toMatch(/last connected: 2\.0 s ago/);
    // hello, the (empty) catalog and the snapshot.
    const sent = lab.lua<string>("return engine.socket.last.sent");
    expect(sent.split("\n").map((l) => l.slice(0, 20))).toEqual([
      '{"type":"hello","pro',
      '{"type":"unitdefs","',
      '{"type":"snapshot","',
      "",
    ]);
    expect(reply).toContain(`sent ${(sent.length / 1024).toFixed(1)} KiB in 3 messages,`);
    expect(reply).toMatch(/delivery \(session [0-9a-f]{16}\): produced 2, sent 2,/);
    expect(reply).toContain("(1 connection so far)");
    expect(reply).toContain(
      "connection settings: auto-reconnect on, first retry delay 1 s, maximum retry delay 30 s, connect timeout 5 s",
    );
  });

  it("lists every command in help", () => {
    start();
    type("livedata help");
    const text = echoes().join("\n");
    for (const command of [
      "status",
      "connect",
      "disconnect",
      "sethost",
      "setport",
      "autoreconnect",
      "retry",
      "timeout",
      "silence",
      "budget",
      "verbose",
      "indicator",
      "reset",
      "set",
    ]) {
      expect(text).toContain(`  ${command}`);
    }
  });

  it.each([
    ["livedata setport 0", /setport: port 0 is not a whole number from 1 to 65535/],
    ["livedata setport 70000", /port 70000 is not a whole number/],
    ["livedata setport abc", /"abc" is not a port number/],
    ["livedata setport", /the port is missing/],
    ["livedata sethost", /the host is missing/],
    ["livedata sethost    ", /the host is missing/],
    ["livedata sethost bad_host!", /is not a hostname or IPv4 address/],
    ["livedata sethost 300.1.1.1", /not a valid IPv4 address/],
    ["livedata autoreconnect maybe", /"maybe" is not on or off/],
    ["livedata verbose loud", /the level must be one of error, warn, info, debug/],
    ["livedata retry 0", /first delay: 0 is outside 0\.1-60 seconds/],
    ["livedata retry 5 2", /maximum retry delay \(2 s\) is below the initial delay/],
    ["livedata timeout -1", /"-1" is not a number of seconds/],
    ["livedata frobnicate", /unknown command "frobnicate"/],
    ["livedata indicator middle", /say on, off or a corner/],
  ])("rejects %j with a clear message and changes nothing", (line, message) => {
    start();
    lab.exec(`engine.socket.last.phase = "connected"; frames(2)`);
    const settingsBefore = saved();
    const sockets = lab.lua("return engine.socket.created");
    type(line);
    expect(echoes().at(-1)).toMatch(message);
    expect(saved()).toEqual(settingsBefore);
    expect(state()).toBe("CONNECTED");
    expect(lab.lua("return engine.socket.created")).toBe(sockets);
  });

  it("moves to a new host and port at once when connected", () => {
    start();
    lab.exec(`engine.socket.last.phase = "connected"; frames(2)`);
    type("livedata sethost 10.0.0.5");
    lab.exec("frames(1)");
    expect(lab.lua("local s = engine.socket.last; return { s.host, s.port }")).toEqual([
      "10.0.0.5",
      9876,
    ]);
    expect(lab.lua("return engine.socket.sockets[1].closed")).toBe(true);
    type("livedata setport 9000");
    lab.exec("frames(1)");
    expect(lab.lua("local s = engine.socket.last; return { s.host, s.port }")).toEqual([
      "10.0.0.5",
      9000,
    ]);
    expect(saved()).toMatchObject({ host: "10.0.0.5", port: 9000 });
  });

  it("stays disconnected after disconnect until connect, across a restart too", () => {
    start();
    lab.exec(`engine.socket.last.phase = "connected"; frames(2)`);
    type("livedata disconnect");
    lab.exec("frames(600)");
    expect(state()).toBe("DISCONNECTED");
    expect(lab.lua("return { engine.socket.created, engine.socket.closed }")).toEqual([1, 1]);
    expect(saved()).toMatchObject({ enabled: false });
    type("livedata connect");
    expect(state()).toBe("CONNECTING");
    expect(saved()).toMatchObject({ enabled: true });
  });

  it("restores saved settings through SetConfigData before Initialize", () => {
    start(
      `{ host = "10.1.2.3", port = 4000, logLevel = "warn", showIndicator = false, retryInitialDelay = 2 }`,
    );
    lab.exec("frames(1)");
    expect(lab.lua("local s = engine.socket.last; return { s.host, s.port }")).toEqual([
      "10.1.2.3",
      4000,
    ]);
    expect(lab.lua("return status()")).toMatchObject({
      logLevel: "warn",
      showIndicator: false,
      retryInitialDelay: 2,
    });
  });

  it("warns once per bad saved value and keeps the good ones", () => {
    start(`{ port = "nine", host = "10.0.0.9", connectTimeout = 1e9 }`);
    const warnings = echoes().filter((line) => line.includes("warning: saved setting"));
    expect(warnings).toHaveLength(2);
    expect(lab.lua("return status()")).toMatchObject({
      host: "10.0.0.9",
      port: 9876,
      connectTimeout: 5,
    });
  });

  it("does not spam the console while the receiver stays down", () => {
    lab.exec(`engine.socket.plan.firstConnect = "connection refused"`);
    start();
    lab.exec("frames(60 * 300)"); // five minutes of frames
    expect(lab.lua<number>("return engine.socket.created")).toBeGreaterThan(10);
    const lines = echoes();
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(lines[0]).toMatch(
      /^\[Live Data Export\] \d\d:\d\d:\d\d warning: cannot connect to 127\.0\.0\.1:9876: connection refused .*; retrying in 1\.0 s$/,
    );
  });

  it("explains the allow-list when the engine denies the connection, once", () => {
    lab.exec(`engine.socket.plan.firstConnect = "connect denied"`);
    start();
    lab.exec("frames(60 * 60)");
    expect(state()).toBe("ERROR");
    const lines = echoes();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/TCPAllowConnect/);
    expect(lines[0]).toMatch(/127\.0\.0\.1:9876/);
  });

  it.each([
    ["Linux", false],
    ["Windows", true],
    [undefined, true],
  ])(
    "probes a pending connect only where select cannot report a failure (osFamily %s)",
    (osFamily, probes) => {
      lab.close();
      const platform =
        osFamily === undefined ? "" : `engine.Platform = { osFamily = "${osFamily}" }`;
      lab = new Lab(create()).loadWidget(platform);
      lab.exec(HELPERS);
      start();
      lab.exec("frames(61)"); // one second after the connect was issued
      expect(state()).toBe("CONNECTING");
      const calls = lab.lua<number>("return engine.socket.last.connectCalls");
      // the connect itself, then (if probing) one probe every 0.2 s
      if (probes) expect(calls).toBeGreaterThanOrEqual(5);
      else expect(calls).toBe(1);
    },
  );

  it("logs every transition with its reason at debug level", () => {
    start(`{ logLevel = "debug" }`);
    lab.exec(`engine.socket.last.phase = "connected"; frames(2)`);
    const text = echoes().join("\n");
    expect(text).toMatch(/debug: DISCONNECTED -> CONNECTING: widget started/);
    expect(text).toMatch(/debug: CONNECTING -> CONNECTED: connection established/);
  });

  it("draws a coloured status line with the address and the retry countdown", () => {
    lab.exec(`engine.socket.plan.firstConnect = "connection refused"`);
    start();
    lab.exec("frames(1)");
    const drawn = lab.lua<{ text: string; x: number; y: number; options: string }>(
      "return engine.texts[#engine.texts]",
    );
    const plain = drawn.text.replace(/\u00ff[\s\S]{3}/g, "");
    expect(plain).toBe("Live Data: RECONNECTING 127.0.0.1:9876 (retry in 1 s)");
    expect(drawn.x).toBeLessThan(1920);
    expect(drawn.options).toContain("r");
  });

  it.each([
    ["top-left", 8, 1072, "to"],
    ["top-right", 1912, 1072, "rto"],
    ["bottom-left", 8, 8, "bo"],
    ["bottom-right", 1912, 8, "rbo"],
  ])("moves the status line to the %s corner", (corner, x, y, options) => {
    start();
    type(`livedata indicator ${corner}`);
    lab.exec("frames(1)");
    expect(
      lab.lua("local t = engine.texts[#engine.texts]; return { t.x, t.y, t.options }"),
    ).toEqual([x, y, options]);
    expect(saved()).toMatchObject({ indicatorCorner: corner, showIndicator: true });
  });

  it("follows a change of the window size", () => {
    start();
    lab.exec("env:ViewResize(1280, 720); frames(1)");
    expect(lab.lua("local t = engine.texts[#engine.texts]; return { t.x, t.y }")).toEqual([
      1272, 8,
    ]);
  });

  it("hides the status line on command", () => {
    start();
    type("livedata indicator off");
    lab.exec("engine.texts = {}; frames(10)");
    expect(lab.lua("return #engine.texts")).toBe(0);
    expect(saved()).toMatchObject({ showIndicator: false });
  });

  it("applies retry, timeout, verbosity and reset commands", () => {
    start();
    type("livedata retry 2 10");
    type("livedata timeout 3");
    type("livedata verbose debug");
    type("livedata autoreconnect off");
    expect(saved()).toMatchObject({
      retryInitialDelay: 2,
      retryMaxDelay: 10,
      connectTimeout: 3,
      logLevel: "debug",
      autoReconnect: false,
    });
    type("livedata reset");
    expect(saved()).toMatchObject({
      retryInitialDelay: 1,
      retryMaxDelay: 30,
      connectTimeout: 5,
      logLevel: "info",
      autoReconnect: true,
    });
  });

  it("also answers through /luaui livedata (TextCommand)", () => {
    start();
    expect(lab.lua(`return env:TextCommand("livedata status")`)).toBe(true);
    expect(echoes().join("\n")).toMatch(/display settings:/);
    expect(lab.lua(`return env:TextCommand("something else")`)).toBe(false);
  });

  it("closes its socket and removes its traces on Shutdown", () => {
    start();
    lab.exec(`engine.socket.last.phase = "connected"; frames(2); env:Shutdown()`);
    expect(lab.lua("return { engine.socket.created, engine.socket.closed }")).toEqual([1, 1]);
    expect(lab.lua("return engine.actions.livedata == nil")).toBe(true);
    expect(lab.lua("return env.WG.LiveDataExport == nil")).toBe(true);
  });

  it("hands the stored unit call-ins to the collector before another widget's call", () => {
    start();
    // The unit call-ins only store (src/collect/inbox.ts) until the next Update; a call
    // of another widget in between comes after them, as in the engine's order.
    const seen = lab.lua<string[]>(`
      local seen = {}
      local api = env.WG.LiveDataExport
      api.observeChanges(function(change) seen[#seen + 1] = change.type end)
      env:UnitCreated(101, 5, 0)
      api.publish("ext.hud.marker", { x = 1 })
      env:UnitDestroyed(101, 5, 0)
      -- called while events were collected: recorded, though they are off from here on
      api.setConfig({ events = false })
      api.publish("ext.hud.marker", { x = 2 })
      env:UnitCreated(102, 5, 0)
      frames(1)
      return seen
    `);
    expect(seen).toEqual(["unit_created", "ext", "unit_destroyed", "ext"]);
  });

  it("hands the stored unit call-ins to the collector before a command", () => {
    start();
    const seen = lab.lua<string[]>(`
      local seen = {}
      env.WG.LiveDataExport.observeChanges(function(change) seen[#seen + 1] = change.type end)
      env:UnitCreated(101, 5, 0)
      engine.type("livedata collect events off")
      env:UnitDestroyed(101, 5, 0)
      frames(1)
      return seen
    `);
    expect(seen).toEqual(["unit_created"]);
  });

  it("contains an unexpected error in Update: logged once, counted, connection restarted", () => {
    start();
    lab.exec(`engine.socket.last.phase = "connected"; frames(2)
      engine.socket.last.receive = function() error("boom") end`);
    // The socket is read at the next call: within sendInterval (0.1 s).
    lab.exec("frames(8)");
    const s = lab.lua<Record<string, unknown>>("return status()");
    expect(s["internalErrors"]).toBe(1);
    expect(String(s["lastInternalError"])).toMatch(/Update: .*boom/);
    expect(s["state"]).toBe("RECONNECTING");
    expect(lab.lua("return engine.socket.sockets[1].closed")).toBe(true);
    expect(echoes().filter((line) => line.includes("error: internal error"))).toHaveLength(1);
    lab.exec("frames(90)");
    expect(state()).toBe("CONNECTING");
  });

  it("contains an error inside a command handler, which BAR would not catch", () => {
    start();
    lab.exec(`local echo = engine.Spring.Echo
      engine.Spring.Echo = function() error("echo broke") end
      engine.type("livedata help")
      engine.Spring.Echo = echo`);
    expect(lab.lua("return status().internalErrors")).toBe(1);
  });

  it("stops drawing after a drawing error instead of failing every frame", () => {
    start();
    lab.exec(`engine.gl.Text = function() error("no font") end; frames(30)`);
    expect(lab.lua("return status().internalErrors")).toBe(1);
  });
});
