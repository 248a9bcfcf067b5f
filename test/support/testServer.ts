/**
 * The test server with what tests need on top: a bounded history of connections,
 * disconnections and lines that a test can wait on without racing the events. Test-only:
 * the shipped test server (receiver/testServer.ts) only emits the events.
 */
import { attachConsoleReporter } from "../../receiver/consoleReporter.ts";
import {
  TestServer,
  type ClientInfo,
  type DisconnectInfo,
  type ReceivedLine,
  type TestServerOptions,
} from "../../receiver/testServer.ts";
import { ClaimableHistory, type WaitOptions } from "./claimableHistory.ts";
import { createValidator, type ProtocolValidator } from "../protocol/validator.ts";

export { ListenError } from "../../receiver/testServer.ts";
export type { WaitOptions };

export interface WatchedTestServerOptions extends TestServerOptions {
  /** How many past lines, connections and disconnections are kept for inspection and waits. Default 1000. */
  historyLimit?: number;
  /** Default timeout of the waitFor* helpers. Default 2000 ms, below vitest's test timeout. */
  waitTimeoutMs?: number;
  /**
   * Every line is the widget's: check each against the protocol's JSON Schema and keep
   * the ones that fail (`invalidLines`). Lines are then kept whole up to 16 MiB unless
   * `maxLineBytes` says otherwise.
   */
  protocol?: boolean;
}

/** A line that is not a valid protocol message, and why. */
export interface InvalidLine {
  clientId: number;
  line: string;
  problem: string;
}

let validator: ProtocolValidator | undefined;

export class WatchedTestServer extends TestServer {
  private readonly connections: ClaimableHistory<ClientInfo>;
  private readonly disconnects: ClaimableHistory<DisconnectInfo>;
  private readonly lines: ClaimableHistory<ReceivedLine>;
  private readonly invalid: InvalidLine[] = [];

  constructor(options: Omit<WatchedTestServerOptions, "log"> = {}) {
    super(
      options.protocol === true
        ? { ...options, maxLineBytes: options.maxLineBytes ?? 16 * 1024 * 1024 }
        : options,
    );
    if (options.protocol === true) this.on("line", (line) => this.check(line));
    const historyLimit = options.historyLimit ?? 1000;
    const timeoutMs = options.waitTimeoutMs ?? 2000;
    this.connections = new ClaimableHistory(historyLimit, "a connection", timeoutMs);
    this.disconnects = new ClaimableHistory(historyLimit, "a disconnection", timeoutMs);
    this.lines = new ClaimableHistory(historyLimit, "a line", timeoutMs);
    this.on("connection", (client) => this.connections.add(client));
    this.on("disconnect", (event) => this.disconnects.add(event));
    this.on("line", (line) => this.lines.add(line));
    this.on("closed", () => {
      const error = new Error("the test server was closed");
      this.connections.close(error);
      this.disconnects.close(error);
      this.lines.close(error);
    });
  }

  /** Lines that were not valid protocol messages (with `protocol`), oldest first. */
  invalidLines(): InvalidLine[] {
    return [...this.invalid];
  }

  private check(line: ReceivedLine): void {
    const bad = (problem: string, text = "") =>
      this.invalid.push({ clientId: line.clientId, line: text.slice(0, 300), problem });
    // A line cut off by a lost connection is the network's doing, not the widget's.
    if (!line.terminated) return;
    if (line.kind !== "text") {
      bad(line.kind === "binary" ? "not UTF-8 text" : `longer than ${line.byteLength} bytes`);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(line.text);
    } catch (e) {
      bad(`not JSON: ${String(e)}`, line.text);
      return;
    }
    validator ??= createValidator();
    const errors = validator.outbound(message);
    if (errors.length > 0) bad(JSON.stringify(errors), line.text);
  }

  /** The most recent lines (up to historyLimit), oldest first. */
  receivedLines(): ReceivedLine[] {
    return this.lines.values();
  }

  /**
   * The waitFor* helpers resolve with the oldest matching event not yet returned by an earlier
   * call of the same helper, whether it happened before the call or happens later. They reject
   * after the timeout or when the server is closed.
   */
  waitForConnection(
    predicate?: (client: ClientInfo) => boolean,
    options?: WaitOptions,
  ): Promise<ClientInfo> {
    return this.connections.waitFor(predicate, options);
  }

  waitForDisconnect(
    predicate?: (event: DisconnectInfo) => boolean,
    options?: WaitOptions,
  ): Promise<DisconnectInfo> {
    return this.disconnects.waitFor(predicate, options);
  }

  waitForLine(
    predicate?: (line: ReceivedLine) => boolean,
    options?: WaitOptions,
  ): Promise<ReceivedLine> {
    return this.lines.waitFor(predicate, options);
  }
}

/** A watched test server; with `log`, it also describes every event like `npm run server`. */
export function createTestServer(options: WatchedTestServerOptions = {}): WatchedTestServer {
  const server = new WatchedTestServer(options);
  if (options.log) attachConsoleReporter(server, options.log);
  return server;
}
