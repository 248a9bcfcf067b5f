/**
 * The circuit breaker of the retries, through the app as the player sees it: a
 * receiver that stays down is retried with the growing delay, then, after 20 failures
 * over at least 5 minutes, every 5 minutes, said once; `connect` tries at once and
 * starts the streak again; a success ends it. Time by the manual clock only.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { LiveDataApp } from "../../../src/app/app";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedTransport } from "../fakes/scripted-transport";

let clock: ManualClock;
let transport: ScriptedTransport;
let lines: string[];
let app: LiveDataApp;

/** Frames of 0.5 s until `opens` attempts have been made (at most `limit` seconds). */
function untilAttempts(this: void, opens: number, limit = 100000): void {
  const start = clock.now();
  while (transport.opens < opens && clock.now() - start < limit) {
    clock.advance(0.5);
    app.update();
  }
}

const slowLines = () =>
  lines.filter((l) => string.find(l, "trying every", 1, true)[0] !== undefined);

beforeEach(() => {
  clock = new ManualClock(0);
  transport = new ScriptedTransport();
  transport.openStatus = "failed";
  lines = [];
  app = new LiveDataApp({
    transport,
    clock,
    echo: (line) => {
      lines.push(line);
    },
    stamp: () => "12:00:00",
  });
  app.start();
});

describe("the retries slow down after many failures", () => {
  it("after 20 failures over 5 minutes: every 5 minutes, said once", () => {
    untilAttempts(20);
    // 1 + 2 + 4 + 8 + 16 + 30 x 14 s: the 20th attempt comes 7 min 31 s in.
    expect(clock.now()).toBeCloseTo(451, 0);
    expect(app.connection.diagnostics().slowedRetries).toBe(true);
    expect(app.connection.retryIn()).toBe(300);
    expect(slowLines()).toEqual([
      "[Live Data Export] 12:00:00 warning: no connection to 127.0.0.1:9876 after 20 attempts in 7 min 31 s: trying every 5 min 0 s from now on (/livedata connect tries at once)",
    ]);
    untilAttempts(23);
    expect(clock.now()).toBeCloseTo(451 + 900, 0);
    expect(slowLines()).toHaveLength(1);
  });

  it("not while 20 quick failures took less than 5 minutes", () => {
    app.handleCommand(["retry", "0.1", "1"]);
    untilAttempts(40);
    expect(app.connection.diagnostics().slowedRetries).toBe(false);
    untilAttempts(400);
    expect(app.connection.diagnostics().slowedRetries).toBe(true);
    expect(clock.now()).toBeGreaterThanOrEqual(300);
  });

  it("/livedata connect tries at once and starts the streak again", () => {
    untilAttempts(21);
    const opens = transport.opens;
    app.handleCommand(["connect"]);
    expect(transport.opens).toBe(opens + 1);
    expect(app.connection.diagnostics().slowedRetries).toBe(false);
    expect(app.connection.retryIn()).toBe(1);
  });

  it("a success ends it", () => {
    untilAttempts(21);
    transport.openStatus = "connected";
    untilAttempts(22);
    transport.inbox = "x";
    clock.advance(0.1);
    app.update();
    expect(app.connection.state()).toBe("CONNECTED");
    expect(app.connection.diagnostics().slowedRetries).toBe(false);
    expect(app.connection.diagnostics().failedAttempts).toBe(0);
  });
});
