/**
 * The whole product in one process tree: the built widget in the host's game world
 * (test/host/driver.ts), connected to a receiver that records and serves the overlay.
 * Used by the pipeline e2e (test/e2e/pipeline.test.ts), `npm run demo` and the pipeline
 * benchmark and soak (tools/). The receiver is behind an interface so that a test can run
 * it in its own process (startReceiverApp) and a benchmark as a child process, whose CPU
 * and memory are then its own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startReceiverApp, type ReceiverApp } from "../../receiver/app.ts";
import { listenOnKeptPorts } from "../support/kept-port.ts";
import { BarHost, type HostStatus } from "./driver.ts";
import { ofType, readRecordings } from "./recording.ts";
import { WIDGET_FILE, WIDGET_NAME, writeWidgetConfig, type LuaValue } from "./widget-config.ts";
import { FIXTURE_PROBE, worldConfig, type WorldConfig } from "./world-driver.ts";

/** A receiver the pipeline can stop, start again on the same ports, and cut. */
export interface ReceiverUnderTest {
  readonly widgetPort: number;
  readonly httpPort: number;
  readonly recordingsDir: string;
  /** Whether the recordings folder is a temporary one of its own (removed with the run). */
  readonly temporary?: boolean;
  readonly running: boolean;
  /** Starts it (again), on the same ports after the first start. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Closes every widget connection; it keeps listening (the widget reconnects). */
  cut(): Promise<void>;
}

/** The receiver in this process: the tests look into `app.receiver`. */
export class InProcessReceiver implements ReceiverUnderTest {
  app: ReceiverApp | null = null;
  widgetPort: number;
  httpPort: number;
  readonly recordingsDir: string;
  readonly temporary: boolean;

  /**
   * Ports 0 (the default): free ones (test/support/kept-port.ts), kept for restarts.
   * Recordings: a temp folder.
   */
  constructor(options: { recordingsDir?: string; port?: number; httpPort?: number } = {}) {
    this.temporary = options.recordingsDir === undefined;
    this.recordingsDir =
      options.recordingsDir ?? mkdtempSync(path.join(os.tmpdir(), "ldx-recordings-"));
    this.widgetPort = options.port ?? 0;
    this.httpPort = options.httpPort ?? 0;
  }

  get running(): boolean {
    return this.app !== null;
  }

  async start(): Promise<void> {
    if (this.app) return;
    // Ports 0 (first start only) become ports below the OS's ephemeral range, not bind(0):
    // while this receiver is stopped, another test's bind(0) could be given its port.
    this.app = await listenOnKeptPorts([this.widgetPort, this.httpPort], ([port, httpPort]) =>
      startReceiverApp({ host: "127.0.0.1", port, httpPort, recordingsDir: this.recordingsDir }),
    );
    this.widgetPort = this.app.widgetAddress.port;
    this.httpPort = this.app.http!.address.port;
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = null;
    await app?.close();
  }

  async cut(): Promise<void> {
    await this.app?.server.kick();
  }
}

/** What the widget delivered (`WG.LiveDataExport.getStatus().delivery`). */
export interface Delivery {
  session: string;
  produced: number;
  sent: number;
  acknowledged: number;
  dropped: number;
  queuedMessages: number;
  queuedBytes: number;
  /** The frame-rate guard's step (0: collecting as set; README, "Protecting the frame rate"). */
  throttleLevel: number;
}

/** The widget's `WG.LiveDataExport.getStatus()`, the parts the pipeline reads. */
export interface WidgetStatus {
  state: string;
  internalErrors: number;
  lastInternalError?: string;
  connections?: number;
  delivery: Delivery;
  collection: {
    view: string;
    pending: number;
    dropped: number;
    unitDefs: number;
    unitDefsComplete: boolean;
  };
}

export interface PipelineOptions {
  interpreter: string;
  world: WorldConfig;
  receiver: ReceiverUnderTest;
  /** The widget's saved settings (host and port are set here). */
  settings?: Record<string, LuaValue>;
  /** Also load the world probe (WG.WorldProbe: the call-ins delivered, per team). */
  probe?: boolean;
  /** The widget file (default: the build); another build for benchmarks. */
  widget?: string;
  fps?: number;
  maxSeconds?: number;
  /** Host options for benchmarks. */
  timeCallIns?: boolean;
  quietSockets?: boolean;
}

