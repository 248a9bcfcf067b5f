/**
 * Connection faults of issue 14 (items 4-7), end to end: the built widget in the
 * BAR-like host with real Lua 5.1 and real LuaSocket. The faults are made by the
 * kernel itself, in namespaces of the host's own (unshare; root needed):
 * - a socket connected to itself: a network namespace whose ephemeral port range is
 *   the one target port, with nothing listening on it;
 * - a half-open connection: a network namespace where iptables drops the receiver's
 *   packets once the connection is up;
 * - descriptors >= 1024: the host holds 1,100 files open before the widget starts
 *   (no namespace needed); the host's LuaSocket reports any select on them;
 * - name lookups: a mount namespace with its own /etc/hosts naming the receiver.
 * Without root (or without unshare/iptables) the namespace tests say they are
 * skipped and why; under CI=true they must run.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type WatchedTestServer as TestServer } from "../support/testServer.ts";
import { BarHost, type HostEvent, type HostOptions, type SocketEvent } from "../host/driver.ts";
import { isCI, luaInterpreters, registerMissingInterpreterTests } from "../support/interpreters.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const WIDGET = path.resolve(here, "../../build/api_live_data_export.lua");
const WIDGET_NAME = "Live Data Export";
const HELLO = /^\{"type":"hello"/;

type Settings = Record<string, string | number | boolean>;

interface WidgetStatus {
  state: string;
  failedAttempts: number;
  lastError?: string;
  internalErrors: number;
  lookups: number;
  connections: number;
}

/** Why the namespace tests cannot run here, or undefined when they can. */
function namespaceProblem(): string | undefined {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "network namespaces and iptables need root";
  const probe = spawnSync("unshare", ["-n", "-m", "true"]);
  if (probe.error || probe.status !== 0) {
    return `unshare -n -m fails: ${probe.error?.message ?? String(probe.stderr).trim()}`;
  }
  const iptables = spawnSync("iptables", ["--version"]);
  if (iptables.error || iptables.status !== 0) {
    return "iptables is not installed (Debian package iptables)";
  }
  return undefined;
}

const NAMESPACE_PROBLEM = namespaceProblem();
if (NAMESPACE_PROBLEM !== undefined && isCI()) {
  describe("fault namespaces", () => {
    it("can be made under CI", () => {
      throw new Error(`the fault tests must run under CI: ${NAMESPACE_PROBLEM}`);
    });
  });
} else if (NAMESPACE_PROBLEM !== undefined) {
  console.warn(`faults.test.ts: namespace scenarios skipped: ${NAMESPACE_PROBLEM}`);
}
const nsIt = NAMESPACE_PROBLEM === undefined ? it : it.skip;

let tmp: string;
let configCount = 0;
const servers: TestServer[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "faults-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(async () => {
  await BarHost.killAll();
  // Every line the widget wrote is a valid protocol message.
  for (const server of servers) expect(server.invalidLines()).toEqual([]);
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

registerMissingInterpreterTests();

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

/** A port inside the default ephemeral range, different per test. */
function ephemeralPort(): number {
  return 40000 + Math.floor(Math.random() * 20000);
}

/** Runs `command` inside the network namespace of process `pid`. */
function inNamespace(pid: number, command: string[]): void {
  const r = spawnSync("nsenter", [`--net=/proc/${pid}/ns/net`, ...command], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(`${command.join(" ")} failed: ${r.error?.message ?? r.stderr}`);
  }
}

/** Lines a child writes to stdout, and a way to wait for one. */
function watchLines(child: ChildProcess): {
  lines: string[];
  waitFor: (re: RegExp, timeoutMs: number, since?: number) => Promise<number>;
} {
  const lines: string[] = [];
  let buffer = "";
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
    for (const w of [...waiters]) w();
  });
  const waitFor = (re: RegExp, timeoutMs: number, since = 0) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        const i = lines.findIndex((l, n) => n >= since && re.test(l));
        if (i < 0) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(i);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`no line matching ${re} within ${timeoutMs} ms; lines: ${lines.join(" | ")}`),
        );
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { lines, waitFor };
}

