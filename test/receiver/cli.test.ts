// The CLI as a child process, started like `npx tsx receiver/testServerMain.ts` but without npx or a
// shell (node runs tsx's CLI directly), so the same test runs on Windows.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  connect,
  connectionError,
  FIXTURE,
  freePort,
  HOST,
  replies,
  watchClose,
} from "./helpers.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
// tsx's loader in this very process: the tsx CLI would run the server in a child
// process of its own, which a kill of the CLI leaves running.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
// Starting tsx costs most of a second, more on a busy machine.
const CLI_TIMEOUT_MS = 30_000;

class CliRun {
  stdout = "";
  stderr = "";
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private hasExited = false;
  private outputListeners = new Set<() => void>();

  constructor(args: string[], stdin: "pipe" | "ignore", script: string) {
    this.child = spawn(process.execPath, ["--import", TSX_LOADER, script, ...args], {
      cwd: REPO_ROOT,
      stdio: [stdin, "pipe", "pipe"],
    });
    this.child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      this.stdout += text;
      this.outputListeners.forEach((listener) => listener());
    });
    this.child.stderr!.setEncoding("utf8").on("data", (text: string) => (this.stderr += text));
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.hasExited = true;
        this.outputListeners.forEach((listener) => listener());
        resolve({ code, signal });
      });
    });
  }

  /** Resolves when stdout matches; rejects if the process exits first. */
  waitForStdout(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.stdout.match(pattern);
        if (match) {
          this.outputListeners.delete(check);
          resolve(match);
        } else if (this.hasExited) {
          this.outputListeners.delete(check);
          reject(
            new Error(
              `exited before printing ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
            ),
          );
        }
      };
      this.outputListeners.add(check);
      check();
    });
  }

  send(command: string): void {
    this.child.stdin!.write(`${command}\n`);
  }
}

const runs: CliRun[] = [];
function runCli(
  args: string[],
  stdin: "pipe" | "ignore" = "pipe",
  script = "receiver/testServerMain.ts",
): CliRun {
  const run = new CliRun(args, stdin, script);
  runs.push(run);
  return run;
}

afterEach(() => {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
  }
});

describe("CLI errors", { timeout: CLI_TIMEOUT_MS }, () => {
  it("exits 1 with one line on stderr when the port is in use", async () => {
    const blocker = net.createServer().listen(0, HOST);
    await once(blocker, "listening");
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const run = runCli(["--port", String(port)]);
      expect((await run.exited).code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(`^error: cannot listen on 127\\.0\\.0\\.1:${port}: .*\\(EADDRINUSE\\).*\\n$`),
      );
      expect(run.stdout).toBe("");
    } finally {
      blocker.close();
    }
  });

  it.each([
    [["--port", "70000"], 'error: invalid port "70000": expected an integer from 1 to 65535'],
    [["--port", "abc"], 'error: invalid port "abc": expected an integer from 1 to 65535'],
    [["--port"], "error: option --port needs a value"],
    [["--verbose"], 'error: unknown option "--verbose"'],
  ])("exits 2 with one line on stderr for %j", async (args, message) => {
    const run = runCli(args);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr).toBe(`${message} (see --help)\n`);
    expect(run.stdout).toBe("");
  });

  it("prints the usage for --help and exits 0", async () => {
    const run = runCli(["--help"]);
    expect((await run.exited).code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run server -- \[options\]/);
    expect(run.stderr).toBe("");
  });
});

describe("CLI session", { timeout: CLI_TIMEOUT_MS }, () => {
  it("prints connections and lines, and obeys status, kick and quit", async () => {
    const port = await freePort();
    const run = runCli(["--port", String(port)]);
    await run.waitForStdout(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} listening on 127\\.0\\.0\\.1:${port}\\n`,
      ),
    );

    const client = await connect(port);
    const label = `#1 127.0.0.1:${client.localPort}`;
    await run.waitForStdout(new RegExp(`${label} connected \\(1 client connected\\)`));
    client.write('{"type":"hello"}\r\n');
    await run.waitForStdout(new RegExp(`${label} > \\{"type":"hello"\\}\\n`));

    run.send("status");
    await run.waitForStdout(
      new RegExp(
        `status: listening on 127\\.0\\.0\\.1:${port}\\n +1 client connected:\\n +${label}  connected for `,
      ),
    );

    const closed = watchClose(client);
    run.send("kick");
    expect(await closed).toEqual({ ended: true, error: undefined });
    await run.waitForStdout(new RegExp(`${label} disconnected: kicked`));
    await run.waitForStdout(/kicked 1 client; still listening/);

    run.send("bogus");
    await run.waitForStdout(/unknown command "bogus"; type "help" for the list/);

    run.send("quit");
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stdout).toMatch(/stopped listening on .*\n.*server closed, exiting\n$/);
    expect(run.stderr).toBe("");
    expect(await connectionError(port)).toBe("ECONNREFUSED");
  });

  it("keeps serving after standard input ends, as when started in the background", async () => {
    const port = await freePort();
    const run = runCli(["--port", String(port)], "ignore");
    await run.waitForStdout(/standard input closed: no more commands are read/);

    const client = await connect(port);
    client.write("still here\n");
    await run.waitForStdout(/> still here\n/);
    expect(run.child.exitCode).toBeNull();
  });

  // Windows has no POSIX signals to send: child.kill() there terminates outright.
  it.skipIf(process.platform === "win32").each(["SIGINT", "SIGTERM"] as const)(
    "closes cleanly on %s",
    async (signal) => {
      const port = await freePort();
      const run = runCli(["--port", String(port)]);
      await run.waitForStdout(/listening on/);
      const client = await connect(port);
      await run.waitForStdout(/connected \(1 client connected\)/);
      const closed = watchClose(client);

      run.child.kill(signal);
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect((await closed).error).toBeUndefined();
      expect(run.stdout).toContain(`received ${signal}, closing`);
      expect(run.stdout).toMatch(/disconnected: server stopped/);
    },
  );
});

