/**
 * The protocol session: turns what the collector records into the lines of
 * docs/protocol.md and delivers them through the backlog, over every connection the
 * link makes. It is the connection's feed (src/link/feed.ts: `opened`, `take`,
 * `written`, `closed`, `receiveLimit`, `received`) and runs as two scheduler jobs:
 *
 * - `sender`: the receiver's requests, then the collector's changes in
 *   order, each made a message (`seq` +1, `frame` of the change) and added to the
 *   backlog; snapshots when due (after `hello`, a view change, a loss, a `resync` or
 *   `configure`, and as keyframes); the catalog's parts once per connection; a
 *   heartbeat when nothing went out for a while. `units` and `economy` messages, which
 *   grow with the game, are made a team per step across frames, with the events
 *   recorded meanwhile going out before them (also those recorded after the next
 *   `units` or `economy` change, which waits aside for its turn).
 * - `bulk`: the big messages (positions, damage, the catalog) encoded across frames.
 *   A message encoded over several frames takes its seq when it is complete, so the
 *   messages produced meanwhile come first.
 *
 * Neither needs to run in a frame with nothing for it: the scheduler runs them at a
 * slow poll (the sender at `POLL_SECONDS` while connected, for timers such as the
 * heartbeat and keyframes; otherwise, and the bulk job always, at `IDLE_POLL_SECONDS`)
 * and the session wakes them through their handles (`attach`) when work comes: a change
 * recorded into an empty queue, a connection opened or closed, the backlog written
 * while the catalog or the first snapshot waits for it, a `resync`, new settings, a big
 * message to encode or encoded (the catalog's parts, a gap it caused).
 *
 * A snapshot is read only when every change recorded before it has been produced, and
 * changes recorded during its encoding come after it: a receiver applies them to the
 * snapshot's state. While no connection is up, events and the small periodic messages
 * are kept in the backlog (a reconnect resends them); positions are not produced.
 *
 * Pure: no engine calls; never raises on the receiver's input.
 */
import type { Budget, Job } from "../collect/budget";
import { FRAMES_PER_SECOND } from "../collect/budget";
import type {
  Change,
  QueuedChange,
  GameState,
  Snapshot,
  TeamUnitsChange,
  UnitEventBatch,
  UnitDefInfo,
  View,
} from "../collect/model";
import type { Clock } from "../core/clock";
import {
  OutboundType,
  PERIODIC_TYPES,
  PROTOCOL_DEFAULTS,
  PROTOCOL_SOURCE,
  PROTOCOL_VERSION,
  RATE_LIMITS,
  Settings,
  SnapshotReason,
} from "../../protocol/messages";
import { Backlog, LostRange } from "./backlog";
import { readInbound } from "./inbound";
import {
  arrayItem,
  encode,
  encodeLine,
  encoderCounts,
  numberRecordRows,
  numberText,
  quote,
  recordRows,
} from "./json";
import type { ObjectShape } from "./json";
import { LineReader } from "./lines";
import { extShape, OUTBOUND_SHAPES } from "./shapes";
import { SlicedEncoder } from "./sliced";
import { unitEventsText } from "./unit-events";
import { KnownUnits, snapshotRecord, statsRecord, TEAM_UNITS_ROWS } from "./wire";
import type { WireTeamUnits } from "./wire";

/** What the session needs of the collection (src/collect/collector.ts has it all). */
export interface SessionSource {
  /**
   * The whole current state, read now, in tables of its own: the session keeps the unit
   * counts once the snapshot is sent and changes them in place (KnownUnits.reset).
   */
  snapshot(): Snapshot;
  /** The recorded changes, oldest first, and how many were dropped unread. */
  readonly changes: {
    /** The oldest change, or batch of one frame's unit events, removed. */
    shift(): QueuedChange | undefined;
    peek(): QueuedChange | undefined;
    /** A batch from `shift` is written: its table may be reused. */
    recycle(batch: UnitEventBatch): void;
    takeDropped(): number;
    count(): number;
    /** Told when a change is recorded into an empty queue (the sender wakes). */
    onWaiting: ((this: void) => void) | undefined;
  };
  /** The unit definition catalog, filled by its job. */
  readonly catalog: {
    readonly entries: readonly UnitDefInfo[];
    readonly complete: boolean;
    /** Told when the last entry is read (the bulk job wakes to encode the catalog). */
    onComplete: ((this: void) => void) | undefined;
  };
  readonly game: { read(): GameState };
  currentView(): View;
}

/** The scheduler's handle of one of the session's jobs. */
export interface JobHandle {
  /** Runs the job in the next frame (this one, if its turn has not come), whatever its rate. */
  runNow(): void;
  /** Its rate from now on: seconds and game frames between runs (undefined: no such bound). */
  setRate(everySeconds: number | undefined, everyFrames: number | undefined): void;
}

/**
 * Seconds between the sender's runs when nothing wakes it while connected: the precision
 * of the session's timers (heartbeat, keyframes, the acknowledgement wait, the snapshot
 * delay after hello), all of a second or more.
 */
export const POLL_SECONDS = 0.1;

/**
 * Seconds between a job's runs when nothing wakes it and no timer of its own can fall due:
 * the bulk job always (its work all comes with a wake: a big change, the catalog read),
 * the sender while no receiver is connected (its timers all wait for one). Only a safety
 * net: each run is a frame looked at (about a microsecond per function it runs after the
 * simulation, docs/performance.md), ten a second each before.
 */
