// Connection handling: listening, accepting clients, splitting their bytes into lines, and
// closing connections on request. It decides nothing about what a line means; consumers
// subscribe to the "line" event (the console reporter prints lines, a future receiver will
// record them), so this file should not need to change when the data handling grows.
import { EventEmitter } from "node:events";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { DEFAULT_HOST, DEFAULT_MAX_LINE_BYTES, DEFAULT_PORT } from "./defaults.ts";
import { attachConsoleReporter } from "./consoleReporter.ts";
import { formatEndpoint } from "./format.ts";
import { decodeLine } from "./lineContent.ts";
import { LineSplitter } from "./lineSplitter.ts";
import type { SplitLine } from "./lineSplitter.ts";
import { ListenError } from "./listenErrors.ts";
import type { Log } from "./log.ts";

export { ListenError } from "./listenErrors.ts";

export interface TestServerOptions {
  /** Default 127.0.0.1: only programs on this machine can connect. */
  host?: string;
  /** Default 9876. 0 picks a free port; later start() calls reuse the port it picked. */
  port?: number;
  /** Longer lines are reported as "too-long" with their size only. Default 4096. */
  maxLineBytes?: number;
  /** If given, every server event is described through it, one message per call. */
  log?: Log;
  /**
   * Close every connection as soon as it is accepted, reading nothing (a receiver that
   * crashes on each client), with the reason "kicked". Default false; can be changed
   * later through the `closeAtOnce` property.
   */
  closeAtOnce?: boolean;
}

export interface ClientInfo {
  /** 1 for the first client accepted, then 2, ...; never reused. */
  id: number;
  /** "#1 127.0.0.1:54321", for messages. */
  label: string;
  remoteAddress: string;
  remotePort: number;
  connectedAt: Date;
}

export type DisconnectReason =
  "closed-by-client" | "reset" | "kicked" | "timed-out" | "server-stopped" | "error";

export interface DisconnectInfo {
  client: ClientInfo;
  reason: DisconnectReason;
  /** The socket error behind a "reset" or "error" disconnect. */
  error?: Error;
  /** Why a "timed-out" connection was closed, e.g. "no hello within 10 s of connecting". */
  detail?: string;
  disconnectedAt: Date;
  bytesReceived: number;
  linesReceived: number;
}

export type ReceivedLine = {
  /** Position among all lines this server received, starting at 1. */
  seq: number;
  clientId: number;
  clientLabel: string;
  receivedAt: Date;
  /** Size of the line without its "\n" or "\r\n". */
  byteLength: number;
  /** false for bytes left without a newline when the client disconnected. */
  terminated: boolean;
} & (
  | { kind: "text"; text: string }
  /** Not valid UTF-8, or contains control characters: not printed. */
  | { kind: "binary" }
  /** Longer than maxLineBytes: the content was not kept. */
  | { kind: "too-long" }
);

export interface ClientStatus extends ClientInfo {
  connectedForMs: number;
  bytesReceived: number;
  linesReceived: number;
  /** Bytes of an unfinished line held in memory; at most maxLineBytes + 1. */
  pendingBytes: number;
}

export interface TestServerTotals {
  acceptedConnections: number;
  closedConnections: number;
  bytesReceived: number;
  /** Every ReceivedLine, including too-long, binary and unterminated ones. */
  linesReceived: number;
}

export interface TestServerStatus {
  listening: boolean;
  /** Where the server listens, or will listen on the next start(). */
  host: string;
  port: number;
  /** The bound address while listening, else null. */
  address: AddressInfo | null;
  clients: ClientStatus[];
  totals: TestServerTotals;
}

export type TestServerEvents = {
  listening: [address: AddressInfo];
  stopped: [address: AddressInfo];
  connection: [client: ClientInfo];
  disconnect: [event: DisconnectInfo];
  line: [line: ReceivedLine];
  /** Bytes arrived from a client, before line splitting; lets tests wait for partial lines. */
  data: [client: ClientInfo, byteLength: number];
  /** A listening socket failed after start(), e.g. too many open files while accepting. */
  serverError: [error: Error];
  /** close() finished: the server will not start again. */
  closed: [];
  /**
   * Every line before it is decoded for printing, with its bytes (null when too long): the
   * receiver parses these, since a valid JSON line may hold characters the console hides.
   * The bytes may be a view of the socket's read buffer: copy them to keep them.
   */
  rawLine: [client: ClientInfo, bytes: Buffer | null, byteLength: number, terminated: boolean];
};

interface ClientState {
  info: ClientInfo;
  socket: net.Socket;
  splitter: LineSplitter;
  bytesReceived: number;
  linesReceived: number;
  /** Set when this side closes the connection, so "close" knows it was not the client. */
  closedBy: "kicked" | "timed-out" | "server-stopped" | null;
  /** See DisconnectInfo.detail. */
  detail: string | null;
  error: Error | null;
  closed: Promise<void>;
}

