// CLI entry point of the test server (`npm run server`): parses the options, starts the test server, prints its
// events and runs the commands typed on standard input until "quit" or a signal.
import process from "node:process";
import { parseArgs, USAGE, UsageError } from "./args.ts";
import { startCommandConsole } from "./commandConsole.ts";
import { ListenError } from "./listenErrors.ts";
import { createTimestampedLog } from "./log.ts";
import { createTestServer } from "./testServer.ts";
import { exitWhenFlushed } from "./exitWhenFlushed.ts";

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** One plain line on stderr: these are the user's mistakes or the machine's state, not bugs. */
function reportError(message: string, exitCode: number): void {
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = exitCode;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    reportError(`${error.message} (see --help)`, EXIT_USAGE);
    return;
  }
  if (args.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  let stdoutBroken = false;
  const log = createTimestampedLog((text) => {
    if (!stdoutBroken) process.stdout.write(text);
  });
  const server = createTestServer({
    host: args.host,
    port: args.port,
    maxLineBytes: args.maxLineBytes,
    closeAtOnce: args.closeAtOnce,
    log,
  });

  let shuttingDown = false;
  async function shutDown(reason: string | null): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    if (reason) log(reason);
    await server.close();
    log("server closed, exiting");
    exitWhenFlushed(EXIT_OK);
  }

  // If stdout goes away (e.g. piped into a program that exited), stop instead of crashing.
  process.stdout.on("error", () => {
    stdoutBroken = true;
    void shutDown(null);
  });

  try {
    await server.start();
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    reportError(error.message, EXIT_FAILURE);
    return;
  }

  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  // Ctrl-Break in a Windows console.
  if (process.platform === "win32") signals.push("SIGBREAK");
  for (const signal of signals) {
    process.on(signal, () => {
      // A second Ctrl-C while closing means "now": do not make the user wait.
      if (shuttingDown) process.exit(EXIT_FAILURE);
      void shutDown(`received ${signal}, closing`);
    });
  }

  log('type "help" for commands');
  startCommandConsole({
    server,
    input: process.stdin,
    log,
    onQuit: () => shutDown("quit: closing"),
  });
}

main().catch((error: unknown) => {
  // Only bugs get here; their stack trace is what a bug report needs.
  process.stderr.write(
    `unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(EXIT_FAILURE);
});
