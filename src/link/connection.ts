/**
 * The connection state machine: the single source of truth for the state of the
 * link to the receiving program. Pure: it never calls Spring or LuaSocket, only the
 * transport and the clock it is given, and it reports every transition to a
 * listener (which logs them), so it can be driven step by step in tests.
 *
 *   DISCONNECTED --connect--> CONNECTING --confirmed--> CONNECTED
 *   CONNECTING --failed or timed out--> RECONNECTING (auto-reconnect) | ERROR
 *   CONNECTED --closed, reset, write failed--> RECONNECTING (auto-reconnect) | ERROR
 *   RECONNECTING --retry delay over--> CONNECTING
 *   any --disconnect--> DISCONNECTED
 *
 * ERROR means the widget has stopped trying on its own: auto-reconnect is off, or
 * retrying cannot help (the engine's allow-list denies the address). `connect`, an
 * address change or switching auto-reconnect back on leaves it.
 */
import { Backoff } from "./backoff";
import { ByteCounter } from "./byte-counter";
import type { Clock } from "../core/clock";
import { Outbox } from "./outbox";
import { classifySocketError, describeFailure, FailureKind, isRetryable } from "./socket-errors";
import type { Transport } from "./transport";

export type ConnectionState =
  "DISCONNECTED" | "CONNECTING" | "CONNECTED" | "RECONNECTING" | "ERROR";

export interface ConnectionSettings {
  host: string;
  port: number;
  autoReconnect: boolean;
  retryInitialDelay: number;
  retryMaxDelay: number;
  connectTimeout: number;
  /**
   * Seconds of inbound silence after which a connection whose receiver has proved
   * it answers counts as dead; 0 turns the check off.
   */
  silenceTimeout: number;
}

export interface Transition {
  from: ConnectionState;
  to: ConnectionState;
  /** Why, in words: "requested", "connection refused (...)", "retry delay over", ... */
  reason: string;
  /** Set when the transition was caused by a network failure. */
  failure?: FailureKind;
  /** Seconds until the next attempt, when one is scheduled. */
  retryIn?: number;
  host: string;
  port: number;
}

export interface ConnectionListener {
  onTransition(transition: Transition): void;
  /** Bytes received from the peer (phase 1 only counts them). */
  onData?(data: string): void;
}

export interface ConnectionOptions {
  /** Bytes the outgoing queue may hold before dropping the oldest messages. */
  maxQueuedBytes?: number;
  /** Bytes read per `receive` call, and calls per frame at most. */
  receiveChunk?: number;
  receiveCallsPerFrame?: number;
  /** Bytes written per frame at most, so a large backlog is spread over frames. */
  sendBytesPerFrame?: number;
  /** Line written first on every new connection. */
  greeting?: (this: void) => string;
}

export interface ConnectionDiagnostics {
  state: ConnectionState;
  host: string;
  port: number;
  /** Failed attempts since the last successful connection. */
  failedAttempts: number;
  totalAttempts: number;
  connections: number;
  /** Current retry delay in seconds. */
  retryDelay: number;
  /** Seconds until the next attempt, when one is scheduled. */
  nextRetryIn?: number;
  lastError?: string;
  lastErrorKind?: FailureKind;
  lastErrorAgo?: number;
  /** Seconds since the current connection was established. */
  connectedFor?: number;
  /** Seconds since the last successful connection was established. */
  sinceLastConnected?: number;
  /** Seconds the current attempt has been pending. */
  connectingFor?: number;
  bytesSent: string;
  bytesReceived: string;
  messagesSent: number;
  queuedMessages: number;
  queuedBytes: number;
  droppedMessages: number;
}

export class Connection {
  private current: ConnectionState = "DISCONNECTED";
  private readonly backoff: Backoff;
  private readonly outbox: Outbox;
  private readonly receiveChunk: number;
  private readonly receiveCallsPerFrame: number;
  private readonly sendBytesPerFrame: number;