describe.each(luaInterpreters())("connection faults under $name", (lua) => {
  // A host in its own network namespace talks to the driver over a Unix socket.
  const unixProbe = spawnSync(lua.path, ["-e", 'require("socket.unix")']);
  const noUnix =
    unixProbe.status === 0
      ? undefined
      : `${lua.name} has no socket.unix for the control channel across network namespaces`;
  if (noUnix !== undefined && NAMESPACE_PROBLEM === undefined) {
    console.warn(`faults.test.ts: network-namespace scenarios skipped: ${noUnix}`);
  }
  const netnsIt = noUnix === undefined ? nsIt : it.skip;

  async function startWidget(
    settings: Settings,
    options: Partial<HostOptions> = {},
  ): Promise<BarHost> {
    return BarHost.start({
      interpreter: lua.path,
      widget: WIDGET,
      configPath: writeConfig(settings),
      maxSeconds: 110,
      ...options,
    });
  }

  async function status(host: BarHost): Promise<WidgetStatus> {
    return (await host.status()).widgetStatus as WidgetStatus;
  }

  async function waitForState(host: BarHost, state: string, timeoutMs: number) {
    await host.waitForStatus(
      (s) => (s.widgetStatus as WidgetStatus | null)?.state === state,
      timeoutMs,
      50,
    );
  }

  /** The answering receiver (answerer.lua) inside the host's network namespace. */
  function startAnswerer(pid: number, port: number, ackDelay: number) {
    const child = spawn(
      "nsenter",
      [
        `--net=/proc/${pid}/ns/net`,
        lua.path,
        path.join(here, "answerer.lua"),
        String(port),
        String(ackDelay),
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    children.push(child);
    return watchLines(child);
  }

  netnsIt("4. a socket connected to itself is a failed attempt, and frees the port", async () => {
    const port = ephemeralPort();
    const host = await startWidget(
      { host: "127.0.0.1", port, retryInitialDelay: 0.2, retryMaxDelay: 1 },
      {
        // The system must pick the target port as the local one: nothing listens there.
        unixControl: true,
        wrap: [
          "unshare",
          "-n",
          "sh",
          "-c",
          `ip link set lo up && echo "${port} ${port}" > /proc/sys/net/ipv4/ip_local_port_range && exec "$@"`,
          "sh",
        ],
      },
    );
    await host.waitForEcho(/connected to itself \(127\.0\.0\.1:\d+ is both ends\)/, 15_000);
    // Several attempts, each a self-connect the kernel really made (connect answered).
    await host.waitForStatus((s) => (s.widgetStatus as WidgetStatus).failedAttempts >= 3, 15_000);
    const s = await status(host);
    expect(s.connections).toBe(0);
    expect(host.widgetEchoes.some((l) => /\d connected to 127/.test(l))).toBe(false);
    expect(
      host.widgetEchoes.filter((l) => /connected to itself/.test(l)).length,
    ).toBeLessThanOrEqual(2);
    // The real receiver comes: with an ordinary port range it can bind the port and
    // the widget reaches it.
    inNamespace(host.pid!, [
      "sh",
      "-c",
      'echo "32768 60999" > /proc/sys/net/ipv4/ip_local_port_range',
    ]);
    const receiver = startAnswerer(host.pid!, port, 0);
    await receiver.waitFor(/^listening$/, 10_000);
    await receiver.waitFor(/^line \{"type":"hello"/, 15_000);
    await waitForState(host, "CONNECTED", 5_000);
    expect((await status(host)).internalErrors).toBe(0);
    const final = await host.shutdown();
    expect(final.sockets?.open).toBe(0);
  });

  netnsIt(
    "5. a half-open connection is noticed after the silence timeout and retried",
    async () => {
      const port = ephemeralPort();
      const silence = 4;
      const host = await startWidget(
        {
          host: "127.0.0.1",
          port,
          silenceTimeout: silence,
          retryInitialDelay: 0.5,
          connectTimeout: 2,
        },
        {
          unixControl: true,
          wrap: ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"],
        },
      );
      // The receiver greets at once and answers each line a second later: the widget has
      // heard it before its own greeting goes out, then waits for the answer.
      const receiver = startAnswerer(host.pid!, port, 1);
      await receiver.waitFor(/^line \{"type":"hello"/, 15_000);
      // The receiver's machine vanishes: every packet of the connection is dropped.
      inNamespace(host.pid!, [
        "iptables",
        "-A",
        "INPUT",
        "-p",
        "tcp",
        "--dport",
        String(port),
        "-j",
        "DROP",
      ]);
      inNamespace(host.pid!, [
        "iptables",
        "-A",
        "INPUT",
        "-p",
        "tcp",
        "--sport",
        String(port),
        "-j",
        "DROP",
      ]);
      const droppedAt = Date.now();
      const mark = host.mark();
      await waitForState(host, "CONNECTED", 1_000);
      const lost = await host.waitForEcho(
        /lost the connection .*stopped answering/,
        (silence + 5) * 1000,
        mark,
      );
      const noticedAfter = (Date.now() - droppedAt) / 1000;
      expect(noticedAfter).toBeGreaterThan(silence - 1.5);
      expect(noticedAfter).toBeLessThan(silence + 4);
      expect(lost.text).toMatch(
        /warning: lost the connection to 127\.0\.0\.1:\d+: the receiver stopped answering \(nothing for 4 s/,
      );
      // The path comes back: the next attempt reaches the receiver again.
      const before = receiver.lines.length;
      inNamespace(host.pid!, ["iptables", "-F", "INPUT"]);
      await receiver.waitFor(/^line \{"type":"hello"/, 15_000, before);
      await waitForState(host, "CONNECTED", 5_000);
      const s = await status(host);
      expect(s.connections).toBe(2);
      expect(s.internalErrors).toBe(0);
      await host.shutdown();
    },
  );

  it("6. sockets with descriptors >= 1024 connect, send and notice loss without select", async () => {
    const server = createTestServer({
      host: "127.0.0.1",
      port: 0,
      waitTimeoutMs: 15_000,
      protocol: true,
    });
    servers.push(server);
    await server.start();
    const port = server.status().port;
    const host = await startWidget(
      { host: "127.0.0.1", port, retryInitialDelay: 0.5 },
      { holdFiles: 1100 },
    );
    await server.waitForLine((l) => l.kind === "text" && HELLO.test(l.text));
    await waitForState(host, "CONNECTED", 5_000);
    const created = host.events.filter(
      (e): e is SocketEvent & { fd: number } =>
        e.type === "socket" && (e as SocketEvent).action === "created",
    );
    expect(created.length).toBeGreaterThan(0);
    for (const e of created) expect(e.fd).toBeGreaterThanOrEqual(1024);
    // Loss: the receiver closes; then refusals while it is down; then it is back.
    await server.kick();
    const mark = host.mark();
    await host.waitForEcho(/lost the connection/, 5_000, mark);
    await server.stop();
    await host.waitForStatus(
      (s) => /refused/.test((s.widgetStatus as WidgetStatus).lastError ?? ""),
      10_000,
    );
    await server.start();
    await waitForState(host, "CONNECTED", 10_000);
    const s = await status(host);
    expect(s.internalErrors).toBe(0);
    expect(host.errors).toEqual([]);
    await host.shutdown();
  });

  nsIt("7. a host name is looked up once per request, never per retry", async () => {
    const server = createTestServer({
      host: "127.0.0.1",
      port: 0,
      waitTimeoutMs: 15_000,
      protocol: true,
    });
    servers.push(server);
    await server.start();
    const port = server.status().port;
    await server.stop();
    const hosts = path.join(tmp, `hosts-${++configCount}`);
    writeFileSync(hosts, "127.0.0.1 localhost\n127.0.0.1 receiver.test\n");
    const lookups = (h: BarHost) =>
      h.events.filter((e: HostEvent) => e.type === "dns" && e.name === "receiver.test");
    const host = await startWidget(
      { host: "receiver.test", port, retryInitialDelay: 0.2, retryMaxDelay: 1 },
      {
        // The allow-list names the host as written; the engine adds the address it resolves to.
        allow: `receiver.test:${port}`,
        wrap: ["unshare", "-m", "sh", "-c", `mount --bind ${hosts} /etc/hosts && exec "$@"`, "sh"],
      },
    );
    await host.waitForEcho(/looking up receiver\.test/, 5_000);
    await host.waitForEcho(/receiver\.test is 127\.0\.0\.1/, 5_000);
    await host.waitForStatus((s) => (s.widgetStatus as WidgetStatus).failedAttempts >= 5, 15_000);
    expect(lookups(host)).toHaveLength(1);
    expect(lookups(host)[0]).toMatchObject({ via: "toip", result: "127.0.0.1" });
    const connects = host.events.filter(
      (e): e is SocketEvent => e.type === "socket" && (e as SocketEvent).action === "connect",
    );
    for (const c of connects) expect(c.host).toBe("127.0.0.1");
    // The player asks again: one more lookup, then the receiver is up.
    await host.chat("/livedata connect");
    expect(lookups(host)).toHaveLength(2);
    await server.start();
    await server.waitForLine((l) => l.kind === "text" && HELLO.test(l.text));
    await waitForState(host, "CONNECTED", 5_000);
    expect(lookups(host)).toHaveLength(2);
    expect((await status(host)).lookups).toBe(2);
    await host.shutdown();
  });
});
