/**
 * Parses what the player typed after `/livedata`. Pure: it turns words into a
 * command or a clear message, and never changes anything itself.
 *
 * Every setting with a `command` in settings.ts gets a one-word command from it;
 * `set <setting> <value>` reaches every setting; the commands below that set several
 * settings at once (retry, indicator) or act (status, connect, ...) are written out.
 */
import { quoteInput } from "./format";
import { INDICATOR_CORNERS } from "./indicator";
import { Parsed, parseSwitch } from "./setting-kinds";
import {
  checkRules,
  Config,
  findSetting,
  SETTING_LIST,
  SETTINGS,
  SettingKey,
  SomeSetting,
} from "./settings";

/** Settings to change, with values already checked one by one and together. */
export type SettingChanges = Partial<Config>;

export type Command =
  | { kind: "help" }
  | { kind: "status" }
  | { kind: "connect" }
  | { kind: "disconnect" }
  | { kind: "reset" }
  | { kind: "set"; changes: SettingChanges };

export interface CommandHelp {
  /** After `/livedata `: `setport <1-65535>`. */
  usage: string;
  summary: string;
}

export interface CommandSpec {
  name: string;
  aliases?: string[];
  /** Lines of `/livedata help`; the first is quoted in error messages. */
  help: CommandHelp[];
  /** The settings it changes (for the docs; `reset` changes all and lists none). */
  changes: SettingKey[];
  /** Reads the words after the command's name; the message does not name the command. */
  parse(args: string[], config: Config): Parsed<Command>;
}

const ok = (command: Command): Parsed<Command> => $multi(command, undefined);
const problem = (message: string): Parsed<Command> => $multi(undefined, message);

function setting<K extends SettingKey>(key: K): (typeof SETTINGS)[number] & { key: K } {
  for (const entry of SETTINGS) {
    if (entry.key === key) return entry as (typeof SETTINGS)[number] & { key: K };
  }
  throw `no setting ${key}`;
}

function action(name: string, summary: string, command: Command, changes: SettingKey[] = []) {
  return {
    name,
    help: [{ usage: name, summary }],
    changes,
    parse(args: string[]): Parsed<Command> {
      if (args[0] !== undefined) return problem(`takes no argument, got ${quoteInput(args[0])}`);
      return ok(command);
    },
  };
}

/** `/livedata <name> <value>` for a setting that declares a command. */
function settingCommand(entry: SomeSetting): CommandSpec | undefined {
  const declared = entry.command;
  if (declared === undefined) return undefined;
  return {
    name: declared.name,
    aliases: declared.aliases,
    help: [{ usage: `${declared.name} ${entry.kind.argument}`, summary: declared.summary }],
    changes: [entry.key],
    parse(args) {
      if (args[0] === undefined) return problem(`the ${entry.label} is missing`);
      if (args[1] !== undefined) return problem(`give one value, not ${args.length}`);
      const [value, why] = entry.kind.parse(args[0]);
      if (why !== undefined) return problem(why);
      return ok({ kind: "set", changes: { [entry.key]: value } });
    },
  };
}

const retry: CommandSpec = {
  name: "retry",
  help: [{ usage: "retry <first> [max]", summary: "retry delays in seconds (default 1 and 30)" }],
  changes: ["retryInitialDelay", "retryMaxDelay"],
  parse(args, config) {
    if (args[0] === undefined) return problem("the first retry delay is missing");
    if (args[2] !== undefined) return problem("give at most two delays");
    const [first, firstProblem] = setting("retryInitialDelay").kind.parse(args[0]);
    if (first === undefined) return problem(`first delay: ${firstProblem}`);
    // Without a maximum the current one stays, raised to the first delay if below it.
    let max = math.max(config.retryMaxDelay, first);
    if (args[1] !== undefined) {
      const [typed, maxProblem] = setting("retryMaxDelay").kind.parse(args[1]);
      if (typed === undefined) return problem(`maximum delay: ${maxProblem}`);
      max = typed;
    }
    return ok({ kind: "set", changes: { retryInitialDelay: first, retryMaxDelay: max } });
  },
};

