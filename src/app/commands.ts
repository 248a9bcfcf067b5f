/**
 * Parses what the player typed after `/livedata`. Pure: it only turns words into a
 * command or a clear message, and never changes anything itself.
 */
import {
  checkHost,
  checkRetryDelays,
  INDICATOR_CORNERS,
  IndicatorCorner,
  LIMITS,
  LOG_LEVEL_NAMES,
  LogLevelName,
  parseIndicatorCorner,
  parseLogLevel,
  parsePort,
  parseSeconds,
} from "./config";

export type Command =
  | { kind: "help" }
  | { kind: "status" }
  | { kind: "connect" }
  | { kind: "disconnect" }
  | { kind: "sethost"; host: string }
  | { kind: "setport"; port: number }
  | { kind: "autoreconnect"; on: boolean }
  | { kind: "indicator"; on: boolean }
  | { kind: "indicator-corner"; corner: IndicatorCorner }
  | { kind: "verbose"; level: LogLevelName }
  /** Without `max` the current maximum stays (raised to `initial` if below it). */
  | { kind: "retry"; initial: number; max: number | undefined }
  | { kind: "timeout"; seconds: number }
  | { kind: "reset" };

interface CommandHelp {
  usage: string;
  summary: string;
}

/** In the order `help` lists them. */
export const COMMAND_HELP: ReadonlyArray<CommandHelp> = [
  { usage: "status", summary: "show the connection state and diagnostics" },
  { usage: "connect", summary: "connect now (and reconnect automatically from now on)" },
  { usage: "disconnect", summary: "close the connection and stay disconnected until connect" },
  { usage: "sethost <host>", summary: "set the receiver's address (IPv4 or hostname)" },
  { usage: "setport <1-65535>", summary: "set the receiver's port" },
  { usage: "autoreconnect on|off", summary: "retry by itself after a failure" },
  { usage: "retry <first> [max]", summary: "retry delays in seconds (default 1 and 30)" },
  { usage: "timeout <seconds>", summary: "give up on a pending connect after this long" },
  { usage: "verbose error|warn|info|debug", summary: "how much to print" },
  { usage: "indicator on|off", summary: "show or hide the status line on screen" },
  { usage: "indicator <corner>", summary: `move the status line: ${INDICATOR_CORNERS.join(", ")}` },
  { usage: "reset", summary: "restore every setting to its default" },
  { usage: "help", summary: "this list" },
];

function usageOf(name: string): string {
  for (const entry of COMMAND_HELP) {
    if (string.find(entry.usage, `^${name}`)[0] !== undefined) {
      return `usage: /livedata ${entry.usage}`;
    }
  }
  return "type /livedata help for the list of commands";
}

function parseSwitch(word: string | undefined): boolean | undefined {
  const lower = word !== undefined ? string.lower(word) : "";
  if (lower === "on" || lower === "true" || lower === "1" || lower === "yes") return true;
  if (lower === "off" || lower === "false" || lower === "0" || lower === "no") return false;
  return undefined;
}

type Parsed = LuaMultiReturn<[Command, undefined] | [undefined, string]>;

function fail(name: string, problem: string): Parsed {
  return $multi(undefined, `${name}: ${problem} (${usageOf(name)})`);
}

/** Turns the words after `/livedata` into a command, or a message saying what is wrong. */
export function parseCommand(words: string[]): Parsed {
  const name = words[0] !== undefined ? string.lower(words[0]) : "help";
  const arg = words[1];
  const extra = words[2];
  const takesNoArgument = (command: Command): Parsed => {
    if (arg !== undefined) return fail(name, `takes no argument, got "${arg}"`);
    return $multi(command, undefined);
  };

  switch (name) {
    case "help":
    case "?":
      return $multi({ kind: "help" }, undefined);
    case "status":
      return takesNoArgument({ kind: "status" });
    case "connect":
      return takesNoArgument({ kind: "connect" });
    case "disconnect":
      return takesNoArgument({ kind: "disconnect" });
    case "reset":
      return takesNoArgument({ kind: "reset" });
    case "sethost": {
      if (arg === undefined) return fail(name, "the host is missing");
      if (extra !== undefined) return fail(name, "a host has no spaces");
      const problem = checkHost(arg);
      if (problem !== undefined) return fail(name, problem);
      return $multi({ kind: "sethost", host: arg }, undefined);
    }
    case "setport": {
      if (arg === undefined) return fail(name, "the port is missing");
      if (extra !== undefined) return fail(name, "give one port number");
      const [port, problem] = parsePort(arg);
      if (port === undefined) return fail(name, problem);
      return $multi({ kind: "setport", port }, undefined);
    }
    case "indicator": {
      const corner = arg !== undefined ? parseIndicatorCorner(arg) : undefined;
      if (corner !== undefined && extra === undefined) {
        return $multi({ kind: "indicator-corner", corner }, undefined);
      }
      const on = parseSwitch(arg);
      if (on === undefined || extra !== undefined) {
        return fail(name, `say on, off or a corner (${INDICATOR_CORNERS.join(", ")})`);
      }
      return $multi({ kind: "indicator", on }, undefined);
    }
    case "autoreconnect": {
      const on = parseSwitch(arg);
      if (on === undefined || extra !== undefined) {
        return fail(name, arg === undefined ? "say on or off" : `"${arg}" is not on or off`);
      }
      return $multi({ kind: "autoreconnect", on }, undefined);
    }
    case "verbose":
    case "loglevel": {
      const level = arg !== undefined ? parseLogLevel(arg) : undefined;
      if (level === undefined || extra !== undefined) {
        return fail("verbose", `the level must be one of ${LOG_LEVEL_NAMES.join(", ")}`);
      }
      return $multi({ kind: "verbose", level }, undefined);
    }
    case "retry": {
      if (arg === undefined) return fail(name, "the first retry delay is missing");
      if (words[3] !== undefined) return fail(name, "give at most two delays");
      const [initial, problem] = parseSeconds(arg, "first delay", LIMITS.retryInitialDelay);
      if (initial === undefined) return fail(name, problem);
      if (extra === undefined) {
        return $multi({ kind: "retry", initial, max: undefined }, undefined);
      }
      const [max, maxProblem] = parseSeconds(extra, "maximum delay", LIMITS.retryMaxDelay);
      if (max === undefined) return fail(name, maxProblem);
      const pairProblem = checkRetryDelays(initial, max);
      if (pairProblem !== undefined) return fail(name, pairProblem);
      return $multi({ kind: "retry", initial, max }, undefined);
    }
    case "timeout": {
      if (arg === undefined) return fail(name, "the number of seconds is missing");
      if (extra !== undefined) return fail(name, "give one number of seconds");
      const [seconds, problem] = parseSeconds(arg, "timeout", LIMITS.connectTimeout);
      if (seconds === undefined) return fail(name, problem);
      return $multi({ kind: "timeout", seconds }, undefined);
    }
    default:
      return $multi(undefined, `unknown command "${words[0]}": type /livedata help for the list`);
  }
}

/** Splits a command line into words, as BAR's handler does (runs of white space collapse). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  for (const [word] of string.gmatch(line, "%S+")) {
    words.push(word);
  }
  return words;
}
