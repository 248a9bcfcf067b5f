/** The logger's lines: prefix, timestamp, level labels, level filter, streaks and replies. */
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
