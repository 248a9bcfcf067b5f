/**
 * The app's share of the protocol (src/protocol/session.ts): owns the `Session` that
 * turns the collection into the lines of docs/protocol.md, registers its jobs with the
 * scheduler, hands it the settings (the saved ones; a receiver's `configure` overrides
 * them for its connection, and the collection follows the settings in force), and
 * reports what it delivered for `status` and `WG.LiveDataExport.getStatus()`.
 */
import { applyToCollector, wireSettings } from "../protocol/wire";
import { IDLE_POLL_SECONDS, Session, SessionStats } from "../protocol/session";
import type { Clock } from "../core/clock";
import type { Scheduler } from "../sched/scheduler";
import { Priority } from "../sched/task";
import type { Collection } from "./collection";
import type { Logger } from "./log";
import { collectSettingsOf, Config } from "./settings";
import { WIDGET_VERSION } from "./version";
import { Throttle, WINDOW_SECONDS } from "./throttle";
import type { Pressure } from "./throttle";

/** What the console says when the guard steps down, by what pressed it. */
const PRESSURE_WORDS: Record<Pressure, string> = {
  "frame budget": "the widget's work fills its frame budget",
  "backlog growing": "more and more waits for the receiver",
  "changes piling up": "the game makes more than the widget can send in its frame budget",
};

/** What was delivered, for status and `WG.LiveDataExport.getStatus().delivery`. */
export type DeliveryStatus = SessionStats & {
  /** `hello.session`. */
  session: string;
  /** The frame-rate guard's step (0: collecting as set; see throttle.ts). */
  throttleLevel: number;
};

/**
 * Shares of the frame budget: the sender turns changes into lines; the bulk job encodes
 * the big messages (positions, damage, the catalog) over frames. Both sleep while they
 * have nothing to do (the session wakes them: session.ts).
 */
const SENDER_SHARE = 0.2;
const BULK_SHARE = 0.2;

export class Delivery {
  readonly session: Session;
  /** The frame-rate guard (throttle.ts): what it holds back is applied in `onSettings`. */
  readonly throttle = new Throttle();
  /** Clock time (seconds) of the guard's next look: before it, `guard` returns at once. */
  nextLook = 0;

  constructor(
    collection: Collection,
    private readonly scheduler: Scheduler,
    private readonly config: Config,
    clock: Clock,
    sessionID: string,
    private readonly log: Logger,
  ) {
    this.session = new Session({
      source: collection.collector,
      clock,
      id: sessionID,
      version: WIDGET_VERSION,
      settings: () => wireSettings(collectSettingsOf(this.config), this.config.keyframeSeconds),
      token: () => this.config.token,
      backlogBytes: config.backlogKiB * 1024,
      frameCost: () => {
        const w = scheduler.takeWindow();
        return { meanMs: w.meanUs / 1000, maxMs: w.maxUs / 1000 };
      },
      // The collection follows the settings in force: the saved ones with this
      // connection's `configure` on top.
      onSettings: (inForce) => {
        const effective = collectSettingsOf(this.config);
        applyToCollector(inForce, effective);
        this.throttle.shape(effective);
        collection.apply(effective);
      },
      log: (level, line) => {
        if (level === "info") log.info(line);
        else if (log.enabled("debug")) log.debug(line);
      },
    });
    const sender = scheduler.add(this.session.sender, {
      name: "session.sender",
      priority: Priority.sender,
      share: SENDER_SHARE,
      everySeconds: IDLE_POLL_SECONDS,
    });
    const bulk = scheduler.add(this.session.bulk, {
      name: "session.bulk",
      priority: Priority.periodic,
      share: BULK_SHARE,
      everySeconds: IDLE_POLL_SECONDS,
    });
    // The session sets their polls from here on (the sender's follows the connection).
    this.session.attach(sender, bulk);
  }

  /** The saved settings changed (already in `config`): the session and collection follow. */
  apply(): void {
    this.session.setBacklogBytes(this.config.backlogKiB * 1024);
    this.session.settingsChanged();
  }

  /**
   * Every frame (cheap): every WINDOW_SECONDS, hands the frame-rate guard the
   * scheduler's load and what waits for the receiver; a new step is applied at once,
   * said once in the console and in a heartbeat.
   */
  guard(now: number): void {
    if (now < this.nextLook) return;
    this.nextLook = now + WINDOW_SECONDS;
    const [frames, meanUs] = this.scheduler.takeLoad();
    if (frames === 0) return;
    const unsent = this.session.unsentBytes();
    const waiting = this.session.waitingChanges();
    const dropped = this.session.droppedChanges();
    const budgetUs = this.scheduler.budgetUs();
    const change = this.throttle.observe(meanUs, budgetUs, unsent, waiting, dropped);
    if (change === 0) return;
    this.session.settingsChanged();
    this.session.noteThrottle(this.throttle.level);
    if (change > 0) {
      const why = PRESSURE_WORDS[this.throttle.reason ?? "frame budget"];
      this.log.warn(`${why}: ${this.throttle.describe()} until it eases`);
    } else {
      this.log.info(`pressure eased: ${this.throttle.describe()}`);
    }
  }

  status(): DeliveryStatus {
    return {
      ...this.session.stats(),
      session: this.session.id(),
      throttleLevel: this.throttle.level,
    };
  }

  /** A line of `/livedata status`. */
  statusLine(): string {
    const s = this.status();
    return (
      `delivery (session ${s.session}): produced ${s.produced}, sent ${s.sent}, ` +
      `acknowledged ${s.acknowledged}${s.acknowledging ? "" : " (the receiver does not acknowledge)"}, ` +
      `dropped ${s.dropped}, queued ${s.queuedMessages} (${s.queuedBytes} B), ` +
      `ignored from the receiver ${s.inboundIgnored}, numbers written as null ${s.nonFinite}` +
      (s.throttleLevel > 0 ? `; frame-rate guard: ${this.throttle.describe()}` : "")
    );
  }
}
