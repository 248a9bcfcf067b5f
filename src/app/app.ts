/**
 * The widget's behaviour without the engine: settings, the connection, commands,
 * messages and error containment. main.ts connects it to the engine's call-ins;
 * tests drive it with a fake transport and clock.
 */
import { Command, parseCommand } from "./commands";
import { checkChanges, Rejections } from "./config-changes";
import { MenuOption, OptionsMenu } from "./options-menu";
import { checkEvent, PUBLISH_LIMITS, PublishResult } from "./publish";
import { loadConfig, saveConfig } from "./config";
import {
  collectSettingsOf,
  Config,
  defaultConfig,
  describeSetting,
  findSetting,
  SETTING_LIST,
  SettingKey,
  valueOf,
} from "./settings";
import { CallInSwitch, Collection, CollectionStatus } from "./collection";
import { Delivery, DeliveryStatus } from "./delivery";
import { makeSessionID } from "../protocol/session-id";
import type { GameReader } from "../collect/reader";
import {
  Connection,
  ConnectionDiagnostics,
  ConnectionSettings,
  Proof,
  Transition,
} from "../link/connection";
import { IndicatorText } from "./indicator";
import type { Clock } from "../core/clock";
import { Stopwatch, stopwatchFromClock } from "../core/stopwatch";
import { Logger } from "./log";
import { FailureKind } from "../link/socket-errors";
import { formatDuration, helpLines, statusLines } from "./status-report";
import type { Resolver } from "../link/resolver";
import type { Transport } from "../link/transport";
import { Scheduler } from "../sched/scheduler";
import type { CostReport } from "../sched/cost";
import { WIDGET_VERSION } from "./version";
import { switchesFor } from "../collect/detail";

export interface AppDeps {
  transport: Transport;
  clock: Clock;
  /** Times the scheduler's slices (the engine's: src/engine/stopwatch.ts); default: from `clock`. */
  stopwatch?: Stopwatch;
  /** Prints one console line (Spring.Echo in the engine). */
  echo: (this: void, line: string) => void;
  /** Time of day for log lines (os.date in the engine). */
  stamp: (this: void) => string;
  /** Name lookups (socket.dns in the engine); without it names go to the socket as written. */
  resolver?: Resolver;
  /** The game's data (src/engine/game-reader.ts in the engine); without it nothing is collected. */
  reader?: GameReader;
  /** Registers and removes call-ins the collection wants only while collecting them. */
  callIns?: CallInSwitch;
  /**
   * What differs between widget starts (time of day, clocks, the game's id), hashed
   * into the protocol's session id; without it the clock's time alone.
   */
  entropy?: (this: void) => (string | number)[];
}

/** Everything `WG.LiveDataExport.getStatus()` reports: the diagnostics and every setting. */
export type StatusSnapshot = Config &
  ConnectionDiagnostics & {
    version: string;
    internalErrors: number;
    lastInternalError?: string;
    /** What was collected (absent without a game reader). */
    collection?: CollectionStatus;
    /** What the protocol session delivered (absent without a game reader). */
    delivery?: DeliveryStatus;
    /** The scheduler's cost report (per frame and per task) since the widget started. */
    frameCost: CostReport;
    /** Other widgets' events (`publish`): accepted, refused, and the last refusal's reason. */
    published: PublishCounts;
  };

export interface PublishCounts {
  accepted: number;
  rejected: number;
  lastRejection?: string;
}

/**
 * What `WG.LiveDataExport.setConfig(partial)` returns: `ok` and the changes in
 * people's words (`["port 9000"]`), or `ok = false` and why each rejected key was
 * rejected (then nothing changed).
 */
export interface ConfigResult {
  ok: boolean;
  changed: string[];
  rejected?: Rejections;
}

