// Everything the receiver knows about one widget session: its game state, sequence
// bookkeeping, counters, rates, the widget's own heartbeat figures and its recording.
import type { HeartbeatMessage, HelloMessage } from "../../protocol/messages.ts";
import type { Recorder } from "../record/recorder.ts";
import { createGameState } from "../state/gameState.ts";
import type { GameState } from "../state/gameState.ts";
import { InvalidCounts } from "./invalidCounts.ts";
import type { InvalidEntry } from "./invalidCounts.ts";
import { RateMeter } from "./rateMeter.ts";
import { SeqTracker } from "./sequence.ts";

/** live: lines arrive; stale: connected but silent past the limit; ended: said `bye`. */
export type SessionStatus = "live" | "stale" | "disconnected" | "ended";

export type HeartbeatFigures = Omit<HeartbeatMessage, "type">;

export interface SessionSummary {
  session: string;
  status: SessionStatus;
  widgetVersion: string;
  mapName: string;
  gameID: string | null;
  view: HelloMessage["view"];
  /** The connection feeding the session now, or null. */
  connection: string | null;
  connections: number;
  firstSeenAt: string;
  lastLineAt: string;
  frame: number;
  highestSeq: number;
  linesAccepted: number;
  duplicates: number;
  /** Seqs skipped and not (yet) explained by a gap or covered by a snapshot. */
  missing: number;
  /** Messages the widget reported dropped (gap messages). */
  droppedReported: number;
  /** Holes never explained by a gap but covered by a later snapshot. */
  unexplainedLost: number;
  resyncsRequested: number;
  /** Why the session ended: the widget's bye, or a new hello on its connection. */
  endReason: string | null;
  invalid: { total: number; byReason: Record<string, InvalidEntry> };
  rates: { linesPerSecond: number; bytesPerSecond: number };
  heartbeat: HeartbeatFigures | null;
  recording: {
    path: string | null;
    /** The file is open: closed while the session has no connection, reopened on reconnect. */
    open: boolean;
    lines: number;
    bytes: number;
    error: string | null;
  } | null;
}

export class Session {
  readonly state: GameState;
  readonly seq = new SeqTracker();
  readonly invalid = new InvalidCounts();
  readonly rates = new RateMeter();
  status: SessionStatus = "live";
  hello: HelloMessage;
  connection: string | null = null;
  connections = 0;
  linesAccepted = 0;
  resyncsRequested = 0;
  lastResyncAt = -Infinity;
  endReason: string | null = null;
  heartbeat: HeartbeatFigures | null = null;
  recorder: Recorder | null = null;
  readonly firstSeenAt: number;
  lastLineAt: number;

  constructor(hello: HelloMessage, now: number) {
    this.hello = hello;
    this.state = createGameState(hello.session);
    this.firstSeenAt = now;
    this.lastLineAt = now;
  }

  get id(): string {
    return this.hello.session;
  }

  summary(now: number): SessionSummary {
    const recorder = this.recorder;
    return {
      session: this.id,
      status: this.status,
      widgetVersion: this.hello.version,
      mapName: this.hello.mapName,
      gameID: this.state.game?.gameID ?? this.hello.gameID,
      view: this.state.view ?? this.hello.view,
      connection: this.connection,
      connections: this.connections,
      firstSeenAt: new Date(this.firstSeenAt).toISOString(),
      lastLineAt: new Date(this.lastLineAt).toISOString(),
      frame: this.state.frame,
      highestSeq: this.seq.highest,
      linesAccepted: this.linesAccepted,
      duplicates: this.seq.duplicates,
      missing: this.seq.missingCount,
      droppedReported: this.seq.reportedDropped,
      unexplainedLost: this.seq.unexplainedLost,
      resyncsRequested: this.resyncsRequested,
      endReason: this.endReason,
      invalid: { total: this.invalid.total, byReason: this.invalid.byReason },
      rates: this.rates.rates(now),
      heartbeat: this.heartbeat,
      recording: recorder
        ? {
            path: recorder.path,
            open: recorder.active,
            lines: recorder.lines,
            bytes: recorder.bytes,
            error: recorder.error,
          }
        : null,
    };
  }
}
