// The whole receiver as one object: the widget listener (TCP), the pipeline, the HTTP side.
// The CLI (receiver/cli/main.ts), the tests and the bench start it the same way.
import type { AddressInfo } from "node:net";
import { DEFAULT_HOST, DEFAULT_PORT } from "./defaults.ts";
import { startHttpServer } from "./http/httpServer.ts";
import type { HttpServer } from "./http/httpServer.ts";
import { ListenError } from "./listenErrors.ts";
import type { Log } from "./log.ts";
import { watchConnections } from "./net/connectionLog.ts";
import { DEFAULT_HELLO_TIMEOUT_S, DEFAULT_IDLE_TIMEOUT_S } from "./net/connectionTimeouts.ts";
import { hostProblem, listenAddress } from "./net/host.ts";
import type { ConnectionLog } from "./net/connectionLog.ts";
import { attachReceiver } from "./net/widgetListener.ts";
import { Receiver } from "./receiver.ts";
import { recordingsFolderProblem } from "./record/fileErrors.ts";
import type { ReceiverOptions } from "./receiver.ts";
import { TestServer } from "./testServer.ts";

/** The widget's lines can be large (a snapshot, a unitdefs part); this bounds each client's buffer. */
export const RECEIVER_MAX_LINE_BYTES = 1024 * 1024;
export const DEFAULT_HTTP_PORT = 9877;
/** How a failure to listen names the widget side: the receiver has two ports. */
export const WIDGET_ROLE = { what: "widgets", flag: "--port" };

export interface ReceiverAppOptions extends Omit<ReceiverOptions, "log"> {
  /**
   * Address of both the widget listener and HTTP, IPv4 (receiver/net/host.ts). Default
   * 127.0.0.1; any other needs a token.
   */
  host?: string;
  /** Widget port, default 9876; 0 picks a free one. */
  port?: number;
  /** HTTP port, default 9877; 0 picks a free one; null serves no HTTP (a replay to a file). */
  httpPort?: number | null;
  maxLineBytes?: number;
  /** A connection without a hello this long after connecting is closed. Default 10 s. */
  helloTimeoutMs?: number;
  /** A connection that sends nothing this long is closed; null never. Default 60 s. */
  idleTimeoutMs?: number | null;
  log?: Log;
}

export interface ReceiverApp {
  receiver: Receiver;
  /** The widget listener, with the console's status/kick/stop/start. */
  server: TestServer;
  /** Connects and disconnects, logged and kept for GET /api/connections. */
  connections: ConnectionLog;
  /** The session a widget client feeds, null before its hello. */
  sessionOf(clientId: number): string | null;
  widgetAddress: AddressInfo;
  http: HttpServer | null;
  /**
   * Why the recordings folder cannot be used (checked at start), or null. The receiver runs
   * anyway; each new session tries again and reports its own error.
   */
  recordingsProblem: string | null;
  close(): Promise<void>;
}

export async function startReceiverApp(options: ReceiverAppOptions): Promise<ReceiverApp> {
  const requested = options.host ?? DEFAULT_HOST;
  const problem = hostProblem(requested, options.token ?? null);
  if (problem !== null) throw new Error(problem);
  const port = options.port ?? DEFAULT_PORT;
  let host: string;
  try {
    host = await listenAddress(requested);
  } catch (error) {
    throw new ListenError(error as NodeJS.ErrnoException, requested, port, WIDGET_ROLE);
  }
  const recordingsProblem =
    options.recordingsDir === null ? null : recordingsFolderProblem(options.recordingsDir);
  const receiver = new Receiver(options);
  // The pipeline reads raw lines; the test server's own line history only serves its tests.
  const server = new TestServer({
    host,
    port,
    maxLineBytes: options.maxLineBytes ?? RECEIVER_MAX_LINE_BYTES,
  });
  const listener = attachReceiver(server, receiver, {
    now: options.now ?? Date.now,
    limits: {
      helloMs: options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_S * 1000,
      idleMs:
        options.idleTimeoutMs === undefined ? DEFAULT_IDLE_TIMEOUT_S * 1000 : options.idleTimeoutMs,
    },
  });
  const connections = watchConnections(
    server,
    options.log ?? (() => undefined),
    listener.sessionOf,
  );
  const detach = () => {
    listener.detach();
    connections.detach();
  };
  let widgetAddress: AddressInfo;
  try {
    widgetAddress = await server.start();
  } catch (error) {
    detach();
    throw error instanceof ListenError ? error.as(WIDGET_ROLE) : error;
  }
  let http: HttpServer | null = null;
  try {
    const httpPort = options.httpPort === undefined ? DEFAULT_HTTP_PORT : options.httpPort;
    if (httpPort !== null) {
      http = await startHttpServer(receiver, {
        host,
        port: httpPort,
        token: options.token ?? null,
        connections: () => connections.report(),
      });
    }
  } catch (error) {
    detach();
    await server.close();
    throw error;
  }
  return {
    receiver,
    server,
    connections,
    sessionOf: listener.sessionOf,
    widgetAddress,
    http,
    recordingsProblem,
    close: async () => {
      detach();
      await http?.close();
      await server.close();
      receiver.close();
    },
  };
}

export { DEFAULT_PORT };
