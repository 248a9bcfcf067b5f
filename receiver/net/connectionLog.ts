// Follows the widget connections for the operator: each connect and disconnect is logged
// (kinds "connect" and "disconnect", which the CLI summarises when many clients come and
// go), and the latest disconnections are kept for GET /api/connections with those connected.
import { describeDisconnect } from "../consoleReporter.ts";
import { plural } from "../format.ts";
import type { Log } from "../log.ts";
import type {
  ClientStatus,
  DisconnectReason,
  TestServer,
  TestServerStatus,
} from "../testServer.ts";

/** Disconnections kept for the API. */
export const RECENT_DISCONNECTS = 100;

export interface RecentDisconnect {
  label: string;
  reason: DisconnectReason;
  /** The socket error's code or message behind a "reset" or "error". */
  error: string | null;
  /** Why a "timed-out" connection was closed. */
  detail: string | null;
  connectedAt: string;
  disconnectedAt: string;
  bytesReceived: number;
  linesReceived: number;
}

export interface ConnectionsReport extends TestServerStatus {
  clients: (ClientStatus & { session: string | null })[];
  /** Newest last. */
  recentDisconnects: RecentDisconnect[];
}

export interface ConnectionLog {
  report(): ConnectionsReport;
  detach(): void;
}

/** `sessionOf`: the session a client feeds, null before its hello. */
export function watchConnections(
  server: TestServer,
  log: Log,
  sessionOf: (clientId: number) => string | null,
): ConnectionLog {
  const recent: RecentDisconnect[] = [];
  const onConnection: Parameters<typeof server.on<"connection">>[1] = (client) =>
    log(
      `${client.label} connected (${plural(server.status().clients.length, "client")} connected)`,
      "connect",
    );
  const onDisconnect: Parameters<typeof server.on<"disconnect">>[1] = (event) => {
    const error = event.error as NodeJS.ErrnoException | undefined;
    recent.push({
      label: event.client.label,
      reason: event.reason,
      error: error ? (error.code ?? error.message) : null,
      detail: event.detail ?? null,
      connectedAt: event.client.connectedAt.toISOString(),
      disconnectedAt: event.disconnectedAt.toISOString(),
      bytesReceived: event.bytesReceived,
      linesReceived: event.linesReceived,
    });
    if (recent.length > RECENT_DISCONNECTS) recent.shift();
    log(describeDisconnect(event), "disconnect");
  };
  server.on("connection", onConnection);
  server.on("disconnect", onDisconnect);
  return {
    report: () => {
      const status = server.status();
      const clients = status.clients.map((client) => ({
        ...client,
        session: sessionOf(client.id),
      }));
      return { ...status, clients, recentDisconnects: [...recent] };
    },
    detach: () => {
      server.off("connection", onConnection);
      server.off("disconnect", onDisconnect);
    },
  };
}
