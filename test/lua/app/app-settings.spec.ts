/**
 * Settings changed through the app as the player does: replies in people's numbers,
 * bad input changing nothing, the changes reaching the connection, and the
 * allow-list hint naming the configured address.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { LiveDataApp } from "../../../src/app/app";
import type { ConnectStatus, Transport } from "../../../src/link/transport";
import type { ConnectionSettings } from "../../../src/link/connection";
import { ManualClock } from "../fakes/manual-clock";

/** A transport whose every attempt ends as `answer` says (pending by default). */
class AnsweringTransport implements Transport {
  answer: [ConnectStatus, string | undefined] = ["pending", undefined];
  opened: string[] = [];
  open(host: string, port: number): LuaMultiReturn<[ConnectStatus, string | undefined]> {
    this.opened.push(`${host}:${port}`);
    return $multi("pending", undefined);
  }
  checkConnect(): LuaMultiReturn<[ConnectStatus, string | undefined]> {
    return $multi(this.answer[0], this.answer[1]);
  }
  receive(): LuaMultiReturn<[string, string | undefined]> {
    return $multi("", undefined);
  }
  send(data: string): LuaMultiReturn<[number, string | undefined]> {
    return $multi(data.length, undefined);
  }
  close(): void {}
  release(): void {}
  finishClosing(): void {}
}

let transport: AnsweringTransport;
let clock: ManualClock;
let lines: string[];
let app: LiveDataApp;

function type(this: void, line: string): string | undefined {
  const words: string[] = [];
  for (const [word] of string.gmatch(line, "%S+")) words.push(word);
  const before = lines.length;
  app.handleCommand(words);
  return lines.length > before ? lines[lines.length - 1] : undefined;
}

function frames(this: void, n: number): void {
  for (let i = 0; i < n; i++) {
    clock.advance(1 / 60);
    app.update();
  }
}

beforeEach(() => {
  transport = new AnsweringTransport();
  clock = new ManualClock(0);
  lines = [];
  app = new LiveDataApp({
    transport,
    clock,
    echo: (line) => {
      lines.push(line);
    },
    stamp: () => "12:00:00",
  });
});

describe("changing settings by command", () => {
  it("replies with the values as people write them", () => {
    expect(type("retry 0.3 1.7")).toBe(
      "[Live Data Export] first retry delay 0.3 s, maximum retry delay 1.7 s",
    );
    expect(type("timeout 0.7")).toBe("[Live Data Export] connect timeout 0.7 s");
    expect(type("silence off")).toBe("[Live Data Export] silence timeout off");
    expect(type("budget 1.25")).toBe("[Live Data Export] frame budget 1.25 ms");
    expect(type("indicator top-left")).toBe("[Live Data Export] status line corner top-left");
    expect(type("sethost 10.0.0.5")).toBe("[Live Data Export] receiver set to 10.0.0.5:9876");
  });

  it("says when a value is already set and changes nothing", () => {
    const before = app.saved();
    expect(type("timeout 5")).toBe("[Live Data Export] already set: connect timeout 5 s");
    expect(app.saved()).toEqual(before);
  });

  it("changes nothing on bad input, and says why", () => {
    app.start();
    const before = app.saved();
    for (const line of ["setport 0", "sethost 1.2.3.4.5", "sethost -", "retry 5 2", "budget 9"]) {
      expect(type(line)).toMatch("^%[Live Data Export%] %a+: ");
      expect(app.saved()).toEqual(before);
    }
    expect(transport.opened).toEqual(["127.0.0.1:9876"]);
  });

  it("hands the connection its settings, the silence timeout among them", () => {
    type("silence 20");
    type("timeout 2");
    // The connection keeps its settings private; this reads them to see what it got.
    const settings = (app.connection as unknown as { settings: ConnectionSettings }).settings;
    expect(settings.silenceTimeout).toBe(20);
    expect(settings.connectTimeout).toBe(2);
  });

  it("gives the scheduler the frame budget, at start and when it changes", () => {
    expect(app.scheduler.costReport().budgetUs).toBe(500);
    type("budget 1.5");
    expect(app.scheduler.costReport().budgetUs).toBe(1500);
    type("budget 9");
    expect(app.scheduler.costReport().budgetUs).toBe(1500);
  });

  it("keeps the new settings across a save and a load", () => {
    type("budget 0.2");
    type("sethost pc.lan");
    const saved = app.saved();
    const other = new LiveDataApp({ transport, clock, echo: () => {}, stamp: () => "" });
    other.loadSaved(saved);
    expect(other.config.frameBudget).toBe(0.2);
    expect(other.config.host).toBe("pc.lan");
  });

  it("reset restores the defaults but keeps whether a connection is wanted", () => {
    type("disconnect");
    type("budget 2");
    type("reset");
    expect(app.config.frameBudget).toBe(0.5);
    expect(app.config.enabled).toBe(false);
  });
});

describe("the allow-list hint", () => {
  it("suggests the configured address, not the default one", () => {
    transport.answer = ["failed", "connect denied"];
    app.loadSaved({ host: "192.168.1.20", port: 4000 });
    app.start();
    frames(3);
    expect(app.connection.state()).toBe("ERROR");
    const text = lines.join("\n");
    expect(text).toContain("TCPAllowConnect = 192.168.1.20:4000");
    expect(text).not.toContain("127.0.0.1:9876");
  });
});