export const IDLE_POLL_SECONDS = 1;

export interface SessionOptions {
  source: SessionSource;
  /** Wall-clock seconds (timers: heartbeat, keyframes, the snapshot after hello). */
  clock: Clock;
  /** `hello.session`: unique per widget start and game (session-id.ts). */
  id: string;
  /** The widget's version, for `hello.version`. */
  version: string;
  /** The saved settings (categories and rates); a `configure` overrides them per connection. */
  settings: (this: void) => Settings;
  /** The shared token; `hello.token` when set and not empty. */
  token?: (this: void) => string | undefined;
  /** Bound of the backlog (bytes of encoded lines); default 4 MiB. */
  backlogBytes?: number;
  /** The widget's time per frame since the last call (milliseconds), for the heartbeat. */
  frameCost?: (this: void) => { meanMs: number; maxMs: number };
  /** The settings in force changed (a `configure`, or the connection it came on ended). */
  onSettings?: (this: void, settings: Settings) => void;
  /** Lines for the widget's log: the receiver's `hello_reply`, ignored lines and the like. */
  log?: (this: void, level: "debug" | "info", line: string) => void;
  /** A heartbeat goes out when nothing did for this long (seconds; default 5). */
  heartbeatSeconds?: number;
  /** Longest the connect snapshot waits for the catalog after `hello` (seconds; default 1). */
  snapshotDelaySeconds?: number;
  /**
   * Seconds a receiver may take to send its first ack after lines were written on a
   * connection before it counts as one that does not acknowledge (default 10).
   */
  ackWaitSeconds?: number;
  /** Largest encoded `unitdefs` part aimed for (bytes; default 64 KiB). */
  unitDefsPartBytes?: number;
}

/** Counts for the status and the heartbeat. */
export interface SessionStats {
  /** Messages produced (= the last seq). */
  produced: number;
  /** Messages written whole to a socket, resends included. */
  sent: number;
  /** Highest seq acknowledged (0: none). */
  acknowledged: number;
  /** Messages dropped (reported, or waiting to be reported, in a `gap`). */
  dropped: number;
  queuedMessages: number;
  queuedBytes: number;
  /** Numbers written as null (nan, ±inf). */
  nonFinite: number;
  /** Lines from the receiver ignored (unknown, malformed, too long, not believed). */
  inboundIgnored: number;
  /** Whether the receiver is taken to acknowledge (written messages kept until acked). */
  acknowledging: boolean;
}

/**
 * Unsent bytes up to which the link counts as keeping up (one frame's send), when the
 * connection also took its next chunk since the timers were last looked at (its socket
 * is not stuck).
 */
const LINK_ROOM = 65536;

/** Rows of a big message written between looks at the budget. */
const ROWS_PER_CHECK = 8;

/** Snapshot reasons, most important first: one snapshot answers every reason waiting. */
const REASON_ORDER: readonly SnapshotReason[] = [
  "gap",
  "view_changed",
  "connect",
  "configure",
  "resync",
  "keyframe",
];

const PERIODIC = new LuaTable<string, boolean>();
for (const type of PERIODIC_TYPES) PERIODIC.set(type, true);

const CATEGORY_KEYS = [
  "economy",
  "units",
  "stats",
  "events",
  "unitdefs",
  "positions",
  "damage",
] as const;
const RATE_KEYS = ["economy", "units", "positions", "damage", "snapshot"] as const;

const UNIT_DEF_SHAPE = arrayItem(OUTBOUND_SHAPES.unitdefs, "unitDefs");
const POSITION_ROWS = recordRows(["unitID", "unitDefID", "teamID", "x", "z", "health"], 3);
const DAMAGE_ROWS = recordRows(["unitID", "teamID", "damage", "paralyze"], 2);

type BulkChange = Extract<Change, { type: "positions" | "damage" }>;

/** The snapshot's and `units` messages' teams, written by the fast writer one team per look. */
const SNAPSHOT_UNITS = { key: "units", writer: TEAM_UNITS_ROWS, batch: 1 };
const UNITS_TEAMS = { key: "teams", writer: TEAM_UNITS_ROWS, batch: 1 };
const ECONOMY_TEAMS = {
  key: "teams",
  writer: numberRecordRows(arrayItem(OUTBOUND_SHAPES.economy, "teams") as ObjectShape),
  batch: 1,
};

/** A `units` change being compared with what the receiver knows, one team per step. */
interface UnitsDiff {
  frame: number;
  teams: readonly TeamUnitsChange[];
  /** Index (0-based) of the next team to compare. */
  next: number;
  out: WireTeamUnits[];
}

/** A budget that never runs out: the widget is closing (`produceRecorded`). */
const UNLIMITED = { expired: () => false, now: 0, gameFrame: 0 };
/** A budget spent at once: a step of the units or economy message does one team. */
const ONE_SLICE = { expired: () => true, now: 0, gameFrame: 0 };
/**
 * `units` and `economy` changes set aside at most while such a message is made: a few
 * seconds' worth (one of each a second by default); beyond, the queue waits for it.
 */
const MAX_ASIDE = 8;

