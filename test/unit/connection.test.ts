/**
 * The connection state machine with the real LuaSocket transport over the scripted
 * socket from testlib.lua, and a manual clock: every transition, the backoff, the
 * connect deadline, lost connections and partial writes.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LUA_VMS } from "../support/lua-vm.ts";
import { Lab } from "./lab.ts";

interface Transition {
  from: string;
  to: string;
  reason: string;
  failure?: string;
  retryIn?: number;
}

/** Lua helpers shared by the tests: `open(settings, options)` builds a connection. */
const HELPERS = `
  Connection = req("src.link.connection").Connection
  Transport = req("src.engine.luasocket-transport").LuaSocketTransport
  function open(settings, options, lib, probePending)
    transitions = {}
    local s = { host = "127.0.0.1", port = 9876, autoReconnect = true,
      retryInitialDelay = 1, retryMaxDelay = 30, connectTimeout = 5 }
    for k, v in pairs(settings or {}) do s[k] = v end
    local listener = { onTransition = function(_, t) transitions[#transitions + 1] = t end }
    if lib == nil then lib = engine.socket end
    conn = New(Connection, New(Transport, lib ~= false and lib or nil, clock, probePending ~= false), clock, s, listener, options)
    return conn
  end
  -- one frame after the given seconds (none: the next frame at the same time)
  function step(seconds) clock:advance(seconds or 0); conn:update() end
  function last() return transitions[#transitions] end
`;

