// The HTTP side: the JSON API, the WebSocket stream and the overlay page, on one port.
//   GET /api/sessions          every session: status, counters, rates, heartbeat, recording
//   GET /api/state?session=    one session's state and metrics (default: the current one)
//   GET /api/events?after=N    the change feed from id N on (a cursor), &limit= at most 1000
//   GET /api/connections       widget connections now, totals, the latest disconnections
//   WS  /api/stream?after=N    the state, then every change (receiver/http/stream.ts)
//   GET /overlay               the OBS overlay page (receiver/overlay/)
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Receiver } from "../receiver.ts";
import { gameMetrics } from "../state/metrics.ts";
import { ListenError } from "../listenErrors.ts";
import { overlayAsset } from "../overlay/assets.ts";
import { isLoopback } from "../net/host.ts";
import { checkAccess } from "./access.ts";
import { createStream } from "./stream.ts";

export interface HttpOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  token: string | null;
  /** The widget connections for GET /api/connections; without it the route is not served. */
  connections?: () => unknown;
}

export interface HttpServer {
  address: AddressInfo;
  close(): Promise<void>;
}

const MAX_EVENTS_PER_PAGE = 1000;

/** How a failure to listen names this side: the receiver has two ports. */
export const HTTP_ROLE = { what: "HTTP: API and overlay", flag: "--http-port" };

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  response.end(text);
}

function route(
  receiver: Receiver,
  options: HttpOptions,
  url: URL,
  response: http.ServerResponse,
): void {
  switch (url.pathname) {
    case "/api/connections":
      if (!options.connections) break;
      sendJson(response, 200, options.connections());
      return;
    case "/api/sessions":
      sendJson(response, 200, {
        sessions: receiver.summaries(),
        unattributedInvalid: {
          total: receiver.unattributed.total,
          byReason: receiver.unattributed.byReason,
        },
      });
      return;
    case "/api/state": {
      const wanted = url.searchParams.get("session");
      const session = wanted ? receiver.sessions.get(wanted) : receiver.currentSession();
      if (!session) {
        sendJson(response, 404, { error: wanted ? `no session "${wanted}"` : "no session yet" });
        return;
      }
      sendJson(response, 200, {
        epoch: receiver.epoch,
        lastId: receiver.feed.lastId,
        session: session.summary(Date.now()),
        metrics: gameMetrics(session.state),
        state: session.state,
      });
      return;
    }
    case "/api/events": {
      const after = Number(url.searchParams.get("after") ?? "0");
      const limit = Math.min(
        Number(url.searchParams.get("limit") ?? MAX_EVENTS_PER_PAGE),
        MAX_EVENTS_PER_PAGE,
      );
      if (!Number.isSafeInteger(after) || after < 0 || !Number.isSafeInteger(limit) || limit < 1) {
        sendJson(response, 400, { error: "after must be an integer ≥ 0 and limit from 1 to 1000" });
        return;
      }
      const { events, complete } = receiver.feed.after(after, limit);
      sendJson(response, 200, {
        events,
        epoch: receiver.epoch,
        lastId: receiver.feed.lastId,
        /** Where to continue: the id of the last event returned. */
        next: events.at(-1)?.id ?? after,
        /** False when events after `after` were already dropped: reload /api/state. */
        complete,
      });
      return;
    }
    case "/":
      response.writeHead(302, { location: "/overlay" });
      response.end();
      return;
  }
  const asset = overlayAsset(url.pathname);
  if (asset) {
    void asset.then(
      (found) => {
        response.writeHead(200, { "content-type": found.contentType, "cache-control": "no-cache" });
        response.end(found.body);
      },
      (error: unknown) =>
        sendJson(response, 500, { error: `overlay build failed: ${String(error)}` }),
    );
    return;
  }
  sendJson(response, 404, { error: "not found" });
}

export async function startHttpServer(
  receiver: Receiver,
  options: HttpOptions,
): Promise<HttpServer> {
  const loopbackOnly = isLoopback(options.host);
  const stream = createStream(receiver);
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://receiver");
    const denied = checkAccess(request, url, loopbackOnly, options.token);
    if (denied) {
      sendJson(response, denied.status, { error: denied.reason });
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      sendJson(response, 405, { error: "only GET" });
      return;
    }
    try {
      route(receiver, options, url, response);
    } catch (error) {
      sendJson(response, 500, { error: String(error) });
    }
  });
  server.on("upgrade", (request, socket, head) => {
    const url = new URL(request.url ?? "/", "http://receiver");
    const denied = checkAccess(request, url, loopbackOnly, options.token);
    if (denied || url.pathname !== "/api/stream") {
      socket.end(
        `HTTP/1.1 ${denied ? denied.status : 404} ${denied ? denied.reason : "Not Found"}\r\n\r\n`,
      );
      return;
    }
    stream.wss.handleUpgrade(request, socket, head, (ws) => stream.accept(ws, request));
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(new ListenError(error, options.host, options.port, HTTP_ROLE));
    server.once("error", failed);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off("error", failed);
      resolve();
    });
  });
  return {
    address: server.address() as AddressInfo,
    close: async () => {
      stream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
