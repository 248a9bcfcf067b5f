import { describe, expect, it } from "vitest";
import { parseArgs, parsePort, UsageError, USAGE } from "../../receiver/args.ts";

function usageError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
}

describe("parseArgs", () => {
  it("defaults to loopback port 9876 with a 4 KiB line limit", () => {
    expect(parseArgs([])).toEqual({
      kind: "run",
      host: "127.0.0.1",
      port: 9876,
      maxLineBytes: 4096,
      closeAtOnce: false,
    });
  });

  it("takes --close-at-once as a flag without a value", () => {
    expect(parseArgs(["--close-at-once", "--port", "9000"])).toMatchObject({
      closeAtOnce: true,
      port: 9000,
    });
    expect(usageError(["--close-at-once=yes"])).toBe('unknown option "--close-at-once"');
  });

  it("accepts separate and = forms, the later option winning", () => {
    expect(
      parseArgs(["--host", "0.0.0.0", "--port=9000", "--max-line-bytes", "100", "--port", "9001"]),
    ).toEqual({ kind: "run", host: "0.0.0.0", port: 9001, maxLineBytes: 100, closeAtOnce: false });
    expect(parseArgs(["--host=::1"])).toMatchObject({ host: "::1" });
  });

  it("shows help for -h or --help, whatever else is given", () => {
    expect(parseArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseArgs(["--port", "abc", "-h"])).toEqual({ kind: "help" });
  });

  it.each([
    "0",
    "65536",
    "70000",
    "abc",
    "-1",
    "1.5",
    "1e3",
    " 80",
    "0x50",
    "99999999999999999999",
  ])("rejects port %j", (port) => {
    expect(usageError(["--port", port])).toBe(
      `invalid port "${port}": expected an integer from 1 to 65535`,
    );
  });

  it("accepts the port range ends", () => {
    expect(parsePort("1")).toBe(1);
    expect(parsePort("65535")).toBe(65535);
  });

  it("reports a missing value, including when the next word is another option", () => {
    expect(usageError(["--port"])).toBe("option --port needs a value");
    expect(usageError(["--port", "--host", "x"])).toBe("option --port needs a value");
    expect(usageError(["--host="])).toBe("option --host needs a value");
    expect(usageError(["--max-line-bytes"])).toBe("option --max-line-bytes needs a value");
  });

  it("rejects unknown options and stray arguments", () => {
    expect(usageError(["--verbose"])).toBe('unknown option "--verbose"');
    expect(usageError(["--verbose=1"])).toBe('unknown option "--verbose"');
    expect(usageError(["-p", "1"])).toBe('unknown option "-p"');
    expect(usageError(["9000"])).toMatch(/^unexpected argument "9000"; with npm, put "--"/);
  });

  it("bounds --max-line-bytes", () => {
    expect(usageError(["--max-line-bytes", "0"])).toMatch(/^invalid --max-line-bytes value "0"/);
    expect(usageError(["--max-line-bytes", String(64 * 1024 * 1024)])).toMatch(/^invalid/);
  });

  it("keeps every error message on one line", () => {
    for (const argv of [["--port", "abc"], ["--bogus"], ["x"], ["--port"]]) {
      expect(usageError(argv)).not.toContain("\n");
    }
  });
});

describe("USAGE", () => {
  it("documents every option and the defaults", () => {
    for (const word of ["--host", "--port", "--max-line-bytes", "--help", "127.0.0.1", "9876"]) {
      expect(USAGE).toContain(word);
    }
  });
});