export class Pipeline {
  private constructor(
    readonly host: BarHost,
    readonly receiver: ReceiverUnderTest,
    readonly truthLog: string,
    private readonly configDir: string,
  ) {}

  static async start(options: PipelineOptions): Promise<Pipeline> {
    const receiver = options.receiver;
    await receiver.start();
    const { configPath: world, truthLog } = worldConfig(options.world);
    const configDir = mkdtempSync(path.join(os.tmpdir(), "ldx-pipeline-"));
    const configPath = path.join(configDir, "config.lua");
    writeWidgetConfig(configPath, {
      [WIDGET_NAME]: {
        host: "127.0.0.1",
        port: receiver.widgetPort,
        // a receiver restarted at once is found again at once
        retryInitialDelay: 0.1,
        retryMaxDelay: 1,
        ...options.settings,
      },
    });
    const host = await BarHost.start({
      interpreter: options.interpreter,
      widget: options.probe
        ? [options.widget ?? WIDGET_FILE, FIXTURE_PROBE]
        : (options.widget ?? WIDGET_FILE),
      configPath,
      world,
      fps: options.fps ?? 60,
      maxSeconds: options.maxSeconds ?? 600,
      timeCallIns: options.timeCallIns,
      quietSockets: options.quietSockets,
      commandTimeoutMs: 30_000,
    });
    return new Pipeline(host, receiver, truthLog, configDir);
  }

  async widget(): Promise<WidgetStatus> {
    return (await this.host.status()).widgetStatus as WidgetStatus;
  }

  /** The status with the world probe's report as `widgetStatus`. */
  async probe(): Promise<HostStatus> {
    return this.host.status("WorldProbe");
  }

  /**
   * Starts the game (a world with `autoStart: false`) once the receiver has recorded the
   * widget's whole unit catalog and a snapshot, as in BAR, where widgets load during the
   * pregame: the receiver then knows every team and unit type before the first event
   * (it sums kills and losses from events as they come).
   */
  async startGameWhenReady(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    const ready = () =>
      [...readRecordings(this.receiver.recordingsDir).values()].some(
        (s) =>
          ofType(s.messages, "unitdefs").some((m) => m.part === m.parts) &&
          ofType(s.messages, "snapshot").length > 0,
      );
    while (!ready()) {
      if (Date.now() > until) throw new Error(`the pregame did not end within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await this.host.world("start");
  }

  /** Resolves when the world played its last frame. */
  async gameEnded(timeoutMs: number): Promise<void> {
    await this.host.waitForEvent(
      (e) => e.type === "world" && e.what === "ended",
      timeoutMs,
      "the game's end",
    );
  }

  /**
   * Polls until the widget has nothing left to collect or send and the receiver has
   * acknowledged all of it, and `ready` (what the caller waits for in the receiver)
   * holds. Rejects after `timeoutMs` saying what was still missing.
   */
  async settled(ready: () => boolean | string, timeoutMs: number): Promise<WidgetStatus> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const w = await this.widget();
      const d = w.delivery;
      const widgetDone =
        w.collection.pending === 0 && d.queuedMessages === 0 && d.acknowledged === d.produced;
      const verdict = widgetDone ? ready() : "the widget has work left";
      if (verdict === true) return w;
      if (Date.now() > until) {
        throw new Error(
          `not settled after ${timeoutMs} ms: ${verdict === false ? "not ready" : verdict}; ` +
            `widget ${JSON.stringify({ delivery: d, collection: w.collection })}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Shuts the widget down (its `bye`), then the receiver. */
  async stop(): Promise<void> {
    try {
      if (this.host.running) await this.host.shutdown(30_000);
    } finally {
      await this.receiver.stop();
    }
  }

  /**
   * Removes the run's files: the widget config, the world's folder (truth log) and the
   * receiver's recordings when they are in a temporary folder of its own. A failed run
   * keeps them to be looked at.
   */
  removeFiles(): void {
    for (const dir of [this.configDir, path.dirname(this.truthLog)]) {
      rmSync(dir, { recursive: true, force: true });
    }
    if (this.receiver.temporary)
      rmSync(this.receiver.recordingsDir, { recursive: true, force: true });
  }

  /** For cleanup after a failure: kills the host, stops the receiver. */
  async kill(): Promise<void> {
    await this.host.kill();
    await this.receiver.stop();
  }
}
