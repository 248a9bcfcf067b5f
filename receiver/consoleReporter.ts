// What the CLI does with server events: describe each in one human-readable message.
// Received lines are printed as they are unless they are too long or not printable text.
import type { AddressInfo } from "node:net";
import { formatDuration, formatEndpoint, plural } from "./format.ts";
import type { Log } from "./log.ts";
import type { ClientInfo, DisconnectInfo, ReceivedLine, TestServer } from "./testServer.ts";

function describeReason(event: DisconnectInfo): string {
  switch (event.reason) {
    case "closed-by-client":
      return "closed by client";
    case "reset":
      return `reset (${(event.error as NodeJS.ErrnoException | undefined)?.code ?? "ECONNRESET"})`;
    case "kicked":
      return "kicked";
    case "timed-out":
      return `timed out, ${event.detail ?? "silent too long"}`;
    case "server-stopped":
      return "server stopped";
    case "error":
      return `error: ${event.error?.message ?? "unknown"}`;
  }
}

export function describeDisconnect(event: DisconnectInfo): string {
  const connectedFor = formatDuration(
    event.disconnectedAt.getTime() - event.client.connectedAt.getTime(),
  );
  const received = `${plural(event.bytesReceived, "byte")}, ${plural(event.linesReceived, "line")}`;
  return `${event.client.label} disconnected: ${describeReason(event)} (after ${connectedFor}; ${received})`;
}

function describeContent(line: ReceivedLine, maxLineBytes: number): string {
  switch (line.kind) {
    case "text":
      return line.text;
    case "binary":
      return `[${plural(line.byteLength, "byte")} of binary or non-printable data, not shown]`;
    case "too-long":
      return `[${plural(line.byteLength, "byte")}, over the ${maxLineBytes}-byte line limit, not shown]`;
  }
}

export function describeLine(line: ReceivedLine, maxLineBytes: number): string {
  const unterminated = line.terminated ? "" : "[no newline before disconnect] ";
  return `${line.clientLabel} > ${unterminated}${describeContent(line, maxLineBytes)}`;
}

function describeAddress(address: AddressInfo): string {
  return formatEndpoint(address.address, address.port);
}

/** Subscribes to the server's events; returns a function that unsubscribes. */
export function attachConsoleReporter(server: TestServer, log: Log): () => void {
  const onListening = (address: AddressInfo) => log(`listening on ${describeAddress(address)}`);
  const onStopped = (address: AddressInfo) =>
    log(`stopped listening on ${describeAddress(address)}`);
  const onConnection = (client: ClientInfo) => {
    const connected = plural(server.status().clients.length, "client");
    log(`${client.label} connected (${connected} connected)`);
  };
  const onDisconnect = (event: DisconnectInfo) => log(describeDisconnect(event));
  const onLine = (line: ReceivedLine) => log(describeLine(line, server.maxLineBytes));
  const onServerError = (error: Error) => log(`server error: ${error.message}`);

  server.on("listening", onListening);
  server.on("stopped", onStopped);
  server.on("connection", onConnection);
  server.on("disconnect", onDisconnect);
  server.on("line", onLine);
  server.on("serverError", onServerError);
  return () => {
    server.off("listening", onListening);
    server.off("stopped", onStopped);
    server.off("connection", onConnection);
    server.off("disconnect", onDisconnect);
    server.off("line", onLine);
    server.off("serverError", onServerError);
  };
}