describe.each(LUA_VMS)("connection state machine under $name", ({ create }) => {
  let lab: Lab;
  beforeEach(() => {
    lab = new Lab(create()).loadModules();
    lab.exec(HELPERS);
  });
  afterEach(() => lab.close());

  const transitions = () => lab.lua<Transition[]>("return transitions");
  const state = () => lab.lua<string>("return conn:state()");

  it("starts disconnected and does nothing until asked", () => {
    lab.exec("open(); for i = 1, 10 do step(1) end");
    expect(state()).toBe("DISCONNECTED");
    expect(lab.lua("return engine.socket.created")).toBe(0);
  });

  it("creates a non-blocking socket and treats a pending connect as CONNECTING, not connected", () => {
    lab.exec(`open(); conn:connect("test")`);
    expect(state()).toBe("CONNECTING");
    const sock = () =>
      lab.lua<Record<string, unknown>>(
        "local s = engine.socket.last; return { timeout = s.timeout, host = s.host, port = s.port, calls = s.connectCalls }",
      );
    // The socket is created at once and connected in the next frame, so that no
    // frame pays for both system calls.
    expect(sock()).toEqual({ timeout: 0, calls: 0 });
    lab.exec("step()");
    expect(sock()).toEqual({ timeout: 0, host: "127.0.0.1", port: 9876, calls: 1 });
    lab.exec("for i = 1, 5 do step(0.1) end");
    expect(state()).toBe("CONNECTING");
    expect(lab.lua("return engine.socket.created")).toBe(1);
  });

  it("confirms completion by writability and a peer address, then greets", () => {
    lab.exec(`open(nil, { greeting = function() return "hello\\n" end }); conn:connect("test")`);
    lab.exec(`step(0.05); engine.socket.last.phase = "connected"; step(0.05)`);
    expect(state()).toBe("CONNECTED");
    expect(lab.lua("return engine.socket.last.sent")).toBe("hello\n");
    expect(lab.lua("return engine.socket.last.options")).toEqual({
      "tcp-nodelay": true,
      keepalive: true,
    });
    expect(transitions().map((t) => `${t.from}>${t.to}`)).toEqual([
      "DISCONNECTED>CONNECTING",
      "CONNECTING>CONNECTED",
    ]);
  });

  it("accepts a connect that succeeds at once", () => {
    lab.exec(`engine.socket.plan.firstConnect = "ok"; open(); conn:connect("test"); step()`);
    expect(state()).toBe("CONNECTED");
  });

  it("detects an immediate refusal and schedules a retry after 1 s", () => {
    lab.exec(
      `engine.socket.plan.firstConnect = "connection refused"; open(); conn:connect("test"); step()`,
    );
    expect(state()).toBe("RECONNECTING");
    expect(lab.lua("return last()")).toMatchObject({ failure: "refused", retryIn: 1 });
    // the failed socket is closed in the next frame, not in the one that noticed
    expect(lab.lua("return { engine.socket.created, engine.socket.closed }")).toEqual([1, 0]);
    lab.exec("step()");
    expect(lab.lua("return { engine.socket.created, engine.socket.closed }")).toEqual([1, 1]);
  });

  it("detects a refusal reported later through select and a second connect", () => {
    lab.exec(`open(); conn:connect("test"); step(0.01)
      engine.socket.last.phase = "failed"; engine.socket.last.failError = "connection refused"; step(0.01)`);
    expect(state()).toBe("RECONNECTING");
    expect(lab.lua("return last().failure")).toBe("refused");
  });

  it("detects a refusal that never shows as writable (Windows) through the probe", () => {
    lab.exec(`engine.socket.plan.windows = true; open(); conn:connect("test"); step(0.01)
      engine.socket.last.phase = "failed"; engine.socket.last.failError = "connection refused"`);
    // probed a few times a second, not every frame
    lab.exec("for i = 1, 11 do step(0.016) end");
    expect(state()).toBe("CONNECTING");
    expect(lab.lua("return engine.socket.last.connectCalls")).toBe(1);
    lab.exec("for i = 1, 2 do step(0.016) end");
    expect(state()).toBe("RECONNECTING");
    expect(lab.lua("return last().failure")).toBe("refused");
  });

  it("never probes where select reports a failed connect, and still learns why it failed", () => {
    lab.exec(`open(nil, nil, nil, false); conn:connect("test"); for i = 1, 60 do step(1 / 60) end`);
    expect(state()).toBe("CONNECTING");
    expect(lab.lua("return engine.socket.last.connectCalls")).toBe(1);
    lab.exec(`engine.socket.last.phase = "failed"; engine.socket.last.failError = "connection refused"
      step(1 / 60)`);
    expect(lab.lua("return last().failure")).toBe("refused");
  });

  it("probes a pending numeric address about five times a second", () => {
    lab.exec(`open(); conn:connect("test"); for i = 1, 60 do step(1 / 60) end`);
    expect(state()).toBe("CONNECTING");
    const calls = lab.lua<number>("return engine.socket.last.connectCalls");
    expect(calls).toBeGreaterThanOrEqual(5);
    expect(calls).toBeLessThanOrEqual(6);
  });

  it("abandons a connect still pending after the connect timeout, and not before", () => {
    lab.exec(`open({ connectTimeout = 5 }); conn:connect("test")`);
    lab.exec("for i = 1, 49 do step(0.1) end");
    expect(state()).toBe("CONNECTING");
    lab.exec("step(0.11)");
    expect(state()).toBe("RECONNECTING");
    expect(lab.lua("return last()")).toMatchObject({ failure: "timed-out", retryIn: 1 });
    lab.exec("step()");
    expect(lab.lua("return engine.socket.last.closed")).toBe(true);
  });

  it("treats an odd probe answer while pending as still pending", () => {
    lab.exec(`engine.socket.plan.pendingProbe = "Invalid argument"; open(); conn:connect("test")
      for i = 1, 10 do step(0.1) end`);
    expect(state()).toBe("CONNECTING");
  });

  it("does not probe a hostname while pending (each connect would be a blocking lookup)", () => {
    lab.exec(`open({ host = "localhost" }); conn:connect("test"); for i = 1, 10 do step(0.1) end`);
    expect(lab.lua("return engine.socket.last.connectCalls")).toBe(1);
    lab.exec(`open(); conn:connect("test"); for i = 1, 10 do step(0.1) end`);
    expect(lab.lua<number>("return engine.socket.last.connectCalls")).toBeGreaterThan(1);
  });

  it("backs off 1, 2, 4, 8, 16, 30, 30 s and retries only when the delay is over", () => {
    lab.exec(
      `engine.socket.plan.firstConnect = "connection refused"; open(); conn:connect("test"); step()`,
    );
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const delay = lab.lua<number>("return last().retryIn");
      delays.push(delay);
      const created = lab.lua<number>("return engine.socket.created");
      lab.exec(`step(${delay} - 0.01)`);
      expect(lab.lua("return engine.socket.created")).toBe(created);
      lab.exec("step(0.01)");
      expect(lab.lua("return engine.socket.created")).toBe(created + 1);
      lab.exec("step()");
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 30, 30]);
  });

  it("stops in ERROR without retrying when the engine's allow-list denies the address", () => {
    lab.exec(`engine.socket.plan.firstConnect = "connect denied"; open(); conn:connect("test")
      for i = 1, 100 do step(1) end`);
    expect(state()).toBe("ERROR");
    expect(lab.lua("return last().failure")).toBe("denied");
    expect(lab.lua("return { engine.socket.created, engine.socket.closed }")).toEqual([1, 1]);
  });

  it("retries when no socket can be created", () => {
    lab.exec(`engine.socket.plan.tcpError = "too many open files"; open(); conn:connect("test")`);
    expect(state()).toBe("RECONNECTING");
    expect(lab.lua("return conn:diagnostics().lastError")).toBe(
      "cannot create a socket: too many open files",
    );
  });

  it("stops in ERROR when LuaSocket is disabled in the engine", () => {
    lab.exec(`open(nil, nil, false); conn:connect("test"); step(60)`);
    expect(state()).toBe("ERROR");
    expect(lab.lua("return last().failure")).toBe("unavailable");
  });

  it("notices within one frame that the peer closed, and reconnects", () => {
    lab.exec(`engine.socket.plan.firstConnect = "ok"; open(); conn:connect("test"); step()
      engine.socket.last.peerClosed = true; step(0.016)`);
    expect(state()).toBe("RECONNECTING");
    expect(lab.lua("return last().failure")).toBe("closed");
    expect(lab.lua("return engine.socket.sockets[1].closed")).toBe(false);
    lab.exec("step(0.016)");
    expect(lab.lua("return engine.socket.sockets[1].closed")).toBe(true);
    lab.exec("step(1); step()");
    expect(state()).toBe("CONNECTED");
    expect(lab.lua("return engine.socket.created")).toBe(2);
  });

  it("recognises a reset connection", () => {
    lab.exec(`engine.socket.plan.firstConnect = "ok"; open(); conn:connect("test"); step()
      engine.socket.last.peerClosed = true; engine.socket.last.closeError = "Connection reset by peer"; step(0.016)`);
    expect(lab.lua("return last().failure")).toBe("reset");
  });

  it("reads what arrives in bounded chunks and counts it", () => {
    lab.exec(`engine.socket.plan.firstConnect = "ok"
      open(nil, { receiveChunk = 4, receiveCallsPerFrame = 2 }); conn:connect("test")
      engine.socket.last.inbox = "0123456789"; step(0.016)`);
    expect(lab.lua("return engine.socket.last.inbox")).toBe("89");
    lab.exec("step(0.016)");
    expect(lab.lua("return conn:diagnostics().bytesReceived")).toBe("10 B");
    expect(state()).toBe("CONNECTED");
  });

  it("sends a half-written message again in full on the next connection after a failed write", () => {
    lab.exec(`engine.socket.plan.firstConnect = "ok"; engine.socket.plan.sendCapacity = 5
      open(); conn:send("0123456789\\n"); conn:connect("test"); step()`);
    expect(lab.lua("return engine.socket.last.sent")).toBe("01234");
    lab.exec(`engine.socket.last.sendError = "closed"; step(0.016)`);
    expect(state()).toBe("RECONNECTING");
    expect(lab.lua("return conn:diagnostics().queuedMessages")).toBe(1);
    lab.exec(`engine.socket.plan.sendCapacity = nil; engine.socket.plan.sendError = nil
      engine.socket.plan.sendCapacity = math.huge; step(1); step()`);
    expect(state()).toBe("CONNECTED");
    expect(lab.lua("return engine.socket.last.sent")).toBe("0123456789\n");
  });

  it("goes to ERROR instead of retrying when auto-reconnect is off, and back when it is on", () => {
    lab.exec(`engine.socket.plan.firstConnect = "connection refused"
      open({ autoReconnect = false }); conn:connect("test"); step(60)`);
    expect(state()).toBe("ERROR");
    expect(lab.lua("return engine.socket.created")).toBe(1);
    lab.exec(
      `conn:configure({ autoReconnect = true, retryInitialDelay = 1, retryMaxDelay = 30, connectTimeout = 5 })`,
    );
    expect(state()).toBe("RECONNECTING");
    lab.exec("step(1)");
    expect(lab.lua("return engine.socket.created")).toBe(2);
  });

  it("cancels a scheduled retry when auto-reconnect is switched off", () => {
    lab.exec(`engine.socket.plan.firstConnect = "connection refused"; open(); conn:connect("test"); step()
      conn:configure({ autoReconnect = false, retryInitialDelay = 1, retryMaxDelay = 30, connectTimeout = 5 })
      step(60)`);
    expect(state()).toBe("ERROR");
    expect(lab.lua("return engine.socket.created")).toBe(1);
  });

  it("closes a released socket on disconnect or shutdown without waiting for a frame", () => {
    lab.exec(`engine.socket.plan.firstConnect = "ok"; open(); conn:connect("test"); step()
      engine.socket.last.peerClosed = true; step(0.016); conn:shutdown()`);
    expect(lab.lua("return { engine.socket.created, engine.socket.closed }")).toEqual([1, 1]);
    lab.exec(`engine.socket.plan.firstConnect = "connection refused"; conn:connect("again"); step()
      conn:disconnect("test")`);
    expect(state()).toBe("DISCONNECTED");
    expect(lab.lua("return { engine.socket.created, engine.socket.closed }")).toEqual([2, 2]);
  });

  it("stays disconnected after disconnect, with the socket closed", () => {
    lab.exec(`engine.socket.plan.firstConnect = "ok"; open(); conn:connect("test")
      conn:disconnect("test"); for i = 1, 60 do step(1) end`);
    expect(state()).toBe("DISCONNECTED");
    expect(lab.lua("return { engine.socket.created, engine.socket.closed }")).toEqual([1, 1]);
  });

  it("moves to a new address at once when connected, and only stores it when disconnected", () => {
    lab.exec(`engine.socket.plan.firstConnect = "ok"; open(); conn:connect("test"); step()
      conn:setAddress("127.0.0.2", 9999); step()`);
    expect(state()).toBe("CONNECTED");
    expect(lab.lua("local s = engine.socket.last; return { s.host, s.port }")).toEqual([
      "127.0.0.2",
      9999,
    ]);
    expect(lab.lua("return engine.socket.sockets[1].closed")).toBe(true);
    lab.exec(`conn:disconnect("test"); conn:setAddress("127.0.0.3", 1)`);
    expect(state()).toBe("DISCONNECTED");
    expect(lab.lua("return engine.socket.created")).toBe(2);
  });

  it("leaves ERROR on connect or on an address change", () => {
    lab.exec(
      `engine.socket.plan.firstConnect = "connect denied"; open(); conn:connect("test"); step()`,
    );
    expect(state()).toBe("ERROR");
    lab.exec(`engine.socket.plan.firstConnect = nil; conn:connect("again"); step()`);
    expect(state()).toBe("CONNECTING");
    lab.exec(
      `engine.socket.plan.firstConnect = "connect denied"; conn:disconnect("x"); conn:connect("y"); step()`,
    );
    expect(state()).toBe("ERROR");
    lab.exec(`engine.socket.plan.firstConnect = "ok"; conn:setAddress("127.0.0.5", 9876); step()`);
    expect(state()).toBe("CONNECTED");
  });

  it("cuts a backoff wait short on connect", () => {
    lab.exec(
      `engine.socket.plan.firstConnect = "connection refused"; open(); conn:connect("a")
        step(); step(1); step(); step(2); step()`,
    );
    expect(lab.lua("return last().retryIn")).toBe(4);
    lab.exec(`engine.socket.plan.firstConnect = "ok"; conn:connect("now"); step()`);
    expect(state()).toBe("CONNECTED");
  });

  it("reports every transition with a reason", () => {
    lab.exec(`engine.socket.plan.firstConnect = "connection refused"; open(); conn:connect("test")
      step(); step(1); step(); engine.socket.plan.firstConnect = "ok"; step(2); step()
      conn:disconnect("by test")`);
    const all = transitions();
    expect(all.map((t) => `${t.from}>${t.to}`)).toEqual([
      "DISCONNECTED>CONNECTING",
      "CONNECTING>RECONNECTING",
      "RECONNECTING>CONNECTING",
      "CONNECTING>RECONNECTING",
      "RECONNECTING>CONNECTING",
      "CONNECTING>CONNECTED",
      "CONNECTED>DISCONNECTED",
    ]);
    for (const t of all) expect(t.reason.length).toBeGreaterThan(0);
    expect(all[6]!.reason).toBe("by test");
  });
});
