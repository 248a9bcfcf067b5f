/**
 * The logger: its lines (prefix, timestamp, level labels, level filter, streaks and
 * replies) and its rate limiter, whose dropped-line count never takes lines of its own.
 */
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

describe("Logger lines", () => {
  it("prefixes and timestamps every line and labels warnings and errors", () => {
    const log = logger();
    log.info("hello");
    log.warn("careful");
    log.error("broken");
    expect(lines).toEqual([
      "[Live Data Export] 12:34:56 hello",
      "[Live Data Export] 12:34:56 warning: careful",
      "[Live Data Export] 12:34:56 error: broken",
    ]);
  });

  it("filters by level and can change level at run time", () => {
    const log = logger({ level: "warn" });
    log.info("no");
    log.debug("no");
    log.warn("yes");
    log.setLevel("debug");
    log.debug("now yes");
    expect(lines).toEqual([
      "[Live Data Export] 12:34:56 warning: yes",
      "[Live Data Export] 12:34:56 debug: now yes",
    ]);
  });

  it("never rate-limits replies to commands, which carry no timestamp", () => {
    const log = logger({ burst: 1 });
    for (let i = 1; i <= 30; i++) log.reply(`r${i}`);
    expect(lines).toHaveLength(30);
    expect(lines[0]).toBe("[Live Data Export] r1");
    expect(lines[29]).toBe("[Live Data Export] r30");
  });
});

describe("Logger repeating messages", () => {
  it("prints a repeating message once per streak and summarises the repeats", () => {
    const log = logger();
    for (let i = 1; i <= 50; i++) {
      log.repeating("warn", "refused", `connection refused ${i}`);
      clock.advance(1);
    }
    log.endStreak();
    log.info("connected");
    expect(lines).toEqual([
      "[Live Data Export] 12:34:56 warning: connection refused 1",
      "[Live Data Export] 12:34:56 warning: (the last message repeated 49 times more: connection refused 50)",
      "[Live Data Export] 12:34:56 connected",
    ]);
  });

  it("reminds of a long streak once per reminder interval", () => {
    const log = logger({ reminderInterval: 60 });
    for (let i = 1; i <= 150; i++) {
      log.repeating("warn", "refused", "refused");
      clock.advance(1);
    }
    expect(lines).toEqual([
      "[Live Data Export] 12:34:56 warning: refused",
      "[Live Data Export] 12:34:56 warning: refused (60 times since the last report)",
      "[Live Data Export] 12:34:56 warning: refused (60 times since the last report)",
    ]);
  });

  it("starts a new streak when the message key changes", () => {
    const log = logger();
    log.repeating("warn", "a", "A");
    log.repeating("warn", "a", "A");
    log.repeating("warn", "b", "B");
    expect(lines).toEqual([
      "[Live Data Export] 12:34:56 warning: A",
      "[Live Data Export] 12:34:56 warning: (the last message repeated once more: A)",
      "[Live Data Export] 12:34:56 warning: B",
    ]);
  });
});
