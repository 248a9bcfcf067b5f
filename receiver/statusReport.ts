// The text of the "status" command, built from a status snapshot so it is testable alone.
// With hundreds of clients it lists the first few and counts the rest: a console is for
// reading, the full list is in the API.
import { formatDuration, formatEndpoint, plural } from "./format.ts";
import type { ClientStatus, TestServerStatus } from "./testServer.ts";

/** Clients listed one by one by default; the rest are counted in one line. */
export const STATUS_CLIENT_LIMIT = 10;

export interface StatusOptions {
  maxClients?: number;
  /** The receiver's side: the session a client feeds, null before its hello. */
  sessionOf?: (clientId: number) => string | null;
  /** Where the full list is, for the line that counts the rest ("GET /api/connections"). */
  allClientsAt?: string;
}

function describeClient(client: ClientStatus, options: StatusOptions): string {
  let received = `${plural(client.bytesReceived, "byte")}, ${plural(client.linesReceived, "line")}`;
  if (client.pendingBytes > 0) received += ` (+${client.pendingBytes} bytes of an unfinished line)`;
  let text = `  ${client.label}  connected for ${formatDuration(client.connectedForMs)}  ${received}`;
  if (options.sessionOf) {
    const session = options.sessionOf(client.id);
    text += session === null ? "  no hello yet" : `  session ${session}`;
  }
  return text;
}

function describeRest(rest: ClientStatus[], options: StatusOptions): string {
  let text = `  … and ${rest.length} more`;
  const { sessionOf, allClientsAt } = options;
  if (sessionOf) {
    const withHello = rest.filter((client) => sessionOf(client.id) !== null).length;
    text += ` (${withHello} in a session, ${rest.length - withHello} without hello)`;
  }
  if (allClientsAt) text += `; ${allClientsAt} lists them all`;
  return text;
}

export function formatStatus(status: TestServerStatus, options: StatusOptions = {}): string {
  const lines: string[] = [];
  if (status.listening && status.address) {
    lines.push(
      `status: listening on ${formatEndpoint(status.address.address, status.address.port)}`,
    );
  } else {
    const where = formatEndpoint(status.host, status.port);
    lines.push(`status: not listening (stopped); "start" listens on ${where} again`);
  }

  const { clients } = status;
  const shown = clients.slice(0, options.maxClients ?? STATUS_CLIENT_LIMIT);
  lines.push(`${plural(clients.length, "client")} connected${clients.length ? ":" : ""}`);
  for (const client of shown) lines.push(describeClient(client, options));
  if (clients.length > shown.length) lines.push(describeRest(clients.slice(shown.length), options));

  const { totals } = status;
  lines.push(
    `received in total: ${plural(totals.bytesReceived, "byte")}, ${plural(totals.linesReceived, "line")}`,
    `connections in total: ${totals.acceptedConnections} accepted, ${totals.closedConnections} closed`,
  );
  return lines.join("\n");
}
