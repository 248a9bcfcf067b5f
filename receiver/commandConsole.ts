// Reads operator commands, one per line, and runs them against the server in order.
// End of input only ends the commands: a server started with stdin from /dev/null keeps running.
import readline from "node:readline";
import type { Readable } from "node:stream";
import { COMMAND_HELP, parseCommand } from "./commands.ts";
import type { CommandName } from "./commands.ts";
import { formatEndpoint, plural } from "./format.ts";
import { ListenError } from "./listenErrors.ts";
import type { Log } from "./log.ts";
import { formatStatus } from "./statusReport.ts";
import type { StatusOptions } from "./statusReport.ts";
import type { TestServer } from "./testServer.ts";

export interface CommandConsoleOptions {
  server: TestServer;
  input: Readable;
  log: Log;
  /** Called for "quit"; the caller owns shutting down, as it does for signals. */
  onQuit: () => void | Promise<void>;
  /** More for "status" (the receiver's sessions), after the connection status. */
  statusExtra?: () => string;
  /** How "status" lists the clients (the receiver names their sessions). */
  statusOptions?: StatusOptions;
}

export interface CommandConsole {
  /** Settles once the input has ended (or "quit" ran) and every command read has finished. */
  readonly finished: Promise<void>;
  /** Stops reading commands. */
  close(): void;
}

const INPUT_CLOSED_MESSAGE =
  "standard input closed: no more commands are read; stop the server with Ctrl-C or SIGTERM";

async function runCommand(name: CommandName, options: CommandConsoleOptions): Promise<void> {
  const { server, log } = options;
  switch (name) {
    case "status":
      log(
        [
          formatStatus(server.status(), options.statusOptions),
          ...(options.statusExtra ? [options.statusExtra()] : []),
        ].join("\n"),
      );
      return;
    case "kick": {
      const count = server.status().clients.length;
      await server.kick();
      log(
        `kicked ${plural(count, "client")}; still ${server.status().listening ? "listening" : "stopped"}`,
      );
      return;
    }
    case "stop":
      if (!server.status().listening) log('already stopped; "start" listens again');
      else await server.stop();
      return;
    case "start": {
      const status = server.status();
      if (status.address) {
        log(`already listening on ${formatEndpoint(status.address.address, status.address.port)}`);
        return;
      }
      try {
        await server.start();
      } catch (error) {
        // The operator can free the port and try again, so a failed restart is not fatal.
        if (error instanceof ListenError) log(`start failed: ${error.message}`);
        else throw error;
      }
      return;
    }
    case "help":
      log(COMMAND_HELP);
      return;
    case "quit":
      await options.onQuit();
      return;
  }
}

export function startCommandConsole(options: CommandConsoleOptions): CommandConsole {
  const { input, log } = options;
  // terminal: false keeps the terminal in its normal mode, so Ctrl-C stays a real SIGINT
  // instead of being swallowed by readline's own key handling.
  const lines = readline.createInterface({ input, terminal: false, crlfDelay: Infinity });
  let queue = Promise.resolve();
  let quitting = false;

  const run = async (line: string): Promise<void> => {
    if (quitting) return;
    const parsed = parseCommand(line);
    if (parsed.kind === "empty") return;
    if (parsed.kind === "invalid") {
      log(parsed.message);
      return;
    }
    if (parsed.name === "quit") quitting = true;
    try {
      await runCommand(parsed.name, options);
    } catch (error) {
      log(`${parsed.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  // Commands often arrive together (pasted, or piped in a test); each waits for the previous
  // one so that "kick" then "status" reports the state after the kick.
  lines.on("line", (line) => {
    queue = queue.then(() => run(line));
  });
  const finished = new Promise<void>((resolve) => {
    lines.on("close", () => {
      queue = queue.then(() => {
        if (!quitting) log(INPUT_CLOSED_MESSAGE);
      });
      void queue.then(resolve);
    });
  });
  // A broken stdin (e.g. the terminal went away) only ends the commands, like end of input.
  input.on("error", () => lines.close());

  return {
    finished,
    close: () => lines.close(),
  };
}
