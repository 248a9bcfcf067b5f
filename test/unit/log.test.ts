/** Levels, prefix, timestamps and the two rate limits of the logger, on a manual clock. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LUA_VMS } from "../support/lua-vm.ts";
import { Lab } from "./lab.ts";

describe.each(LUA_VMS)("logger under $name", ({ create }) => {
  let lab: Lab;
  beforeEach(() => {
    lab = new Lab(create()).loadModules();
    lab.exec(`
      lines = {}
      function newLogger(options)
        local o = { sink = function(line) lines[#lines + 1] = line end, clock = clock,
          stamp = function() return "12:34:56" end, level = "info" }
        for k, v in pairs(options or {}) do o[k] = v end
        log = New(req("src.app.log").Logger, o)
        return log
      end`);
  });
  afterEach(() => lab.close());
  const lines = () => lab.lua<string[] | Record<string, never>>("return lines");

  it("prefixes and timestamps every line and labels warnings and errors", () => {
    lab.exec(`newLogger(); log:info("hello"); log:warn("careful"); log:error("broken")`);
    expect(lines()).toEqual([
      "[Live Data Export] 12:34:56 hello",
      "[Live Data Export] 12:34:56 warning: careful",
      "[Live Data Export] 12:34:56 error: broken",
    ]);
  });

  it("filters by level and can change level at run time", () => {
    lab.exec(`newLogger({ level = "warn" }); log:info("no"); log:debug("no"); log:warn("yes")
      log:setLevel("debug"); log:debug("now yes")`);
    expect(lines()).toEqual([
      "[Live Data Export] 12:34:56 warning: yes",
      "[Live Data Export] 12:34:56 debug: now yes",
    ]);
  });

  it("prints a repeating message once per streak and summarises the repeats", () => {
    lab.exec(`newLogger()
      for i = 1, 50 do log:repeating("warn", "refused", "connection refused " .. i); clock:advance(1) end
      log:endStreak(); log:info("connected")`);
    expect(lines()).toEqual([
      "[Live Data Export] 12:34:56 warning: connection refused 1",
      "[Live Data Export] 12:34:56 warning: (the last message repeated 49 times more: connection refused 50)",
      "[Live Data Export] 12:34:56 connected",
    ]);
  });

  it("reminds of a long streak once per reminder interval", () => {
    lab.exec(`newLogger({ reminderInterval = 60 })
      for i = 1, 150 do log:repeating("warn", "refused", "refused"); clock:advance(1) end`);
    expect(lines()).toEqual([
      "[Live Data Export] 12:34:56 warning: refused",
      "[Live Data Export] 12:34:56 warning: refused (60 times since the last report)",
      "[Live Data Export] 12:34:56 warning: refused (60 times since the last report)",
    ]);
  });

  it("starts a new streak when the message key changes", () => {
    lab.exec(`newLogger()
      log:repeating("warn", "a", "A"); log:repeating("warn", "a", "A"); log:repeating("warn", "b", "B")`);
    expect(lines()).toEqual([
      "[Live Data Export] 12:34:56 warning: A",
      "[Live Data Export] 12:34:56 warning: (the last message repeated once more: A)",
      "[Live Data Export] 12:34:56 warning: B",
    ]);
  });

  it("never rate-limits replies to commands", () => {
    lab.exec(`newLogger({ burst = 1 }); for i = 1, 30 do log:reply("r" .. i) end`);
    expect((lines() as string[]).length).toBe(30);
    expect((lines() as string[])[0]).toBe("[Live Data Export] r1");
  });
});