export class Session {
  private readonly source: SessionSource;
  private readonly clock: Clock;
  private readonly backlog: Backlog;
  private readonly reader = new LineReader(
    PROTOCOL_DEFAULTS.maxInboundLineBytes,
    PROTOCOL_DEFAULTS.maxInboundBytesPerFrame,
  );
  private readonly known = new KnownUnits();
  private readonly heartbeatSeconds: number;
  private readonly snapshotDelay: number;
  private readonly ackWait: number;
  private readonly partBytes: number;

  /** The last seq given. */
  private seq = 0;
  /** Game frame of the last job step (for messages not made from a change). */
  private frame = 0;
  private inboundIgnored = 0;
  /** Seqs given to changes dropped before they were produced, for the next gap. */
  private reserved: LostRange | undefined;
  /** Changes dropped before they were produced, in all. */
  private droppedUnread = 0;

  // The connection.
  private connected = false;
  private hello: string | undefined;
  /** Bytes of the hello handed out and not yet written. */
  private helloUnwritten = 0;
  private connectedAt = 0;
  private lastHandedAt = 0;
  /**
   * The connection asked for its next chunk (its socket drains) since the timers
   * (keyframe, gap snapshot, heartbeat) were last looked at: the end of a sender step
   * that ran out of work. It asks only every sendInterval, so a step does not clear it.
   */
  private keepingUp = false;
  private firstWrittenAt: number | undefined;
  private ackedOnConnection = false;
  private acknowledging = true;
  /** Catalog parts still to send on this connection (next part number), 0: none. */
  private nextPart = 0;
  /** A catalog part was produced on this connection (the connect snapshot waits for it to go). */
  private partsSent = false;
  private byeSeq: number | undefined;
  /** The frame-rate guard's step, and a heartbeat owed because it changed. */
  private throttleLevel = 0;
  private heartbeatSoon = false;

  // Settings: the saved ones with this connection's `configure` on top.
  private categoryOverrides = new LuaTable<string, boolean>();
  private rateOverrides = new LuaTable<string, number>();
  private overridden = false;
  private inForce: Settings;

  // Snapshots.
  private readonly wanted = new LuaTable<SnapshotReason, boolean>();
  private readonly snapshotEncoder = new SlicedEncoder();
  private snapshotUnits: Snapshot["units"] = [];
  private lastSnapshotAt = -math.huge;
  private lastSnapshotFrame = -math.huge;

  // The periodic messages that grow with the game (`units` in a battle: thousands of
  // pairs; `economy` of 16 teams), compared and encoded a team at a time across frames;
  // like positions, such a message takes its seq when complete, after the events
  // produced meanwhile.
  private unitsDiff: UnitsDiff | undefined;
  private readonly messageEncoder = new SlicedEncoder();
  private messageType: OutboundType = "units";
  /**
   * `units` and `economy` changes taken off the queue while such a message was under
   * way, oldest first, each made a message in its turn: the events recorded after them
   * need not wait (both come once a second, so one often finds the other under way).
   */
  private readonly waitingAside: QueuedChange[] = [];

  // Big messages.
  private readonly bulkQueue: BulkChange[] = [];
  private readonly bulkEncoder = new SlicedEncoder();
  private bulkType: OutboundType = "positions";
  /** Encoded catalog entries, then the parts' bodies once all are encoded. */
  private catalogEntries: string[] = [];
  /** The catalog's parts joined so far, and the entries they hold. */
  private catalogJoined: string[] = [];
  private catalogJoinedUpTo = 0;
  private catalogParts: string[] | undefined;

  /** The session's scheduler jobs (see the module comment). */
  readonly sender: Job;
  readonly bulk: Job;
  private senderTask: JobHandle | undefined;
  private bulkTask: JobHandle | undefined;

  constructor(private readonly options: SessionOptions) {
    this.source = options.source;
    this.clock = options.clock;
    this.backlog = new Backlog(options.backlogBytes ?? PROTOCOL_DEFAULTS.backlogBytes, true);
    this.heartbeatSeconds = options.heartbeatSeconds ?? PROTOCOL_DEFAULTS.heartbeatSeconds;
    this.snapshotDelay = options.snapshotDelaySeconds ?? 1;
    this.ackWait = options.ackWaitSeconds ?? 10;
    this.partBytes = options.unitDefsPartBytes ?? PROTOCOL_DEFAULTS.unitDefsPartBytes;
    this.inForce = this.merge();
    this.sender = { step: (budget) => this.stepSender(budget) };
    this.bulk = { step: (budget) => this.stepBulk(budget) };
  }

  /**
   * The scheduler's handles of `sender` and `bulk`: the session sets their polls (see
   * the top) and wakes them when work comes. Without handles (tests that step the jobs
   * by hand) nothing is woken.
   */
  attach(sender: JobHandle, bulk: JobHandle): void {
    this.senderTask = sender;
    this.bulkTask = bulk;
    this.source.changes.onWaiting = () => sender.runNow();
    this.source.catalog.onComplete = () => bulk.runNow();
    bulk.setRate(IDLE_POLL_SECONDS, undefined);
    this.pollSender();
  }

  /** The sender's poll: its timers' precision while connected, a safety net otherwise. */
  private pollSender(): void {
    this.senderTask?.setRate(this.connected ? POLL_SECONDS : IDLE_POLL_SECONDS, undefined);
  }

