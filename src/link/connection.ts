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
 *
 * A connection counts as a success (the retry delay starts again from the first,
 * the failure streak ends) only once it has proved itself: the receiver sent
 * something, or it stayed up for `provenAfter` seconds with the socket taking what
 * was written. A receiver that accepts and closes at once, or accepts and never
 * reads, is a failure like a refusal, so the delay keeps growing.
 *
 * What the connection carries comes from a `Feed` (feed.ts): the protocol session,
 * or by default a plain queue of lines with a greeting (`send`).
 */
import { Backoff } from "./backoff";
import { Breaker, BreakerOptions } from "./breaker";
import { Liveness, silenceError, stallError } from "./liveness";
import { HostAddresses, LookupListener, Resolver } from "./resolver";
import { ByteCounter } from "./byte-counter";
import type { Clock } from "../core/clock";
import { Feed, OutboxFeed } from "./feed";
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
   * Seconds a receiver that has answered may stay silent while an answer is due
   * before the connection counts as dead (see liveness.ts); 0 turns the check off.
   */
  silenceTimeout: number;
  /**
   * Seconds between the socket calls (a `receive`, then one `send` of what the feed
   * joined meanwhile) while connected and keeping up; 0 or absent: every frame. Each
   * `send` costs the game's thread the kernel's loopback path (80-100 µs of CPU a call
   * on our test VM, docs/performance.md), so fewer, fuller ones cost the frame less,
   * and each line waits up to this long. While more waits than one call carries, or the
   * socket did not take it all, the calls go on every frame.
   */
  sendEverySeconds?: number;
}

export interface Transition {
  from: ConnectionState;
  to: ConnectionState;
  /** Why, in words: "requested", "connection refused (...)", "retry delay over", ... */
  reason: string;
  /** Set when the transition was caused by a network failure. */
  failure?: FailureKind;
  /**
   * For a connection that ended (from CONNECTED): whether it had proved itself
   * first; one that had not is a failed attempt and continues the failure streak.
   */
  proven?: boolean;
  /** Seconds until the next attempt, when one is scheduled. */
  retryIn?: number;
  host: string;
  port: number;
}

/** How a connection proved itself (see `ConnectionOptions.provenAfter`). */
export interface Proof {
  /** "stayed up for 10 s" or "the receiver answered". */
  reason: string;
  /** Failed attempts and connections that did not prove themselves before it. */
  failedBefore: number;
  host: string;
  port: number;
}

/** The retries slowed down (see breaker.ts): said once per failure streak. */
export interface SlowRetries {
  /** Failed attempts in a row, and over how many seconds. */
  failures: number;
  seconds: number;
  /** Seconds between attempts from now on. */
  retryEvery: number;
  host: string;
  port: number;
}

export interface ConnectionListener extends LookupListener {
  onTransition(transition: Transition): void;
  /** Many failures over a long time: the retries slow down until a success or `connect`. */
  onSlowRetries?(info: SlowRetries): void;
  /** The current connection has proved itself: a success, ending the failure streak. */
  onProven?(proof: Proof): void;
  /** Bytes received from the peer (also handed to the feed). */
  onData?(data: string): void;
}

export interface ConnectionOptions {
  /**
   * What the connection carries (the protocol session). Without it, a queue of lines
   * filled by `send`, opened on each connection by `greeting`.
   */
  feed?: Feed;
  /** Without `feed`: bytes the queue may hold before dropping the oldest messages. */
  maxQueuedBytes?: number;
  /** Bytes read per `receive` call, and calls per frame at most. */
  receiveChunk?: number;
  receiveCallsPerFrame?: number;
  /**
   * Bytes written per frame at most, in one `send` call of lines joined by the feed,
   * so that a large backlog (or one long line) is spread over frames. Default 65536.
   */
  sendBytesPerFrame?: number;
  /**
   * Seconds a connection must stay up, with the socket taking what is written, to
   * count as a success when the receiver sends nothing. Default 10: longer than a
   * receiver takes to crash after accepting, short enough that a real outage after it
   * still starts from the first retry delay.
   */
  provenAfter?: number;
  /** Without `feed`: the line written first on every new connection. */
  greeting?: (this: void) => string;
  /** Looks names up (see resolver.ts); without it the transport gets the host as written. */
  resolver?: Resolver;
  /** When the retries slow down (breaker.ts); defaults: 20 attempts, 5 min, every 5 min. */
  breaker?: BreakerOptions;
}

