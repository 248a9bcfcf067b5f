// The receiver's command line, and the host rule it shares with startReceiverApp: IPv4 only
// (the widget connects over IPv4), loopback is 127.0.0.0/8, anything else needs a token;
// the connection timeouts' options.
import { describe, expect, it } from "vitest";
import { UsageError } from "../../receiver/args.ts";
import { parseReceiverArgs } from "../../receiver/cli/options.ts";
import { listenAddress } from "../../receiver/net/host.ts";
import { startApp } from "./helpers.ts";

const IPV4_ONLY = /is an IPv6 address, but the widget connects over IPv4 only: use 127\.0\.0\.1/;
const NEEDS_TOKEN = /lets other machines connect: give a --token too/;

function usageError(argv: string[]): string {
  try {
    parseReceiverArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
}

describe("--host", () => {
  it("accepts loopback without a token", () => {
    for (const host of ["127.0.0.1", "127.0.0.2", "localhost", "LOCALHOST"]) {
      expect(parseReceiverArgs(["--host", host])).toMatchObject({ host, token: null });
    }
  });

  it("refuses IPv6 addresses, IPv6 loopback included, token or not", () => {
    for (const host of ["::1", "[::1]", "0:0:0:0:0:0:0:1", "::", "fe80::1", "::ffff:127.0.0.1"]) {
      expect(usageError(["--host", host])).toMatch(IPV4_ONLY);
      expect(usageError(["--host", host, "--token", "s3cret"])).toMatch(IPV4_ONLY);
    }
  });

  it("needs a token beyond loopback, names that only look like loopback included", () => {
    for (const host of ["0.0.0.0", "192.168.1.10", "127.attacker.example", "my-pc.lan"]) {
      expect(usageError(["--host", host])).toMatch(NEEDS_TOKEN);
      expect(parseReceiverArgs(["--host", host, "--token", "s3cret"])).toMatchObject({ host });
    }
  });
});

describe("startReceiverApp's host", () => {
  it("listens on 127.0.0.1 for localhost, widgets and HTTP alike", async () => {
    const app = await startApp({ host: "localhost" });
    expect(app.widgetAddress.address).toBe("127.0.0.1");
    expect(app.http!.address.address).toBe("127.0.0.1");
  });

  it("binds names to their IPv4 address, whatever order the resolver prefers", async () => {
    expect(await listenAddress("localhost")).toBe("127.0.0.1");
    expect(await listenAddress("10.1.2.3")).toBe("10.1.2.3");
  });

  it("applies the same rule as the command line", async () => {
    const start = (host: string) => startApp({ host });
    await expect(start("::1")).rejects.toThrow(IPV4_ONLY);
    await expect(start("0.0.0.0")).rejects.toThrow(NEEDS_TOKEN);
  });
});

describe("--hello-timeout and --idle-timeout", () => {
  it("default to 10 and 60 s, take whole seconds, 0 for no idle timeout", () => {
    expect(parseReceiverArgs([])).toMatchObject({ helloTimeout: 10, idleTimeout: 60 });
    expect(parseReceiverArgs(["--hello-timeout", "1", "--idle-timeout=0"])).toMatchObject({
      helloTimeout: 1,
      idleTimeout: 0,
    });
    expect(parseReceiverArgs(["--hello-timeout=600", "--idle-timeout", "3600"])).toMatchObject({
      helloTimeout: 600,
      idleTimeout: 3600,
    });
  });

  it.each([
    [["--hello-timeout", "0"], 'invalid --hello-timeout "0": expected 1 to 600 seconds'],
    [["--hello-timeout", "2.5"], 'invalid --hello-timeout "2.5": expected 1 to 600 seconds'],
    [["--hello-timeout", "601"], 'invalid --hello-timeout "601": expected 1 to 600 seconds'],
    [
      ["--idle-timeout", "19"],
      'invalid --idle-timeout "19": expected 0 (never) or 20 to 3600 seconds',
    ],
    [
      ["--idle-timeout", "1e3"],
      'invalid --idle-timeout "1e3": expected 0 (never) or 20 to 3600 seconds',
    ],
    [["--idle-timeout"], "option --idle-timeout needs a value"],
  ])("refuses %j", (argv, message) => {
    expect(usageError(argv)).toBe(message);
  });
});