  private wakeSender(): void {
    this.senderTask?.runNow();
  }

  /** `hello.session`. */
  id(): string {
    return this.options.id;
  }

  /** The settings in force on this connection. */
  settingsInForce(): Settings {
    return this.inForce;
  }

  /** The saved settings changed: the settings in force follow (and are announced). */
  settingsChanged(): void {
    this.inForce = this.merge();
    this.options.onSettings?.(this.inForce);
    this.wakeSender();
  }

  setBacklogBytes(bytes: number): void {
    this.backlog.setMaxBytes(bytes);
  }

  stats(): SessionStats {
    const b = this.backlog.stats();
    return {
      produced: this.seq,
      sent: b.sent,
      acknowledged: b.acknowledged,
      dropped: b.dropped + this.droppedUnread,
      queuedMessages: b.queuedMessages,
      queuedBytes: b.queuedBytes,
      nonFinite: encoderCounts.nonFinite,
      inboundIgnored: this.inboundIgnored + this.reader.tooLong,
      acknowledging: this.acknowledging,
    };
  }

  /**
   * Makes messages of every change recorded so far, for at most `seconds` of wall-clock
   * time (the widget is closing: nothing runs after this, so a budget per frame no longer
   * applies). A snapshot being written is left unfinished: the receiver gets none at the
   * end. Returns how many changes were left (0: all produced), for the caller to report.
   */
  produceRecorded(seconds: number): number {
    const until = this.clock.now() + seconds;
    this.reserveDropped();
    // A units or economy message under way first: the next such change would replace it.
    this.advanceMessage(UNLIMITED);
    for (;;) {
      const change = this.nextChange();
      if (change === undefined) break;
      this.handle(change);
      this.advanceMessage(UNLIMITED);
      if (this.clock.now() >= until) break;
    }
    return this.waitingChanges();
  }

  /**
   * Produces `bye`, the last message of this connection (shutdown, `/livedata
   * disconnect`), when one is up; the caller flushes the connection, then closes it.
   * A bye that has not gone out when the next connection opens is taken back (and
   * reported lost if it was never written): that connection must not close the session.
   */
  bye(reason: "shutdown" | "disconnect"): void {
    if (!this.connected) return;
    this.produce("bye", { type: "bye", frame: this.frame, reason });
    this.byeSeq = this.seq;
  }

  // ---- the connection's feed ----------------------------------------------------

  opened(): void {
    const now = this.clock.now();
    this.connected = true;
    this.connectedAt = now;
    this.lastHandedAt = now;
    this.firstWrittenAt = undefined;
    this.ackedOnConnection = false;
    // Until the receiver shows it does not acknowledge, keep what is written.
    this.setAcknowledging(true);
    // The bye of an earlier connection must not reach the receiver on this one.
    if (this.byeSeq !== undefined) {
      this.backlog.withdraw(this.byeSeq);
      this.byeSeq = undefined;
    }
    const first = this.backlog.rewind();
    this.hello = this.helloLine(first ?? this.seq + 1);
    this.helloUnwritten = 0;
    this.nextPart = this.inForce.categories.unitdefs ? 1 : 0;
    this.partsSent = false;
    this.wanted.set("connect", true);
    this.pollSender();
    this.wakeSender();
  }

  take(maxBytes: number): string | undefined {
    this.keepingUp = true;
    let out: string | undefined;
    const hello = this.hello;
    if (hello !== undefined) {
      this.hello = undefined;
      this.helloUnwritten = hello.length;
      const rest = this.backlog.take(maxBytes - hello.length);
      out = rest !== undefined ? hello + rest : hello;
    } else {
      out = this.backlog.take(maxBytes);
    }
    if (out !== undefined) this.lastHandedAt = this.clock.now();
    return out;
  }

  written(count: number): number {
    let completed = 0;
    let left = count;
    if (this.helloUnwritten > 0) {
      const step = math.min(left, this.helloUnwritten);
      this.helloUnwritten -= step;
      left -= step;
      if (this.helloUnwritten === 0) completed += 1;
    }
    if (left > 0) {
      const before = this.backlog.stats().sent;
      this.backlog.written(left);
      completed += this.backlog.stats().sent - before;
    }
    this.firstWrittenAt ??= this.clock.now();
    // The next catalog part, and the snapshot after the last, wait for the backlog to be
    // written (other writes need no sender: it would find nothing to do).
    if (this.nextPart > 0 || this.wanted.get("connect") === true) this.wakeSender();
    return completed;
  }

  closed(): void {
    this.connected = false;
    this.keepingUp = false;
    this.hello = undefined;
    this.helloUnwritten = 0;
    this.nextPart = 0;
    this.reader.reset();
    this.backlog.rewind();
    // A snapshot being encoded was for this connection: the next one opens with its own.
    this.snapshotEncoder.clear();
    this.snapshotUnits = [];
    for (const reason of REASON_ORDER) this.wanted.delete(reason);
    this.dropPositions();
    if (this.overridden) {
      this.categoryOverrides = new LuaTable();
      this.rateOverrides = new LuaTable();
      this.overridden = false;
      this.settingsChanged();
    }
    this.pollSender();
    this.wakeSender();
  }

