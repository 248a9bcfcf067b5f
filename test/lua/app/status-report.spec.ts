/** The settings in the status report and the help text. */
import { describe, expect, it } from "../framework";
import { COMMANDS } from "../../../src/app/commands";
import { helpLines, settingsLines } from "../../../src/app/status-report";
import { defaultConfig } from "../../../src/app/settings";

describe("settingsLines", () => {
  it("lists the settings by group, formatted for people", () => {
    expect(settingsLines(defaultConfig())).toEqual([
      "connection settings: auto-reconnect on, first retry delay 1 s, maximum retry delay 30 s, connect timeout 5 s, silence timeout 15 s, send interval 100 ms",
      "frame settings: frame budget 0.5 ms",
      "collection settings: detail standard, economy on, unit counts on, statistics on, events on, unit definitions on, positions off, damage off, economy interval 1 s, unit counts interval 1 s, statistics interval 5 s, positions interval 1 s, damage interval 1 s, unit count check interval 10 s",
      "delivery settings: keyframe snapshot interval 60 s, backlog bound 4096 KiB, token off",
      "display settings: log level info, status line on, status line corner bottom-right",
    ]);
  });

  it("shows the engine's float values as typed", () => {
    const config = {
      ...defaultConfig(),
      retryInitialDelay: 0.30000001192092896,
      retryMaxDelay: 1.7000000476837158,
      connectTimeout: 0.699999988079071,
      silenceTimeout: 0,
      sendInterval: 0,
      frameBudget: 0.10000000149011612,
    };
    const text = settingsLines(config).join("\n");
    expect(text).toContain(
      "first retry delay 0.3 s, maximum retry delay 1.7 s, connect timeout 0.7 s, silence timeout off, send interval off",
    );
    expect(text).toContain("frame budget 0.1 ms");
  });
});

describe("helpLines", () => {
  it("gives one line per usage of every command", () => {
    const lines = helpLines();
    let usages = 0;
    for (const spec of COMMANDS) {
      for (const entry of spec.help) {
        usages += 1;
        expect(lines).toContain(`  ${entry.usage}: ${entry.summary}`);
      }
    }
    expect(lines).toHaveLength(usages + 1);
    expect(lines[0]).toBe("commands (type /livedata <command>):");
  });

  it("includes the commands of the settings that declare one", () => {
    const text = helpLines().join("\n");
    expect(text).toContain("  silence <seconds|off>: ");
    expect(text).toContain("  budget <milliseconds>: ");
    expect(text).toContain("  verbose <level>: how much to print: error, warn, info, debug");
  });
});