/** What to do when the engine's allow-list denies `address` (`host:port`, as configured). */
function tcpAllowHint(address: string): string {
  return (
    "The engine only allows connections listed in TCPAllowConnect in springsettings.cfg " +
    "(in the BAR data folder). Quit the game, add the address to that line, e.g. " +
    `TCPAllowConnect = ${address} (entries separated by spaces, * allows all), and start again.`
  );
}

/** The connection's share of the settings. */
function connectionSettings(c: Config): ConnectionSettings {
  return {
    host: c.host,
    port: c.port,
    autoReconnect: c.autoReconnect,
    retryInitialDelay: c.retryInitialDelay,
    retryMaxDelay: c.retryMaxDelay,
    connectTimeout: c.connectTimeout,
    silenceTimeout: c.silenceTimeout,
    sendEverySeconds: c.sendInterval / 1000,
  };
}

/** Streak key prefix of connections that end before they prove themselves. */
const FLAP_KEY = "flap:";

/** How many distinct internal error messages are remembered to log each only once. */
const MAX_REMEMBERED_ERRORS = 20;

/**
 * At shutdown, wall-clock seconds spent at most making messages of the recorded changes
 * (the game is closing or reloading LuaUI: a short pause there costs no game frame), and
 * bytes handed to the socket at most (the backlog's default bound).
 */
const SHUTDOWN_SECONDS = 0.05;
const SHUTDOWN_FLUSH_BYTES = 4 * 1024 * 1024;

export class LiveDataApp {
  readonly config: Config = defaultConfig();
  readonly log: Logger;
  readonly connection: Connection;
  /** Shares each frame's time budget among the collectors and the sender. */
  readonly scheduler: Scheduler;
  private readonly indicator = new IndicatorText();
  /** The settings in BAR's options window (options-menu.ts; main.ts registers them). */
  readonly menu = new OptionsMenu();
  private readonly clock: Clock;
  private readonly reader: GameReader | undefined;
  private readonly published: PublishCounts = { accepted: 0, rejected: 0 };
  /** Start of the current second of `publish` calls, and the events accepted in it. */
  private publishSecond = -math.huge;
  private publishedThisSecond = 0;
  /** Counts changes of the settings, so main.ts looks at the options window only after one. */
  settingsChanges = 0;
  private internalErrors = 0;
  private lastInternalError: string | undefined;
  private readonly reportedErrors = new LuaTable<string, true>();
  private reportedErrorCount = 0;
  /** The game data collection (src/app/collection.ts); undefined without a reader. */
  readonly collection: Collection | undefined;
  /** The protocol session sending it (src/app/delivery.ts); undefined without a reader. */
  readonly delivery: Delivery | undefined;

  constructor(deps: AppDeps) {
    this.clock = deps.clock;
    this.reader = deps.reader;
    this.log = new Logger({
      sink: deps.echo,
      clock: deps.clock,
      stamp: deps.stamp,
      level: this.config.logLevel,
    });
    this.scheduler = new Scheduler({
      stopwatch: deps.stopwatch ?? stopwatchFromClock(deps.clock),
      clock: deps.clock,
      budgetMs: this.config.frameBudget,
      onTaskError: (task, message) =>
        this.log.error(`task ${task} failed and was stopped: ${message} (please report this)`),
    });
    if (deps.reader !== undefined) {
      this.collection = new Collection(
        deps.reader,
        this.scheduler,
        collectSettingsOf(this.config),
        deps.callIns,
      );
      const entropy = deps.entropy !== undefined ? deps.entropy() : [deps.clock.now()];
      this.delivery = new Delivery(
        this.collection,
        this.scheduler,
        this.config,
        deps.clock,
        makeSessionID(entropy),
        this.log,
      );
    }
    this.connection = new Connection(
      deps.transport,
      deps.clock,
      connectionSettings(this.config),
      {
        onTransition: (t) => this.reportTransition(t),
        onProven: (p) => this.reportProof(p),
        onSlowRetries: (r) => {
          this.log.endStreak();
          this.log.warn(
            `no connection to ${r.host}:${r.port} after ${r.failures} attempts in ` +
              `${formatDuration(r.seconds)}: trying every ${formatDuration(r.retryEvery)} from now on ` +
              `(/livedata connect tries at once)`,
          );
        },
        onLookupStart: (host) =>
          this.log.info(`looking up ${host} (the game may pause until the system answers)`),
        onLookupDone: (host, address, error) => {
          if (address !== undefined) {
            this.log.info(`${host} is ${address} (kept until /livedata connect or sethost)`);
          } else {
            this.log.warn(`cannot look up ${host}: ${error ?? "unknown error"}`);
          }
        },
      },
      // The session writes hello and everything after it; without a game there is
      // nothing to say.
      { feed: this.delivery?.session, resolver: deps.resolver },
    );
  }