  /** From `hello` until the connect snapshot is made: the catalog's parts, then it. */
  opening(): boolean {
    return (
      this.connected &&
      (this.hello !== undefined || this.nextPart > 0 || this.wanted.get("connect") === true)
    );
  }

  receiveLimit(): number {
    return this.reader.newFrame();
  }

  received(data: string): void {
    this.reader.push(data, (line) => this.handleLine(line));
  }

  queue(): { messages: number; bytes: number; dropped: number } {
    const s = this.stats();
    return { messages: s.queuedMessages, bytes: s.queuedBytes, dropped: s.dropped };
  }

  // ---- the receiver's lines -----------------------------------------------------

  private ignore(reason: string): void {
    this.inboundIgnored += 1;
    this.options.log?.("debug", `ignored a line from the receiver: ${reason}`);
  }

  private handleLine(line: string): void {
    const request = readInbound(line, PROTOCOL_DEFAULTS.maxInboundLineBytes);
    switch (request.type) {
      case "ack":
        if (request.session !== undefined && request.session !== this.options.id) {
          this.ignore(`ack for another session (${request.session})`);
        } else if (!this.backlog.ack(request.seq)) {
          this.ignore(`ack of seq ${request.seq}, never sent`);
        } else {
          this.ackedOnConnection = true;
          this.setAcknowledging(true);
        }
        return;
      case "resync":
        this.wanted.set("resync", true);
        this.wakeSender();
        return;
      case "configure":
        this.configure(request.categories, request.rates);
        return;
      case "hello_reply":
        this.options.log?.(
          "info",
          `receiver: ${request.receiver} ${request.version} (protocol ${request.protocol})`,
        );
        return;
      case "ignored":
        this.ignore(request.reason);
        return;
    }
  }

  /** Applies a `configure` for this connection (unknown keys are skipped) and answers with a snapshot. */
  private configure(categories: LuaTable<string, boolean>, rates: LuaTable<string, number>): void {
    for (const key of CATEGORY_KEYS) {
      const value = categories.get(key);
      if (value !== undefined) this.categoryOverrides.set(key, value);
    }
    for (const key of RATE_KEYS) {
      const value = rates.get(key);
      // nan fails both comparisons: clamped to the minimum.
      if (value !== undefined) {
        const limits = RATE_LIMITS[key];
        this.rateOverrides.set(
          key,
          value <= limits.max ? (value >= limits.min ? value : limits.min) : limits.max,
        );
      }
    }
    this.overridden = true;
    this.settingsChanged();
    this.wanted.set("configure", true);
  }

  private merge(): Settings {
    const base = this.options.settings();
    const categories = { ...base.categories };
    const rates = { ...base.rates };
    for (const key of CATEGORY_KEYS) {
      const value = this.categoryOverrides.get(key);
      if (value !== undefined) categories[key] = value;
    }
    for (const key of RATE_KEYS) {
      const value = this.rateOverrides.get(key);
      if (value !== undefined) rates[key] = value;
    }
    return { categories, rates };
  }

  private setAcknowledging(on: boolean): void {
    if (on !== this.acknowledging) {
      this.acknowledging = on;
      this.backlog.setAcknowledging(on);
    }
  }

  // ---- producing ----------------------------------------------------------------

  /** Gives `record` the next seq, encodes it (by its type's shape) and adds it to the backlog. */
  private produce(
    type: OutboundType,
    record: LuaTable<string, unknown> | object,
    shape: ObjectShape = OUTBOUND_SHAPES[type],
  ): void {
    this.seq += 1;
    (record as LuaTable<string, unknown>).set("seq", this.seq);
    this.addLine(type, encodeLine(shape, record));
  }

  /**
   * One `unit_events` message: a batch of one frame's unit events recorded one after
   * another (up to UNIT_EVENTS_MAX_ROWS, src/collect/event-batch.ts), a row each.
   */
  private produceUnitEvents(batch: UnitEventBatch): void {
    this.seq += 1;
    const p = OUTBOUND_SHAPES.unit_events.prefixes;
    const line = table.concat([
      p.get(1),
      '"unit_events"',
      p.get(2),
      numberText(this.seq),
      p.get(3),
      numberText(batch.frame),
      p.get(4),
      "[",
      unitEventsText(batch),
      "]}\n",
    ]);
    this.source.changes.recycle(batch);
    this.addLine("unit_events", line);
  }

  /** Adds the line of message `this.seq` to the backlog; a gap is never dropped. */
  private addLine(type: OutboundType, line: string): void {
    this.backlog.add(this.seq, type, line, PERIODIC.get(type) === true, type === "gap");
  }

  private helloLine(nextSeq: number): string {
    const game = this.source.game.read();
    const token = this.options.token?.();
    return (
      encode(OUTBOUND_SHAPES.hello, {
        type: "hello",
        protocol: PROTOCOL_VERSION,
        source: PROTOCOL_SOURCE,
        version: this.options.version,
        session: this.options.id,
        nextSeq,
        frame: game.frame,
        engineVersion: game.engineVersion,
        gameName: game.gameName,
        gameVersion: game.gameVersion,
        mapName: game.mapName,
        gameID: game.gameID,
        view: this.source.currentView(),
        settings: this.inForce,
        token: token !== undefined && token !== "" ? token : undefined,
      }) + "\n"
    );
  }

