/**
 * A connection whose receiver stops answering is closed and retried (issue 14, item 5),
 * driven through the real LuaSocket transport over scripted sockets and a manual clock.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedSocketLib } from "../fakes/scripted-socket";
import { Connection, ConnectionSettings, Transition } from "../../../src/link/connection";
import { LuaSocketTransport } from "../../../src/engine/luasocket-transport";

let clock: ManualClock;
let lib: ScriptedSocketLib;
let transitions: Transition[];
let conn: Connection;

function open(settings: Partial<ConnectionSettings> = {}): void {
  const transport = new LuaSocketTransport(lib.asLibrary(), clock, false, 1024);
  conn = new Connection(
    transport,
    clock,
    {
      host: "127.0.0.1",
      port: 9876,
      autoReconnect: true,
      retryInitialDelay: 1,
      retryMaxDelay: 30,
      connectTimeout: 5,
      silenceTimeout: 15,
      ...settings,
    },
    { onTransition: (t) => transitions.push(t) },
  );
}

/** One frame after `seconds`. */
function step(seconds = 0): void {
  clock.advance(seconds);
  conn.update();
}

/** Connects: the first connect answers at once. */
function connectNow(): void {
  lib.plan.firstConnect = "ok";
  conn.connect("test");
  step();
  expect(conn.state()).toBe("CONNECTED");
}

describe("liveness of a connection", () => {
  beforeEach(() => {
    clock = new ManualClock(100);
    lib = new ScriptedSocketLib();
    transitions = [];
  });

  it("closes and retries a connection whose receiver answered, then went silent while owed an answer", () => {
    open({ silenceTimeout: 15 });
    connectNow();
    const sock = lib.last!;
    sock.inbox = "ack\n";
    step(0.25);
    conn.send("data\n");
    step(0.25);
    expect(sock.sent).toContain("data\n");
    step(14.75);
    expect(conn.state()).toBe("CONNECTED");
    step(0.25);
    expect(conn.state()).toBe("RECONNECTING");
    const last = transitions[transitions.length - 1];
    expect(last.from).toBe("CONNECTED");
    expect(last.reason).toContain("stopped answering");
    expect(last.reason).toContain("15 s");
    step();
    expect(sock.closed).toBe(true);
    expect(lib.created).toBe(1);
    step(1);
    expect(lib.created).toBe(2);
  });

  it("keeps a connection whose receiver keeps answering", () => {
    open({ silenceTimeout: 15 });
    connectNow();
    const sock = lib.last!;
    for (let i = 0; i < 600; i++) {
      conn.send(`line ${i}\n`);
      step(0.1);
      sock.inbox = "ack\n";
    }
    expect(conn.state()).toBe("CONNECTED");
  });

  it("never judges a receiver that has not sent anything (a phase-1 receiver)", () => {
    open({ silenceTimeout: 15 });
    connectNow();
    for (let i = 0; i < 100; i++) {
      conn.send(`line ${i}\n`);
      step(1);
    }
    expect(conn.state()).toBe("CONNECTED");
  });

  it("judges from 15 s when no timeout is given, and not at all with 0", () => {
    open();
    connectNow();
    lib.last!.inbox = "ack\n";
    step();
    conn.send("x\n");
    step();
    step(14.75);
    expect(conn.state()).toBe("CONNECTED");
    step(0.25);
    expect(conn.state()).toBe("RECONNECTING");

    transitions = [];
    open({ silenceTimeout: 0 });
    connectNow();
    lib.last!.inbox = "ack\n";
    step();
    conn.send("x\n");
    step();
    step(1000);
    expect(conn.state()).toBe("CONNECTED");
  });

  it("applies a new silence timeout to the current connection", () => {
    open({ silenceTimeout: 0 });
    connectNow();
    lib.last!.inbox = "ack\n";
    step();
    conn.send("x\n");
    step();
    conn.configure({
      autoReconnect: true,
      retryInitialDelay: 1,
      retryMaxDelay: 30,
      connectTimeout: 5,
      silenceTimeout: 3,
    });
    step(3);
    expect(conn.state()).toBe("RECONNECTING");
  });
});
