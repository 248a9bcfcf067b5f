// The operator commands typed on standard input. Pure parsing; commandConsole.ts runs them.

export const COMMAND_NAMES = ["status", "kick", "stop", "start", "help", "quit"] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export type ParsedCommand =
  { kind: "command"; name: CommandName } | { kind: "empty" } | { kind: "invalid"; message: string };

/** Words people type out of habit that mean the same thing. */
const ALIASES: ReadonlyMap<string, CommandName> = new Map([
  ["exit", "quit"],
  ["?", "help"],
]);

export const COMMAND_HELP = `Commands:
  status   listening state and address, connected clients, totals received
  kick     close every client connection; keep listening
  stop     close every client and stop listening (the server is "down")
  start    listen again on the same address
  help     show this list
  quit     close everything and exit`;

function isCommandName(word: string): word is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(word);
}

/** Case-insensitive and tolerant of surrounding spaces, since this is typed by hand. */
export function parseCommand(line: string): ParsedCommand {
  const words = line
    .trim()
    .split(/\s+/)
    .filter((word) => word !== "");
  if (words.length === 0) return { kind: "empty" };

  const typed = words[0]!.toLowerCase();
  const name = ALIASES.get(typed) ?? typed;
  if (!isCommandName(name)) {
    return { kind: "invalid", message: `unknown command "${words[0]}"; type "help" for the list` };
  }
  if (words.length > 1) {
    return { kind: "invalid", message: `"${name}" takes no arguments; type "help" for the list` };
  }
  return { kind: "command", name };
}
