/** The logger's rate limiter: its dropped-line count never takes lines of its own. */
import { beforeEach, describe, expect, it } from "../framework";
import { Logger, LoggerOptions } from "../../../src/app/log";
import { ManualClock } from "../fakes/manual-clock";

let clock: ManualClock;
let lines: string[];

function logger(this: void, options: Partial<LoggerOptions> = {}): Logger {
  return new Logger({
    sink: (line) => {
      lines.push(line);
    },
    clock,
    stamp: () => "12:34:56",
    level: "info",
    ...options,
  });
}

beforeEach(() => {
  clock = new ManualClock();
  lines = [];
});

describe("Logger rate limit", () => {
  it("caps a burst and tells how many lines it dropped on the next line it lets through", () => {
    const log = logger({ burst: 5, refillPerSecond: 1 });
    for (let i = 1; i <= 100; i++) log.info(`line ${i}`);
    clock.advance(2);
    log.info("after");
    expect(lines).toHaveLength(6);
    expect(lines[4]).toBe("[Live Data Export] 12:34:56 line 5");
    expect(lines[5]).toBe(
      "[Live Data Export] 12:34:56 after (95 lines before this dropped to avoid flooding the console)",
    );
  });

  it("under a steady flood, every line it prints is a real message, at the refill rate", () => {
    const log = logger({ burst: 5, refillPerSecond: 1 });
    for (let second = 0; second < 60; second++) {
      for (let i = 1; i <= 10; i++) log.warn(`message ${second}.${i}`);
      clock.advance(1);
    }
    expect(lines.length).toBeGreaterThanOrEqual(60);
    expect(lines.length).toBeLessThanOrEqual(5 + 60);
    for (const line of lines) {
      expect(line).toMatch("^%[Live Data Export%] 12:34:56 warning: message %d+%.%d+");
    }
  });
});

describe("Logger streaks", () => {
  it("tells the key of the streak in progress, until it ends", () => {
    const log = logger();
    expect(log.streak()).toBeUndefined();
    log.repeating("warn", "flap:closed", "lost");
    expect(log.streak()).toBe("flap:closed");
    log.endStreak();
    expect(log.streak()).toBeUndefined();
  });
});