const indicator: CommandSpec = {
  name: "indicator",
  help: [
    { usage: "indicator on|off", summary: "show or hide the status line on screen" },
    {
      usage: "indicator <corner>",
      summary: `move the status line: ${INDICATOR_CORNERS.join(", ")}`,
    },
  ],
  changes: ["showIndicator", "indicatorCorner"],
  parse(args) {
    const wrong = `say on, off or a corner (${INDICATOR_CORNERS.join(", ")})`;
    if (args[0] === undefined || args[1] !== undefined) return problem(wrong);
    const [corner] = setting("indicatorCorner").kind.parse(args[0]);
    if (corner !== undefined) {
      return ok({ kind: "set", changes: { indicatorCorner: corner, showIndicator: true } });
    }
    const on = parseSwitch(args[0]);
    if (on === undefined) return problem(wrong);
    return ok({ kind: "set", changes: { showIndicator: on } });
  },
};

/** `collect <category> on|off` and `collect <category> <seconds>`: the collection settings. */
const COLLECT_SWITCHES: Record<string, SettingKey> = {
  economy: "economy",
  units: "units",
  stats: "stats",
  events: "events",
  unitdefs: "unitdefs",
  positions: "positions",
  damage: "damage",
};
const COLLECT_RATES: Record<string, SettingKey> = {
  economy: "economySeconds",
  units: "unitsSeconds",
  stats: "statsSeconds",
  positions: "positionsSeconds",
  damage: "damageSeconds",
  reconcile: "reconcileSeconds",
};
const COLLECT_CATEGORIES = [
  "economy",
  "units",
  "stats",
  "events",
  "unitdefs",
  "positions",
  "damage",
  "reconcile",
];

/** The settings `collect` changes: the switches, then the rates. */
function collectKeys(): SettingKey[] {
  const keys: SettingKey[] = [];
  for (const table of [COLLECT_SWITCHES, COLLECT_RATES]) {
    for (const category of COLLECT_CATEGORIES) {
      const key = table[category];
      if (key !== undefined) keys.push(key);
    }
  }
  return keys;
}

const collect: CommandSpec = {
  name: "collect",
  help: [
    {
      usage: "collect <category> on|off",
      summary: "switch a category: economy, units, stats, events, unitdefs, positions, damage",
    },
    {
      usage: "collect <category> <seconds>",
      summary: "seconds between runs: economy, units, stats, positions, damage, reconcile",
    },
  ],
  changes: collectKeys(),
  parse(args) {
    const categories = COLLECT_CATEGORIES.join(", ");
    if (args[0] === undefined) return problem(`name a category: ${categories}`);
    const category = string.lower(args[0]);
    const switchKey = COLLECT_SWITCHES[category];
    const rateKey = COLLECT_RATES[category];
    if (switchKey === undefined && rateKey === undefined) {
      return problem(`unknown category "${args[0]}": one of ${categories}`);
    }
    if (args[1] === undefined) return problem(`say on, off or a number of seconds for ${category}`);
    if (args[2] !== undefined) return problem(`give one value, not ${args.length - 1}`);
    const on = parseSwitch(args[1]);
    if (on !== undefined) {
      if (switchKey === undefined) return problem(`${category} has no switch, only an interval`);
      return ok({ kind: "set", changes: { [switchKey]: on } });
    }
    if (rateKey === undefined) return problem(`${category} has no interval: say on or off`);
    const [seconds, why] = findSetting(rateKey)!.kind.parse(args[1]);
    if (why !== undefined) return problem(`${category} interval: ${why}`);
    return ok({ kind: "set", changes: { [rateKey]: seconds } });
  },
};

