/**
 * In-game control end to end, under every interpreter: the built widget in the BAR-like
 * host with BAR's options window imitated (test/host/barhost/options.lua): its settings
 * registered from the settings table, a click acting as the command would (same checks,
 * same reply), the window kept in step when a command changes a setting, the entries
 * removed on shutdown; and another widget (test/host/fixtures/api_client.lua) using
 * `WG.LiveDataExport`, whose mistakes get answers and never errors.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BarHost, type HostEvent, type OptionEntry } from "../host/driver.ts";
import { luaInterpreters, registerMissingInterpreterTests } from "../support/interpreters.ts";
import { ProtocolReceiver } from "../support/protocolReceiver.ts";
import { WIDGET_NAME, widgetConfigIn } from "../host/widget-config.ts";
import { worldConfig } from "../host/world-driver.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const WIDGET = path.resolve(here, "../../build/api_live_data_export.lua");
const API_CLIENT = path.resolve(here, "../host/fixtures/api_client.lua");

/** The settings the window offers: every one but the token, in the table's order. */
const MENU_KEYS = [
  "host",
  "port",
  "enabled",
  "autoReconnect",
  "retryInitialDelay",
  "retryMaxDelay",
  "connectTimeout",
  "silenceTimeout",
  "sendInterval",
  "frameBudget",
  "detail",
  "economy",
  "units",
  "stats",
  "events",
  "unitdefs",
  "positions",
  "damage",
  "economySeconds",
  "unitsSeconds",
  "statsSeconds",
  "positionsSeconds",
  "damageSeconds",
  "reconcileSeconds",
  "keyframeSeconds",
  "backlogKiB",
  "logLevel",
  "showIndicator",
  "indicatorCorner",
];

interface Status {
  state: string;
  port: number;
  economy: boolean;
  units: boolean;
  detail: string;
  frameBudget: number;
  enabled: boolean;
  internalErrors: number;
}

let tmp: string;
const receivers: ProtocolReceiver[] = [];

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "control-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(async () => {
  await BarHost.killAll();
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

registerMissingInterpreterTests();

async function startReceiver(receiver = new ProtocolReceiver()): Promise<number> {
  receivers.push(receiver);
  return receiver.start();
}

const byId = (options: OptionEntry[], key: string) =>
  options.find((o) => o.id === `livedata_${key}`)!;

