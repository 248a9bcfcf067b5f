/**
 * What the console shows of the connection: a receiver that accepts and closes every
 * connection prints a handful of lines, as a receiver that is down does.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { LiveDataApp } from "../../../src/app/app";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedTransport } from "../fakes/scripted-transport";

let clock: ManualClock;
let transport: ScriptedTransport;
let lines: string[];
let app: LiveDataApp;

/** Runs frames of 50 ms for `seconds`. */
function run(this: void, seconds: number): void {
  const end = clock.now() + seconds;
  while (clock.now() < end) {
    clock.advance(0.05);
    app.update();
  }
}

beforeEach(() => {
  clock = new ManualClock();
  transport = new ScriptedTransport();
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

describe("connection messages", () => {
  it("a receiver that closes every connection at once prints a handful of lines", () => {
    transport.plan.closesWith = "closed";
    app.start();
    run(120);
    expect(transport.opens).toBeGreaterThanOrEqual(8);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines[0]).toContain("connected to 127.0.0.1:9876");
    expect(lines[1]).toContain("lost the connection to 127.0.0.1:9876 before it proved stable");

    // The receiver recovers: the streak is summarised once the connection has proved itself.
    transport.plan.closesWith = undefined;
    const before = lines.length;
    run(60);
    expect(app.connection.state()).toBe("CONNECTED");
    expect(lines.length - before).toBe(2);
    expect(lines[before]).toMatch("repeated .* more: lost the connection");
    expect(lines[before + 1]).toContain("connected to 127.0.0.1:9876 (stayed up for 10 s)");
  });

  it("a proven connection that drops is reported, and the reconnection at once", () => {
    app.start();
    run(20);
    transport.peerError = "closed";
    run(5);
    expect(app.connection.state()).toBe("CONNECTED");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain("connected to");
    expect(lines[1]).toContain("lost the connection to 127.0.0.1:9876: connection closed");
    expect(lines[2]).toContain("connected to");
  });
});
