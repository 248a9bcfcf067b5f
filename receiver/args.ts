// Command-line parsing for the test server. Pure: no I/O, so every error path is unit-testable.

import { DEFAULT_HOST, DEFAULT_MAX_LINE_BYTES, DEFAULT_PORT } from "./defaults.ts";

/** Upper bound for --max-line-bytes: each client may buffer this much, so keep it sane. */
export const MAX_MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface ServerArgs {
  kind: "run";
  host: string;
  port: number;
  maxLineBytes: number;
  closeAtOnce: boolean;
}

export type ParsedArgs = ServerArgs | { kind: "help" };

/** A mistake on the command line; the message is one line meant for the user. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `Usage: npm run server -- [options]
       npx tsx receiver/testServerMain.ts [options]

Test server for the Live Data Export widget: accepts TCP connections from the
game and prints every newline-terminated line the clients send.

Options:
  --host <address>        address to listen on (default ${DEFAULT_HOST}: this machine only;
                          0.0.0.0 accepts connections from other machines too)
  --port <1-65535>        TCP port to listen on (default ${DEFAULT_PORT})
  --max-line-bytes <n>    longer lines are summarised instead of printed (default ${DEFAULT_MAX_LINE_BYTES})
  --close-at-once         close every connection as soon as it is accepted (a receiver
                          that crashes on each client; for testing reconnect storms)
  -h, --help              show this help and exit

With npm, put "--" before the options so npm passes them on:
  npm run server -- --port 9000

Type commands on standard input while it runs: status, kick, stop, start, help, quit.`;

/** Parses an integer in [min, max] written in plain decimal digits ("8080", not "8e3" or " 80"). */
function parseIntegerOption(what: string, text: string, min: number, max: number): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`invalid ${what} "${text}": expected an integer from ${min} to ${max}`);
  }
  return value;
}

export function parsePort(text: string): number {
  return parseIntegerOption("port", text, 1, 65535);
}

const VALUE_OPTIONS = ["--host", "--port", "--max-line-bytes"] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

function isValueOption(name: string): name is ValueOption {
  return (VALUE_OPTIONS as readonly string[]).includes(name);
}

/**
 * Accepts "--port 9000" and "--port=9000"; a later option overrides an earlier one.
 * Throws UsageError on anything it does not understand rather than guessing.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const result: ServerArgs = {
    kind: "run",
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    closeAtOnce: false,
  };
  // Help wins over everything else, so "--port abc --help" still shows the usage.
  if (argv.some((arg) => arg === "-h" || arg === "--help")) return { kind: "help" };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;

    const equals = arg.indexOf("=");
    const name = arg.startsWith("--") && equals !== -1 ? arg.slice(0, equals) : arg;
    if (arg === "--close-at-once") {
      result.closeAtOnce = true;
      continue;
    }
    if (!isValueOption(name)) {
      if (arg.startsWith("-")) throw new UsageError(`unknown option "${name}"`);
      // npm swallows options given without "--" and leaves their values behind.
      throw new UsageError(
        `unexpected argument "${arg}"; with npm, put "--" before the options: npm run server -- --port 9000`,
      );
    }

    let value: string | undefined;
    if (equals !== -1 && name !== arg) {
      value = arg.slice(equals + 1);
    } else {
      const next = argv[i + 1];
      // "--port --host x" means the value was forgotten, not that the port is "--host".
      if (next !== undefined && !next.startsWith("--")) {
        value = next;
        i++;
      }
    }
    if (value === undefined || value === "") throw new UsageError(`option ${name} needs a value`);

    switch (name) {
      case "--host":
        result.host = value;
        break;
      case "--port":
        result.port = parsePort(value);
        break;
      case "--max-line-bytes":
        result.maxLineBytes = parseIntegerOption(
          "--max-line-bytes value",
          value,
          1,
          MAX_MAX_LINE_BYTES,
        );
        break;
    }
  }

  return result;
}
