/**
 * Driver for the BAR-like host (test/host/host.lua): starts it under a chosen
 * Lua interpreter, parses its JSON event lines, and controls it over a TCP
 * control connection (protocol documented at the top of host.lua).
 *
 * Failing loudly: unless tolerated, an "error" event (a call-in error, a load
 * or config error...), a "load_failed" or "fatal" event, the widget removing
 * itself or being removed after an error, a leaked socket, or the process
 * exiting without being asked to, records `failure`, and every pending and
 * future wait rejects with it. Nothing waits forever: every wait has a
 * timeout, and tests should call `kill()` (or `BarHost.killAll()`) in
 * afterEach.
 *
 *   const host = await BarHost.start({ interpreter: lua.path, widget: file });
 *   await host.waitForEcho(/connected/, 5_000);
 *   const reply = await host.chat("/livedata status");
 *   const final = await host.shutdown();
 *   expect(final.sockets.open).toBe(0);
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const HOST_LUA = path.join(path.dirname(fileURLToPath(import.meta.url)), "host.lua");

// ---------------------------------------------------------------------------
// event and reply shapes

export interface HostEvent {
  type: string;
  /** Frames completed when the event was emitted. */
  frame: number;
  /** Seconds since the host started. */
  t: number;
  [key: string]: unknown;
}

export interface EchoEvent extends HostEvent {
  type: "echo";
  text: string;
  source: "widget" | "handler";
}

export interface LogEvent extends HostEvent {
  type: "log";
  section: string;
  level: number;
  levelName?: string;
  text: string;
  source: "widget" | "engine" | "handler";
}

export interface ErrorEvent extends HostEvent {
  type: "error";
  kind: "callin" | "load" | "config" | "action" | "unwrapped" | "status" | "host";
  where: string;
  message: string;
  widget?: string;
}

export interface SocketCounts {
  created: number;
  closed: number;
  leaked: number;
  open: number;
}

export interface SocketEvent extends HostEvent {
  type: "socket";
  action: "created" | "closed" | "leaked" | "connect" | "denied" | "accepted";
  id: number;
  kind: "tcp" | "udp";
  counts: SocketCounts;
  host?: string;
  port?: number;
  result?: string;
}

/** Call-in durations in microseconds (to 0.1 us below 1 ms). */
export interface TimingSummary {
  count: number;
  /** From the histogram's buckets (0.1 us below 1 ms, 1 % above). */
  meanUs?: number;
  medianUs?: number;
  p99Us?: number;
  p999Us?: number;
  maxUs?: number;
  /** The second largest sample, exact: the worst but one (none below two samples). */
  secondMaxUs?: number;
}

export interface DrawText {
  via: "gl.Text" | "font:Print";
  text: string;
  x: number;
  y: number;
  size: number;
  options?: string;
}

/** The host's timings of the call-ins (status and exit event). */
/** A timing of kilobytes (the host's frameAllocKb): the same summary, keys ending in Kb. */
export interface KbSummary {
  count: number;
  meanKb?: number;
  medianKb?: number;
  p99Kb?: number;
  p999Kb?: number;
  maxKb?: number;
}

export interface CallInTimings {
  /** Wall time per call: what the frame loses, waits for a core included. */
  update?: TimingSummary;
  draw?: TimingSummary;
  /** The host thread's CPU time per call: the widget's own cost, even on a busy machine. */
  updateCpu?: TimingSummary;
  drawCpu?: TimingSummary;
  /** Update calls during which a tcp socket was created (connect attempts starting). */
  updateSocketCreated?: TimingSummary;
  /** Update calls during which a tcp socket was closed and none created. */
  updateSocketClosed?: TimingSummary;
  /** Update calls that made a tcp socket's first connect call and neither created nor closed one. */
  updateSocketConnect?: TimingSummary;
  /** Update calls that only called connect again on a tcp socket (a probe, or learning why it failed). */
  updateSocketConnectAgain?: TimingSummary;
  /** The same four kinds of frame in the host thread's CPU time. */
  updateSocketCreatedCpu?: TimingSummary;
  updateSocketClosedCpu?: TimingSummary;
  updateSocketConnectCpu?: TimingSummary;
  updateSocketConnectAgainCpu?: TimingSummary;
}