const set: CommandSpec = {
  name: "set",
  help: [{ usage: "set <setting> <value>", summary: "change any setting (see status)" }],
  changes: [],
  parse(args) {
    const keys = SETTING_LIST.map((entry) => entry.key).join(", ");
    if (args[0] === undefined) return problem(`name a setting: ${keys}`);
    const wanted = string.lower(args[0]);
    const entry = SETTING_LIST.find((candidate) => string.lower(candidate.key) === wanted);
    if (entry === undefined)
      return problem(`unknown setting ${quoteInput(args[0])}: one of ${keys}`);
    if (args[1] === undefined) return problem(`the ${entry.label} is missing`);
    if (args[2] !== undefined) return problem(`give one value, not ${args.length - 1}`);
    const [value, why] = entry.kind.parse(args[1]);
    if (why !== undefined) return problem(`${entry.key}: ${why}`);
    // Whether a connection is wanted is what connect and disconnect say.
    if (entry.key === "enabled") return ok({ kind: value === true ? "connect" : "disconnect" });
    return ok({ kind: "set", changes: { [entry.key]: value } });
  },
};

function buildCommands(): CommandSpec[] {
  const list: CommandSpec[] = [
    action("status", "show the connection state, diagnostics and settings", { kind: "status" }),
    action(
      "connect",
      "connect now (and reconnect automatically from now on)",
      { kind: "connect" },
      ["enabled"],
    ),
    action(
      "disconnect",
      "close the connection and stay disconnected until connect",
      { kind: "disconnect" },
      ["enabled"],
    ),
  ];
  // In the settings' order; a command that sets several settings comes at its first.
  for (const entry of SETTING_LIST) {
    const own = settingCommand(entry);
    if (own !== undefined) list.push(own);
    else if (entry.key === "retryInitialDelay") list.push(retry);
    else if (entry.key === "showIndicator") list.push(indicator);
    else if (entry.key === "economy") list.push(collect);
  }
  list.push(action("reset", "restore every setting to its default", { kind: "reset" }));
  list.push(set);
  list.push(action("help", "this list", { kind: "help" }));
  return list;
}

/** Every command, in the order `help` lists them. */
export const COMMANDS: readonly CommandSpec[] = buildCommands();

function findCommand(name: string): CommandSpec | undefined {
  for (const spec of COMMANDS) {
    if (spec.name === name || (spec.aliases !== undefined && spec.aliases.includes(name))) {
      return spec;
    }
  }
  return undefined;
}

/**
 * Turns the words after `/livedata` into a command, or a message saying what is
 * wrong: `<command>: <problem> (usage: /livedata <usage>)`. `config` is the current
 * settings, which a change must still agree with (retry delays).
 */
export function parseCommand(
  words: string[],
  config: Config,
): LuaMultiReturn<[Command, undefined] | [undefined, string]> {
  if (words[0] === undefined || words[0] === "?") {
    return $multi({ kind: "help" }, undefined);
  }
  const spec = findCommand(string.lower(words[0]));
  if (spec === undefined) {
    return $multi(
      undefined,
      `unknown command ${quoteInput(words[0])}: type /livedata help for the list`,
    );
  }
  // Every form of the command (collect's switch and interval): the problem may be in either.
  const usage = spec.help.map((form) => `/livedata ${form.usage}`).join(" or ");
  const fail = (message: string) => $multi(undefined, `${spec.name}: ${message} (usage: ${usage})`);
  const [command, why] = spec.parse(words.slice(1), config);
  if (command === undefined) {
    return fail(why);
  }
  if (command.kind === "set") {
    const rule = checkRules({ ...config, ...command.changes });
    if (rule !== undefined) return fail(rule);
  }
  return $multi(command, undefined);
}

/** Splits a command line into words, as BAR's handler does (runs of white space collapse). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  for (const [word] of string.gmatch(line, "%S+")) {
    words.push(word);
  }
  return words;
}