  /** Makes one recorded change a message (or hands a big one to the bulk job). */
  private handle(change: QueuedChange): void {
    switch (change.type) {
      case "positions":
        // Nobody would read them: the next connection starts with a snapshot.
        if (!this.connected) return;
        this.queueBulk(change);
        return;
      case "damage":
        this.queueBulk(change);
        return;
      case "units":
        this.unitsDiff = { frame: change.frame, teams: change.teams, next: 0, out: [] };
        return;
      case "economy":
        this.messageType = "economy";
        this.messageEncoder.start(OUTBOUND_SHAPES.economy, change, ECONOMY_TEAMS);
        return;
      case "stats":
        this.produce("stats", statsRecord(change));
        return;
      case "view_changed":
        this.produce("view_changed", change);
        this.wanted.set("view_changed", true);
        return;
      case "unit_events":
        this.produceUnitEvents(change);
        return;
      case "ext":
        // Counted (and dropped, reported in gaps) as `ext`; on the wire its own name.
        this.produce(
          "ext",
          { type: change.name, frame: change.frame, fields: change.fields },
          extShape(change.fields),
        );
        return;
      default:
        // The other events: the model's record is the wire's.
        this.produce(change.type, change);
    }
  }

  /** Changes dropped unread (the collector's queue was full) get seqs and go in the next gap. */
  private reserveDropped(): void {
    const dropped = this.source.changes.takeDropped();
    if (dropped <= 0) return;
    const first = this.seq + 1;
    this.seq += dropped;
    const r = (this.reserved ??= { firstSeq: first, lastSeq: this.seq, dropped: 0, counts: [] });
    r.lastSeq = this.seq;
    r.dropped += dropped;
    this.droppedUnread += dropped;
    this.options.log?.("debug", `${dropped} changes dropped before they were sent`);
  }

  // ---- the sender job -----------------------------------------------------------

  private stepSender(budget: Budget): boolean {
    this.frame = budget.gameFrame;
    const now = budget.now;
    if (
      this.connected &&
      this.acknowledging &&
      !this.ackedOnConnection &&
      this.firstWrittenAt !== undefined &&
      now - this.firstWrittenAt >= this.ackWait
    ) {
      // Nothing acknowledged: written means delivered from now on, nothing is resent.
      this.setAcknowledging(false);
      this.options.log?.("debug", "the receiver does not acknowledge");
    }
    this.reserveDropped();
    // The frame-rate guard's news goes before the work it is about.
    if (this.heartbeatSoon && this.heartbeatDue(now)) this.produceHeartbeat();
    let worked = false;
    for (;;) {
      if (worked && budget.expired()) return false;
      worked = true;
      if (this.snapshotEncoder.busy()) {
        if (!this.snapshotEncoder.step(budget)) return false;
        this.finishSnapshot(now);
        // The connection takes it before anything new is added (a small bound could
        // otherwise drop it at once); the changes recorded meanwhile come next frame.
        if (this.waitingChanges() > 0) this.wakeSender();
        return true;
      }
      if (this.messageBusy()) {
        // The events recorded meanwhile first, then a team of it, each its own look at
        // the budget (a step does one of them at least, not both: a frame's time stays
        // bounded): the events take their seqs before it and wait for no slice. The
        // next `units` or `economy` change waits aside for it, in order (so does a
        // snapshot: the counts it brings must not be followed by older ones), and the
        // events behind it go on. Aside is bounded: once full, the queue waits instead.
        const next = this.source.changes.peek();
        if (next === undefined) {
          this.advanceMessage(ONE_SLICE);
        } else if (next.type === "units" || next.type === "economy") {
          if (this.waitingAside.length < MAX_ASIDE) {
            this.waitingAside.push(this.source.changes.shift()!);
          } else {
            this.advanceMessage(ONE_SLICE);
          }
        } else if (next.type === "view_changed") {
          // What was read under the old view goes before the news of the new one.
          this.advanceMessage(ONE_SLICE);
        } else {
          this.handle(this.source.changes.shift()!);
        }
        continue;
      }
      // The catalog part by part, each once the connection has taken what waits: a
      // catalog larger than the backlog's bound must not drop its own parts.
      if (
        this.nextPart > 0 &&
        this.catalogParts !== undefined &&
        this.backlog.unsentBytes() === 0
      ) {
        this.produceUnitDefsPart();
        continue;
      }
      const change = this.nextChange();
      if (change !== undefined) {
        this.handle(change);
        continue;
      }
      // Every change recorded so far is produced: a snapshot due reads the state now.
      const reason = this.snapshotDue(now);
      if (reason !== undefined) {
        this.startSnapshot(reason);
        continue;
      }
      break;
    }
    if (this.heartbeatDue(now)) this.produceHeartbeat();
    this.keepingUp = false;
    return true;
  }

  /** The change to make a message of next: one waiting aside first (it is the oldest). */
  private nextChange(): QueuedChange | undefined {
    return this.waitingAside.length > 0 ? this.waitingAside.shift() : this.source.changes.shift();
  }

  /** Whether a `units` or `economy` message is being made. */
  private messageBusy(): boolean {
    return this.unitsDiff !== undefined || this.messageEncoder.busy();
  }