/** An entry of the imitated options window (barhost/options.lua), without onchange. */
export interface OptionEntry {
  id: string;
  widgetname?: string;
  name: string;
  description?: string;
  type: "bool" | "slider" | "select";
  value: boolean | number;
  min?: number;
  max?: number;
  step?: number;
  options?: string[];
}

/** The host's garbage-collection slots (barhost/gc.lua), counted from the start. */
export interface GcSummary {
  mode: "engine" | "lua";
  /** Slots that did some collecting. */
  slots: number;
  /** Collection cycles finished in them. */
  cycles: number;
  /** CPU time spent in them, ms. */
  cpuMs: number;
  /** What the Lua state allocated (its heap's growth between slots), KiB. */
  allocatedKb: number;
}

export interface HostStatus extends CallInTimings {
  /** WG[statusApi].getStatus() of the widget, or null when not published. */
  widgetStatus: unknown;
  widgetStatusError?: string;
  sockets: SocketCounts;
  frames: number;
  /** Lua memory in KiB (collectgarbage("count")) when the status was taken. */
  memoryKb?: number;
  /** KiB the widgets' calls of a drawn frame added to the heap (--time-callins). */
  frameAllocKb?: KbSummary;
  /** The engine's collection slots so far (--lua-gc; barhost/gc.lua). */
  gc?: GcSummary;
  /** Whether the main (first) widget is loaded. */
  loaded: boolean;
  widgets: { name: string; loaded: boolean }[];
  echoCount: number;
  errorCount: number;
  allow: string;
  lastDraw: { calls: Record<string, number>; texts: DrawText[] };
  blocking: Record<string, number>;
  fonts: { loaded: number; deleted: number };
}

export interface ExitEvent extends HostEvent {
  type: "exit";
  code: number;
  reason: string;
  sockets: SocketCounts;
  stats: CallInTimings & { frames: number };
  errorCount: number;
}

export interface ExitInfo {
  /** Process exit code (null when killed by a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The host's final "exit" event, if it got that far. */
  exitEvent?: ExitEvent;
  /** Final socket counts (from the exit event), if known. */
  sockets?: SocketCounts;
}

export interface Reply {
  reply: string;
  ok: boolean;
  /** Event lines the host had written before this reply. */
  seq?: number;
  error?: string;
  [key: string]: unknown;
}

export interface ChatReply extends Reply {
  consumed: boolean;
  by?: "action" | "TextCommand" | "handler" | "engine";
}

export interface HostOptions {
  /** Lua 5.1 interpreter (see test/support/interpreters.ts). */
  interpreter: string;
  /** Widget file(s); the first is the main widget (enable/disable/loaded). */
  widget: string | string[];
  /** LuaUI config file; default: a fresh path in a temp directory. */
  configPath?: string;
  /** TCPAllowConnect allow-list, default "*". */
  allow?: string;
  /** Frames per second, default 60. */
  fps?: number;
  /** The host's own safety net (--max-seconds), default 120. */
  maxSeconds?: number;
  /** Run exactly this many frames without sleeping, then exit (benchmarks). */
  frames?: number;
  /** WG table whose getStatus() status() reports, default "LiveDataExport". */
  statusApi?: string;
  /** Do not write socket created/connect/accepted/closed events (benchmarks). */
  quietSockets?: boolean;
  /** Time every call-in and each frame's total (--time-callins): the collection benchmark. */
  timeCallIns?: boolean;
  /** Whole seconds the engine has run before the host starts (--engine-uptime): timers and os.clock count from then. */
  engineUptime?: number;
  /** Give widgets HostReferenceClock, the host's C stopwatch (--reference-clock). */
  referenceClock?: boolean;
  /**
   * Where Lua's garbage collector runs (--lua-gc): "engine" (the default) as in Recoil, in
   * the engine's slot before each simulation frame and never inside a call-in; "lua" leaves
   * Lua's own collector on, working at every allocation (barhost/gc.lua).
   */
  luaGc?: "engine" | "lua";
  /** Run a game world: path of its JSON config (--world; see world-driver.ts). */
  world?: string;
  /** Imitate BAR's options window as WG['options'] (--options-window; barhost/options.lua). */
  optionsWindow?: "now" | "late";
  /** Files the host opens before LuaUI starts (--hold-files), so sockets get higher descriptors. */
  holdFiles?: number;
  /**
   * A command prefix the host runs under, e.g. `["unshare", "-n", ...]` for a network
   * namespace of its own; the interpreter and its arguments follow it.
   */
  wrap?: string[];
  /**
   * The control channel goes through a Unix socket, which crosses network namespaces
   * (the interpreter needs LuaSocket's socket.unix).
   */
  unixControl?: boolean;
  /** Record error/removal/load-failure events without failing. */
  tolerateErrors?: boolean;
  /** Record leaked sockets without failing. */
  tolerateLeaks?: boolean;
  /** How long start() waits for the host to connect, default 15 s. */
  startTimeoutMs?: number;
  /** Timeout of each control command, default 10 s. */
  commandTimeoutMs?: number;
  cwd?: string;
}

