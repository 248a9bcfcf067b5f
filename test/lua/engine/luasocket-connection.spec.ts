/**
 * The connection state machine over the real LuaSocket transport, with scripted
 * sockets and a manual clock: every transition, the backoff, the connect deadline and
 * the probes of a pending connect, lost connections, failed writes and socket closing.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedSocket, ScriptedSocketLib } from "../fakes/scripted-socket";
import {
  Connection,
  ConnectionOptions,
  ConnectionSettings,
  Transition,
} from "../../../src/link/connection";
import { LuaSocketTransport } from "../../../src/engine/luasocket-transport";

const RETRY_SETTINGS = {
  autoReconnect: true,
  retryInitialDelay: 1,
  retryMaxDelay: 30,
  connectTimeout: 5,
  silenceTimeout: 15,
};

let clock: ManualClock;
let lib: ScriptedSocketLib;
let transitions: Transition[];
let conn: Connection;

interface Setup {
  settings?: Partial<ConnectionSettings>;
  options?: ConnectionOptions;
  /** The engine has LuaSocket (default true). */
  luaSocket?: boolean;
  /** The transport probes a pending connect with a second connect (default true). */
  probePending?: boolean;
}

/** A new connection over a LuaSocket transport on `lib`; nothing happens until asked. */
function open(this: void, setup: Setup = {}): Connection {
  transitions = [];
  const transport = new LuaSocketTransport(
    setup.luaSocket === false ? undefined : lib.asLibrary(),
    clock,
    setup.probePending ?? true,
  );
  conn = new Connection(
    transport,
    clock,
    { host: "127.0.0.1", port: 9876, ...RETRY_SETTINGS, ...setup.settings },
    { onTransition: (t) => transitions.push(t) },
    setup.options,
  );
  return conn;
}

/** One frame after `seconds` (none: the next frame at the same time). */
function step(this: void, seconds = 0): void {
  clock.advance(seconds);
  conn.update();
}

function steps(this: void, count: number, seconds: number): void {
  for (let i = 0; i < count; i++) step(seconds);
}

function last(this: void): Transition {
  return transitions[transitions.length - 1];
}

/** The socket made last. */
function sock(this: void): ScriptedSocket {
  return lib.last!;
}

/** Sockets made and closed so far. */
function madeAndClosed(this: void): [number, number] {
  return [lib.created, lib.closed];
}

beforeEach(() => {
  clock = new ManualClock();
  lib = new ScriptedSocketLib();
  transitions = [];
});

describe("connecting", () => {
  it("starts disconnected and does nothing until asked", () => {
    open();
    steps(10, 1);
    expect(conn.state()).toBe("DISCONNECTED");
    expect(lib.created).toBe(0);
  });

  it("creates a non-blocking socket and treats a pending connect as CONNECTING, not connected", () => {
    open();
    conn.connect("test");
    expect(conn.state()).toBe("CONNECTING");
    // The socket is made at once and connected in the next frame, so that no frame
    // pays for both system calls.
    expect(sock().timeout).toBe(0);
    expect(sock().connectCalls).toBe(0);
    expect(sock().host).toBeUndefined();
    step();
    expect(sock().timeout).toBe(0);
    expect(sock().connectCalls).toBe(1);
    expect([sock().host, sock().port]).toEqual(["127.0.0.1", 9876]);
    steps(5, 0.1);
    expect(conn.state()).toBe("CONNECTING");
    expect(lib.created).toBe(1);
  });

  it("confirms completion by writability and a peer address, sets the socket options, then greets", () => {
    open({ options: { greeting: () => "hello\n" } });
    conn.connect("test");
    step(0.05);
    sock().phase = "connected";
    step(0.05);
    expect(conn.state()).toBe("CONNECTED");
    expect(sock().sent).toBe("hello\n");
    expect(sock().options.get("tcp-nodelay")).toBe(true);
    expect(sock().options.get("keepalive")).toBe(true);
    expect(transitions.map((t) => `${t.from}>${t.to}`)).toEqual([
      "DISCONNECTED>CONNECTING",
      "CONNECTING>CONNECTED",
    ]);
  });

  it("detects an immediate refusal, retries after 1 s and closes the socket in the next frame", () => {
    lib.plan.firstConnect = "connection refused";
    open();
    conn.connect("test");
    step();
    expect(conn.state()).toBe("RECONNECTING");
    expect(last().failure).toBe("refused");
    expect(last().retryIn).toBe(1);
    // the failed socket is closed in the next frame, not in the one that noticed
    expect(madeAndClosed()).toEqual([1, 0]);
    step();
    expect(madeAndClosed()).toEqual([1, 1]);
  });

  it("detects a refusal reported later through select and a second connect", () => {
    open();
    conn.connect("test");
    step(0.01);
    sock().phase = "failed";
    sock().failError = "connection refused";
    step(0.01);
    expect(conn.state()).toBe("RECONNECTING");
    expect(last().failure).toBe("refused");
  });

  it("detects a refusal that never shows as writable (Windows) through a probe, a few times a second", () => {
    lib.plan.windows = true;
    open();
    conn.connect("test");
    step(0.01);
    sock().phase = "failed";
    sock().failError = "connection refused";
    // probed a few times a second, not every frame
    steps(11, 0.016);
    expect(conn.state()).toBe("CONNECTING");
    expect(sock().connectCalls).toBe(1);
    steps(2, 0.016);
    expect(conn.state()).toBe("RECONNECTING");
    expect(last().failure).toBe("refused");
  });

  it("never probes where select reports a failed connect, and still learns why it failed", () => {
    open({ probePending: false });
    conn.connect("test");
    steps(60, 1 / 60);
    expect(conn.state()).toBe("CONNECTING");
    expect(sock().connectCalls).toBe(1);
    sock().phase = "failed";
    sock().failError = "connection refused";
    step(1 / 60);
    expect(last().failure).toBe("refused");
  });

  it("abandons a connect still pending after the connect timeout, and not before", () => {
    open({ settings: { connectTimeout: 5 } });
    conn.connect("test");
    steps(49, 0.1);
    expect(conn.state()).toBe("CONNECTING");
    step(0.11);
    expect(conn.state()).toBe("RECONNECTING");
    expect(last().failure).toBe("timed-out");
    expect(last().retryIn).toBe(1);
    step();
    expect(sock().closed).toBe(true);
  });

  it("treats an odd probe answer while pending as still pending", () => {
    open();
    conn.connect("test");
    sock().pendingProbe = "Invalid argument";
    steps(10, 0.1);
    expect(sock().connectCalls).toBeGreaterThan(1);
    expect(conn.state()).toBe("CONNECTING");
  });

  it("does not probe a hostname while pending (each connect would be a blocking lookup)", () => {
    open({ settings: { host: "localhost" } });
    conn.connect("test");
    steps(10, 0.1);
    expect(sock().connectCalls).toBe(1);
    open();
    conn.connect("test");
    steps(10, 0.1);
    expect(sock().connectCalls).toBeGreaterThan(1);
  });
});