  /**
   * Works on the `units` or `economy` message in progress: one team compared or one
   * slice encoded per look at the budget. True when it is produced (or none was).
   */
  private advanceMessage(budget: Budget): boolean {
    for (;;) {
      const diff = this.unitsDiff;
      if (diff !== undefined) {
        if (diff.next < diff.teams.length) {
          this.known.diffTeam(diff.teams[diff.next], diff.out);
          diff.next += 1;
        } else {
          this.unitsDiff = undefined;
          if (diff.out.length > 0) {
            this.messageType = "units";
            const record = { type: "units", frame: diff.frame, teams: diff.out };
            this.messageEncoder.start(OUTBOUND_SHAPES.units, record, UNITS_TEAMS);
          }
        }
      } else if (this.messageEncoder.busy()) {
        if (!this.messageEncoder.step(budget)) return false;
        this.seq += 1;
        this.addLine(this.messageType, this.messageEncoder.finish(this.seq));
      } else {
        return true;
      }
      if (budget.expired() && this.messageBusy()) return false;
    }
  }

  private snapshotDue(now: number): SnapshotReason | undefined {
    if (!this.connected) return undefined;
    const keepingUp = this.keepingUp && this.backlog.unsentBytes() <= LINK_ROOM;
    if (this.wanted.get("connect") === true) {
      // The catalog goes first, unless it is not read yet a second after hello; its
      // last part is taken by the connection before the snapshot can push it out.
      if (this.nextPart > 0 && now - this.connectedAt < this.snapshotDelay) return undefined;
      if (this.partsSent && this.backlog.unsentBytes() > 0) return undefined;
    }
    if ((this.backlog.hasGap() || this.reserved !== undefined) && keepingUp) {
      this.wanted.set("gap", true);
    }
    for (const reason of REASON_ORDER) {
      if (this.wanted.get(reason) === true) return reason;
    }
    const every = this.inForce.rates.snapshot;
    if (
      keepingUp &&
      now - this.lastSnapshotAt >= every &&
      this.frame - this.lastSnapshotFrame >= every * FRAMES_PER_SECOND
    ) {
      return "keyframe";
    }
    return undefined;
  }

  private startSnapshot(reason: SnapshotReason): void {
    const snapshot = this.source.snapshot();
    this.snapshotUnits = snapshot.units;
    // type, seq, frame and reason are written when it is complete (see finishSnapshot).
    this.snapshotEncoder.start(
      OUTBOUND_SHAPES.snapshot,
      snapshotRecord(snapshot, reason, this.inForce),
      SNAPSHOT_UNITS,
      4,
    );
  }

  /**
   * A snapshot is encoded: a gap first if anything was lost (the snapshot's reason is
   * then `gap`, whatever asked for it), then the snapshot.
   */
  private finishSnapshot(now: number): void {
    const record = this.snapshotEncoder.current() as { frame: number; reason: SnapshotReason };
    const frame = record.frame;
    if (this.produceGap(frame)) record.reason = "gap";
    this.seq += 1;
    this.addLine("snapshot", this.snapshotEncoder.finish(this.seq));
    this.known.reset(this.snapshotUnits);
    this.snapshotUnits = [];
    for (const reason of REASON_ORDER) this.wanted.delete(reason);
    this.lastSnapshotAt = now;
    this.lastSnapshotFrame = frame;
  }

  /** Produces a gap for what was lost since the last one; false when nothing was. */
  private produceGap(frame: number): boolean {
    let lost = this.backlog.takeGap();
    const reserved = this.reserved;
    this.reserved = undefined;
    if (reserved !== undefined) {
      if (lost === undefined) {
        lost = reserved;
      } else {
        lost.firstSeq = math.min(lost.firstSeq, reserved.firstSeq);
        lost.lastSeq = math.max(lost.lastSeq, reserved.lastSeq);
        lost.dropped += reserved.dropped;
      }
    }
    if (lost === undefined) return false;
    // A catalog part lost: this connection gets the catalog again.
    for (const count of lost.counts) {
      if (count.type === "unitdefs" && this.connected && this.inForce.categories.unitdefs) {
        this.nextPart = 1;
      }
    }
    this.produce("gap", {
      type: "gap",
      frame,
      firstSeq: lost.firstSeq,
      lastSeq: lost.lastSeq,
      dropped: lost.dropped,
      counts: lost.counts,
    });
    return true;
  }

  /** Changes recorded and not yet made messages (the frame-rate guard watches it grow). */
  waitingChanges(): number {
    return this.source.changes.count() + this.waitingAside.length;
  }

  /** Changes dropped unread (the collector's queue was full) since the session began. */
  droppedChanges(): number {
    return this.droppedUnread;
  }

  /** Bytes produced for the current connection and not yet written (0 while disconnected). */
  unsentBytes(): number {
    return this.connected ? this.backlog.unsentBytes() : 0;
  }

  /**
   * The frame-rate guard changed its step (0: as set): said in a heartbeat at once,
   * and in every heartbeat while it is above 0.
   */
  noteThrottle(level: number): void {
    this.throttleLevel = level;
    this.heartbeatSoon = true;
    this.wakeSender();
  }