describe.each(luaInterpreters())("in-game control under $name", (lua) => {
  async function start(
    port: number,
    extra: { optionsWindow?: "now" | "late"; widgets?: string[]; world?: string } = {},
  ): Promise<BarHost> {
    return BarHost.start({
      interpreter: lua.path,
      widget: [WIDGET, ...(extra.widgets ?? [])],
      configPath: widgetConfigIn(tmp, { host: "127.0.0.1", port, retryInitialDelay: 0.1 }),
      optionsWindow: extra.optionsWindow,
      world: extra.world,
      maxSeconds: 60,
    });
  }

  const status = async (host: BarHost) => (await host.status()).widgetStatus as Status;
  const lastAdded = (host: BarHost, since = 0) =>
    host.events.slice(since).filter((e: HostEvent) => e.type === "options_added").length;

  it("registers every setting in the options window; a click acts as the command", async () => {
    const port = await startReceiver();
    const host = await start(port, { optionsWindow: "now" });
    await host.waitForStatus((s) => (s.widgetStatus as Status)?.state === "CONNECTED", 10_000);

    const options = await host.listOptions();
    expect(options.map((o) => o.id)).toEqual(MENU_KEYS.map((k) => `livedata_${k}`));
    expect(new Set(options.map((o) => o.widgetname))).toEqual(new Set([WIDGET_NAME]));
    expect(byId(options, "port")).toMatchObject({
      type: "select",
      options: [String(port), "9876"],
      value: 1,
    });
    expect(byId(options, "detail")).toMatchObject({
      type: "select",
      options: ["minimal", "standard", "full"],
      value: 2,
    });
    expect(byId(options, "frameBudget")).toMatchObject({
      type: "slider",
      min: 0.1,
      max: 2,
      step: 0.1,
    });
    expect(byId(options, "economy")).toMatchObject({ type: "bool", value: true });

    // A switch: the same reply as `/livedata collect economy off`.
    let mark = host.mark();
    await host.setOption("livedata_economy", false);
    await host.waitForEcho(/\] economy off$/, 5_000, mark);
    expect((await status(host)).economy).toBe(false);

    // A slider value the setting refuses: the command's message, nothing changed, and
    // the window shown the value in force again.
    mark = host.mark();
    await host.setOption("livedata_frameBudget", 5);
    await host.waitForEcho(/frame budget: 5 is outside 0\.1-2 milliseconds/, 5_000, mark);
    expect((await status(host)).frameBudget).toBe(0.5);
    await host.waitForEvent((e) => e.type === "options_added", 5_000, "re-registered", mark);
    expect(byId(await host.listOptions(), "frameBudget").value).toBeCloseTo(0.5, 5);

    // A detail level sets the switches: the window follows.
    mark = host.mark();
    await host.setOption("livedata_detail", 1);
    await host.waitForEvent((e) => e.type === "options_added", 5_000, "re-registered", mark);
    expect((await status(host)).units).toBe(false);
    expect(byId(await host.listOptions(), "units").value).toBe(false);

    // The connection switch disconnects and connects again.
    await host.setOption("livedata_enabled", false);
    await host.waitForStatus((s) => (s.widgetStatus as Status).state === "DISCONNECTED", 5_000);
    await host.setOption("livedata_enabled", true);
    await host.waitForStatus((s) => (s.widgetStatus as Status).state === "CONNECTED", 10_000);

    // A command changes a setting: the window shows it within a second.
    mark = host.mark();
    await host.chat("/livedata setport 9876");
    await host.waitForEvent((e) => e.type === "options_added", 5_000, "re-registered", mark);
    expect(byId(await host.listOptions(), "port")).toMatchObject({
      options: ["9876"],
      value: 1,
    });
    // No change by the widget itself re-registers the entries again and again.
    mark = host.mark();
    const frames = (await host.status()).frames;
    await host.waitForStatus((s) => s.frames > frames + 120, 10_000);
    expect(lastAdded(host, mark)).toBe(0);

    await host.shutdown();
    const removed = host.events.filter((e) => e.type === "options_removed");
    expect(removed.at(-1)!.ids).toEqual(MENU_KEYS.map((k) => `livedata_${k}`));
  });

  it("registers once an options window appears after the widget started", async () => {
    const port = await startReceiver();
    const host = await start(port, { optionsWindow: "late" });
    await host.waitForEvent((e) => e.type === "options_added", 5_000, "registered");
    expect((await host.listOptions()).length).toBe(MENU_KEYS.length);
  });

  it("without an options window starts quietly", async () => {
    const port = await startReceiver();
    const host = await start(port);
    await host.waitForStatus((s) => (s.widgetStatus as Status)?.state === "CONNECTED", 10_000);
    expect(host.events.filter((e) => e.type === "options_added")).toEqual([]);
    expect((await status(host)).internalErrors).toBe(0);
  });

  it("serves another widget: settings checked as the commands check them, no error ever", async () => {
    const port = await startReceiver();
    const host = await start(port, { widgets: [API_CLIENT] });
    await host.waitForStatus((s) => (s.widgetStatus as Status)?.state === "CONNECTED", 10_000);
    const call = async (name: string) => {
      const mark = host.mark();
      await host.chat(`/apiclient ${name}`);
      return String((await host.waitForEcho(new RegExp(`^APICLIENT ${name} `), 5_000, mark)).text);
    };

    expect(await call("getConfig")).toBe(
      `APICLIENT getConfig detail=standard economy=true port=${port}`,
    );
    expect(await call("setPortWord")).toBe(
      'APICLIENT setPortWord ok=false rejected.port="9000x" is not a port number (1-65535)',
    );
    expect(await call("setBad")).toBe(
      "APICLIENT setBad ok=false rejected.nonsense=unknown setting " +
        "rejected.port=port 0 is not a whole number from 1 to 65535",
    );
    expect((await status(host)).economy).toBe(true);
    expect(await call("setNotTable")).toBe(
      "APICLIENT setNotTable ok=false rejected.=expected a table of settings, got number",
    );
    expect(await call("setColon")).toBe(
      "APICLIENT setColon ok=false rejected.=call setConfig with a dot, not a colon",
    );
    expect(await call("observeBad")).toBe("APICLIENT observeBad value=false");
    expect(await call("setGood")).toBe(
      "APICLIENT setGood changed.1=detail minimal changed.2=economy off changed.3=unit counts off " +
        "changed.4=events off ok=true",
    );
    expect(await status(host)).toMatchObject({ economy: false, units: false, detail: "minimal" });
    expect(await call("disconnect")).toBe("APICLIENT disconnect value=true");
    await host.waitForStatus((s) => (s.widgetStatus as Status).state === "DISCONNECTED", 5_000);
    expect(await call("connect")).toBe("APICLIENT connect value=true");
    await host.waitForStatus((s) => (s.widgetStatus as Status).state === "CONNECTED", 10_000);
    expect((await status(host)).internalErrors).toBe(0);
  });

  it("answers a reference kept after it is switched off, and opens nothing for it", async () => {
    const port = await startReceiver();
    const host = await start(port, { widgets: [API_CLIENT] });
    await host.waitForStatus((s) => (s.widgetStatus as Status)?.state === "CONNECTED", 10_000);
    const call = async (words: string, answer = words) => {
      const mark = host.mark();
      await host.chat(`/apiclient ${words}`);
      return String(
        (await host.waitForEcho(new RegExp(`^APICLIENT ${answer} `), 5_000, mark)).text,
      );
    };
    expect(await call("hold")).toBe("APICLIENT hold value=true");
    await host.disable();
    const before = (await host.status()).sockets;
    const off = "Live Data Export is switched off";
    expect(await call("held connect", "connect")).toBe("APICLIENT connect value=false");
    expect(await call("held setGood", "setGood")).toBe(
      `APICLIENT setGood ok=false rejected.=${off}`,
    );
    expect(await call("held publish", "publish")).toBe(`APICLIENT publish error=${off} ok=false`);
    expect(await call("held getStatus", "getStatus")).toBe("APICLIENT getStatus value=nil");
    expect(await call("held getConfig", "getConfig")).toBe("APICLIENT getConfig value=nil");
    // Frames go on with the widget off: a socket opened by connect would show by now.
    const frames = (await host.status()).frames;
    await host.waitForStatus((s) => s.frames >= frames + 30, 5_000);
    expect((await host.status()).sockets).toEqual(before);
    // Switched on again, the new instance is a new table; the kept one still refuses.
    await host.enable();
    await host.waitForStatus((s) => (s.widgetStatus as Status)?.state === "CONNECTED", 10_000);
    expect(await call("held connect", "connect")).toBe("APICLIENT connect value=false");
    expect(await call("getStatus")).toBe("APICLIENT getStatus value=CONNECTED");
    const exit = await host.shutdown();
    expect(exit.sockets).toMatchObject({ leaked: 0, open: 0 });
    expect(host.errors).toEqual([]);
  });

  it("delivers another widget's events to the receiver in the stream, refusing bad ones", async () => {
    const receiver = new ProtocolReceiver();
    const port = await startReceiver(receiver);
    const { configPath: world } = worldConfig({
      driver: "game",
      game: "altored-divide-4v4-2020.json",
      seed: 3,
      view: "fullview",
      truthTeams: false,
      truthDamage: false,
    });
    const host = await start(port, { widgets: [API_CLIENT], world });
    await host.waitForStatus((s) => (s.widgetStatus as Status)?.state === "CONNECTED", 10_000);
    const call = async (name: string) => {
      const mark = host.mark();
      await host.chat(`/apiclient ${name}`);
      return String((await host.waitForEcho(new RegExp(`^APICLIENT ${name} `), 5_000, mark)).text);
    };
    expect(await call("publish")).toBe("APICLIENT publish ok=true");
    expect(await call("publishBad")).toBe(
      "APICLIENT publishBad error=field nested is a table: only text, numbers, true/false ok=false",
    );
    const deadline = Date.now() + 10_000;
    const ext = () => receiver.received.filter((r) => r.message.type.startsWith("ext."));
    while (ext().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ext().map((r) => r.text)).toEqual([
      expect.stringMatching(
        /^\{"type":"ext\.api_client\.marker","seq":\d+,"frame":\d+,"fields":\{"label":"push mid","urgent":true,"x":1024\}\}$/,
      ),
    ]);
    expect(receiver.invalid).toEqual([]);
    const status = (await host.status()).widgetStatus as Status & {
      published: { accepted: number; rejected: number };
    };
    expect(status.published).toMatchObject({ accepted: 1, rejected: 1 });
    expect(status.internalErrors).toBe(0);
  });

  it("protects the frame rate in a big battle: steps down, says so, and back when it eases", async () => {
    const receiver = new ProtocolReceiver();
    const port = await startReceiver(receiver);
    const { configPath: world } = worldConfig({
      driver: "scale",
      seed: 5,
      view: "fullview",
      truthDamage: false,
      truthTeams: false,
      scale: { teams: 8, unitsPerTeam: 250, killsPerSecond: 100, seconds: 120 },
    });
    // A battle of 2,000 units and their positions ten times a second in a tenth of a
    // millisecond per frame: more work than the budget holds (positions keep to their
    // share, the battle's changes pile up).
    const host = await BarHost.start({
      interpreter: lua.path,
      widget: WIDGET,
      world,
      configPath: widgetConfigIn(tmp, {
        host: "127.0.0.1",
        port,
        frameBudget: 0.1,
        positions: true,
        positionsSeconds: 0.1,
      }),
      maxSeconds: 110,
    });
    // The first step, said as a warning: the budget full, or the battle's changes piling
    // up because the sender is held to that budget (whichever the guard sees first).
    const warned = await host.waitForEcho(
      /(fills its frame budget|more than the widget can send in its frame budget): periodic data at half rate/,
      30_000,
    );
    expect(String(warned.text)).toMatch(
      /^.*warning: the (widget's work fills its frame budget|game makes more than the widget can send)/,
    );
    const throttled = () =>
      receiver.received.filter(
        (r) => r.message.type === "heartbeat" && (r.message.throttleLevel ?? 0) > 0,
      );
    await host.waitForStatus(() => throttled().length > 0, 10_000);
    const status = (await host.status()).widgetStatus as Status & {
      delivery: { throttleLevel: number };
      positionsSeconds: number;
    };
    expect(status.delivery.throttleLevel).toBeGreaterThan(0);
    expect(status.positionsSeconds).toBe(0.1); // the setting itself is untouched

    // The player eases it: the steps come back one by one, the last said once.
    const mark = host.mark();
    await host.chat("/livedata budget 2");
    await host.chat("/livedata collect positions off");
    await host.waitForEcho(/pressure eased: collecting as set/, 60_000, mark);
    const after = (await host.status()).widgetStatus as Status & {
      delivery: { throttleLevel: number };
    };
    expect(after.delivery.throttleLevel).toBe(0);
    expect(after.internalErrors).toBe(0);
    expect(receiver.invalid).toEqual([]);
    // Said once per step: never a line per frame.
    const steps = host.echoes.filter((e) =>
      /frame budget: .* until it eases|pressure eased/.test(e),
    );
    expect(steps.length).toBeLessThanOrEqual(8);
  }, 120_000);
});