describe("failing to connect", () => {
  it("backs off 1, 2, 4, 8, 16, 30, 30 s and retries only when the delay is over", () => {
    lib.plan.firstConnect = "connection refused";
    open();
    conn.connect("test");
    step();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const delay = last().retryIn ?? -1;
      delays.push(delay);
      const created = lib.created;
      step(delay - 0.01);
      expect(lib.created).toBe(created);
      step(0.01);
      expect(lib.created).toBe(created + 1);
      step();
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 30, 30]);
  });

  it("stops in ERROR without retrying when the engine's allow-list denies the address", () => {
    lib.plan.firstConnect = "connect denied";
    open();
    conn.connect("test");
    steps(100, 1);
    expect(conn.state()).toBe("ERROR");
    expect(last().failure).toBe("denied");
    expect(madeAndClosed()).toEqual([1, 1]);
  });

  it("retries when no socket can be created", () => {
    lib.plan.tcpError = "too many open files";
    open();
    conn.connect("test");
    expect(conn.state()).toBe("RECONNECTING");
    expect(conn.diagnostics().lastError).toBe("cannot create a socket: too many open files");
  });

  it("stops in ERROR when LuaSocket is disabled in the engine", () => {
    open({ luaSocket: false });
    conn.connect("test");
    step(60);
    expect(conn.state()).toBe("ERROR");
    expect(last().failure).toBe("unavailable");
  });

  it("goes to ERROR instead of retrying when auto-reconnect is off, and back when it is on", () => {
    lib.plan.firstConnect = "connection refused";
    open({ settings: { autoReconnect: false } });
    conn.connect("test");
    step(60);
    expect(conn.state()).toBe("ERROR");
    expect(lib.created).toBe(1);
    conn.configure(RETRY_SETTINGS);
    expect(conn.state()).toBe("RECONNECTING");
    step(1);
    expect(lib.created).toBe(2);
  });

  it("cancels a scheduled retry when auto-reconnect is switched off", () => {
    lib.plan.firstConnect = "connection refused";
    open();
    conn.connect("test");
    step();
    conn.configure({ ...RETRY_SETTINGS, autoReconnect: false });
    step(60);
    expect(conn.state()).toBe("ERROR");
    expect(lib.created).toBe(1);
  });

  it("cuts a backoff wait short on connect", () => {
    lib.plan.firstConnect = "connection refused";
    open();
    conn.connect("a");
    step();
    step(1);
    step();
    step(2);
    step();
    expect(last().retryIn).toBe(4);
    lib.plan.firstConnect = "ok";
    conn.connect("now");
    step();
    expect(conn.state()).toBe("CONNECTED");
  });

  it("leaves ERROR on connect or on an address change", () => {
    lib.plan.firstConnect = "connect denied";
    open();
    conn.connect("test");
    step();
    expect(conn.state()).toBe("ERROR");
    lib.plan.firstConnect = undefined;
    conn.connect("again");
    step();
    expect(conn.state()).toBe("CONNECTING");
    lib.plan.firstConnect = "connect denied";
    conn.disconnect("x");
    conn.connect("y");
    step();
    expect(conn.state()).toBe("ERROR");
    lib.plan.firstConnect = "ok";
    conn.setAddress("127.0.0.5", 9876);
    step();
    expect(conn.state()).toBe("CONNECTED");
  });
});

