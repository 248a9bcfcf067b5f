/**
 * A reconnect storm, end to end: the built widget in the BAR-like host against a
 * test server that accepts every connection and closes it at once (a receiver that
 * crashes on each client), under each interpreter. The widget must treat those
 * connections as failures (the retry delay keeps doubling), open every connection
 * with exactly one greeting, and keep the console to a handful of lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type WatchedTestServer as TestServer } from "../support/testServer.ts";
import { BarHost } from "../host/driver.ts";
import { luaInterpreters, registerMissingInterpreterTests } from "../support/interpreters.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const WIDGET = path.resolve(here, "../../build/api_live_data_export.lua");
const WIDGET_NAME = "Live Data Export";
/** The protocol's first line on every connection (docs/protocol.md). */
const HELLO = /^\{"type":"hello","protocol":2,"source":"Live Data Export","version":"[^"]+",/;
/** First retry delay of the storm: short, so that the doubling shows within seconds. */
const FIRST_DELAY = 0.25;
const STORM_SECONDS = 10;

let tmp: string;
const servers: TestServer[] = [];

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "storm-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(async () => {
  await BarHost.killAll();
  // Every line the widget wrote is a valid protocol message.
  for (const server of servers) expect(server.invalidLines()).toEqual([]);
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

registerMissingInterpreterTests();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(luaInterpreters())("reconnect storm under $name", (lua) => {
  it("backs off, greets once per connection and stays quiet against a receiver that closes at once", async () => {
    const server = createTestServer({
      host: "127.0.0.1",
      port: 0,
      closeAtOnce: true,
      protocol: true,
    });
    servers.push(server);
    const { port } = await server.start();
    const configPath = path.join(tmp, `config-${lua.numbers}.lua`);
    writeFileSync(
      configPath,
      `return { data = { ["${WIDGET_NAME}"] = { host = "127.0.0.1", port = ${port}, ` +
        `retryInitialDelay = ${FIRST_DELAY}, retryMaxDelay = 30 } }, ` +
        `order = { ["${WIDGET_NAME}"] = 1 } }\n`,
    );
    const accepted: number[] = [];
    server.on("connection", () => accepted.push(Date.now()));
    const host = await BarHost.start({
      interpreter: lua.path,
      widget: WIDGET,
      configPath,
      maxSeconds: 90,
    });
    await host.waitForEvent((e) => e.type === "widget_loaded", 5000);
    await sleep(STORM_SECONDS * 1000);

    // Connections at about 0, 0.25, 0.75, 1.75, 3.75 and 7.75 s: the delay doubles
    // after every connection that is closed at once (today's widget: one every 0.3 s).
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(accepted.length).toBeLessThanOrEqual(7);
    const gaps = accepted.slice(1).map((t, i) => (t - accepted[i]!) / 1000);
    for (let i = 2; i < gaps.length; i++) {
      expect(gaps[i]! / gaps[i - 1]!, `gaps ${gaps.join(", ")} s`).toBeGreaterThan(1.5);
      expect(gaps[i]! / gaps[i - 1]!, `gaps ${gaps.join(", ")} s`).toBeLessThan(2.7);
    }
    const status = (await host.status()).widgetStatus as Record<string, unknown>;
    expect(status.failedAttempts).toBeGreaterThanOrEqual(accepted.length - 1);
    expect(status.internalErrors).toBe(0);
    // A receiver that flaps is reported like one that is down: a handful of lines.
    expect(host.widgetEchoes.length, host.widgetEchoes.join("\n")).toBeLessThanOrEqual(3);

    // The receiver recovers; the player cuts the wait short. The connection that lasts
    // starts with exactly one hello, whatever the earlier ones could not send.
    server.closeAtOnce = false;
    const before = server.totals.acceptedConnections;
    await host.chat("/livedata connect");
    const client = await server.waitForConnection((c) => c.id > before, { timeoutMs: 5000 });
    await server.waitForLine((l) => l.clientId === client.id, { timeoutMs: 2000 });
    await sleep(500);
    const lines = server.receivedLines().filter((l) => l.clientId === client.id);
    expect(lines[0]!.kind === "text" && lines[0]!.text).toMatch(HELLO);
    expect(lines.filter((l) => l.kind === "text" && HELLO.test(l.text))).toHaveLength(1);
  });
});
