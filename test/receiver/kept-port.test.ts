// test/support/kept-port.ts: the ports test receivers keep across a stop and a start.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InProcessReceiver } from "../host/pipeline.ts";
import {
  ephemeralLow,
  isPortInUse,
  keptPort,
  listenOnKeptPorts,
  KEPT_PORT_ATTEMPTS,
} from "../support/kept-port.ts";
import { ProtocolReceiver } from "../support/protocolReceiver.ts";

const LOW = ephemeralLow();
const toClose: { close(): unknown }[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of toClose.splice(0)) await s.close();
});

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** Holds a port in the kept ports' range, as another program would. */
async function occupy(): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (LOW - 10_000));
    const server = await listen(port).catch(() => null);
    if (server === null) continue;
    toClose.push({ close: () => new Promise((r) => server.close(r)) });
    return port;
  }
}

/** Makes the next keptPort() calls pick `ports` (Math.random as usual after them). */
function pickNext(...ports: number[]): void {
  const from = Math.max(1024, Math.min(10_000, Math.floor(LOW / 2)));
  const random = vi.spyOn(Math, "random");
  for (const p of ports) random.mockReturnValueOnce((p - from + 0.5) / (LOW - from));
}

const inUse = (port?: number) =>
  Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE", port });

describe("ephemeralLow", () => {
  it("reads the low end of the range, else assumes 32768", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "kept-port-"));
    try {
      const file = path.join(dir, "range");
      writeFileSync(file, "40000\t60999\n");
      expect(ephemeralLow(file)).toBe(40000);
      writeFileSync(file, "nonsense");
      expect(ephemeralLow(file)).toBe(32768);
      expect(ephemeralLow(path.join(dir, "missing"))).toBe(32768);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("keptPort", () => {
  it("picks distinct ports in [10000, low - 1]", () => {
    const ports = Array.from({ length: 200 }, () => keptPort(Math.random, 32768));
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(10_000);
      expect(p).toBeLessThan(32768);
    }
    expect(keptPort(() => 0.999999, 40000)).toBe(39999);
  });

  it("falls back to bind(0) when the ephemeral range leaves no room below it", () => {
    expect(keptPort(Math.random, 1024)).toBe(0);
  });
});

describe("isPortInUse", () => {
  it("knows a raw EADDRINUSE, a ListenError (via its code or cause) and their port", () => {
    expect(isPortInUse(inUse(12345), [12345])).toBe(true);
    expect(isPortInUse(inUse(12345), [23456])).toBe(false);
    expect(isPortInUse(inUse(), [23456])).toBe(true);
    expect(isPortInUse(new Error("wrapped", { cause: inUse(12345) }), [12345])).toBe(true);
    expect(isPortInUse(Object.assign(new Error("x"), { code: "EACCES" }), [1])).toBe(false);
    expect(isPortInUse("EADDRINUSE", [1])).toBe(false);
  });
});

describe("listenOnKeptPorts", () => {
  it("tries other ports when a chosen one is in use; given ports stay", async () => {
    const seen: number[][] = [];
    const result = await listenOnKeptPorts([0, 0, 4321], async (ports) => {
      seen.push(ports);
      if (seen.length < 3) throw inUse(ports[seen.length - 1]);
      return "listening";
    });
    expect(result).toBe("listening");
    expect(seen).toHaveLength(3);
    for (const [a, b, c] of seen) {
      expect(a).not.toBe(b);
      expect(c).toBe(4321);
      for (const p of [a!, b!]) expect(p >= 10_000 && p < LOW).toBe(true);
    }
  });

  it("throws at once when a given port is in use, or on any other error", async () => {
    const listenGiven = vi.fn((ports: number[]) => Promise.reject(inUse(ports[1])));
    await expect(listenOnKeptPorts([0, 4321], listenGiven)).rejects.toThrow(/EADDRINUSE/);
    expect(listenGiven).toHaveBeenCalledTimes(1);
    const listenBroken = vi.fn(() => Promise.reject(new Error("broken")));
    await expect(listenOnKeptPorts([0], listenBroken)).rejects.toThrow("broken");
    expect(listenBroken).toHaveBeenCalledTimes(1);
  });

  it("gives up after a few attempts", async () => {
    const listenNever = vi.fn((ports: number[]) => Promise.reject(inUse(ports[0])));
    await expect(listenOnKeptPorts([0], listenNever)).rejects.toThrow(/EADDRINUSE/);
    expect(listenNever).toHaveBeenCalledTimes(KEPT_PORT_ATTEMPTS);
  });
});

describe("the test receivers", () => {
  it("ProtocolReceiver: a port below the ephemeral range, another if taken, kept on restart", async () => {
    const taken = await occupy();
    pickNext(taken);
    const receiver = new ProtocolReceiver({ ack: false });
    toClose.push({ close: () => receiver.stop() });
    const port = await receiver.start();
    expect(Math.random).toHaveBeenCalled();
    expect(port).not.toBe(taken);
    expect(port >= 10_000 && port < LOW).toBe(true);
    await receiver.stop();
    expect(await receiver.start()).toBe(port);
  });

  it("InProcessReceiver: both ports chosen again when the HTTP one is taken (a ListenError)", async () => {
    const taken = await occupy();
    const firstWidgetPort = taken === LOW - 1 ? taken - 1 : taken + 1;
    pickNext(firstWidgetPort, taken);
    const receiver = new InProcessReceiver();
    try {
      await receiver.start();
      const { widgetPort, httpPort } = receiver;
      expect(Math.random).toHaveBeenCalled();
      expect([widgetPort, httpPort]).not.toContain(firstWidgetPort);
      expect(httpPort).not.toBe(taken);
      for (const p of [widgetPort, httpPort]) expect(p >= 10_000 && p < LOW).toBe(true);
      await receiver.stop();
      await receiver.start();
      expect([receiver.widgetPort, receiver.httpPort]).toEqual([widgetPort, httpPort]);
    } finally {
      await receiver.stop();
      rmSync(receiver.recordingsDir, { recursive: true, force: true });
    }
  });
});
