/**
 * Name lookups: at most one per request of the player, never one per retry; literals
 * need none (issue 14, item 7). The resolver is injected and counts its lookups.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedSocketLib } from "../fakes/scripted-socket";
import { Connection, Transition } from "../../../src/link/connection";
import { LuaSocketTransport } from "../../../src/engine/luasocket-transport";
import { HostAddresses, literalAddress, Resolver } from "../../../src/link/resolver";

/** Answers from a table, counting every lookup and what was asked. */
class CountingResolver implements Resolver {
  readonly asked: string[] = [];
  readonly names = new LuaTable<string, string>();

  lookup(name: string): LuaMultiReturn<[string, undefined] | [undefined, string]> {
    this.asked.push(name);
    const ip = this.names.get(name);
    if (ip === undefined) return $multi(undefined, "host not found");
    return $multi(ip, undefined);
  }
}

let clock: ManualClock;
let lib: ScriptedSocketLib;
let resolver: CountingResolver;
let events: string[];
let transitions: Transition[];
let conn: Connection;

function open(host: string): void {
  conn = new Connection(
    new LuaSocketTransport(lib.asLibrary(), clock, false, 1024),
    clock,
    {
      host,
      port: 9876,
      autoReconnect: true,
      retryInitialDelay: 1,
      retryMaxDelay: 30,
      connectTimeout: 5,
      silenceTimeout: 15,
    },
    {
      onTransition: (t) => transitions.push(t),
      onLookupStart: (h) => events.push(`start ${h} after ${resolver.asked.length}`),
      onLookupDone: (h, address, err) => events.push(`done ${h} ${address ?? err}`),
    },
    { resolver },
  );
}

function step(seconds = 0): void {
  clock.advance(seconds);
  conn.update();
}

/** Runs until `attempts` more sockets were made (each refused at once). */
function failAttempts(attempts: number): void {
  const target = lib.created + attempts;
  for (let i = 0; i < 10000 && lib.created < target; i++) step(0.5);
  expect(lib.created).toBe(target);
}

describe("name lookups", () => {
  beforeEach(() => {
    clock = new ManualClock();
    lib = new ScriptedSocketLib();
    resolver = new CountingResolver();
    resolver.names.set("receiver.lan", "10.0.0.5");
    resolver.names.set("other.lan", "10.0.0.6");
    events = [];
    transitions = [];
  });

  it("looks a name up once, announced, and connects by its address on every retry", () => {
    lib.plan.firstConnect = "connection refused";
    open("receiver.lan");
    conn.connect("widget started");
    expect(resolver.asked).toEqual(["receiver.lan"]);
    expect(events).toEqual(["start receiver.lan after 0", "done receiver.lan 10.0.0.5"]);
    failAttempts(6);
    expect(resolver.asked).toHaveLength(1);
    for (const s of lib.sockets) {
      // the newest socket may not have been connected yet
      if (s.connectCalls > 0) expect(s.host).toBe("10.0.0.5");
    }
    expect(conn.diagnostics().lookups).toBe(1);
    expect(conn.diagnostics().host).toBe("receiver.lan");
  });

  it("looks up again when the player asks: connect, or a new host", () => {
    lib.plan.firstConnect = "connection refused";
    open("receiver.lan");
    conn.connect("widget started");
    failAttempts(2);
    step();
    expect(conn.state()).toBe("RECONNECTING");
    conn.connect("connect command");
    expect(resolver.asked).toEqual(["receiver.lan", "receiver.lan"]);
    conn.setAddress("other.lan", 9876);
    expect(resolver.asked).toEqual(["receiver.lan", "receiver.lan", "other.lan"]);
    step();
    expect(lib.last!.host).toBe("10.0.0.6");
    failAttempts(3);
    expect(resolver.asked).toHaveLength(3);
  });

  it("keeps the answer when only the port changes", () => {
    open("receiver.lan");
    conn.connect("widget started");
    conn.setAddress("receiver.lan", 9000);
    expect(resolver.asked).toHaveLength(1);
    step();
    expect(lib.last!.port).toBe(9000);
  });

  it("needs no lookup for an IPv4 address or localhost", () => {
    open("localhost");
    conn.connect("widget started");
    step();
    expect(lib.last!.host).toBe("127.0.0.1");
    conn.setAddress("192.168.1.20", 9876);
    step();
    expect(lib.last!.host).toBe("192.168.1.20");
    expect(resolver.asked).toHaveLength(0);
    expect(events).toHaveLength(0);
  });

  it("stops with ERROR when the lookup fails, and looks up again only when asked", () => {
    open("nowhere.lan");
    conn.connect("widget started");
    expect(conn.state()).toBe("ERROR");
    const last = transitions[transitions.length - 1];
    expect(last.reason).toContain("cannot look up nowhere.lan");
    expect(last.reason).toContain("/livedata connect");
    expect(lib.created).toBe(0);
    for (let i = 0; i < 100; i++) step(1);
    expect(resolver.asked).toHaveLength(1);
    expect(lib.created).toBe(0);
    resolver.names.set("nowhere.lan", "10.0.0.9");
    conn.connect("connect command");
    expect(resolver.asked).toHaveLength(2);
    expect(conn.state()).toBe("CONNECTING");
    step();
    expect(lib.last!.host).toBe("10.0.0.9");
  });

  it("passes hosts through unchanged without a resolver", () => {
    const addresses = new HostAddresses(undefined, {});
    const [address] = addresses.addressOf("receiver.lan");
    expect(address).toBe("receiver.lan");
  });

  it("recognises literals only", () => {
    expect(literalAddress("10.1.2.3")).toBe("10.1.2.3");
    expect(literalAddress("LocalHost")).toBe("127.0.0.1");
    expect(literalAddress("localhost.lan")).toBeUndefined();
    expect(literalAddress("10.1.2")).toBeUndefined();
  });
});