describe("a connection", () => {
  /** Connected in the first frame: the first connect answers at once. */
  function connected(this: void, setup: Setup = {}): void {
    lib.plan.firstConnect = "ok";
    open(setup);
    conn.connect("test");
    step();
    expect(conn.state()).toBe("CONNECTED");
  }

  it("notices within one frame that the peer closed, closes the socket in the next, and reconnects", () => {
    connected();
    sock().peerClosed = true;
    step(0.016);
    expect(conn.state()).toBe("RECONNECTING");
    expect(last().failure).toBe("closed");
    expect(lib.sockets[0].closed).toBe(false);
    step(0.016);
    expect(lib.sockets[0].closed).toBe(true);
    step(1);
    step();
    expect(conn.state()).toBe("CONNECTED");
    expect(lib.created).toBe(2);
  });

  it("recognises a reset connection", () => {
    connected();
    sock().peerClosed = true;
    sock().closeError = "Connection reset by peer";
    step(0.016);
    expect(last().failure).toBe("reset");
  });

  it("reads what arrives in bounded chunks and counts it", () => {
    connected({ options: { receiveChunk: 4, receiveCallsPerFrame: 2 } });
    sock().inbox = "0123456789";
    step(0.016);
    expect(sock().inbox).toBe("89");
    step(0.016);
    expect(conn.diagnostics().bytesReceived).toBe("10 B");
    expect(conn.state()).toBe("CONNECTED");
  });

  it("sends a half-written message again in full on the next connection after a failed write", () => {
    lib.plan.firstConnect = "ok";
    lib.plan.sendCapacity = 5;
    open();
    conn.send("0123456789\n");
    conn.connect("test");
    step();
    expect(sock().sent).toBe("01234");
    sock().sendError = "closed";
    step(0.016);
    expect(conn.state()).toBe("RECONNECTING");
    expect(conn.diagnostics().queuedMessages).toBe(1);
    lib.plan.sendCapacity = undefined;
    step(1);
    step();
    expect(conn.state()).toBe("CONNECTED");
    expect(lib.created).toBe(2);
    expect(sock().sent).toBe("0123456789\n");
  });

  it("moves to a new address at once when connected, and only stores it when disconnected", () => {
    connected();
    conn.setAddress("127.0.0.2", 9999);
    step();
    expect(conn.state()).toBe("CONNECTED");
    expect([sock().host, sock().port]).toEqual(["127.0.0.2", 9999]);
    expect(lib.sockets[0].closed).toBe(true);
    conn.disconnect("test");
    conn.setAddress("127.0.0.3", 1);
    expect(conn.state()).toBe("DISCONNECTED");
    expect(lib.created).toBe(2);
    expect(conn.diagnostics().host).toBe("127.0.0.3");
  });

  it("closes a released socket on disconnect or shutdown without waiting for a frame", () => {
    connected();
    sock().peerClosed = true;
    step(0.016);
    conn.shutdown();
    expect(madeAndClosed()).toEqual([1, 1]);
    lib.plan.firstConnect = "connection refused";
    conn.connect("again");
    step();
    conn.disconnect("test");
    expect(conn.state()).toBe("DISCONNECTED");
    expect(madeAndClosed()).toEqual([2, 2]);
  });

  it("reports every transition with a reason", () => {
    lib.plan.firstConnect = "connection refused";
    open();
    conn.connect("test");
    step();
    step(1);
    step();
    lib.plan.firstConnect = "ok";
    step(2);
    step();
    conn.disconnect("by test");
    expect(transitions.map((t) => `${t.from}>${t.to}`)).toEqual([
      "DISCONNECTED>CONNECTING",
      "CONNECTING>RECONNECTING",
      "RECONNECTING>CONNECTING",
      "CONNECTING>RECONNECTING",
      "RECONNECTING>CONNECTING",
      "CONNECTING>CONNECTED",
      "CONNECTED>DISCONNECTED",
    ]);
    for (const t of transitions) expect(t.reason.length).toBeGreaterThan(0);
    expect(last().reason).toBe("by test");
  });
});