// Codes for a connection the peer tore down rather than closed; Windows reports ECONNABORTED.
const RESET_CODES = new Set(["ECONNRESET", "ECONNABORTED", "EPIPE"]);

function disconnectReason(state: ClientState): DisconnectReason {
  if (state.closedBy) return state.closedBy;
  if (state.error) {
    const code = (state.error as NodeJS.ErrnoException).code;
    return code !== undefined && RESET_CODES.has(code) ? "reset" : "error";
  }
  return "closed-by-client";
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${port}`);
  }
  return port;
}

export class TestServer extends EventEmitter<TestServerEvents> {
  readonly host: string;
  readonly maxLineBytes: number;
  /** See TestServerOptions.closeAtOnce; applies to connections accepted from now on. */
  closeAtOnce: boolean;
  private port: number;
  private listener: net.Server | null = null;
  private address: AddressInfo | null = null;
  private isClosed = false;
  private readonly clients = new Map<number, ClientState>();
  private nextClientId = 1;
  private nextLineSeq = 1;
  private readonly totalCounts: TestServerTotals = {
    acceptedConnections: 0,
    closedConnections: 0,
    bytesReceived: 0,
    linesReceived: 0,
  };
  /** start/stop/kick/close run one after another, so "stop" then "start" cannot interleave. */
  private operations: Promise<unknown> = Promise.resolve();

  constructor(options: Omit<TestServerOptions, "log"> = {}) {
    super();
    this.host = options.host ?? DEFAULT_HOST;
    this.port = checkPort(options.port ?? DEFAULT_PORT);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.closeAtOnce = options.closeAtOnce ?? false;
    new LineSplitter(this.maxLineBytes); // validates the limit now rather than on the first client
  }

  /** Listens (again) and resolves with the bound address; resolves at once if already listening. */
  start(): Promise<AddressInfo> {
    return this.serialize(() => this.startNow());
  }

  /** Stops listening and closes every client. The server can be started again. */
  stop(): Promise<void> {
    return this.serialize(() => this.stopNow());
  }

  /** Closes every client connection and resolves once their sockets are closed; keeps listening. */
  kick(): Promise<void> {
    return this.serialize(() => this.closeClients("kicked"));
  }

  /** Stops for good: like stop(), and pending and later waits reject. */
  close(): Promise<void> {
    return this.serialize(async () => {
      await this.stopNow();
      if (this.isClosed) return;
      this.isClosed = true;
      this.emit("closed");
    });
  }

  status(): TestServerStatus {
    const now = Date.now();
    return {
      listening: this.listener !== null,
      host: this.host,
      port: this.port,
      address: this.address ? { ...this.address } : null,
      clients: [...this.clients.values()].map((state) => ({
        ...state.info,
        connectedForMs: now - state.info.connectedAt.getTime(),
        bytesReceived: state.bytesReceived,
        linesReceived: state.linesReceived,
        pendingBytes: state.splitter.bufferedBytes,
      })),
      totals: this.totals,
    };
  }

  get totals(): TestServerTotals {
    return { ...this.totalCounts };
  }

  /**
   * Writes one line (a "\n" is appended) to a client; false when it is gone or not reading
   * (more than 1 MiB waiting), so a stuck client cannot make the server hoard memory.
   */
  send(clientId: number, line: string): boolean {
    const state = this.clients.get(clientId);
    if (!state || state.socket.destroyed || state.socket.writableLength > 1024 * 1024) return false;
    state.socket.write(`${line}\n`);
    return true;
  }

  /** Closes one client, reported as "kicked"; resolves once its socket is closed. */
  kickClient(clientId: number): Promise<void> {
    return this.closeClient(clientId, "kicked", null);
  }

  /** Closes a client that held its slot without talking, reported as "timed-out" with why. */
  timeOut(clientId: number, why: string): Promise<void> {
    return this.closeClient(clientId, "timed-out", why);
  }

  private closeClient(
    clientId: number,
    reason: "kicked" | "timed-out",
    detail: string | null,
  ): Promise<void> {
    const state = this.clients.get(clientId);
    if (!state) return Promise.resolve();
    if (!state.closedBy) {
      state.closedBy = reason;
      state.detail = detail;
    }
    state.socket.destroy();
    return state.closed;
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.operations.then(operation);
    this.operations = result.catch(() => undefined);
    return result;
  }

  private async startNow(): Promise<AddressInfo> {
    if (this.isClosed) throw new Error("the test server was closed and cannot start again");
    if (this.listener && this.address) return { ...this.address };

    const listener = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        listener.off("listening", onListening);
        reject(new ListenError(error, this.host, this.port));
      };
      const onListening = () => {
        listener.off("error", onError);
        resolve();
      };
      listener.once("error", onError);
      listener.once("listening", onListening);
      listener.listen({ host: this.host, port: this.port });
    });
    listener.on("error", (error) => this.emit("serverError", error));

    const address = listener.address() as AddressInfo;
    this.port = address.port; // "start" after "stop" comes back where clients expect it
    this.listener = listener;
    this.address = address;
    this.emit("listening", { ...address });
    return { ...address };
  }

  private async stopNow(): Promise<void> {
    const listener = this.listener;
    const address = this.address;
    if (!listener || !address) return;
    this.listener = null;
    this.address = null;
    // close() refuses new connections at once but only calls back when the existing ones are gone.
    const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
    await this.closeClients("server-stopped");
    await listenerClosed;
    this.emit("stopped", { ...address });
  }

  private async closeClients(reason: "kicked" | "server-stopped"): Promise<void> {
    const closing = [...this.clients.values()].map((state) => {
      state.closedBy ??= reason;
      // destroy() rather than end(): a client that never closes its side must not keep us waiting.
      state.socket.destroy();
      return state.closed;
    });
    await Promise.all(closing);
  }

  private accept(socket: net.Socket): void {
    const id = this.nextClientId++;
    const remoteAddress = socket.remoteAddress ?? "unknown";
    const remotePort = socket.remotePort ?? 0;
    const info: ClientInfo = {
      id,
      label: `#${id} ${formatEndpoint(remoteAddress, remotePort)}`,
      remoteAddress,
      remotePort,
      connectedAt: new Date(),
    };
    let markClosed!: () => void;
    const state: ClientState = {
      info,
      socket,
      splitter: new LineSplitter(this.maxLineBytes),
      bytesReceived: 0,
      linesReceived: 0,
      closedBy: null,
      detail: null,
      error: null,
      closed: new Promise<void>((resolve) => (markClosed = resolve)),
    };

    socket.on("data", (chunk: Buffer) => this.receive(state, chunk));
    // Without an "error" listener a reset connection would crash the process.
    socket.on("error", (error) => (state.error ??= error));
    socket.on("close", () => {
      this.finish(state);
      markClosed();
    });

    this.clients.set(id, state);
    this.totalCounts.acceptedConnections++;
    this.emit("connection", info);
    if (this.closeAtOnce) {
      state.closedBy = "kicked";
      socket.destroy();
    }
  }

  private receive(state: ClientState, chunk: Buffer): void {
    state.bytesReceived += chunk.length;
    this.totalCounts.bytesReceived += chunk.length;
    for (const line of state.splitter.push(chunk)) this.deliver(state, line, true);
    this.emit("data", state.info, chunk.length);
  }

  private deliver(state: ClientState, line: SplitLine, terminated: boolean): void {
    if (this.listenerCount("rawLine") > 0) {
      if (line.kind === "line")
        this.emit("rawLine", state.info, line.bytes, line.bytes.length, terminated);
      else this.emit("rawLine", state.info, null, line.byteLength, terminated);
    }
    const seq = this.nextLineSeq++;
    state.linesReceived++;
    this.totalCounts.linesReceived++;
    // Describing the line (UTF-8 check, decoding, a scan for control characters) is for the
    // console and the tests; the receiver alone takes raw lines at tens of thousands a second.
    if (this.listenerCount("line") === 0) return;
    const meta = {
      seq,
      clientId: state.info.id,
      clientLabel: state.info.label,
      receivedAt: new Date(),
      terminated,
    };
    const received: ReceivedLine =
      line.kind === "too-long"
        ? { ...meta, byteLength: line.byteLength, kind: "too-long" }
        : { ...meta, byteLength: line.bytes.length, ...decodeLine(line.bytes) };
    this.emit("line", received);
  }

  private finish(state: ClientState): void {
    const rest = state.splitter.flush();
    if (rest) this.deliver(state, rest, false);
    this.clients.delete(state.info.id);
    this.totalCounts.closedConnections++;
    const event: DisconnectInfo = {
      client: state.info,
      reason: disconnectReason(state),
      disconnectedAt: new Date(),
      bytesReceived: state.bytesReceived,
      linesReceived: state.linesReceived,
    };
    if (state.error) event.error = state.error;
    if (state.detail !== null) event.detail = state.detail;
    this.emit("disconnect", event);
  }
}

/** A TestServer, not yet listening; with options.log its events are also described there. */
export function createTestServer(options: TestServerOptions = {}): TestServer {
  const server = new TestServer(options);
  if (options.log) attachConsoleReporter(server, options.log);
  return server;
}