  /** SetConfigData: replaces the settings with the saved ones, field by field. */
  loadSaved(saved: unknown): void {
    const { config, warnings } = loadConfig(saved);
    for (const warning of warnings) {
      this.log.warn(warning);
    }
    Object.assign(this.config, config);
    this.applySettings();
  }

  /** GetConfigData. */
  saved(): object {
    return saveConfig(this.config);
  }

  /** Initialize: connects when a connection is wanted. */
  start(): void {
    this.log.debug(`version ${WIDGET_VERSION} starting, receiver ${this.address()}`);
    // Enabled mid-game: the jobs stamp their changes with the game's frame before the
    // next GameFrame call-in (none comes while the game is paused).
    if (this.reader !== undefined) this.scheduler.setGameFrame(this.reader.gameFrame());
    if (this.config.enabled) {
      this.connection.connect("widget started");
    } else {
      this.log.info(`not connecting: disconnected by command (type /livedata connect)`);
    }
  }

  update(): void {
    // One clock reading for the frame, and nothing called that has nothing to do: a
    // frame in which no task can be due touches a handful of functions (each costs about
    // a microsecond after the simulation, docs/performance.md).
    const now = this.clock.now();
    const connection = this.connection;
    if (now >= connection.quietUntil) connection.update();
    this.scheduler.runFrame(now);
    const delivery = this.delivery;
    if (delivery !== undefined && now >= delivery.nextLook) delivery.guard(now);
  }

  /** GameFrame: the game frame for the jobs' `everyFrames` rates. */
  gameFrame(frame: number): void {
    this.scheduler.setGameFrame(frame);
  }

  shutdown(): void {
    this.sendRecorded();
    this.sayBye("shutdown");
    this.connection.shutdown();
    this.log.endStreak();
    this.log.debug("shut down, socket closed");
  }

  /** Handles `/livedata <words>`. Bad input gets a message and changes nothing. */
  handleCommand(words: string[]): void {
    const [command, problem] = parseCommand(words, this.config);
    if (command === undefined) {
      this.log.reply(problem);
      return;
    }
    this.execute(command);
  }

  /** A copy of the settings in force, by key (`WG.LiveDataExport.getConfig()`). */
  getConfig(): Config {
    return { ...this.config };
  }

  /**
   * Another widget's change of settings (`WG.LiveDataExport.setConfig`): checked as
   * the commands check them (config-changes.ts); all or nothing. What changed is
   * printed as a command's reply would be, so the player sees who moved what.
   */
  setConfig(partial: unknown): ConfigResult {
    const [changes, rejected] = checkChanges(this.config, partial);
    if (changes === undefined) return { ok: false, changed: [], rejected };
    const changed = this.changeSettings(changes);
    if (changed.length > 0) this.log.info(`set by another widget: ${changed.join(", ")}`);
    return { ok: true, changed };
  }

  /** `connect()` / `disconnect()` of another widget: as the commands, said in the console. */
  request(kind: "connect" | "disconnect"): true {
    this.execute({ kind });
    return true;
  }

