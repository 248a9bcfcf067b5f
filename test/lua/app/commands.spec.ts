/** Parsing `/livedata` commands: every command, its errors, and the settings' rules. */
import { describe, expect, it } from "../framework";
import { Command, COMMANDS, parseCommand, splitWords } from "../../../src/app/commands";
import { Config, defaultConfig } from "../../../src/app/settings";

interface Outcome {
  command?: Command;
  problem?: string;
}

function parse(this: void, line: string, config: Config = defaultConfig()): Outcome {
  const [command, problem] = parseCommand(splitWords(line), config);
  return { command, problem };
}

describe("parseCommand", () => {
  it("reads the actions, and help for nothing or ?", () => {
    for (const kind of ["status", "connect", "disconnect", "reset", "help"]) {
      expect(parse(kind).command).toEqual({ kind });
    }
    expect(parse("").command).toEqual({ kind: "help" });
    expect(parse("?").command).toEqual({ kind: "help" });
    expect(parse("STATUS").command).toEqual({ kind: "status" });
  });

  it("turns every setting command into its change", () => {
    const cases: Array<[string, object]> = [
      ["sethost 10.0.0.5", { host: "10.0.0.5" }],
      ["sethost my-pc.lan", { host: "my-pc.lan" }],
      ["setport 9000", { port: 9000 }],
      ["autoreconnect off", { autoReconnect: false }],
      ["timeout 0.7", { connectTimeout: 0.7 }],
      ["silence 20", { silenceTimeout: 20 }],
      ["silence off", { silenceTimeout: 0 }],
      ["interval 250", { sendInterval: 250 }],
      ["interval off", { sendInterval: 0 }],
      ["budget 0.25", { frameBudget: 0.25 }],
      ["verbose DEBUG", { logLevel: "debug" }],
      ["loglevel warn", { logLevel: "warn" }],
      ["indicator off", { showIndicator: false }],
      ["indicator top-left", { indicatorCorner: "top-left", showIndicator: true }],
      ["retry 2 10", { retryInitialDelay: 2, retryMaxDelay: 10 }],
      ["set connectTimeout 2", { connectTimeout: 2 }],
      ["set frameBudget 1", { frameBudget: 1 }],
      ["set indicatorcorner top-right", { indicatorCorner: "top-right" }],
      ["collect positions on", { positions: true }],
      ["collect Damage YES", { damage: true }],
      ["collect events off", { events: false }],
      ["collect economy 2", { economySeconds: 2 }],
      ["collect reconcile 30", { reconcileSeconds: 30 }],
      ["set positionsSeconds 0.5", { positionsSeconds: 0.5 }],
    ];
    for (const [line, changes] of cases) {
      expect(parse(line)).toEqual({ command: { kind: "set", changes } });
    }
  });

  it("keeps the maximum retry delay when only the first is given, raised to it if below", () => {
    const config = { ...defaultConfig(), retryMaxDelay: 10 };
    expect(parse("retry 2", config).command).toEqual({
      kind: "set",
      changes: { retryInitialDelay: 2, retryMaxDelay: 10 },
    });
    expect(parse("retry 40", config).command).toEqual({
      kind: "set",
      changes: { retryInitialDelay: 40, retryMaxDelay: 40 },
    });
  });

  it("routes set enabled to connect and disconnect", () => {
    expect(parse("set enabled off").command).toEqual({ kind: "disconnect" });
    expect(parse("set enabled on").command).toEqual({ kind: "connect" });
  });

  const errors: Array<[string, string]> = [
    [
      "setport 0",
      "setport: port 0 is not a whole number from 1 to 65535 (usage: /livedata setport <1-65535>)",
    ],
    [
      "setport 70000",
      "setport: port 70000 is not a whole number from 1 to 65535 (usage: /livedata setport <1-65535>)",
    ],
    [
      "setport abc",
      'setport: "abc" is not a port number (1-65535) (usage: /livedata setport <1-65535>)',
    ],
    ["setport", "setport: the port is missing (usage: /livedata setport <1-65535>)"],
    ["setport 1 2", "setport: give one value, not 2 (usage: /livedata setport <1-65535>)"],
    ["sethost", "sethost: the host is missing (usage: /livedata sethost <host>)"],
    [
      "sethost 1.2.3.4.5",
      'sethost: "1.2.3.4.5" is not a valid IPv4 address (four numbers 0-255 separated by dots) (usage: /livedata sethost <host>)',
    ],
    [
      "sethost -",
      'sethost: "-" is not a hostname or IPv4 address: a part cannot start or end with a hyphen (usage: /livedata sethost <host>)',
    ],
    [
      "sethost ...",
      'sethost: "..." is not a hostname or IPv4 address: it has an empty part between dots (usage: /livedata sethost <host>)',
    ],
    ["timeout -1", 'timeout: "-1" is not a number of seconds (usage: /livedata timeout <seconds>)'],
    ["timeout 0.1", "timeout: 0.1 is outside 0.5-120 seconds (usage: /livedata timeout <seconds>)"],
    ["timeout", "timeout: the connect timeout is missing (usage: /livedata timeout <seconds>)"],
    [
      "silence 1",
      "silence: 1 is outside 0 (off) or 3-600 seconds (usage: /livedata silence <seconds|off>)",
    ],
    [
      "budget 3",
      "budget: 3 is outside 0.1-2 milliseconds (usage: /livedata budget <milliseconds>)",
    ],
    // What the player typed is echoed as typed, not as the number it became.
    [
      `setport ${string.rep("9", 400)}`,
      `setport: port ${string.rep("9", 40)}... is not a whole number from 1 to 65535 (usage: /livedata setport <1-65535>)`,
    ],
    [
      "budget 0.000000000000000000000000000000000000000000001",
      "budget: 0.00000000000000000000000000000000000000... is outside 0.1-2 milliseconds (usage: /livedata budget <milliseconds>)",
    ],
    [
      `sethost ${string.rep("x", 100)}!`,
      `sethost: "${string.rep("x", 40)}..." is not a hostname or IPv4 address (letters, digits, hyphens and dots only; IPv6 is not supported by the engine) (usage: /livedata sethost <host>)`,
    ],
    [
      `nosuchcommand${string.rep("z", 100)}`,
      `unknown command "nosuchcommand${string.rep("z", 27)}...": type /livedata help for the list`,
    ],
    [
      "autoreconnect maybe",
      'autoreconnect: "maybe" is not on or off (usage: /livedata autoreconnect on|off)',
    ],
    [
      "verbose loud",
      "verbose: the level must be one of error, warn, info, debug (usage: /livedata verbose <level>)",
    ],
    [
      "loglevel loud",
      "verbose: the level must be one of error, warn, info, debug (usage: /livedata verbose <level>)",
    ],
    ["retry", "retry: the first retry delay is missing (usage: /livedata retry <first> [max])"],
    [
      "retry 0",
      "retry: first delay: 0 is outside 0.1-60 seconds (usage: /livedata retry <first> [max])",
    ],
    [
      "retry 1 0.5",
      "retry: maximum delay: 0.5 is outside 1-600 seconds (usage: /livedata retry <first> [max])",
    ],
    [
      "retry 5 2",
      "retry: the maximum retry delay (2 s) is below the initial delay (5 s) (usage: /livedata retry <first> [max])",
    ],
    ["retry 1 2 3", "retry: give at most two delays (usage: /livedata retry <first> [max])"],
    [
      "indicator middle",
      "indicator: say on, off or a corner (top-left, top-right, bottom-left, bottom-right) (usage: /livedata indicator on|off or /livedata indicator <corner>)",
    ],
    ["status now", 'status: takes no argument, got "now" (usage: /livedata status)'],
    [
      "collect",
      "collect: name a category: economy, units, stats, events, unitdefs, positions, damage, reconcile (usage: /livedata collect <category> on|off or /livedata collect <category> <seconds>)",
    ],
    [
      "collect weather on",
      'collect: unknown category "weather": one of economy, units, stats, events, unitdefs, positions, damage, reconcile (usage: /livedata collect <category> on|off or /livedata collect <category> <seconds>)',
    ],
    [
      "collect positions",
      "collect: say on, off or a number of seconds for positions (usage: /livedata collect <category> on|off or /livedata collect <category> <seconds>)",
    ],
    [
      "collect economy 0.5",
      "collect: economy interval: 0.5 is outside 1-3600 seconds (usage: /livedata collect <category> on|off or /livedata collect <category> <seconds>)",
    ],
    [
      "collect events 5",
      "collect: events has no interval: say on or off (usage: /livedata collect <category> on|off or /livedata collect <category> <seconds>)",
    ],
    [
      "collect reconcile off",
      "collect: reconcile has no switch, only an interval (usage: /livedata collect <category> on|off or /livedata collect <category> <seconds>)",
    ],
    [
      "collect units on now",
      "collect: give one value, not 2 (usage: /livedata collect <category> on|off or /livedata collect <category> <seconds>)",
    ],
    [
      "set unitsSeconds fast",
      'set: unitsSeconds: "fast" is not a number of seconds (usage: /livedata set <setting> <value>)',
    ],
    [
      "set",
      "set: name a setting: host, port, enabled, autoReconnect, retryInitialDelay, retryMaxDelay, connectTimeout, silenceTimeout, sendInterval, frameBudget, detail, economy, units, stats, events, unitdefs, positions, damage, economySeconds, unitsSeconds, statsSeconds, positionsSeconds, damageSeconds, reconcileSeconds, keyframeSeconds, backlogKiB, token, logLevel, showIndicator, indicatorCorner (usage: /livedata set <setting> <value>)",
    ],
    [
      "set retryMaxDelay 0.5",
      "set: retryMaxDelay: 0.5 is outside 1-600 seconds (usage: /livedata set <setting> <value>)",
    ],
    ["frobnicate", 'unknown command "frobnicate": type /livedata help for the list'],
  ];
  for (const [line, message] of errors) {
    it(`refuses "${line}" with a clear message`, () => {
      expect(parse(line)).toEqual({ problem: message });
    });
  }

  it("checks a change against the rules between settings, with the current values", () => {
    const config = { ...defaultConfig(), retryInitialDelay: 5 };
    expect(parse("set retryMaxDelay 2", config)).toEqual({
      problem:
        "set: the maximum retry delay (2 s) is below the initial delay (5 s) (usage: /livedata set <setting> <value>)",
    });
    expect(parse("set retryMaxDelay 5", config).command).toEqual({
      kind: "set",
      changes: { retryMaxDelay: 5 },
    });
  });

  it("never repeats a command's name at the start of its message", () => {
    // Every command, given a word it cannot take.
    for (const spec of COMMANDS) {
      const { problem } = parse(`${spec.name} %%bad%% %%words%% %%here%%`);
      expect(problem).toBeDefined();
      expect(problem).toMatch(`^${spec.name}: `);
      expect(problem).not.toMatch(`^${spec.name}: [^:]*${spec.name}: `);
    }
  });
});

describe("splitWords", () => {
  it("splits on runs of white space", () => {
    expect(splitWords("  retry   2\t10 ")).toEqual(["retry", "2", "10"]);
    expect(splitWords("")).toEqual([]);
  });
});
