import { describe, expect, it } from "vitest";
import { COMMAND_HELP, COMMAND_NAMES, parseCommand } from "../../receiver/commands.ts";

describe("parseCommand", () => {
  it.each(COMMAND_NAMES)("recognises %s", (name) => {
    expect(parseCommand(name)).toEqual({ kind: "command", name });
  });

  it("ignores case and surrounding whitespace, including a CR from Windows input", () => {
    expect(parseCommand("  KiCk \r")).toEqual({ kind: "command", name: "kick" });
  });

  it("maps exit and ? to quit and help", () => {
    expect(parseCommand("exit")).toEqual({ kind: "command", name: "quit" });
    expect(parseCommand("?")).toEqual({ kind: "command", name: "help" });
  });

  it("treats a blank line as nothing to do", () => {
    expect(parseCommand("")).toEqual({ kind: "empty" });
    expect(parseCommand(" \t ")).toEqual({ kind: "empty" });
  });

  it("answers an unknown command with a one-line hint", () => {
    expect(parseCommand("restart")).toEqual({
      kind: "invalid",
      message: 'unknown command "restart"; type "help" for the list',
    });
    // Inherited object keys must not pass for aliases.
    expect(parseCommand("constructor").kind).toBe("invalid");
  });

  it("rejects arguments rather than ignoring them", () => {
    expect(parseCommand("kick all")).toMatchObject({ kind: "invalid" });
  });

  it("lists every command in the help text", () => {
    for (const name of COMMAND_NAMES) expect(COMMAND_HELP).toMatch(new RegExp(`^  ${name} `, "m"));
  });
});