  /** The options window's entries for the settings in force (without `onchange`). */
  menuOptions(): MenuOption[] {
    return this.menu.build(this.config);
  }

  /**
   * A click in the options window: the setting changes as its command would change
   * it, with the same checks and the same reply; `enabled` connects or disconnects.
   */
  menuChanged(key: SettingKey, raw: unknown): void {
    const entry = findSetting(key)!;
    const [value, form] = this.menu.read(key, raw);
    if (form !== undefined) {
      this.log.reply(`${entry.label}: ${form}`);
      this.settingsChanges += 1; // the window shows what it was handed: put it back
      return;
    }
    if (key === "enabled") {
      this.execute({ kind: value === true ? "connect" : "disconnect" });
      return;
    }
    const [changes, rejected] = checkChanges(this.config, { [key]: value });
    if (changes === undefined) {
      for (const [, why] of pairs(rejected)) this.log.reply(`${entry.label}: ${why}`);
      this.settingsChanges += 1; // the window shows a value not in force
      return;
    }
    const changed = this.changeSettings(changes);
    if (changed.length > 0) this.log.reply(changed.join(", "));
  }

  /**
   * Another widget's event for the stream (publish.ts): checked, limited to
   * PUBLISH_LIMITS.perSecond, then recorded in order with the game's changes.
   */
  publish(eventType: unknown, fields: unknown): PublishResult {
    const refuse = (why: string): PublishResult => {
      this.published.rejected += 1;
      this.published.lastRejection = why;
      return { ok: false, error: why };
    };
    if (this.collection === undefined) return refuse("nothing is collected here (no game)");
    const now = this.clock.now();
    if (now - this.publishSecond >= 1) {
      this.publishSecond = now;
      this.publishedThisSecond = 0;
    }
    if (this.publishedThisSecond >= PUBLISH_LIMITS.perSecond) {
      return refuse(`more than ${PUBLISH_LIMITS.perSecond} events in a second`);
    }
    const [checked, why] = checkEvent(eventType, fields);
    if (checked === undefined) return refuse(why);
    this.publishedThisSecond += 1;
    this.published.accepted += 1;
    this.collection.collector.external(eventType as string, checked);
    return { ok: true };
  }

  status(): StatusSnapshot {
    return {
      ...this.config,
      ...this.connection.diagnostics(),
      version: WIDGET_VERSION,
      internalErrors: this.internalErrors,
      lastInternalError: this.lastInternalError,
      collection: this.collection?.status(),
      delivery: this.delivery?.status(),
      frameCost: this.scheduler.costReport(),
      published: { ...this.published },
    };
  }

  /** The status line to draw, or undefined when hidden. */
  indicatorLine(): string | undefined {
    if (!this.config.showIndicator) {
      return undefined;
    }
    const c = this.connection;
    return this.indicator.line(c.state(), this.config.host, this.config.port, c.retryIn());
  }

  /**
   * An error escaped our own code inside a call-in. It is counted (tests assert on
   * the count), logged once per distinct message, and the connection restarts
   * from a clean state so one bad frame cannot leave it half-open.
   */
  internalError(where: string, message: string, resetConnection: boolean): void {
    this.internalErrors += 1;
    this.lastInternalError = `${where}: ${message}`;
    if (this.reportedErrors.get(this.lastInternalError) === undefined) {
      if (this.reportedErrorCount < MAX_REMEMBERED_ERRORS) {
        this.reportedErrors.set(this.lastInternalError, true);
        this.reportedErrorCount += 1;
      }
      this.log.error(
        `internal error in ${where}: ${message}` +
          (resetConnection ? "; restarting the connection" : "") +
          " (please report this)",
      );
    }
    if (resetConnection) {
      const [ok, err] = pcall(() => this.connection.reset(`internal error in ${where}`));
      if (!ok) {
        this.lastInternalError = `${where}: ${message}; reset failed: ${err}`;
      }
    }
  }