export interface ConnectionDiagnostics {
  state: ConnectionState;
  host: string;
  port: number;
  /**
   * Failed attempts since the last successful connection, including connections
   * that ended before they proved themselves.
   */
  failedAttempts: number;
  totalAttempts: number;
  connections: number;
  /** Current retry delay in seconds. */
  retryDelay: number;
  /** Seconds until the next attempt, when one is scheduled. */
  nextRetryIn?: number;
  /** The retries are slowed after many failures (until a success or `connect`). */
  slowedRetries: boolean;
  lastError?: string;
  lastErrorKind?: FailureKind;
  lastErrorAgo?: number;
  /** Seconds since the current connection was established. */
  connectedFor?: number;
  /** While connected: whether the connection has proved itself yet. */
  proven?: boolean;
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
  /** Name lookups made so far (at most one per request of the player). */
  lookups: number;
}

export class Connection {
  /**
   * Clock time (seconds) before which `update` has nothing to do, so that the owner may
   * leave it uncalled (a frame then touches none of the connection's code: on a loaded
   * machine each function a frame runs costs about a microsecond, docs/performance.md):
   * the retry time while RECONNECTING, never while DISCONNECTED or in ERROR, the next
   * socket calls while CONNECTED (`sendEverySeconds`), and -huge while connecting and
   * after any transition until the next `update` (which closes a socket a failure
   * released).
   */
  quietUntil = -math.huge;
  private current: ConnectionState = "DISCONNECTED";
  /** Transitions made so far: `update` sets `quietUntil` only after one that made none. */
  private transitions = 0;
  private readonly backoff: Backoff;
  private readonly breaker: Breaker;
  private readonly feed: Feed;
  /** The built-in queue, when no feed was given. */
  private readonly outbox: OutboxFeed | undefined;
  /** The feed's chunk being written, and how many of its bytes went out. */
  private chunk: string | undefined;
  private chunkSent = 0;
  /** When CONNECTED: the next socket calls are due from then (see `sendEverySeconds`). */
  private nextPumpAt = -math.huge;
  /** Whether the feed was told of the current connection (`opened`, not yet `closed`). */
  private streaming = false;
  private readonly receiveChunk: number;
  private readonly receiveCallsPerFrame: number;
  private readonly sendBytesPerFrame: number;
  private readonly provenAfter: number;
  /** Whether the current connection has proved itself (meaningful while CONNECTED). */
  private proven = false;
  private readonly liveness: Liveness;
  private readonly addresses: HostAddresses;

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
    options: ConnectionOptions = {},
  ) {
    this.backoff = new Backoff(settings.retryInitialDelay, settings.retryMaxDelay);
    this.breaker = new Breaker(options.breaker);
    if (options.feed !== undefined) {
      this.feed = options.feed;
    } else {
      this.outbox = new OutboxFeed(options.greeting, options.maxQueuedBytes ?? 1048576);
      this.feed = this.outbox;
    }
    this.receiveChunk = options.receiveChunk ?? 8192;
    this.receiveCallsPerFrame = options.receiveCallsPerFrame ?? 4;
    this.sendBytesPerFrame = options.sendBytesPerFrame ?? 65536;
    this.provenAfter = options.provenAfter ?? 10;
    this.liveness = new Liveness(settings.silenceTimeout);
    this.addresses = new HostAddresses(options.resolver, listener);
  }

  state(): ConnectionState {
    return this.current;
  }

  /** Starts an attempt now, unless connected or already trying. */
  connect(reason: string): void {
    if (this.current === "CONNECTED" || this.current === "CONNECTING") {
      return;
    }
    this.resetStreak();
    // A request of the player: a name is looked up afresh (retries reuse the answer).
    this.addresses.forget();
    this.startAttempt(reason);
  }

  /** Closes the connection and stays disconnected until `connect`. */
  disconnect(reason: string): void {
    this.closeTransport();
    this.resetStreak();
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
    this.resetStreak();
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
    this.settings.sendEverySeconds = settings.sendEverySeconds;
    // A shorter interval applies from the next frame.
    this.nextPumpAt = -math.huge;
    this.quietUntil = -math.huge;
    this.liveness.setTimeout(settings.silenceTimeout);
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

  /**
   * Queues a line for the receiving program; it is sent once connected. Only with the
   * built-in queue (no `feed` option); returns how many old lines were dropped.
   */
  send(message: string): number {
    return this.outbox !== undefined ? this.outbox.push(message) : 0;
  }

  /** Bytes of the chunk in hand that the socket has not taken yet (0: none in hand). */
  unwrittenBytes(): number {
    return this.chunk === undefined ? 0 : this.chunk.length - this.chunkSent;
  }

  /**
   * Writes what the feed has now (e.g. a `bye` before `disconnect`), if connected: one
   * `send`, or with `maxBytes` chunk after chunk while the socket takes each whole, up
   * to about that many bytes (at shutdown, when no later frame will). Never waits: what
   * the socket does not take stays queued.
   */
  flush(maxBytes = 0): void {
    if (this.current !== "CONNECTED") return;
    // Writes chunk after chunk while the socket takes them whole, up to maxBytes (one
    // write when 0): at shutdown there is no next frame to write the rest in.
    let budget = maxBytes;
    for (;;) {
      const wrote = this.write();
      budget -= wrote;
      if (wrote === 0 || this.chunk !== undefined || budget <= 0) return;
      if (this.current !== "CONNECTED") return;
    }
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

  /**
   * Called every frame (or, to touch less, only from `quietUntil` on): advances the state
   * machine without ever waiting.
   */
  update(): void {
    const seen = this.transitions;
    this.transport.finishClosing();
    const state = this.current;
    if (state === "CONNECTED") {
      // No clock reading while every frame is due (no interval, or behind).
      if (this.nextPumpAt === -math.huge || this.clock.now() >= this.nextPumpAt) {
        this.pumpConnected();
      }
    } else if (state === "CONNECTING") {
      this.pollAttempt();
    } else if (state === "RECONNECTING") {
      if (this.clock.now() >= this.retryAt) {
        this.startAttempt("retry delay over");
      }
    }
    if (this.transitions === seen) this.quietUntil = this.quietTime();
  }

  /** Until when `update` has nothing to do in the current state (see `quietUntil`). */
  private quietTime(): number {
    const state = this.current;
    if (state === "RECONNECTING") return this.retryAt;
    if (state === "DISCONNECTED" || state === "ERROR") return math.huge;
    if (state === "CONNECTED") return this.nextPumpAt;
    return -math.huge;
  }

  diagnostics(): ConnectionDiagnostics {
    const now = this.clock.now();
    const state = this.current;
    const queue = this.feed.queue();
    return {
      state,
      host: this.settings.host,
      port: this.settings.port,
      failedAttempts: this.backoff.streak(),
      totalAttempts: this.totalAttempts,
      connections: this.connections,
      retryDelay: this.backoff.peek(),
      nextRetryIn: state === "RECONNECTING" ? math.max(0, this.retryAt - now) : undefined,
      slowedRetries: this.breaker.isOpen(),
      lastError: this.lastError,
      lastErrorKind: this.lastErrorKind,
      lastErrorAgo: this.lastError !== undefined ? now - this.lastErrorAt : undefined,
      connectedFor: state === "CONNECTED" ? now - this.connectedAt : undefined,
      proven: state === "CONNECTED" ? this.proven : undefined,
      sinceLastConnected:
        this.lastConnectedAt !== undefined ? now - this.lastConnectedAt : undefined,
      connectingFor: state === "CONNECTING" ? now - this.attemptStartedAt : undefined,
      bytesSent: this.sent.format(),
      bytesReceived: this.received.format(),
      messagesSent: this.messagesSent,
      queuedMessages: queue.messages,
      queuedBytes: queue.bytes,
      droppedMessages: queue.dropped,
      lookups: this.addresses.lookupCount(),
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
    const [address, lookupError] = this.addresses.addressOf(this.settings.host);
    if (address === undefined) {
      this.lookupFailed(lookupError);
      return;
    }
    const [status, err] = this.transport.open(address, this.settings.port);
    this.handleAttemptStatus(status, err);
  }

  /** Retrying cannot help until the player asks for a new lookup. */
  private lookupFailed(message: string): void {
    const kind = classifySocketError(message);
    this.recordError(message, kind);
    this.moveTo(
      "ERROR",
      `cannot look up ${this.settings.host}: ${describeFailure(kind, message)} (looked up once; /livedata connect looks it up again)`,
      kind,
    );
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
    // Not a success yet: the backoff is reset once the connection proves itself.
    this.proven = false;
    this.connections += 1;
    this.connectedAt = now;
    this.lastConnectedAt = now;
    this.liveness.begin();
    this.endStream();
    this.streaming = true;
    this.nextPumpAt = -math.huge;
    this.feed.opened();
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
    const proven = this.proven;
    this.releaseTransport();
    this.recordError(message, kind);
    const why =
      kind === "timed-out" ? `connection lost (${message})` : describeFailure(kind, message);
    if (this.settings.autoReconnect) {
      this.scheduleRetry(why, kind, proven);
    } else {
      this.moveTo("ERROR", `${why}; auto-reconnect is off`, kind, undefined, proven);
    }
  }

  /** Marks the current connection a success: the retry delay starts again from the first. */
  private prove(reason: string): void {
    this.proven = true;
    const failedBefore = this.backoff.streak();
    this.resetStreak();
    this.listener.onProven?.({
      reason,
      failedBefore,
      host: this.settings.host,
      port: this.settings.port,
    });
  }

  private scheduleRetry(reason: string, kind: FailureKind | undefined, proven?: boolean): void {
    let delay = this.backoff.next();
    const now = this.clock.now();
    const breaker = this.breaker.failed(this.backoff.streak(), now);
    if (breaker !== undefined) delay = math.max(delay, this.breaker.retrySeconds);
    this.retryAt = now + delay;
    this.moveTo("RECONNECTING", reason, kind, delay, proven);
    if (breaker === "trip") {
      this.listener.onSlowRetries?.({
        failures: this.backoff.streak(),
        seconds: this.breaker.streakSeconds(now),
        retryEvery: delay,
        host: this.settings.host,
        port: this.settings.port,
      });
    }
  }

  /** A success or a fresh start: the retry delay and the breaker start again. */
  private resetStreak(): void {
    this.backoff.reset();
    this.breaker.reset();
  }

  /**
   * Reads what arrived (as much as the feed accepts this frame) and writes what the
   * feed has, within the per-frame budgets: one `send` call per frame carries the
   * lines the feed joined (one system call and, with no-delay, as few packets as the
   * bytes need, instead of one per message).
   */
  private pumpConnected(): void {
    // Due again next frame unless this call keeps up (set after the write).
    const dueAt = this.nextPumpAt;
    this.nextPumpAt = -math.huge;
    let room = this.feed.receiveLimit();
    let drained = false;
    for (let call = 0; call < this.receiveCallsPerFrame && room > 0; call++) {
      const want = math.min(this.receiveChunk, room);
      const [data, err] = this.transport.receive(want);
      if (data.length > 0) {
        room -= data.length;
        this.liveness.received(this.clock.now());
        this.received.add(data.length);
        if (!this.proven) {
          this.prove("the receiver answered");
        }
        this.listener.onData?.(data);
        this.feed.received(data);
        // A handler may have ended the connection.
        if (this.current !== "CONNECTED") return;
      }
      if (err !== undefined) {
        this.lost(err);
        return;
      }
      if (data.length < want) {
        drained = true;
        break;
      }
    }
    const now = this.clock.now();
    if (!this.proven && now - this.connectedAt >= this.provenAfter && !this.liveness.isBlocked()) {
      this.prove(`stayed up for ${this.provenAfter} s`);
    }
    if (this.liveness.silentFor(now) !== undefined) {
      this.lost(silenceError(this.settings.silenceTimeout));
      return;
    }
    if (this.liveness.stalledFor(now) !== undefined) {
      this.lost(stallError(this.settings.silenceTimeout));
      return;
    }
    this.write();
    const every = this.settings.sendEverySeconds ?? 0;
    // Kept up: all read and written, nothing more waiting, and not in the stream's
    // opening (its parts each wait for the last to be written).
    if (
      every > 0 &&
      this.current === "CONNECTED" &&
      drained &&
      this.chunk === undefined &&
      this.feed.unsentBytes() === 0 &&
      !this.feed.opening()
    ) {
      // From the time it was due, not from now: a frame's lateness is not added to
      // every interval (a pump that was not paced starts a new cadence).
      this.nextPumpAt =
        dueAt === -math.huge ? now + every : math.max(dueAt + every, now + every / 2);
    }
  }

  /** One `send` of the feed's chunk (a new one when the last is gone), at most sendBytesPerFrame. */
  private write(): number {
    if (this.chunk === undefined) {
      this.chunk = this.feed.take(this.sendBytesPerFrame);
      this.chunkSent = 0;
      if (this.chunk === undefined) {
        this.liveness.idle();
        return 0;
      }
    }
    const chunk = this.chunk;
    const first = this.chunkSent + 1;
    const [last, err] = this.transport.send(
      chunk,
      first,
      math.min(chunk.length, first + this.sendBytesPerFrame - 1),
    );
    if (last >= first) {
      this.liveness.sent(this.clock.now());
      this.sent.add(last - first + 1);
      this.chunkSent = last;
      if (last >= chunk.length) this.chunk = undefined;
      this.messagesSent += this.feed.written(last - first + 1);
    } else {
      this.liveness.blocked(this.clock.now());
    }
    if (err !== undefined) {
      this.lost(err);
    }
    // Otherwise, when short of the end, the send buffer is full: resumed next frame.
    return math.max(0, last - first + 1);
  }

  /** The current connection's stream ends: its chunk is abandoned, the feed told once. */
  private endStream(): void {
    this.chunk = undefined;
    this.chunkSent = 0;
    if (this.streaming) {
      this.streaming = false;
      this.feed.closed();
    }
  }

  private recordError(message: string, kind: FailureKind): void {
    this.lastError = message;
    this.lastErrorKind = kind;
    this.lastErrorAt = this.clock.now();
  }

  private closeTransport(): void {
    this.transport.close();
    this.endStream();
  }

  /** After a failure: the socket is closed in the next frame (see Transport.release). */
  private releaseTransport(): void {
    this.transport.release();
    this.endStream();
  }

  private moveTo(
    to: ConnectionState,
    reason: string,
    failure?: FailureKind,
    retryIn?: number,
    proven?: boolean,
  ): void {
    const from = this.current;
    this.current = to;
    this.transitions += 1;
    this.quietUntil = -math.huge;
    this.listener.onTransition({
      from,
      to,
      reason,
      failure,
      proven,
      retryIn,
      host: this.settings.host,
      port: this.settings.port,
    });
  }
}