/** Runs the receiver's CLI to its end (it must exit by itself) with standard input closed. */
async function runReceiver(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = runCli(args, "ignore", "receiver/cli/main.ts");
  const { code } = await run.exited;
  return { code, stdout: run.stdout, stderr: run.stderr };
}

describe("receiver CLI", () => {
  it.each([
    ["HTTP", "--http-port", "HTTP: API and overlay"],
    ["widget", "--port", "widgets"],
  ])(
    "names the %s port in use and the option that changes it, and exits 1",
    async (_which, flag, what) => {
      const blocker = net.createServer().listen(0, HOST);
      await once(blocker, "listening");
      const { port } = blocker.address() as net.AddressInfo;
      const otherPort = await freePort();
      try {
        const ports =
          flag === "--port"
            ? ["--port", String(port), "--http-port", String(otherPort)]
            : ["--port", String(otherPort), "--http-port", String(port)];
        const run = await runReceiver([...ports, "--no-record"]);
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(
          `error: cannot listen on 127.0.0.1:${port} (${what}): the port is already in use (EADDRINUSE); is another server running? Choose another port with ${flag}\n`,
        );
        expect(run.stdout).not.toMatch(/listening/);
        // Nothing was left listening: the other port is free again.
        expect(await connectionError(otherPort)).toBe("ECONNREFUSED");
      } finally {
        blocker.close();
      }
    },
    CLI_TIMEOUT_MS,
  );

  it(
    "refuses a replay that cannot start, before listening, with exit code 1",
    async () => {
      for (const [file, reason] of [
        ["no-such-recording.ndjson", /ENOENT/],
        ["receiver", /not a file/],
      ] as const) {
        const { code, stdout, stderr } = await runReceiver(["--replay", file]);
        expect(code).toBe(1);
        expect(stderr).toMatch(/cannot replay .*/);
        expect(stderr).toMatch(reason);
        expect(stdout).not.toMatch(/listening/);
      }
    },
    CLI_TIMEOUT_MS,
  );

  it(
    "says why it cannot write the overlay file, with exit code 1",
    async () => {
      const file = path.join(tmpdir(), `no-such-folder-${process.pid}`, "overlay.html");
      const { code, stdout, stderr } = await runReceiver(["--write-overlay", file]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/^error: cannot write the overlay: ENOENT: .*overlay\.html'?\n$/);
      expect(stdout).toBe("");
    },
    CLI_TIMEOUT_MS,
  );

  it(
    "closes a client that sends no hello within --hello-timeout; status names each client's session and counts lines outside sessions",
    async () => {
      const [port, httpPort] = [await freePort(), await freePort()];
      const run = runCli(
        [
          ...["--port", String(port), "--http-port", String(httpPort), "--no-record"],
          ...["--hello-timeout", "3", "--idle-timeout", "20"],
        ],
        "pipe",
        "receiver/cli/main.ts",
      );
      await run.waitForStdout(/widgets: listening/);
      // A widget greets at once, far within the 3 s.
      const widget = await connect(port);
      const answers = replies(widget);
      widget.write(`${FIXTURE[0]}\n`);
      while (answers.length === 0) await once(widget, "data");
      const garbage = await connect(port);
      garbage.write("not json\n");
      await run.waitForStdout(/#2 .*: invalid line \(not-json, first of its kind\)/);
      run.send("status");
      await run.waitForStdout(
        new RegExp(
          `\\n +#1 127\\.0\\.0\\.1:${widget.localPort}  connected for .*  session 5f3a9c1e7b2d4086\\n`,
        ),
      );
      await run.waitForStdout(
        /\n +1 invalid line outside any session \(before a hello, or refused\):\n +invalid not-json ×1, latest: /,
      );
      const silent = await connect(port);
      expect(await watchClose(silent)).toMatchObject({ error: undefined });
      await run.waitForStdout(
        /#3 .* disconnected: timed out, no hello within 3 s of connecting \(after .*; 0 bytes, 0 lines\)/,
      );
    },
    CLI_TIMEOUT_MS,
  );

  // procfs refuses new folders with ENOENT though /proc exists, which made Node's recursive
  // mkdir retry forever: the receiver hung at full CPU on its first session.
  it.skipIf(process.platform !== "linux")(
    "says at once that a folder under /proc cannot hold recordings, and serves widgets anyway",
    async () => {
      const [port, httpPort] = [await freePort(), await freePort()];
      const run = runCli(
        ["--port", String(port), "--http-port", String(httpPort), "--recordings", "/proc/nope"],
        "pipe",
        "receiver/cli/main.ts",
      );
      await run.waitForStdout(
        /recordings: cannot use \/proc\/nope: the folder cannot be created there; choose another folder with --recordings \(ENOENT\); the live side works, sessions are not recorded until the folder can be used\n/,
      );
      const widget = await connect(port);
      const answers = replies(widget);
      widget.write(`${FIXTURE.slice(0, 4).join("\n")}\n`);
      await run.waitForStdout(
        /session 5f3a9c1e7b2d4086: recording \/proc\/nope stopped: the folder cannot be created there; .*\(ENOENT\); the live data goes on/,
      );
      await run.waitForStdout(/new session 5f3a9c1e7b2d4086/);
      while (!answers.some((a) => a.type === "ack" && a.seq === 3)) await once(widget, "data");
      expect(answers[0]).toMatchObject({ type: "hello_reply" });
      run.send("quit");
      expect(await run.exited).toEqual({ code: 0, signal: null });
    },
    CLI_TIMEOUT_MS,
  );
});