  private execute(command: Command): void {
    const config = this.config;
    switch (command.kind) {
      case "help":
        for (const line of helpLines()) this.log.reply(line);
        return;
      case "status":
        for (const line of statusLines(this.connection.diagnostics(), config, {
          count: this.internalErrors,
          last: this.lastInternalError,
        })) {
          this.log.reply(line);
        }
        for (const line of this.collection?.statusLines() ?? []) this.log.reply(line);
        if (this.delivery !== undefined) this.log.reply(this.delivery.statusLine());
        return;
      case "connect": {
        config.enabled = true;
        this.settingsChanges += 1;
        const state = this.connection.state();
        if (state === "CONNECTED" || state === "CONNECTING") {
          this.log.reply(`already ${string.lower(state)} to ${this.address()}`);
          return;
        }
        this.log.reply(`connecting to ${this.address()}`);
        this.connection.connect("connect command");
        return;
      }
      case "disconnect":
        config.enabled = false;
        this.settingsChanges += 1;
        if (this.connection.state() === "DISCONNECTED") {
          this.log.reply("already disconnected");
          return;
        }
        this.sayBye("disconnect");
        this.connection.disconnect("disconnect command");
        this.log.reply("disconnected; type /livedata connect to connect again");
        return;
      case "set": {
        const changed = this.changeSettings(command.changes);
        if (changed.length === 0) {
          this.log.reply(`already set: ${this.describeAll(command.changes)}`);
        } else {
          this.log.reply(changed.join(", "));
        }
        return;
      }
      case "reset": {
        const defaults = defaultConfig();
        defaults.enabled = config.enabled;
        Object.assign(config, defaults);
        this.applySettings();
        this.log.reply(`settings restored to defaults (receiver ${this.address()})`);
        return;
      }
    }
  }

  /**
   * Applies checked changes; returns what changed in people's words (a new address
   * as one `receiver set to host:port`), empty when every value was already set.
   */
  private changeSettings(given: Partial<Config>): string[] {
    const config = this.config as unknown as Record<string, unknown>;
    // A detail level sets the switches it governs, unless the same change sets them.
    const changes = given.detail !== undefined ? { ...switchesFor(given.detail), ...given } : given;
    const changed: string[] = [];
    let addressChanged = false;
    for (const entry of SETTING_LIST) {
      const value = (changes as Record<string, unknown>)[entry.key];
      if (value === undefined || value === valueOf(this.config, entry.key)) continue;
      config[entry.key] = value;
      changed.push(describeSetting(entry, value));
      addressChanged ||= entry.key === "host" || entry.key === "port";
    }
    if (changed.length === 0) return changed;
    this.applySettings();
    return addressChanged ? [`receiver set to ${this.address()}`] : changed;
  }

  /** `host 10.0.0.5, port 9000`: every value of `changes`, in the table's order. */
  private describeAll(changes: Partial<Config>): string {
    const parts: string[] = [];
    for (const entry of SETTING_LIST) {
      const value = (changes as Record<string, unknown>)[entry.key];
      if (value !== undefined) parts.push(describeSetting(entry, value));
    }
    return parts.join(", ");
  }

  /** Hands the settings to the parts that use them; each ignores what did not change. */
  private applySettings(): void {
    const c = this.config;
    this.settingsChanges += 1;
    this.log.setLevel(c.logLevel);
    this.connection.setAddress(c.host, c.port);
    this.connection.configure(connectionSettings(c));
    this.scheduler.setBudgetMs(c.frameBudget);
    // With a session, the collection follows the settings in force (see delivery.ts).
    if (this.delivery !== undefined) this.delivery.apply();
    else this.collection?.apply(collectSettingsOf(c));
  }

