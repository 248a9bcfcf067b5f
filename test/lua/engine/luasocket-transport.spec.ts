/**
 * The LuaSocket transport against sockets answering as the kernel would: a socket
 * connected to itself (item 4) and descriptors select must not see (item 6).
 */
import { beforeEach, describe, expect, it } from "../framework";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedSocketLib } from "../fakes/scripted-socket";
import { Connection, Transition } from "../../../src/link/connection";
import {
  LuaSocketTransport,
  SELECT_FD_LIMIT,
  selectFdLimit,
} from "../../../src/engine/luasocket-transport";

let clock: ManualClock;
let lib: ScriptedSocketLib;

/** The first of checkConnect's two answers. */
function statusOf(this: void, transport: LuaSocketTransport): string {
  const [status] = transport.checkConnect();
  return status;
}

beforeEach(() => {
  clock = new ManualClock();
  lib = new ScriptedSocketLib();
});

describe("a socket connected to itself", () => {
  it("is a failed attempt, not a connection", () => {
    lib.plan.selfConnected = true;
    const transport = new LuaSocketTransport(lib.asLibrary(), clock, false, 1024);
    transport.open("127.0.0.1", 40001);
    expect(statusOf(transport)).toBe("pending");
    lib.last!.phase = "connected";
    const [status, err] = transport.checkConnect();
    expect(status).toBe("failed");
    expect(err).toContain("connected to itself");
    expect(err).toContain("127.0.0.1:40001");
    // closed without a TIME_WAIT, which would keep the receiver from binding the port
    expect(lib.last!.options.get("linger")).toBe(true);
  });

  it("is also caught when the first connect answers at once", () => {
    lib.plan.selfConnected = true;
    lib.plan.firstConnect = "ok";
    const transport = new LuaSocketTransport(lib.asLibrary(), clock, false, 1024);
    transport.open("127.0.0.1", 40001);
    expect(statusOf(transport)).toBe("failed");
  });

  it("is closed, counted and retried with a growing delay", () => {
    lib.plan.selfConnected = true;
    lib.plan.firstConnect = "ok";
    const transitions: Transition[] = [];
    const conn = new Connection(
      new LuaSocketTransport(lib.asLibrary(), clock, false, 1024),
      clock,
      {
        host: "127.0.0.1",
        port: 40001,
        autoReconnect: true,
        retryInitialDelay: 1,
        retryMaxDelay: 30,
        connectTimeout: 5,
        silenceTimeout: 15,
      },
      { onTransition: (t) => transitions.push(t) },
    );
    conn.connect("test");
    const failures = (): Transition[] => transitions.filter((t) => t.to === "RECONNECTING");
    for (let i = 0; i < 2000 && failures().length < 3; i++) {
      clock.advance(0.25);
      conn.update();
    }
    for (const t of transitions) {
      expect(t.to).not.toBe("CONNECTED");
    }
    const [first, second, third] = failures();
    expect(first.reason).toContain("connected to itself");
    expect(first.retryIn).toBe(1);
    expect(second.retryIn).toBe(2);
    expect(third.retryIn).toBe(4);
    expect(conn.diagnostics().failedAttempts).toBeGreaterThanOrEqual(3);
    expect(lib.sockets[0].closed).toBe(true);
    expect(lib.sockets[0].sent).toBe("");
  });

  it("is told apart from a real connection on the same host", () => {
    lib.plan.firstConnect = "ok";
    const transport = new LuaSocketTransport(lib.asLibrary(), clock, false, 1024);
    transport.open("127.0.0.1", 40001);
    expect(statusOf(transport)).toBe("connected");
  });
});

describe("descriptors select cannot take", () => {
  function pendingTransport(fd: number): LuaSocketTransport {
    lib.plan.fd = fd;
    const transport = new LuaSocketTransport(lib.asLibrary(), clock, false, SELECT_FD_LIMIT);
    transport.open("10.0.0.5", 9876);
    expect(statusOf(transport)).toBe("pending");
    return transport;
  }

  it("connects without select: the peer address tells", () => {
    const transport = pendingTransport(1500);
    for (let i = 0; i < 10; i++) {
      clock.advance(1 / 60);
      expect(statusOf(transport)).toBe("pending");
    }
    lib.last!.phase = "connected";
    expect(statusOf(transport)).toBe("connected");
    expect(lib.selectCalls).toBe(0);
  });

  it("learns of a failure without select: a second connect tells", () => {
    const transport = pendingTransport(1024);
    lib.last!.phase = "failed";
    lib.last!.failError = "connection refused";
    let status = "pending";
    let err: string | undefined;
    for (let i = 0; i < 30 && status === "pending"; i++) {
      clock.advance(1 / 60);
      [status, err] = transport.checkConnect();
    }
    expect(status).toBe("failed");
    expect(err).toBe("connection refused");
    expect(lib.selectCalls).toBe(0);
  });

  it("probes a few times a second, not every frame", () => {
    const transport = pendingTransport(2000);
    for (let i = 0; i < 60; i++) {
      clock.advance(1 / 60);
      transport.checkConnect();
    }
    const probes = lib.last!.connectCalls - 1;
    expect(probes).toBeGreaterThanOrEqual(4);
    expect(probes).toBeLessThanOrEqual(6);
  });

  it("sends, receives and notices loss without select", () => {
    lib.plan.fd = 1100;
    lib.plan.firstConnect = "ok";
    const conn = new Connection(
      new LuaSocketTransport(lib.asLibrary(), clock, false, SELECT_FD_LIMIT),
      clock,
      {
        host: "10.0.0.5",
        port: 9876,
        autoReconnect: true,
        retryInitialDelay: 1,
        retryMaxDelay: 30,
        connectTimeout: 5,
        silenceTimeout: 15,
      },
      { onTransition: () => undefined },
    );
    conn.connect("test");
    conn.send("hello\n");
    conn.update();
    expect(conn.state()).toBe("CONNECTED");
    expect(lib.last!.sent).toBe("hello\n");
    lib.last!.peerClosed = true;
    conn.update();
    expect(conn.state()).toBe("RECONNECTING");
    expect(lib.selectCalls).toBe(0);
  });

  it("still uses select below the limit", () => {
    pendingTransport(5);
    expect(lib.selectCalls).toBe(0);
    const transport = new LuaSocketTransport(lib.asLibrary(), clock, false, SELECT_FD_LIMIT);
    lib.plan.fd = 5;
    transport.open("10.0.0.5", 9876);
    transport.checkConnect();
    transport.checkConnect();
    expect(lib.selectCalls).toBe(1);
  });

  it("has no limit on Windows, 1024 elsewhere", () => {
    expect(selectFdLimit("Windows")).toBeUndefined();
    expect(selectFdLimit("Linux")).toBe(1024);
    expect(selectFdLimit("MacOSX")).toBe(1024);
    expect(selectFdLimit(undefined)).toBe(1024);
  });
});
