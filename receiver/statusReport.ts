// The text of the "status" command, built from a status snapshot so it is testable alone.
import { formatDuration, formatEndpoint, plural } from "./format.ts";
import type { TestServerStatus } from "./testServer.ts";

export function formatStatus(status: TestServerStatus): string {
  const lines: string[] = [];
  if (status.listening && status.address) {
    lines.push(
      `status: listening on ${formatEndpoint(status.address.address, status.address.port)}`,
    );
  } else {
    const where = formatEndpoint(status.host, status.port);
    lines.push(`status: not listening (stopped); "start" listens on ${where} again`);
  }

  lines.push(
    `${plural(status.clients.length, "client")} connected${status.clients.length ? ":" : ""}`,
  );
  for (const client of status.clients) {
    let received = `${plural(client.bytesReceived, "byte")}, ${plural(client.linesReceived, "line")}`;
    if (client.pendingBytes > 0)
      received += ` (+${client.pendingBytes} bytes of an unfinished line)`;
    lines.push(
      `  ${client.label}  connected for ${formatDuration(client.connectedForMs)}  ${received}`,
    );
  }

  const { totals } = status;
  lines.push(
    `received in total: ${plural(totals.bytesReceived, "byte")}, ${plural(totals.linesReceived, "line")}`,
    `connections in total: ${totals.acceptedConnections} accepted, ${totals.closedConnections} closed`,
  );
  return lines.join("\n");
}
