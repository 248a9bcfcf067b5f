/**
 * The phase-1 test scenarios, end to end: the built widget in the BAR-like host
 * (real Lua 5.1, real LuaSocket, real time) against the real test server, under
 * each interpreter (double, and float like the engine). Assertions are on real
 * effects: the server's accept and close events and the bytes it read, the host's
 * socket counts, and the state the widget reports through WG.LiveDataExport.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type WatchedTestServer as TestServer } from "../support/testServer.ts";
import { BarHost, type HostEvent, type HostOptions, type SocketEvent } from "../host/driver.ts";
import { luaInterpreters, registerMissingInterpreterTests } from "../support/interpreters.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const WIDGET = path.resolve(here, "../../build/api_live_data_export.lua");
const WIDGET_NAME = "Live Data Export";
/** The protocol's first line on every connection (docs/protocol.md). */
const HELLO =
  /^\{"type":"hello","protocol":2,"source":"Live Data Export","version":"1\.0\.0","session":"[0-9a-f]{16}","nextSeq":\d+,/;
/**
 * Per-call budget (scenario 9: no Update over 2 ms). Checked in the host
 * thread's CPU time: wall time also holds the moments a shared VM kept the host
 * off a core (CI failed once on a 4.4 ms DrawScreen that drew one line of
 * text), so the wall maxima are reported, not asserted. DrawScreen, which
 * only draws, is held to its p99 (a stray page fault of the hypervisor counts
 * as the thread's CPU time too); every frame that creates, connects or closes a
 * socket is held to the budget by its median. Update is held to the budget by its
 * worst frame but one: this VM counts the time the hypervisor gives another guest
 * as the thread's CPU time (no steal time in /proc/stat): control widgets with no
 * widget code have frames of 2-3 ms (fixed arithmetic) and 3.6-6 ms (memory reads)
 * from that alone (docs/performance.md, 2026-12-02, `npm run bench:stalls`), and CI
 * failed on a 4.0 ms Update of a widget only waiting to reconnect. The price: a
 * widget frame over budget that comes once in a scenario (a connect's snapshot, the
 * catalog) passes if under STALL_CEILING_US, which still catches runaway CPU work
 * (a blocking call is caught by `blocking`: CPU time leaves out time spent waiting).
 * `npm run bench` measures the tails over thousands of frames.
 */
const BUDGET_US = 2000;
/** No Update, not even the one a machine stall lands in, may take this long. */
const STALL_CEILING_US = 10_000;

type Settings = Record<string, string | number | boolean>;

interface WidgetStatus {
  state: string;
  host: string;
  port: number;
  failedAttempts: number;
  lastError?: string;
  lastErrorKind?: string;
  internalErrors: number;
}

let tmp: string;
let configCount = 0;
const servers: TestServer[] = [];
const children: ChildProcess[] = [];
/** Worst Update and DrawScreen cost seen per interpreter, for the frame-cost report. */
interface Worst {
  us: number;
  where: string;
}
const worst = new Map<
  string,
  Record<"updateCpu" | "updateCpuButOne" | "drawCpu" | "update" | "draw", Worst>
>();

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "scenarios-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  const show = (w: Worst) => `${w.us} us (${w.where})`;
  for (const [name, w] of worst) {
    console.log(
      `frame cost under ${name} (budget ${BUDGET_US} us): worst Update ${show(w.updateCpu)}, ` +
        `worst Update but one ${show(w.updateCpuButOne)}, ` +
        `worst DrawScreen ${show(w.drawCpu)} of CPU time; ` +
        `of wall time Update ${show(w.update)}, DrawScreen ${show(w.draw)}`,
    );
  }
});
afterEach(async () => {
  await BarHost.killAll();
  // Every line the widget wrote is a valid protocol message.
  for (const server of servers) expect(server.invalidLines()).toEqual([]);
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const child of children.splice(0)) child.kill();
});

registerMissingInterpreterTests();