  private attemptStartedAt = 0;
  private retryAt = 0;
  private connectedAt = 0;
  private lastConnectedAt: number | undefined;
  private lastError: string | undefined;
  private lastErrorKind: FailureKind | undefined;
  private lastErrorAt = 0;
  private totalAttempts = 0;
  private connections = 0;
  private messagesSent = 0;
  private readonly sent = new ByteCounter();
  private readonly received = new ByteCounter();

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    private settings: ConnectionSettings,
    private readonly listener: ConnectionListener,
    private readonly options: ConnectionOptions = {},
  ) {
    this.backoff = new Backoff(settings.retryInitialDelay, settings.retryMaxDelay);
    this.outbox = new Outbox(options.maxQueuedBytes ?? 1048576);
    this.receiveChunk = options.receiveChunk ?? 8192;
    this.receiveCallsPerFrame = options.receiveCallsPerFrame ?? 4;
    this.sendBytesPerFrame = options.sendBytesPerFrame ?? 65536;
  }

  state(): ConnectionState {
    return this.current;
  }

  /** Starts an attempt now, unless connected or already trying. */
  connect(reason: string): void {
    if (this.current === "CONNECTED" || this.current === "CONNECTING") {
      return;
    }
    this.backoff.reset();
    this.startAttempt(reason);
  }

  /** Closes the connection and stays disconnected until `connect`. */
  disconnect(reason: string): void {
    this.closeTransport();
    this.backoff.reset();
    this.moveTo("DISCONNECTED", reason);
  }

  /**
   * Points the connection at a new address. Unless disconnected on purpose, it
   * drops the current socket and connects to the new address at once.
   */
  setAddress(host: string, port: number): void {
    if (host === this.settings.host && port === this.settings.port) {
      return;
    }
    this.settings.host = host;
    this.settings.port = port;
    if (this.current === "DISCONNECTED") {
      return;
    }
    this.closeTransport();
    this.backoff.reset();
    this.startAttempt(`address changed to ${host}:${port}`);
  }

  /** Applies new retry and timeout settings (the address goes through `setAddress`). */
  configure(settings: Omit<ConnectionSettings, "host" | "port">): void {
    const wasAuto = this.settings.autoReconnect;
    this.settings.autoReconnect = settings.autoReconnect;
    this.settings.retryInitialDelay = settings.retryInitialDelay;
    this.settings.retryMaxDelay = settings.retryMaxDelay;
    this.settings.connectTimeout = settings.connectTimeout;
    this.settings.silenceTimeout = settings.silenceTimeout;
    this.backoff.configure(settings.retryInitialDelay, settings.retryMaxDelay);
    if (wasAuto && !settings.autoReconnect && this.current === "RECONNECTING") {
      this.moveTo("ERROR", "auto-reconnect switched off");
    } else if (
      !wasAuto &&
      settings.autoReconnect &&
      this.current === "ERROR" &&
      (this.lastErrorKind === undefined || isRetryable(this.lastErrorKind))
    ) {
      this.scheduleRetry("auto-reconnect switched on", this.lastErrorKind);
    }
  }

  /** Queues a line for the receiving program; it is sent once connected. */
  send(message: string): number {
    return this.outbox.push(message);
  }

  /**
   * Drops the socket after an unexpected error in our own code and starts again
   * from a clean state, as if the connection had been lost.
   */
  reset(reason: string): void {
    this.closeTransport();
    if (this.current === "DISCONNECTED") {
      return;
    }
    if (this.settings.autoReconnect) {
      this.scheduleRetry(reason, undefined);
    } else {
      this.moveTo("ERROR", reason);
    }
  }

  /** Closes the socket without a transition, for the widget's Shutdown. */
  shutdown(): void {
    this.closeTransport();
  }

  /** Called every frame: advances the state machine without ever waiting. */
  update(): void {
    this.transport.finishClosing();
    const state = this.current;
    if (state === "CONNECTED") {
      this.pumpConnected();
    } else if (state === "CONNECTING") {
      this.pollAttempt();
    } else if (state === "RECONNECTING") {
      if (this.clock.now() >= this.retryAt) {
        this.startAttempt("retry delay over");
      }
    }
  }

  diagnostics(): ConnectionDiagnostics {
    const now = this.clock.now();
    const state = this.current;
    return {
      state,
      host: this.settings.host,
      port: this.settings.port,
      failedAttempts: this.backoff.streak(),
      totalAttempts: this.totalAttempts,
      connections: this.connections,
      retryDelay: this.backoff.peek(),
      nextRetryIn: state === "RECONNECTING" ? math.max(0, this.retryAt - now) : undefined,
      lastError: this.lastError,
      lastErrorKind: this.lastErrorKind,
      lastErrorAgo: this.lastError !== undefined ? now - this.lastErrorAt : undefined,
      connectedFor: state === "CONNECTED" ? now - this.connectedAt : undefined,
      sinceLastConnected:
        this.lastConnectedAt !== undefined ? now - this.lastConnectedAt : undefined,
      connectingFor: state === "CONNECTING" ? now - this.attemptStartedAt : undefined,
      bytesSent: this.sent.format(),
      bytesReceived: this.received.format(),
      messagesSent: this.messagesSent,
      queuedMessages: this.outbox.count(),
      queuedBytes: this.outbox.bytes(),
      droppedMessages: this.outbox.droppedCount(),
    };
  }

  /** Seconds until the next attempt while RECONNECTING (for the status line). */
  retryIn(): number | undefined {
    return this.current === "RECONNECTING"
      ? math.max(0, this.retryAt - this.clock.now())
      : undefined;
  }

  private startAttempt(reason: string): void {
    this.totalAttempts += 1;
    this.attemptStartedAt = this.clock.now();
    this.moveTo("CONNECTING", reason);
    const [status, err] = this.transport.open(this.settings.host, this.settings.port);
    this.handleAttemptStatus(status, err);
  }

  private pollAttempt(): void {
    const [status, err] = this.transport.checkConnect();
    if (status === "pending") {
      if (this.clock.now() - this.attemptStartedAt >= this.settings.connectTimeout) {
        this.attemptFailed(`no answer within ${this.settings.connectTimeout} s`, "timed-out");
      }
      return;
    }
    this.handleAttemptStatus(status, err);
  }

  private handleAttemptStatus(status: string, err: string | undefined): void {
    if (status === "connected") {
      this.connected();
    } else if (status === "failed") {
      const message = err ?? "unknown error";
      this.attemptFailed(message, classifySocketError(message));
    }
  }

  private connected(): void {
    const now = this.clock.now();
    this.backoff.reset();
    this.connections += 1;
    this.connectedAt = now;
    this.lastConnectedAt = now;
    this.outbox.rewind();
    const greeting = this.options.greeting;
    if (greeting !== undefined) {
      this.outbox.pushFront(greeting());
    }
    this.moveTo("CONNECTED", "connection established");
    this.pumpConnected();
  }

  private attemptFailed(message: string, kind: FailureKind): void {
    this.releaseTransport();
    this.recordError(message, kind);
    if (!isRetryable(kind)) {
      this.moveTo("ERROR", describeFailure(kind, message), kind);
    } else if (this.settings.autoReconnect) {
      this.scheduleRetry(describeFailure(kind, message), kind);
    } else {
      this.moveTo("ERROR", `${describeFailure(kind, message)}; auto-reconnect is off`, kind);
    }
  }

  private lost(message: string): void {
    const kind = classifySocketError(message);
    this.releaseTransport();
    this.recordError(message, kind);
    const why =
      kind === "timed-out" ? `connection lost (${message})` : describeFailure(kind, message);
    if (this.settings.autoReconnect) {
      this.scheduleRetry(why, kind);
    } else {
      this.moveTo("ERROR", `${why}; auto-reconnect is off`, kind);
    }
  }

  private scheduleRetry(reason: string, kind: FailureKind | undefined): void {
    const delay = this.backoff.next();
    this.retryAt = this.clock.now() + delay;
    this.moveTo("RECONNECTING", reason, kind, delay);
  }

  /** Reads what arrived and writes what is queued, within the per-frame budgets. */
  private pumpConnected(): void {
    for (let call = 0; call < this.receiveCallsPerFrame; call++) {
      const [data, err] = this.transport.receive(this.receiveChunk);
      if (data.length > 0) {
        this.received.add(data.length);
        this.listener.onData?.(data);
      }
      if (err !== undefined) {
        this.lost(err);
        return;
      }
      if (data.length < this.receiveChunk) {
        break;
      }
    }
    let budget = this.sendBytesPerFrame;
    while (budget > 0) {
      const [message, first] = this.outbox.peek();
      if (message === undefined) {
        return;
      }
      const [last, err] = this.transport.send(message, first);
      if (last >= first) {
        this.sent.add(last - first + 1);
        budget -= last - first + 1;
      }
      this.outbox.advance(last);
      if (last >= message.length) {
        this.messagesSent += 1;
      }
      if (err !== undefined) {
        this.lost(err);
        return;
      }
      if (last < message.length) {
        // The send buffer is full: try again next frame.
        return;
      }
    }
  }

  private recordError(message: string, kind: FailureKind): void {
    this.lastError = message;
    this.lastErrorKind = kind;
    this.lastErrorAt = this.clock.now();
  }

  private closeTransport(): void {
    this.transport.close();
    this.outbox.rewind();
  }

  /** After a failure: the socket is closed in the next frame (see Transport.release). */
  private releaseTransport(): void {
    this.transport.release();
    this.outbox.rewind();
  }

  private moveTo(
    to: ConnectionState,
    reason: string,
    failure?: FailureKind,
    retryIn?: number,
  ): void {
    const from = this.current;
    this.current = to;
    this.listener.onTransition({
      from,
      to,
      reason,
      failure,
      retryIn,
      host: this.settings.host,
      port: this.settings.port,
    });
  }
}
