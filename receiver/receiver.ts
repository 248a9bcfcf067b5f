// The receiver's pipeline, without any socket: lines in (from widget connections or a replay),
// answers out (hello_reply, ack, resync), sessions, game states, recordings and the change
// feed. receiver/net/ connects it to TCP and receiver/http/ serves what it holds.
import { randomUUID, timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";
import { PROTOCOL_VERSION } from "../protocol/messages.ts";
import type { HelloMessage, InboundMessage, OutboundMessage } from "../protocol/messages.ts";
import { EventLog } from "./eventLog.ts";
import type { NewStreamEvent, StreamEvent } from "./eventLog.ts";
import type { Log } from "./log.ts";
import { Recorder } from "./record/recorder.ts";
import { encodeRecordedLine } from "./record/recordingFormat.ts";
import { RECORDING_FORMAT } from "./record/recordingFormat.ts";
import { recordingFileName } from "./record/recordingName.ts";
import { InvalidCounts } from "./session/invalidCounts.ts";
import { Session } from "./session/session.ts";
import type { SessionStatus, SessionSummary } from "./session/session.ts";
import { applyMessage } from "./state/reducer.ts";
import { parseLine } from "./validate/parseLine.ts";
import { protocolValidators } from "./validate/validator.ts";
import type { MessageValidator } from "./validate/validator.ts";

export const RECEIVER_NAME = "bar-live-receiver";
export const RECEIVER_VERSION = "0.1.0";

export interface ReceiverOptions {
  /** Folder for recordings; null records nothing. */
  recordingsDir: string | null;
  /** When set, a widget's hello must carry this token, else its connection is closed. */
  token?: string | null;
  log?: Log;
  /** The clock (ms since 1970); tests pass their own. */
  now?: () => number;
  /** An unexplained hole in seq older than this asks the widget for a snapshot. Default 2 s. */
  resyncAfterMs?: number;
  /** A session silent this long is stale: three missed heartbeats. Default 15 s. */
  staleAfterMs?: number;
  /** Change feed entries kept for resuming readers. Default 20,000. */
  eventLogLimit?: number;
}

/** One source of lines: a TCP connection, or a replay. */
export interface ConnectionPort {
  label: string;
  /** Writes one line back; a replay drops it. */
  reply(line: string): void;
  /** Closes the connection (a wrong token). */
  close(): void;
  /** Replays are trusted: no token needed. */
  trusted?: boolean;
}

export interface ConnectionHandle {
  line(bytes: Buffer | null, byteLength: number, terminated: boolean): void;
  closed(): void;
  /** The session it feeds, or null before its hello was accepted. */
  session(): string | null;
}

interface ConnectionState {
  port: ConnectionPort;
  session: Session | null;
  lastAcked: number;
  refused: boolean;
}

export type ReceiverEvents = {
  /** Every entry of the change feed, as it is added. */
  event: [event: StreamEvent];
};

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class Receiver extends EventEmitter<ReceiverEvents> {
  readonly sessions = new Map<string, Session>();
  /** Invalid lines that arrived before a connection's hello: no session to count them on. */
  readonly unattributed = new InvalidCounts();
  readonly feed: EventLog;
  /** Names this start of the receiver: change-feed ids restart with it. */
  readonly epoch = randomUUID();
  private readonly connections = new Set<ConnectionState>();
  private readonly validate: MessageValidator;
  private readonly now: () => number;
  private readonly log: Log;
  private readonly resyncAfterMs: number;
  private readonly staleAfterMs: number;

  constructor(private readonly options: ReceiverOptions) {
    super();
    this.validate = protocolValidators().outbound;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.resyncAfterMs = options.resyncAfterMs ?? 2000;
    this.staleAfterMs = options.staleAfterMs ?? 15_000;
    this.feed = new EventLog(options.eventLogLimit);
  }

  open(port: ConnectionPort): ConnectionHandle {
    const connection: ConnectionState = { port, session: null, lastAcked: 0, refused: false };
    this.connections.add(connection);
    return {
      line: (bytes, byteLength, terminated) =>
        this.receive(connection, bytes, byteLength, terminated),
      closed: () => this.closed(connection),
      session: () => connection.session?.id ?? null,
    };
  }

  /**
   * The periodic work, every 250 ms from receiver/net (tests call it with their clock):
   * acknowledgements, resync requests, stale sessions.
   */
  tick(): void {
    const now = this.now();
    for (const connection of this.connections) {
      const session = connection.session;
      if (!session) continue;
      if (session.seq.highest > connection.lastAcked) {
        connection.lastAcked = session.seq.highest;
        this.send(connection, { type: "ack", seq: session.seq.highest, session: session.id });
      }
      if (session.seq.needsResync(now, this.resyncAfterMs)) {
        session.seq.resyncRequested(now);
        session.resyncsRequested++;
        this.log(
          `session ${session.id}: ${session.seq.missingCount} messages missing without a gap; asking for a snapshot (resync)`,
          "sync",
        );
        this.send(connection, { type: "resync" });
      }
    }
    for (const session of this.sessions.values()) {
      if (session.status === "live" && now - session.lastLineAt >= this.staleAfterMs) {
        this.setStatus(session, "stale");
        this.log(
          `session ${session.id}: stale, nothing received for ${Math.round((now - session.lastLineAt) / 1000)} s`,
          "sync",
        );
      }
    }
  }

  summaries(): SessionSummary[] {
    const now = this.now();
    return [...this.sessions.values()].map((session) => session.summary(now));
  }

  /** The session a viewer most likely wants: the most recently active, preferring live ones. */
  currentSession(): Session | null {
    let best: Session | null = null;
    for (const session of this.sessions.values()) {
      const rank = (s: Session) => (s.status === "live" ? 1 : 0);
      if (
        !best ||
        rank(session) > rank(best) ||
        (rank(session) === rank(best) && session.lastLineAt >= best.lastLineAt)
      ) {
        best = session;
      }
    }
    return best;
  }

  /** Closes every recording; the receiver can be dropped afterwards. */
  close(): void {
    for (const session of this.sessions.values()) session.recorder?.close();
  }

  private send(connection: ConnectionState, message: InboundMessage): void {
    connection.port.reply(JSON.stringify(message));
  }

  private emitEvent(event: NewStreamEvent): void {
    this.emit("event", this.feed.add(event));
  }

  private setStatus(session: Session, status: SessionStatus): void {
    if (session.status === status) return;
    session.status = status;
    this.emitEvent({ kind: "status", session: session.id, receivedAt: this.now(), status });
  }

  private receive(
    connection: ConnectionState,
    bytes: Buffer | null,
    byteLength: number,
    terminated: boolean,
  ): void {
    if (connection.refused) return;
    const now = this.now();
    const parsed = parseLine(bytes, byteLength, terminated, this.validate);
    const session = connection.session;
    const isHello = parsed.ok && parsed.message.type === "hello";

    // A hello is accounted to the session it names (hello()), which may be a new one.
    if (session && !isHello) {
      session.lastLineAt = now;
      session.rates.add(now, byteLength);
      if (session.status === "stale" || session.status === "disconnected")
        this.setStatus(session, "live");
      // Verbatim, bad lines included, so a replay meets the same input; never the token.
      const isJson = parsed.ok || /^(schema:|unknown-type|not-an-object)/.test(parsed.reason);
      session.recorder?.write(
        encodeRecordedLine({ t: now, bytes, byteLength, terminated }, isJson),
      );
    }

    if (!parsed.ok) {
      const counts = session?.invalid ?? this.unattributed;
      if (counts.add(parsed.reason, parsed.detail)) {
        this.log(
          `${connection.port.label}: invalid line (${parsed.reason}, first of its kind): ${parsed.detail}`,
          "invalid",
        );
      }
      if (session && parsed.seq !== undefined) session.seq.unusable(parsed.seq, now);
      return;
    }

    const message = parsed.message;
    if (message.type === "hello") {
      this.hello(connection, message, now, byteLength);
      return;
    }
    if (!session) {
      if (this.unattributed.add("before-hello", `${message.type} seq ${message.seq}`)) {
        this.log(`${connection.port.label}: "${message.type}" before "hello"; ignored`, "invalid");
      }
      return;
    }
    const verdict = session.seq.accept(message.seq, now);
    if (verdict === "duplicate") return;
    session.linesAccepted++;
    if (message.type === "gap") session.seq.gap(message.firstSeq, message.lastSeq, message.dropped);
    if (message.type === "snapshot") session.seq.snapshot(message.seq);
    if (message.type === "heartbeat") {
      const { type: _type, ...figures } = message;
      session.heartbeat = figures;
    }
    applyMessage(session.state, message);
    this.emitEvent({ kind: "message", session: session.id, receivedAt: now, message });
    if (message.type === "bye") {
      session.endReason = `bye (${message.reason})`;
      this.setStatus(session, "ended");
      this.log(`session ${session.id}: the widget said bye (${message.reason})`, "session");
    }
  }

  private hello(
    connection: ConnectionState,
    hello: HelloMessage,
    now: number,
    byteLength: number,
  ): void {
    const token = this.options.token;
    if (token && !connection.port.trusted && !sameToken(hello.token, token)) {
      connection.refused = true;
      this.unattributed.add(
        "bad-token",
        `${connection.port.label}: hello ${hello.token === undefined ? "without a token" : "with a wrong token"}`,
      );
      this.log(
        `${connection.port.label}: refused, hello ${hello.token === undefined ? "has no token" : "has a wrong token"}`,
        "refused",
      );
      connection.port.close();
      return;
    }
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.log(
        `${connection.port.label}: widget speaks protocol ${hello.protocol}, this receiver ${PROTOCOL_VERSION}; reading it anyway`,
        "session",
      );
    }
    const { token: _token, ...clean } = hello;
    const previous = connection.session;
    if (previous && previous.id !== hello.session) this.replaced(connection, previous, hello);
    let session = this.sessions.get(hello.session);
    if (session) {
      session.hello = clean;
      session.endReason = null;
      session.recorder?.reopen();
      this.log(
        previous === session
          ? `${connection.port.label}: session ${session.id} said hello again (next seq ${hello.nextSeq})`
          : `${connection.port.label}: session ${session.id} reconnected (next seq ${hello.nextSeq})`,
        "session",
      );
    } else {
      session = new Session(clean, now);
      this.sessions.set(session.id, session);
      session.recorder = this.startRecording(session, now);
      this.log(
        `${connection.port.label}: new session ${session.id} (${hello.mapName}, ${hello.view.kind} view, widget ${hello.version})`,
        "session",
      );
    }
    connection.session = session;
    connection.lastAcked = 0;
    if (previous !== session) session.connections++;
    session.connection = connection.port.label;
    session.lastLineAt = now;
    session.rates.add(now, byteLength);
    const cleanBytes = Buffer.from(JSON.stringify(clean));
    session.recorder?.write(
      encodeRecordedLine(
        { t: now, bytes: cleanBytes, byteLength: cleanBytes.length, terminated: true },
        true,
      ),
    );
    if (session.status !== "live") this.setStatus(session, "live");
    applyMessage(session.state, clean);
    this.emitEvent({ kind: "message", session: session.id, receivedAt: now, message: clean });
    this.send(connection, {
      type: "hello_reply",
      protocol: PROTOCOL_VERSION,
      receiver: RECEIVER_NAME,
      version: RECEIVER_VERSION,
    });
  }

  /**
   * A new hello on a connection that fed another session: that widget session is over (a
   * restarted widget, a proxy reusing the socket). End it cleanly, as after a bye.
   */
  private replaced(connection: ConnectionState, previous: Session, hello: HelloMessage): void {
    // Another connection may have taken the old session over (a reconnect): it goes on there.
    if (previous.connection !== connection.port.label) return;
    previous.connection = null;
    previous.recorder?.close();
    if (previous.status === "ended") return; // its bye came first and says why
    previous.endReason = `replaced by session ${hello.session}, which began on its connection`;
    this.setStatus(previous, "ended");
    this.log(
      `${connection.port.label}: a new hello (session ${hello.session}) ends session ${previous.id}; its recording is closed`,
      "session",
    );
  }

  private startRecording(session: Session, now: number): Recorder | null {
    const dir = this.options.recordingsDir;
    if (dir === null) return null;
    const hello = session.hello;
    const recorder = new Recorder({
      directory: dir,
      fileName: recordingFileName(new Date(now), hello.mapName, hello.gameID, hello.session),
      fallbackSuffix: hello.session,
      header: {
        format: RECORDING_FORMAT,
        receiver: RECEIVER_NAME,
        version: RECEIVER_VERSION,
        session: hello.session,
      },
      now: () => this.now(),
      onError: (message) =>
        this.log(`session ${hello.session}: ${message}; the live data goes on`, "recording"),
    });
    if (recorder.path && !recorder.error)
      this.log(`session ${hello.session}: recording to ${recorder.path}`, "recording");
    return recorder;
  }

  private closed(connection: ConnectionState): void {
    this.connections.delete(connection);
    const session = connection.session;
    if (!session || session.connection !== connection.port.label) return;
    session.connection = null;
    // Open files stay bounded by connected sessions; a reconnect appends to the same file.
    session.recorder?.close();
    if (session.status !== "ended") this.setStatus(session, "disconnected");
  }
}

export type { OutboundMessage };