  private heartbeatDue(now: number): boolean {
    if (!this.connected || this.hello !== undefined) return false;
    if (this.heartbeatSoon) return true;
    return (
      this.keepingUp &&
      !this.snapshotEncoder.busy() &&
      !this.messageBusy() &&
      this.backlog.unsentBytes() === 0 &&
      now - this.lastHandedAt >= this.heartbeatSeconds
    );
  }

  private produceHeartbeat(): void {
    const cost = this.options.frameCost?.() ?? { meanMs: 0, maxMs: 0 };
    const s = this.stats();
    this.produce("heartbeat", {
      type: "heartbeat",
      frame: this.frame,
      // Itself included: produced is the heartbeat's own seq.
      produced: s.produced + 1,
      sent: s.sent,
      acknowledged: s.acknowledged,
      dropped: s.dropped,
      queuedMessages: s.queuedMessages,
      queuedBytes: s.queuedBytes,
      nonFinite: s.nonFinite,
      inboundIgnored: s.inboundIgnored,
      frameCostMeanMs: cost.meanMs,
      frameCostMaxMs: cost.maxMs,
      throttleLevel: this.throttleLevel > 0 ? this.throttleLevel : undefined,
    });
    this.heartbeatSoon = false;
  }

  /** One part of the catalog, from its encoded body (the rest of the line is small). */
  private produceUnitDefsPart(): void {
    const parts = this.catalogParts as string[];
    const part = this.nextPart;
    this.nextPart = part < parts.length ? part + 1 : 0;
    this.partsSent = true;
    const shape = OUTBOUND_SHAPES.unitdefs;
    const p = shape.prefixes;
    this.seq += 1;
    const line = table.concat([
      p.get(1),
      quote("unitdefs"),
      p.get(2),
      numberText(this.seq),
      p.get(3),
      numberText(this.frame),
      p.get(4),
      numberText(part),
      p.get(5),
      numberText(parts.length),
      p.get(6),
      "[",
      parts[part - 1],
      "]}\n",
    ]);
    this.addLine("unitdefs", line);
  }

  // ---- the bulk job -------------------------------------------------------------

  private queueBulk(change: BulkChange): void {
    const queue = this.bulkQueue;
    if (change.type === "positions") {
      // Only the latest positions matter: one waiting is replaced (it had no seq yet).
      for (let i = 0; i < queue.length; i++) {
        if (queue[i].type === "positions") {
          queue[i] = change;
          return;
        }
      }
    }
    queue.push(change);
    this.bulkTask?.runNow();
  }

  private dropPositions(): void {
    const queue = this.bulkQueue;
    for (let i = queue.length - 1; i >= 0; i--) {
      if (queue[i].type === "positions") queue.splice(i, 1);
    }
    if (this.bulkEncoder.busy() && this.bulkType === "positions") this.bulkEncoder.clear();
  }

  private stepBulk(budget: Budget): boolean {
    let worked = false;
    for (;;) {
      if (worked && budget.expired()) return false;
      worked = true;
      if (this.bulkEncoder.busy()) {
        if (!this.bulkEncoder.step(budget)) return false;
        this.seq += 1;
        this.addLine(this.bulkType, this.bulkEncoder.finish(this.seq));
        // A big line can push the backlog past its bound: the gap goes out at once.
        if (this.backlog.hasGap()) this.wakeSender();
        continue;
      }
      const change = this.bulkQueue.shift();
      if (change !== undefined) {
        this.bulkType = change.type;
        const writer = change.type === "positions" ? POSITION_ROWS : DAMAGE_ROWS;
        this.bulkEncoder.start(OUTBOUND_SHAPES[change.type], change, {
          key: "units",
          writer,
          batch: ROWS_PER_CHECK,
        });
        continue;
      }
      if (this.catalogParts === undefined && this.source.catalog.complete) {
        if (!this.encodeCatalog(budget)) return false;
        continue;
      }
      return true;
    }
  }

  /** Encodes catalog entries until done (true) or out of time; then splits them into parts. */
  private encodeCatalog(budget: Budget): boolean {
    const entries = this.source.catalog.entries;
    const encoded = this.catalogEntries;
    while (encoded.length < entries.length) {
      encoded.push(encode(UNIT_DEF_SHAPE, entries[encoded.length]));
      if (budget.expired() && encoded.length < entries.length) return false;
    }
    // Joined a part per look at the budget (the whole catalog, about 600 KB, took 8 ms in
    // one step), leaving room for the rest of a part's line: type, seq, frame, part
    // numbers, brackets.
    const limit = this.partBytes - 128;
    const parts = this.catalogJoined;
    let start = this.catalogJoinedUpTo;
    while (start < encoded.length) {
      let end = start;
      let size = 0;
      while (end < encoded.length) {
        const length = encoded[end].length + 1;
        if (end > start && size + length > limit) break;
        size += length;
        end += 1;
      }
      parts.push(table.concat(encoded, ",", start + 1, end));
      start = end;
      this.catalogJoinedUpTo = end;
      if (start < encoded.length && budget.expired()) return false;
    }
    // An empty catalog still goes out, as one empty part.
    if (parts.length === 0) parts.push("");
    this.catalogParts = parts;
    // Its parts go out through the sender.
    this.wakeSender();
    this.catalogEntries = [];
    this.catalogJoined = [];
    this.catalogJoinedUpTo = 0;
    return true;
  }
}