// ---------------------------------------------------------------------------

interface Waiter {
  check: () => boolean;
  reject: (err: Error) => void;
}

interface PendingReply {
  verb: string;
  resolve: (r: Reply) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  /** Rejected on its timeout; its reply, when it comes, is dropped (see send). */
  timedOut: boolean;
}

const live = new Set<BarHost>();

export class BarHost {
  /** Every event, in order of arrival. */
  readonly events: HostEvent[] = [];
  readonly configPath: string;
  readonly options: Readonly<HostOptions>;
  /** Everything the process wrote to stderr. */
  stderr = "";

  private readonly proc: ChildProcess;
  private readonly server: net.Server;
  private control?: net.Socket;
  private readonly tempDir?: string;
  private stdoutBuffer = "";
  private controlBuffer = "";
  private readonly pendingReplies: PendingReply[] = [];
  /** Replies received before the event lines they follow (see onReply). */
  private readonly heldReplies: { seq: number; release: () => void }[] = [];
  /** Event lines read from stdout so far. */
  private lineCount = 0;
  private readonly waiters = new Set<Waiter>();
  private failureError?: Error;
  private exitExpected = false;
  private exitInfo?: ExitInfo;
  private readonly exitPromise: Promise<ExitInfo>;

  private constructor(
    options: HostOptions,
    server: net.Server,
    port: number,
    private readonly controlDir?: string,
  ) {
    this.options = options;
    this.server = server;
    if (options.configPath) {
      this.configPath = options.configPath;
    } else {
      this.tempDir = mkdtempSync(path.join(os.tmpdir(), "barhost-"));
      this.configPath = path.join(this.tempDir, "config.lua");
    }
    const widgets = Array.isArray(options.widget) ? options.widget : [options.widget];
    const args = [HOST_LUA];
    for (const w of widgets) args.push("--widget", w);
    args.push("--config", this.configPath);
    args.push("--allow", options.allow ?? "*");
    args.push("--fps", String(options.fps ?? 60));
    args.push("--max-seconds", String(options.maxSeconds ?? 120));
    if (controlDir !== undefined)
      args.push("--control-unix", path.join(controlDir, "control.sock"));
    else args.push("--control", String(port));
    if (options.holdFiles !== undefined) args.push("--hold-files", String(options.holdFiles));
    if (options.frames !== undefined) {
      args.push("--frames", String(options.frames));
      this.exitExpected = true;
    }
    if (options.statusApi) args.push("--status-api", options.statusApi);
    if (options.quietSockets) args.push("--quiet-sockets");
    if (options.timeCallIns) args.push("--time-callins");
    if (options.engineUptime !== undefined) {
      args.push("--engine-uptime", String(options.engineUptime));
    }
    if (options.referenceClock) args.push("--reference-clock");
    if (options.luaGc) args.push("--lua-gc", options.luaGc);
    if (options.world) args.push("--world", options.world);
    if (options.optionsWindow) args.push("--options-window", options.optionsWindow);

    const [command, ...prefix] = options.wrap ?? [];
    this.proc = spawn(
      command ?? options.interpreter,
      [...(command ? [...prefix, options.interpreter] : []), ...args],
      {
        cwd: options.cwd,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.proc.stdout!.setEncoding("utf8");
    this.proc.stderr!.setEncoding("utf8");
    this.proc.stdout!.on("data", (chunk: string) => this.onStdout(chunk));
    this.proc.stderr!.on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.exitPromise = new Promise<ExitInfo>((resolve) => {
      this.proc.on("error", (err) => {
        this.fail(new Error(`cannot start ${options.interpreter}: ${err.message}`));
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
      this.proc.on("close", (code, signal) => {
        // stdout is fully read by now ("close" comes after the streams end)
        this.flushStdout();
        const exitEvent = this.events.find((e): e is ExitEvent => e.type === "exit");
        this.exitInfo = { code, signal, exitEvent, sockets: exitEvent?.sockets };
        if (!this.exitExpected) {
          this.fail(
            new Error(
              `host exited unexpectedly (code ${code}, signal ${signal})` +
                (exitEvent ? ` with reason "${exitEvent.reason}"` : ""),
            ),
          );
        }
        this.releaseHeldReplies(true);
        this.rejectReplies(new Error("host exited"));
        this.server.close();
        live.delete(this);
        this.checkWaiters();
        resolve(this.exitInfo);
      });
    });
    live.add(this);
  }

  /** Start a host and wait until it has connected its control channel. */
  static async start(options: HostOptions): Promise<BarHost> {
    const server = net.createServer();
    const controlDir = options.unixControl
      ? mkdtempSync(path.join(os.tmpdir(), "barhost-ctl-"))
      : undefined;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      if (controlDir !== undefined)
        server.listen(path.join(controlDir, "control.sock"), () => resolve());
      else server.listen(0, "127.0.0.1", () => resolve());
    });
    const port = controlDir === undefined ? (server.address() as net.AddressInfo).port : 0;
    const host = new BarHost(options, server, port, controlDir);
    const timeoutMs = options.startTimeoutMs ?? 15_000;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(host.decorate(new Error(`host did not connect within ${timeoutMs} ms`))),
          timeoutMs,
        );
        server.once("connection", (socket) => {
          clearTimeout(timer);
          host.attachControl(socket);
          resolve();
        });
        void host.exitPromise.then(() => {
          clearTimeout(timer);
          reject(host.decorate(new Error("host exited before connecting")));
        });
      });
    } catch (err) {
      await host.kill();
      throw err;
    }
    return host;
  }

  /** Kill every host still running (for afterEach/afterAll). */
  static async killAll(): Promise<void> {
    await Promise.all([...live].map((h) => h.kill()));
  }

  // -------------------------------------------------------------------------
  // state

  /** The first failure recorded (see class comment), if any. */
  get failure(): Error | undefined {
    return this.failureError;
  }

  /** Resolves when the process has exited. */
  get exited(): Promise<ExitInfo> {
    return this.exitPromise;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Texts of all echo events (widget and handler), in order. */
  get echoes(): string[] {
    return this.events.filter((e): e is EchoEvent => e.type === "echo").map((e) => e.text);
  }

  /** Texts of the widget's own Spring.Echo calls. */
  get widgetEchoes(): string[] {
    return this.events
      .filter((e): e is EchoEvent => e.type === "echo" && e.source === "widget")
      .map((e) => e.text);
  }

  get errors(): ErrorEvent[] {
    return this.events.filter((e): e is ErrorEvent => e.type === "error");
  }

  /** Index to pass as `since` so a wait only looks at events from now on. */
  mark(): number {
    return this.events.length;
  }

  // -------------------------------------------------------------------------
  // commands

  /** Send a raw control command; resolves with its reply line. */
  send(command: string): Promise<Reply> {
    const verb = command.split(" ", 1)[0] ?? "";
    if (this.failureError && verb !== "shutdown") {
      return Promise.reject(this.failureError);
    }
    if (!this.control || this.control.destroyed || !this.running) {
      return Promise.reject(this.decorate(new Error(`cannot send "${verb}": host not connected`)));
    }
    if (command.includes("\n")) {
      return Promise.reject(new Error("a control command cannot contain a newline"));
    }
    const timeoutMs = this.options.commandTimeoutMs ?? 10_000;
    return new Promise<Reply>((resolve, reject) => {
      const pending: PendingReply = {
        verb,
        resolve,
        reject,
        // The host answers every command, in order: a late reply must still meet its
        // command in the queue, or it would be taken for the next command's reply.
        timer: setTimeout(() => {
          pending.timedOut = true;
          reject(this.decorate(new Error(`no reply to "${verb}" within ${timeoutMs} ms`)));
        }, timeoutMs),
        timedOut: false,
      };
      this.pendingReplies.push(pending);
      this.control!.write(command + "\n");
    });
  }

  /** Type a line in the chat, e.g. "/livedata status". */
  async chat(line: string): Promise<ChatReply> {
    return (await this.expectOk(`chat ${line}`)) as ChatReply;
  }

  /** The host's status; `widgetStatus` from WG[api].getStatus() when `api` is given. */
  async status(api?: string): Promise<HostStatus> {
    const r = await this.expectOk(api === undefined ? "status" : `status ${api}`);
    return r.data as HostStatus;
  }

  /**
   * Milliseconds to add to a host clock reading (seconds and microseconds since the host
   * started, as the truth log's `ws`/`wus` stamps) to get Node's wall clock
   * (`performance.timeOrigin + performance.now()`). A reply arrives after the host read its
   * clock, never before: the smallest difference over `samples` replies is the offset plus
   * the shortest trip (tens of microseconds on loopback).
   */
  async clockOffsetMs(samples = 20): Promise<number> {
    let best = Infinity;
    for (let i = 0; i < samples; i++) {
      const r = await this.expectOk("clock");
      const arrived = performance.timeOrigin + performance.now();
      best = Math.min(best, arrived - (Number(r.sec) * 1000 + Number(r.us) / 1000));
    }
    return best;
  }

  /** Replace the TCP allow-list (TCPAllowConnect). */
  async allow(list: string): Promise<void> {
    await this.expectOk(`allow ${list}`);
  }

  /** Untick the main widget in F11: config saved, Shutdown; frames go on. */
  async disable(): Promise<boolean> {
    return (await this.expectOk("disable")).done === true;
  }

  /** Tick the main widget again (the file is loaded anew). */
  async enable(): Promise<boolean> {
    return (await this.expectOk("enable")).done === true;
  }

  /** Call any call-in, e.g. callIn("GameFrame", 1). */
  async callIn(name: string, ...args: (number | boolean | string)[]): Promise<void> {
    await this.expectOk(["callin", name, ...args.map(String)].join(" "));
  }

  async resetStats(): Promise<void> {
    await this.expectOk("resetstats");
  }

  /** Full garbage collection in the host; returns socket counts after it. */
  async gc(): Promise<SocketCounts> {
    return (await this.expectOk("gc")).sockets as SocketCounts;
  }

  /** Make the host crash outside any pcall (tests the driver). */
  crash(): void {
    this.control?.write("crashtest\n");
  }

  /**
   * LuaUI shutdown: config saved, widgets' Shutdown, host exits 0. Resolves
   * with the final counts; rejects on timeout, on a non-zero exit, or with
   * the failure recorded earlier (after the host has exited).
   */
  async shutdown(timeoutMs = 15_000): Promise<ExitInfo> {
    if (!this.running) {
      const info = await this.exitPromise;
      if (this.failureError) throw this.failureError;
      return info;
    }
    this.exitExpected = true;
    this.send("shutdown").catch(() => {
      /* the exit event carries the same data */
    });
    const info = await this.withTimeout(this.exitPromise, timeoutMs, "shutdown");
    if (this.failureError) throw this.failureError;
    if (info.code !== 0) {
      throw this.decorate(new Error(`host exited with code ${info.code} on shutdown`));
    }
    return info;
  }

  /**
   * Kill the process (idempotent), wait until it is gone, and delete the
   * temporary config directory if the driver made one.
   */
  async kill(): Promise<void> {
    this.exitExpected = true;
    if (this.running) {
      this.proc.kill("SIGKILL");
    }
    await this.exitPromise;
    this.control?.destroy();
    this.server.close();
    this.cleanupTemp();
  }

  // -------------------------------------------------------------------------
  // waiting

  /** Wait for an event matching predicate among events[since..]. */
  waitForEvent(
    predicate: (e: HostEvent) => boolean,
    timeoutMs: number,
    description = "event",
    since = 0,
  ): Promise<HostEvent> {
    return new Promise<HostEvent>((resolve, reject) => {
      let index = since;
      const find = (): HostEvent | undefined => {
        for (; index < this.events.length; index++) {
          const e = this.events[index]!;
          if (predicate(e)) return e;
        }
        return undefined;
      };
      const found = find();
      if (found) {
        resolve(found);
        return;
      }
      if (this.failureError) {
        reject(this.failureError);
        return;
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          this.decorate(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`)),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        check: () => {
          const e = find();
          if (e) {
            clearTimeout(timer);
            this.waiters.delete(waiter);
            resolve(e);
            return true;
          }
          if (this.failureError) {
            clearTimeout(timer);
            this.waiters.delete(waiter);
            reject(this.failureError);
            return true;
          }
          if (!this.running) {
            clearTimeout(timer);
            this.waiters.delete(waiter);
            reject(this.decorate(new Error(`host exited while waiting for ${description}`)));
            return true;
          }
          return false;
        },
        reject,
      };
      this.waiters.add(waiter);
    });
  }

  /** Wait for an echo (widget or handler) whose text matches. */
  async waitForEcho(pattern: RegExp, timeoutMs: number, since = 0): Promise<EchoEvent> {
    return (await this.waitForEvent(
      (e) => e.type === "echo" && pattern.test(String(e.text)),
      timeoutMs,
      `an echo matching ${pattern}`,
      since,
    )) as EchoEvent;
  }

  /** Poll status() until predicate holds. */
  async waitForStatus(
    predicate: (s: HostStatus) => boolean,
    timeoutMs: number,
    intervalMs = 100,
  ): Promise<HostStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: HostStatus | undefined;
    for (;;) {
      last = await this.status();
      if (predicate(last)) return last;
      if (Date.now() + intervalMs > deadline) {
        throw this.decorate(
          new Error(
            `status did not satisfy the condition within ${timeoutMs} ms; last status: ` +
              JSON.stringify(last),
          ),
        );
      }
      await new Promise((r) => setTimeout(r, intervalMs));
      if (this.failureError) throw this.failureError;
    }
  }

  /** The options window's entries as shown (needs `optionsWindow`). */
  async listOptions(): Promise<OptionEntry[]> {
    return (await this.expectOk("options list")).options as OptionEntry[];
  }

  /** The player sets option `id` in the options window: its onchange runs. */
  async setOption(id: string, value: number | boolean): Promise<void> {
    await this.expectOk(`options set ${id} ${String(value)}`);
  }

  /** A game world command (needs `world`): start, pause, unpause, speed X,
   * step N, state, gameover; resolves with the world's state after it. */
  async world(command: string): Promise<Record<string, unknown>> {
    return (await this.expectOk(`world ${command}`)).state as Record<string, unknown>;
  }

  // -------------------------------------------------------------------------
  // internals

  private async expectOk(command: string): Promise<Reply> {
    const r = await this.send(command);
    if (!r.ok) {
      throw this.decorate(new Error(`"${command}" failed: ${r.error ?? "no reason given"}`));
    }
    return r;
  }

  private attachControl(socket: net.Socket): void {
    this.control = socket;
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    socket.on("data", (chunk: string) => {
      this.controlBuffer += chunk;
      let nl: number;
      while ((nl = this.controlBuffer.indexOf("\n")) >= 0) {
        const line = this.controlBuffer.slice(0, nl);
        this.controlBuffer = this.controlBuffer.slice(nl + 1);
        this.onReply(line);
      }
    });
    socket.on("error", () => {
      /* the close handler reports */
    });
    socket.on("close", () => this.rejectReplies(new Error("control connection closed")));
  }

  private onReply(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      this.fail(new Error(`bad reply line from host: ${line}`));
      return;
    }
    const pending = this.pendingReplies.shift();
    if (!pending) {
      this.fail(new Error(`unexpected reply from host: ${line}`));
      return;
    }
    clearTimeout(pending.timer);
    if (pending.verb !== reply.reply) {
      const error = new Error(`reply to "${reply.reply}" received for "${pending.verb}"`);
      // A timed-out command's promise is settled: the mismatch would go unseen.
      if (pending.timedOut) this.fail(error);
      else pending.reject(error);
      return;
    }
    if (pending.timedOut) return; // its caller was told of the timeout already
    // The reply may overtake the event lines written before it (different
    // pipes): resolve only once stdout has caught up.
    const seq = typeof reply.seq === "number" ? reply.seq : 0;
    if (this.lineCount >= seq && this.heldReplies.length === 0) {
      pending.resolve(reply);
    } else {
      this.heldReplies.push({ seq, release: () => pending.resolve(reply) });
    }
  }

  private releaseHeldReplies(all = false): void {
    while (this.heldReplies.length > 0 && (all || this.heldReplies[0]!.seq <= this.lineCount)) {
      this.heldReplies.shift()!.release();
    }
  }

  private rejectReplies(err: Error): void {
    while (this.pendingReplies.length > 0) {
      const p = this.pendingReplies.shift()!;
      clearTimeout(p.timer);
      if (!p.timedOut) p.reject(this.decorate(err));
    }
  }

  private onStdout(chunk: string): void {
    this.stdoutBuffer += chunk;
    let nl: number;
    let added = false;
    while ((nl = this.stdoutBuffer.indexOf("\n")) >= 0) {
      const line = this.stdoutBuffer.slice(0, nl);
      this.stdoutBuffer = this.stdoutBuffer.slice(nl + 1);
      if (line.length > 0) {
        this.onEventLine(line);
        added = true;
      }
    }
    if (added) {
      this.checkWaiters();
      this.releaseHeldReplies();
    }
  }

  private flushStdout(): void {
    if (this.stdoutBuffer.length > 0) {
      const rest = this.stdoutBuffer;
      this.stdoutBuffer = "";
      this.onEventLine(rest);
    }
  }

  private onEventLine(line: string): void {
    this.lineCount++;
    let event: HostEvent;
    try {
      event = JSON.parse(line) as HostEvent;
    } catch {
      event = { type: "raw", frame: -1, t: -1, text: line };
    }
    this.events.push(event);
    this.judge(event);
  }

  /** Decide whether an event is a failure. */
  private judge(e: HostEvent): void {
    const tolerateErrors = this.options.tolerateErrors === true;
    switch (e.type) {
      case "fatal":
        this.fail(new Error(`host fatal: ${String(e.message)}`));
        break;
      case "error":
        if (!tolerateErrors) {
          const ev = e as ErrorEvent;
          this.fail(
            new Error(
              `widget error (${ev.kind}) in ${ev.where}` +
                (ev.widget ? ` of ${ev.widget}` : "") +
                `: ${ev.message}`,
            ),
          );
        }
        break;
      case "load_failed":
        if (!tolerateErrors)
          this.fail(new Error(`Failed to load ${String(e.file)}: ${String(e.message)}`));
        break;
      case "widget_removed":
        if (!tolerateErrors && (e.reason === "error" || e.reason === "RemoveWidget")) {
          this.fail(new Error(`widget ${String(e.widget)} was removed (${String(e.reason)})`));
        }
        break;
      case "socket":
        if (e.action === "leaked" && this.options.tolerateLeaks !== true) {
          this.fail(new Error(`tcp socket #${String(e.id)} was garbage-collected without close()`));
        }
        break;
      default:
        break;
    }
  }

  private fail(err: Error): void {
    if (this.failureError) return;
    this.failureError = this.decorate(err);
    for (const w of [...this.waiters]) {
      w.check();
    }
  }

  private checkWaiters(): void {
    for (const w of [...this.waiters]) {
      w.check();
    }
  }

  /** Add the recent console and stderr to an error message. */
  private decorate(err: Error): Error {
    const recent = this.events
      .slice(-15)
      .map((e) => `  ${JSON.stringify(e)}`)
      .join("\n");
    const stderr = this.stderr.trim();
    err.message +=
      `\n--- last host events ---\n${recent || "  (none)"}` +
      (stderr ? `\n--- host stderr ---\n${stderr.slice(-2000)}` : "");
    return err;
  }

  private withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.kill();
        reject(this.decorate(new Error(`${what} did not finish within ${ms} ms (host killed)`)));
      }, ms);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private cleanupTemp(): void {
    for (const dir of [this.tempDir, this.controlDir]) {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The host's process id (for nsenter into its namespaces). */
  get pid(): number | undefined {
    return this.proc.pid;
  }
}
