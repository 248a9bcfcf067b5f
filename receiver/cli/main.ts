// CLI entry point of the receiver (`npm run receiver`): starts it, prints where it listens,
// logs what happens, runs the console commands, and replays a recording when asked.
import { stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import process from "node:process";
import { startReceiverApp } from "../app.ts";
import type { ReceiverApp } from "../app.ts";
import { UsageError } from "../args.ts";
import { startCommandConsole } from "../commandConsole.ts";
import { formatEndpoint } from "../format.ts";
import { ListenError } from "../listenErrors.ts";
import { createTimestampedLog } from "../log.ts";
import { LogLimiter } from "../logLimiter.ts";
import { standaloneOverlayHtml } from "../overlay/assets.ts";
import { replayRecording } from "../record/replay.ts";
import { formatSessions, formatUnattributed } from "../session/sessionReport.ts";
import { parseReceiverArgs, RECEIVER_USAGE } from "./options.ts";
import { exitWhenFlushed } from "../exitWhenFlushed.ts";

async function main(): Promise<void> {
  let args;
  try {
    args = parseReceiverArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message} (see --help)\n`);
    process.exitCode = 2;
    return;
  }
  if (args.kind === "help") {
    process.stdout.write(`${RECEIVER_USAGE}\n`);
    return;
  }

  if (args.writeOverlay !== null) {
    const file = path.resolve(args.writeOverlay);
    try {
      await writeFile(file, await standaloneOverlayHtml());
    } catch (error) {
      process.stderr.write(`error: cannot write the overlay: ${(error as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    const url = pathToFileURL(file).href;
    process.stdout.write(
      `overlay written: ${file}\nopen it as ${url}?receiver=127.0.0.1:${args.httpPort}&transparent=1\n`,
    );
    return;
  }

  if (args.replay !== null) {
    // Checked before anything listens: a replay that cannot start is a usage error.
    const file = path.resolve(args.replay);
    const problem = await stat(file).then(
      (info) => (info.isFile() ? null : "it is not a file"),
      (error: NodeJS.ErrnoException) => error.code ?? String(error),
    );
    if (problem !== null) {
      process.stderr.write(`error: cannot replay ${file}: ${problem}\n`);
      process.exitCode = 1;
      return;
    }
  }

  let stdoutBroken = false;
  const log = createTimestampedLog((text) => {
    if (!stdoutBroken) process.stdout.write(text);
  });
  // Per-client messages (connects, sessions, ...) are summarised when many clients come and go.
  const limiter = new LogLimiter(log, Date.now);
  setInterval(() => limiter.flush(), 1000).unref();
  let app: ReceiverApp;
  try {
    app = await startReceiverApp({
      host: args.host,
      port: args.port,
      httpPort: args.httpPort,
      token: args.token,
      recordingsDir: args.recordings === null ? null : path.resolve(args.recordings),
      maxLineBytes: args.maxLineBytes,
      helloTimeoutMs: args.helloTimeout * 1000,
      idleTimeoutMs: args.idleTimeout === 0 ? null : args.idleTimeout * 1000,
      log: limiter.limited,
    });
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  const http = app.http!.address;
  const web = `http://${formatEndpoint(http.address, http.port)}`;
  const tokenQuery = args.token ? `?token=${encodeURIComponent(args.token)}` : "";
  log(
    [
      `widgets: listening on ${formatEndpoint(app.widgetAddress.address, app.widgetAddress.port)}`,
      `HTTP: ${web} (port ${http.port})`,
      `overlay for OBS: ${web}/overlay${tokenQuery}`,
      `API: ${web}/api/sessions, ${web}/api/connections, ${web}/api/state, ${web}/api/events?after=0, ws://${formatEndpoint(http.address, http.port)}/api/stream`,
      args.recordings === null
        ? "recording: off"
        : app.recordingsProblem === null
          ? `recordings: ${path.resolve(args.recordings)}`
          : `recordings: cannot use ${path.resolve(args.recordings)}: ${app.recordingsProblem}; the live side works, sessions are not recorded until the folder can be used`,
    ].join("\n"),
  );

  let shuttingDown = false;
  const abort = new AbortController();
  async function shutDown(reason: string | null): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    if (reason) log(reason);
    abort.abort();
    await app.close();
    log("receiver closed, exiting");
    exitWhenFlushed(0);
  }
  process.stdout.on("error", () => {
    stdoutBroken = true;
    void shutDown(null);
  });
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  if (process.platform === "win32") signals.push("SIGBREAK");
  for (const signal of signals) {
    process.on(signal, () => {
      if (shuttingDown) process.exit(1);
      void shutDown(`received ${signal}, closing`);
    });
  }
  app.server.on("serverError", (error) => log(`server error: ${error.message}`));

  log('type "help" for commands');
  startCommandConsole({
    server: app.server,
    input: process.stdin,
    log,
    onQuit: () => shutDown("quit: closing"),
    statusExtra: () =>
      [formatSessions(app.receiver.summaries()), formatUnattributed(app.receiver.unattributed)]
        .filter((text) => text !== "")
        .join("\n"),
    statusOptions: { sessionOf: app.sessionOf, allClientsAt: "GET /api/connections" },
  });

  if (args.replay !== null) {
    const file = path.resolve(args.replay);
    log(`replaying ${file} at ${args.speed === 0 ? "full speed" : `${args.speed}×`}`);
    try {
      const result = await replayRecording(file, app.receiver, {
        speed: args.speed,
        signal: abort.signal,
      });
      log(
        `replay finished: ${result.lines} lines${result.skipped ? `, ${result.skipped} damaged lines skipped` : ""}; still serving (quit to exit)`,
      );
    } catch (error) {
      log(`replay failed: ${(error as Error).message}`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