  /** The session's last message on this connection, written now if the socket takes it. */
  private sayBye(reason: "shutdown" | "disconnect"): void {
    if (this.delivery === undefined || this.connection.state() !== "CONNECTED") return;
    const session = this.delivery.session;
    session.bye(reason);
    // On disconnect what is not written stays for the next connection; at shutdown
    // there is none, so the socket gets all it takes now.
    this.connection.flush(reason === "shutdown" ? SHUTDOWN_FLUSH_BYTES : 0);
    const unwritten = session.unsentBytes() + this.connection.unwrittenBytes();
    if (reason === "shutdown" && unwritten > 0) {
      this.log.warn(`closing: ${unwritten} bytes the receiver will not get`);
    }
  }

  /**
   * At shutdown, while a receiver is connected: the stored call-ins are already with the
   * collector (main.ts drains them first); every change it recorded becomes a message
   * now, as far as SHUTDOWN_SECONDS allow, rather than being lost with the widget. What
   * is left is said in the console, counted.
   */
  private sendRecorded(): void {
    if (this.delivery === undefined || this.connection.state() !== "CONNECTED") return;
    const left = this.delivery.session.produceRecorded(SHUTDOWN_SECONDS);
    if (left > 0) this.log.warn(`closing: ${left} recorded changes not sent`);
  }

  private address(): string {
    return `${this.config.host}:${this.config.port}`;
  }

  /**
   * Turns state changes into console lines: debug for each, info/warn for what matters.
   * Failures that repeat (attempts refused while the receiver is down, connections
   * that end before they prove themselves while it accepts and closes) print once per
   * streak, then as counts; a connection that follows such a flap is announced only
   * once it has proved itself (`reportProof`).
   */
  private reportTransition(t: Transition): void {
    const log = this.log;
    if (log.enabled("debug")) {
      log.debug(`${t.from} -> ${t.to}: ${t.reason}`);
    }
    const address = `${t.host}:${t.port}`;
    switch (t.to) {
      case "CONNECTED":
        if (!this.inFlapStreak()) {
          log.endStreak();
          log.info(`connected to ${address}`);
        }
        return;
      case "RECONNECTING": {
        const retry = t.retryIn !== undefined ? `; retrying in ${formatDuration(t.retryIn)}` : "";
        if (t.from === "CONNECTED" && t.proven === false) {
          log.repeating(
            "warn",
            `${FLAP_KEY}${t.failure ?? "?"}`,
            `lost the connection to ${address} before it proved stable: ${t.reason}${retry}`,
          );
        } else if (t.from === "CONNECTED") {
          log.endStreak();
          log.warn(`lost the connection to ${address}: ${t.reason}${retry}`);
        } else {
          this.reportFailedAttempt(address, t.failure, `${t.reason}${retry}`);
        }
        return;
      }
      case "ERROR":
        log.endStreak();
        if (t.failure === "denied") {
          log.error(`cannot connect to ${address}: ${t.reason}. ${tcpAllowHint(address)}`);
        } else {
          log.error(
            `stopped trying to reach ${address}: ${t.reason}. Type /livedata connect to retry.`,
          );
        }
        return;
      case "DISCONNECTED":
        log.endStreak();
        return;
    }
  }

  /** A connection proved itself: after a streak of flaps, this is when it is announced. */
  private reportProof(p: Proof): void {
    if (this.log.enabled("debug")) {
      this.log.debug(`connection proved itself: ${p.reason}`);
    }
    if (this.inFlapStreak()) {
      this.log.endStreak();
      this.log.info(`connected to ${p.host}:${p.port} (${p.reason})`);
    }
  }

  private inFlapStreak(): boolean {
    const key = this.log.streak();
    return key !== undefined && string.sub(key, 1, FLAP_KEY.length) === FLAP_KEY;
  }

  private reportFailedAttempt(
    address: string,
    failure: FailureKind | undefined,
    detail: string,
  ): void {
    // While the receiver stays down every attempt fails the same way: one line per streak.
    this.log.repeating(
      "warn",
      `attempt:${failure ?? "?"}`,
      `cannot connect to ${address}: ${detail}`,
    );
  }
}