/** A config file in BAR's format holding the widget's saved settings. */
function writeConfig(settings: Settings): string {
  const file = path.join(tmp, `config-${++configCount}.lua`);
  const fields = Object.entries(settings)
    .map(([k, v]) => `      ${k} = ${typeof v === "string" ? JSON.stringify(v) : String(v)},`)
    .join("\n");
  writeFileSync(
    file,
    `return {\n  data = {\n    ["${WIDGET_NAME}"] = {\n${fields}\n    },\n  },\n  order = { ["${WIDGET_NAME}"] = 1 },\n}\n`,
  );
  return file;
}

async function startServer(host = "127.0.0.1", port = 0): Promise<TestServer> {
  const server = createTestServer({ host, port, waitTimeoutMs: 15_000, protocol: true });
  servers.push(server);
  await server.start();
  return server;
}

function portOf(server: TestServer): number {
  return server.status().port;
}

/** A port nothing listens on (a server's, after it stopped). */
async function freePort(): Promise<number> {
  const server = createTestServer({ port: 0 });
  const { port } = await server.start();
  await server.close();
  return port;
}

/** A listener whose full backlog leaves every further connect pending. */
async function startBlackhole(interpreter: string): Promise<number> {
  const child = spawn(interpreter, [path.join(here, "blackhole.lua")], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    child.once("exit", (code) => reject(new Error(`blackhole exited with ${code}`)));
  });
  // Fill the accept queue; Linux keeps backlog + 1 completed connections.
  for (let i = 0; i < 3; i++) {
    const filler = net.connect(port, "127.0.0.1");
    filler.on("error", () => {});
    await new Promise((r) => setTimeout(r, 50));
  }
  // Prove that a further connect really hangs, or the scenario would test nothing.
  const probe = net.connect(port, "127.0.0.1");
  probe.on("error", () => {});
  const connected = await new Promise<boolean>((resolve) => {
    probe.once("connect", () => resolve(true));
    setTimeout(() => resolve(false), 500);
  });
  probe.destroy();
  if (connected)
    throw new Error("the blackhole listener accepted a connection; its backlog is not full");
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(luaInterpreters())("phase-1 scenarios under $name", (lua) => {
  async function startWidget(
    options: Partial<HostOptions> & { settings?: Settings } = {},
  ): Promise<BarHost> {
    const { settings, ...rest } = options;
    const configPath = rest.configPath ?? writeConfig({ host: "127.0.0.1", ...settings });
    return BarHost.start({
      interpreter: lua.path,
      widget: WIDGET,
      configPath,
      maxSeconds: 90,
      ...rest,
    });
  }

  async function widgetStatus(host: BarHost): Promise<WidgetStatus> {
    return (await host.status()).widgetStatus as WidgetStatus;
  }

  async function waitForState(
    host: BarHost,
    state: string,
    timeoutMs: number,
  ): Promise<WidgetStatus> {
    const s = await host.waitForStatus(
      (st) => (st.widgetStatus as WidgetStatus | null)?.state === state,
      timeoutMs,
      50,
    );
    return s.widgetStatus as WidgetStatus;
  }

  /** Records the frame cost of a run and checks it against the budget. */
  async function checkFrameCost(host: BarHost, where: string): Promise<void> {
    const s = await host.status();
    const seen = {
      updateCpu: s.updateCpu?.maxUs ?? 0,
      updateCpuButOne: s.updateCpu?.secondMaxUs ?? 0,
      drawCpu: s.drawCpu?.maxUs ?? 0,
      update: s.update?.maxUs ?? 0,
      draw: s.draw?.maxUs ?? 0,
    };
    const none = { us: -1, where: "" };
    const w = worst.get(lua.name) ?? {
      updateCpu: none,
      updateCpuButOne: none,
      drawCpu: none,
      update: none,
      draw: none,
    };
    for (const key of Object.keys(seen) as (keyof typeof seen)[]) {
      if (seen[key] > w[key].us) w[key] = { us: seen[key], where };
    }
    worst.set(lua.name, w);
    expect(s.frames).toBeGreaterThan(0);
    expect(s.updateCpu?.count).toBe(s.update?.count);
    if ((s.updateCpu?.count ?? 0) > 1) expect(s.updateCpu?.secondMaxUs).toBeDefined();
    expect(
      s.updateCpu?.secondMaxUs ?? 0,
      `worst Update but one (CPU time) in "${where}"`,
    ).toBeLessThan(BUDGET_US);
    expect(seen.updateCpu, `worst Update (CPU time) in "${where}"`).toBeLessThan(STALL_CEILING_US);
    expect(s.drawCpu?.p99Us, `p99 DrawScreen (CPU time) in "${where}"`).toBeLessThan(BUDGET_US);
    // The frames that touch a socket, in CPU time: a scenario often has one such frame,
    // and one frame's wall time on a shared machine measures the machine (the benchmark
    // measures their wall time over thousands of frames).
    const phases = {
      "creates a socket": s.updateSocketCreatedCpu,
      "connects it": s.updateSocketConnectCpu,
      "connects it again": s.updateSocketConnectAgainCpu,
      "closes it": s.updateSocketClosedCpu,
    };
    for (const [phase, t] of Object.entries(phases)) {
      if ((t?.count ?? 0) === 0) continue;
      expect(t?.medianUs, `median Update that ${phase} in "${where}" (CPU time)`).toBeLessThan(
        BUDGET_US,
      );
    }
    expect(s.blocking, `blocking calls in "${where}"`).toEqual({});
    expect((s.widgetStatus as WidgetStatus).internalErrors).toBe(0);
  }

  const socketEvents = (host: BarHost, action: string) =>
    host.events.filter(
      (e): e is SocketEvent => e.type === "socket" && (e as SocketEvent).action === action,
    );

  it("1. basic connection: connects within a second and reports it", async () => {
    const server = await startServer();
    const host = await startWidget({ settings: { port: portOf(server) } });
    const loaded = await host.waitForEvent((e) => e.type === "widget_loaded", 5000);
    const client = await server.waitForConnection(undefined, { timeoutMs: 1000 });
    expect(client.remoteAddress).toContain("127.0.0.1");
    const hello = await server.waitForLine((l) => l.kind === "text", { timeoutMs: 1000 });
    expect(hello.kind === "text" && hello.text).toMatch(HELLO);
    const status = await waitForState(host, "CONNECTED", 1000);
    expect(status).toMatchObject({ host: "127.0.0.1", port: portOf(server), failedAttempts: 0 });
    const connectedAt = host.events.find(
      (e) => e.type === "echo" && /connected to/.test(String(e["text"])),
    );
    expect(connectedAt!.t - loaded.t).toBeLessThan(1);

    const mark = host.mark();
    await host.chat("/livedata status");
    await host.waitForEcho(/state: CONNECTED \(127\.0\.0\.1:\d+\), connected for/, 2000, mark);
    expect(server.totals.acceptedConnections).toBe(1);
    await checkFrameCost(host, "basic connection");
  });

  it("2. server not running: retries at about 1, 2, 4 s without spam, then connects", async () => {
    const port = await freePort();
    const host = await startWidget({ settings: { port } });
    await host.waitForEvent((e) => e.type === "widget_loaded", 5000);
    // Four attempts: at start, then after 1, 2 and 4 s.
    await host.waitForEvent(() => socketEvents(host, "created").length >= 4, 12_000);
    const times = socketEvents(host, "created").map((e) => e.t);
    const gaps = times.slice(1, 4).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThan(0.9);
    expect(gaps[0]).toBeLessThan(1.4);
    expect(gaps[1]).toBeGreaterThan(1.9);
    expect(gaps[1]).toBeLessThan(2.4);
    expect(gaps[2]).toBeGreaterThan(3.9);
    expect(gaps[2]).toBeLessThan(4.4);
    const status = await waitForState(host, "RECONNECTING", 1000);
    expect(status.lastErrorKind).toBe("refused");
    expect(host.widgetEchoes.length).toBeLessThanOrEqual(3);
    const sockets = (await host.status()).sockets;
    expect(sockets.open).toBe(0);
    expect(sockets.closed).toBe(sockets.created);

    // The receiver comes up: the widget connects within the current delay (8 s).
    const server = await startServer("127.0.0.1", port);
    const startedAt = Date.now();
    await server.waitForConnection(undefined, { timeoutMs: 9_000 });
    expect(Date.now() - startedAt).toBeLessThan(8_500);
    await waitForState(host, "CONNECTED", 2000);
    await checkFrameCost(host, "server not running");
  });

  it("3. connection loss: notices a kick within a second and reconnects; survives a server outage", async () => {
    const server = await startServer();
    const host = await startWidget({ settings: { port: portOf(server) } });
    await server.waitForConnection(undefined, { timeoutMs: 2000 });
    await waitForState(host, "CONNECTED", 2000);

    const mark = host.mark();
    const kickedAt = Date.now();
    await server.kick();
    await host.waitForEvent(
      (e) => e.type === "socket" && (e as SocketEvent).action === "closed",
      1000,
      "the widget closing its socket",
      mark,
    );
    expect(Date.now() - kickedAt).toBeLessThan(1000);
    await server.waitForConnection(undefined, { timeoutMs: 3000 });
    await waitForState(host, "CONNECTED", 2000);
    expect(server.totals.acceptedConnections).toBe(2);

    await server.stop();
    await waitForState(host, "RECONNECTING", 1000);
    await sleep(3000);
    await server.start();
    await server.waitForConnection(undefined, { timeoutMs: 6000 });
    await waitForState(host, "CONNECTED", 2000);
    expect(server.totals.acceptedConnections).toBe(3);
    // Every connection began with the protocol's hello.
    expect(
      server.receivedLines().filter((l) => l.kind === "text" && HELLO.test(l.text)),
    ).toHaveLength(3);
    await checkFrameCost(host, "connection loss");
  });

  it("4. commands: disconnect, connect, another server, and bad arguments that change nothing", async () => {
    const first = await startServer();
    const second = await startServer("127.0.0.2");
    const host = await startWidget({ settings: { port: portOf(first) } });
    await first.waitForConnection(undefined, { timeoutMs: 2000 });
    await waitForState(host, "CONNECTED", 2000);

    await host.chat("/livedata disconnect");
    const gone = await first.waitForDisconnect(undefined, { timeoutMs: 1000 });
    expect(gone.reason).toBe("closed-by-client");
    await sleep(2500);
    expect(first.totals.acceptedConnections).toBe(1);
    expect((await widgetStatus(host)).state).toBe("DISCONNECTED");

    await host.chat("/livedata connect");
    await first.waitForConnection(undefined, { timeoutMs: 1000 });
    await waitForState(host, "CONNECTED", 1000);

    await host.chat("/livedata sethost 127.0.0.2");
    await host.chat(`/livedata setport ${portOf(second)}`);
    await second.waitForConnection(undefined, { timeoutMs: 2000 });
    const status = await waitForState(host, "CONNECTED", 2000);
    expect(status).toMatchObject({ host: "127.0.0.2", port: portOf(second) });
    const acceptedBefore = first.totals.acceptedConnections + second.totals.acceptedConnections;

    for (const [line, reply] of [
      ["/livedata setport 0", /port 0 is not a whole number/],
      ["/livedata setport 70000", /port 70000 is not a whole number/],
      ["/livedata setport abc", /"abc" is not a port number/],
      ["/livedata setport", /the port is missing/],
      ["/livedata sethost", /the host is missing/],
      ["/livedata sethost bad!host", /not a hostname or IPv4 address/],
      ["/livedata sethost 1.2.3.4.5", /not a valid IPv4 address/],
      ["/livedata timeout soon", /timeout: "soon" is not a number of seconds/],
    ] as const) {
      const mark = host.mark();
      const answer = await host.chat(line);
      expect(answer.consumed).toBe(true);
      await host.waitForEcho(reply, 2000, mark);
      expect(await widgetStatus(host)).toMatchObject({
        state: "CONNECTED",
        host: "127.0.0.2",
        port: portOf(second),
      });
    }
    expect(first.totals.acceptedConnections + second.totals.acceptedConnections).toBe(
      acceptedBefore,
    );
    expect(second.status().clients).toHaveLength(1);

    // Under the float interpreter 0.3 is 0.30000001192092896: replies show what was typed.
    for (const [line, reply] of [
      ["/livedata retry 0.3 1.7", /first retry delay 0\.3 s, maximum retry delay 1\.7 s$/],
      ["/livedata timeout 0.7", /connect timeout 0\.7 s$/],
      [
        "/livedata status",
        /connection settings: .*first retry delay 0\.3 s, .*connect timeout 0\.7 s/,
      ],
    ] as const) {
      const mark = host.mark();
      await host.chat(line);
      await host.waitForEcho(reply, 2000, mark);
    }
    await checkFrameCost(host, "commands");
  });

  it("5. persistence: a port set by command survives a restart of the host", async () => {
    const first = await startServer();
    const second = await startServer();
    const configPath = writeConfig({ host: "127.0.0.1", port: portOf(first) });
    const host = await startWidget({ configPath });
    await first.waitForConnection(undefined, { timeoutMs: 2000 });
    await host.chat(`/livedata setport ${portOf(second)}`);
    await second.waitForConnection(undefined, { timeoutMs: 2000 });
    const exit = await host.shutdown();
    expect(exit.code).toBe(0);
    await second.waitForDisconnect(undefined, { timeoutMs: 2000 });

    const again = await startWidget({ configPath });
    await second.waitForConnection(undefined, { timeoutMs: 2000 });
    expect(await waitForState(again, "CONNECTED", 2000)).toMatchObject({ port: portOf(second) });
    expect(first.totals.acceptedConnections).toBe(1);
    await checkFrameCost(again, "persistence");
  });

  it("6. denied by the allow-list: no crash, no spam, the hint is shown", async () => {
    const server = await startServer();
    const host = await startWidget({ settings: { port: portOf(server) }, allow: "127.0.0.1:1" });
    const status = await waitForState(host, "ERROR", 2000);
    expect(status.lastErrorKind).toBe("denied");
    await host.waitForEcho(/TCPAllowConnect/, 1000);
    // The hint names the address the widget is set to, so it can be copied as it is.
    await host.waitForEcho(
      new RegExp(`TCPAllowConnect = 127\\.0\\.0\\.1:${portOf(server)} `),
      1000,
    );
    expect(
      host.events.some(
        (e: HostEvent) =>
          e.type === "log" && /Access to '127\.0\.0\.1:\d+' denied/.test(String(e["text"])),
      ),
    ).toBe(true);
    await sleep(3000);
    expect(host.widgetEchoes).toHaveLength(1);
    expect(server.totals.acceptedConnections).toBe(0);
    const s = await host.status();
    expect(s.sockets).toMatchObject({ open: 0 });
    expect(s.loaded).toBe(true);
    await checkFrameCost(host, "denied");
  });

  it("7. a connect that never completes: frames keep flowing, the attempt is abandoned and retried", async () => {
    const port = await startBlackhole(lua.path);
    const host = await startWidget({
      settings: { port, connectTimeout: 1.5, retryInitialDelay: 0.5 },
    });
    await waitForState(host, "CONNECTING", 2000);
    const before = await host.status();
    await sleep(1000);
    const during = await host.status();
    expect((during.widgetStatus as WidgetStatus).state).toBe("CONNECTING");
    // About 60 frames per second went by while the connect was pending.
    expect(during.frames - before.frames).toBeGreaterThan(40);
    const retried = await host.waitForEvent(() => socketEvents(host, "created").length >= 2, 4000);
    expect(retried).toBeTruthy();
    const created = socketEvents(host, "created");
    const abandoned = socketEvents(host, "closed")[0]!;
    expect(abandoned.t - created[0]!.t).toBeGreaterThan(1.4);
    expect(abandoned.t - created[0]!.t).toBeLessThan(2.0);
    expect((await widgetStatus(host)).lastErrorKind).toBe("timed-out");
    await checkFrameCost(host, "pending connect");
  });

  it("8. clean shutdown: every socket closed and the server sees the close", async () => {
    const server = await startServer();
    const host = await startWidget({ settings: { port: portOf(server) } });
    await server.waitForConnection(undefined, { timeoutMs: 2000 });
    await waitForState(host, "CONNECTED", 2000);
    await checkFrameCost(host, "shutdown");
    const exit = await host.shutdown();
    expect(exit.code).toBe(0);
    expect(exit.sockets).toMatchObject({ open: 0, leaked: 0 });
    expect(exit.sockets!.closed).toBe(exit.sockets!.created);
    const closed = await server.waitForDisconnect(undefined, { timeoutMs: 2000 });
    expect(closed.reason).toBe("closed-by-client");
  });
});
