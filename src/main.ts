/**
 * Entry point: connects the engine's call-ins to the app. This is the only module
 * that touches `widget`, `widgetHandler`, `WG` and `gl`.
 *
 * One uncaught error makes BAR remove the widget, and BAR does not even catch errors
 * in action handlers, GetConfigData, SetConfigData or GetInfo. So every entry from
 * the engine runs under pcall here; an error is handed to the app, which counts and
 * logs it and restarts the connection cleanly. The per-frame call-ins pass
 * module-level functions to pcall so that no closure is created per frame.
 */
import { ConfigResult, LiveDataApp, StatusSnapshot } from "./app/app";
import type { Config, SettingKey } from "./app/settings";
import type { PublishResult } from "./app/publish";
import { settingOfMenuId } from "./app/options-menu";
import { splitWords } from "./app/commands";
import { createEngineClock, timeOfDay } from "./engine/engine-clock";
import { INDICATOR_FONT_SIZE, indicatorPlacement } from "./app/indicator";
import { widgetInfo } from "./app/info";
import { createDnsResolver } from "./engine/dns-resolver";
import {
  LuaSocketTransport,
  selectFdLimit,
  selectReportsFailedConnects,
} from "./engine/luasocket-transport";
import { createEngineStopwatch } from "./engine/stopwatch";
import { EngineGameReader } from "./engine/game-reader";
import { sessionEntropy } from "./engine/entropy";
import type { ChangeObserver } from "./collect/changes";
import { createUnitInbox } from "./collect/inbox";
import type { Snapshot } from "./collect/model";

const COMMAND = "livedata";
const WG_KEY = "LiveDataExport";

const DAMAGE_CALLIN = "UnitDamaged";

/** `UnitDamaged` wanted (damage collection on); applied from Initialize on. */
let damageWanted = false;
let callInsReady = false;

/**
 * Registers or removes `UnitDamaged` with BAR's handler (`UpdateWidgetCallIn` /
 * `RemoveWidgetCallIn`), so that with damage collection off the engine does not call
 * the widget for every hit. The call-in lists are built when the widget is inserted,
 * after this file ran, so the choice is applied from Initialize on.
 */
function applyDamageCallIn(this: void): void {
  if (!callInsReady || app.collection === undefined) return;
  if (damageWanted) widgetHandler.UpdateCallIn(DAMAGE_CALLIN);
  else widgetHandler.RemoveCallIn(DAMAGE_CALLIN);
}

/** The game reader, or undefined in an engine (or test) without the game's functions. */
function makeReader(this: void): EngineGameReader | undefined {
  const [ok, reader] = pcall(() => new EngineGameReader());
  return ok ? reader : undefined;
}

const clock = createEngineClock();
const osFamily = Platform !== undefined ? Platform.osFamily : undefined;
const app = new LiveDataApp({
  transport: new LuaSocketTransport(
    socket,
    clock,
    !selectReportsFailedConnects(osFamily),
    selectFdLimit(osFamily),
  ),
  resolver: createDnsResolver(socket),
  clock,
  stopwatch: createEngineStopwatch(),
  echo: (line) => Spring.Echo(line),
  stamp: timeOfDay,
  reader: makeReader(),
  entropy: sessionEntropy,
  callIns: {
    setDamageCallIn: (on) => {
      damageWanted = on;
      const [ok, err] = pcall(applyDamageCallIn);
      if (!ok) contain("registering UnitDamaged", err, false);
    },
  },
});
const collector = app.collection?.collector;

/**
 * The unit call-ins store into it (src/collect/inbox.ts: a call-in that only stores
 * costs a fraction of one that walks the collector, with the caches full of the
 * simulation's data); it is handed to the collector before anything reads it.
 * `Spring.GetGameFrame` is passed as is: the inbox keeps its first result.
 */
const inbox =
  collector !== undefined && typeof Spring.GetGameFrame === "function"
    ? createUnitInbox(collector, Spring.GetGameFrame as unknown as (this: void) => number, (err) =>
        contain("a unit call-in", err, false),
      )
    : undefined;

/** Hands the stored unit call-ins to the collector (it contains its own errors). */
function drainInbox(this: void): void {
  if (inbox !== undefined) inbox.drain();
}

let viewWidth = 0;
let viewHeight = 0;
let drawingFailed = false;

/** Hands an error to the app; if even that fails, there is nothing safer left to do. */
function contain(where: string, err: unknown, resetConnection: boolean): void {
  pcall(() => app.internalError(where, tostring(err), resetConnection));
}

/** The last frame announced by `GameFrame`, handed to the app at the next `Update`. */
let announcedFrame: number | undefined;
/** The frame last handed to the app (only a new one is: a call less in most frames). */
let handedFrame: number | undefined;

/** `WG['options']`: BAR's options window (see types/widget.d.ts). */
const OPTIONS_KEY = "options";
/** Frames between looks at the options window (for it to appear, or to be out of date). */
const MENU_CHECK_FRAMES = 30;
/** The ids our entries were added under, while they are in the window. */
let menuIDs: string[] | undefined;
let menuSeenChanges = -1;
let menuCountdown = 0;

function optionsWindow(this: void): BarOptionsWindow | undefined {
  const window = WG[OPTIONS_KEY] as BarOptionsWindow | undefined;
  if (type(window) !== "table") return undefined;
  if (type(window!.addOptions) !== "function" || type(window!.removeOptions) !== "function") {
    return undefined;
  }
  return window;
}

/** A click changes settings as a command does: after the stored unit call-ins. */
function menuChanged(this: void, key: SettingKey, value: unknown): void {
  drainInbox();
  app.menuChanged(key, value);
}

/** The window calls `onchange` from its own call-ins: an error must stay here. */
function menuHandler(key: SettingKey) {
  return (_i: number, value: unknown): void => {
    const [ok, err] = pcall(menuChanged, key, value);
    if (!ok) contain(`the options window (${key})`, err, false);
  };
}

/** (Re)adds our entries to the options window, if it is there. */
function registerMenu(this: void): void {
  const window = optionsWindow();
  if (window === undefined) return;
  if (menuIDs !== undefined) window.removeOptions(menuIDs);
  const options = app.menuOptions() as BarOption[];
  for (const option of options) option.onchange = menuHandler(settingOfMenuId(option.id)!);
  menuIDs = app.menu.ids();
  menuSeenChanges = app.settingsChanges;
  window.addOptions(options);
}

/**
 * Every MENU_CHECK_FRAMES frames: adds the entries once the window exists (it may load
 * after us), and again when it shows values no longer in force. Nothing else per frame.
 */
function checkMenu(this: void): void {
  if (menuIDs === undefined) {
    registerMenu();
  } else if (app.settingsChanges !== menuSeenChanges) {
    menuSeenChanges = app.settingsChanges;
    if (app.menu.stale(app.config)) registerMenu();
  }
}

function updateFrame(this: void): void {
  // The frame's lead: timed by the scheduler as part of the frame's cost and target.
  if (inbox !== undefined && inbox.pending() > 0) app.scheduler.lead(inbox.drain);
  if (announcedFrame !== handedFrame) {
    handedFrame = announcedFrame;
    if (announcedFrame !== undefined) app.gameFrame(announcedFrame);
  }
  app.update();
  menuCountdown -= 1;
  if (menuCountdown <= 0) {
    menuCountdown = MENU_CHECK_FRAMES;
    const [ok, err] = pcall(checkMenu);
    if (!ok) contain("the options window", err, false);
  }
}

function drawIndicator(this: void): void {
  const line = app.indicatorLine();
  if (line !== undefined) {
    const [x, y, options] = indicatorPlacement(app.config.indicatorCorner, viewWidth, viewHeight);
    gl.Text(line, x, y, INDICATOR_FONT_SIZE, options);
  }
}

/** A command reads status or changes settings: after the stored unit call-ins. */
function runCommand(this: void, words: string[]): void {
  drainInbox();
  app.handleCommand(words);
}

// The game call-ins: each records into the collector (cheap, no heavy reads).
function gameStart(this: void): void {
  collector!.gameStart();
}

function gamePaused(this: void, playerID: PlayerID, paused: boolean): void {
  collector!.gamePaused(playerID, paused);
}

function gameOver(this: void): void {
  collector!.gameOver();
}

function teamDied(this: void, teamID: TeamID): void {
  collector!.teamDied(teamID);
}

function teamChanged(this: void, teamID: TeamID): void {
  collector!.teamChanged(teamID);
}

function playerChanged(this: void, playerID: PlayerID): void {
  collector!.playerChanged(playerID);
}

function playerAdded(this: void, playerID: PlayerID): void {
  collector!.playerAdded(playerID);
}

function playerRemoved(this: void, playerID: PlayerID): void {
  collector!.playerRemoved(playerID);
}

function placeIndicator(this: void, vsx: number, vsy: number): void {
  viewWidth = vsx;
  viewHeight = vsy;
}

/** `/livedata ...`: BAR calls action handlers without pcall, so contain errors here. */
function onAction(
  this: void,
  _cmd: string,
  argLine: string | undefined,
  argWords: string[] | undefined,
): boolean {
  // argLine is the text after the command word; argWords is only the fallback.
  const words = argLine !== undefined ? splitWords(argLine) : (argWords ?? []);
  const [ok, err] = pcall(runCommand, words);
  if (!ok) {
    contain("the /livedata command", err, false);
  }
  return true;
}

/** What a guarded entry point answers when our own code failed inside it. */
const INTERNAL_ERROR = "internal error (see the console)";

/**
 * Set by Shutdown: another widget may keep `WG.LiveDataExport` after we are switched off
 * (or reloaded), and a call on it then must not open a socket that no Update would ever
 * close, or take events nobody sends.
 */
let shutDown = false;
const SHUT_DOWN = "Live Data Export is switched off";

/**
 * Runs another widget's call under pcall: an error in our code is contained (counted,
 * logged once), never raised into the caller, whose mistake cannot break us either.
 * With `afterInbox` (a call that reads the collected state, changes the collection or
 * the session, or records into it) the stored unit call-ins are handed to the collector
 * first, as for the other call-ins, so that it sees every call in its order. Once the
 * widget has shut down it answers undefined without calling `fn`.
 */
function guarded<R>(where: string, fn: () => R, afterInbox = false): R | undefined {
  if (shutDown) return undefined;
  if (afterInbox) drainInbox();
  const [ok, result] = pcall(fn);
  if (ok) return result;
  contain(`WG.${WG_KEY}.${where}`, result, false);
  return undefined;
}

/**
 * The API for other widgets (and the test host), `WG.LiveDataExport`, documented with
 * examples in the README. Every entry runs under pcall and never raises:
 * - `getStatus()`: the diagnostics and settings (StatusSnapshot);
 * - `getConfig()`: a copy of the settings by key (Config);
 * - `setConfig(partial)`: changes settings as the commands do, all or nothing: returns
 *   `{ok = true, changed = {...}}` or `{ok = false, changed = {}, rejected = {key = why}}`;
 * - `connect()`, `disconnect()`: as the commands (true when done);
 * - `publish(type, fields)`: another widget's event into the stream, type
 *   `ext.<widget>.<name>`, scalar fields (src/app/publish.ts): `{ok = true}` or
 *   `{ok = false, error = why}`;
 * - `snapshot()`, the collected state now (fresh tables; undefined without collection);
 * - `observeChanges(fn)`, one observer told of every change as it is recorded (shared
 *   tables: never modify them; `observeChanges()` removes it; one that raises is removed).
 * After Shutdown (switched off, LuaUI reloaded) a reference another widget kept answers
 * undefined, false or `{ok = false, ...}` and does nothing: the new instance is a new table.
 */
const publicApi = {
  version: widgetInfo().version,
  getStatus: (): StatusSnapshot | undefined => guarded("getStatus", () => app.status(), true),
  getConfig: (): Config | undefined => guarded("getConfig", () => app.getConfig()),
  setConfig: (partial?: unknown): ConfigResult => {
    // `WG.LiveDataExport:setConfig{...}` hands the API table first.
    if (partial === publicApi) {
      return { ok: false, changed: [], rejected: { "": "call setConfig with a dot, not a colon" } };
    }
    if (shutDown) return { ok: false, changed: [], rejected: { "": SHUT_DOWN } };
    return (
      guarded("setConfig", () => app.setConfig(partial), true) ?? {
        ok: false,
        changed: [],
        rejected: { "": INTERNAL_ERROR },
      }
    );
  },
  connect: (): boolean => guarded("connect", () => app.request("connect"), true) === true,
  disconnect: (): boolean => guarded("disconnect", () => app.request("disconnect"), true) === true,
  publish: (eventType?: unknown, fields?: unknown): PublishResult => {
    if (eventType === publicApi)
      return { ok: false, error: "call publish with a dot, not a colon" };
    if (shutDown) return { ok: false, error: SHUT_DOWN };
    return (
      guarded("publish", () => app.publish(eventType, fields), true) ?? {
        ok: false,
        error: INTERNAL_ERROR,
      }
    );
  },
  snapshot: (): Snapshot | undefined => {
    if (collector === undefined) return undefined;
    return guarded("snapshot", () => collector.snapshot(), true);
  },
  observeChanges: (observer?: ChangeObserver): boolean =>
    guarded("observeChanges", () => {
      if (app.collection === undefined) return false;
      // Anything but a function (or nothing, to remove it) is refused, not kept to fail later.
      if (observer !== undefined && type(observer) !== "function") return false;
      app.collection.observe(observer);
      return true;
    }) === true,
};

widget.GetInfo = widgetInfo;

widget.SetConfigData = function (this: Widget, data: unknown) {
  const [ok, err] = pcall(() => app.loadSaved(data));
  if (!ok) contain("SetConfigData", err, false);
};

widget.GetConfigData = function (this: Widget) {
  const [ok, result] = pcall(() => app.saved());
  if (ok) return result;
  contain("GetConfigData", result, false);
  return {};
};

widget.Initialize = function (this: Widget) {
  const [ok, err] = pcall(() => {
    widgetHandler.AddAction(COMMAND, onAction, undefined, "t");
    WG[WG_KEY] = publicApi;
    const [vsx, vsy] = Spring.GetViewGeometry();
    placeIndicator(vsx, vsy);
    callInsReady = true;
    applyDamageCallIn();
    app.start();
    const [menuOk, menuErr] = pcall(registerMenu);
    if (!menuOk) contain("the options window", menuErr, false);
  });
  if (!ok) contain("Initialize", err, true);
};

// Once a simulation frame, with the caches full of the simulation's data: only stores
// (an assignment cannot raise); the scheduler gets the frame at the next Update.
widget.GameFrame = function (this: Widget, frame: number) {
  announcedFrame = frame;
};

/**
 * A call-in running `fn` under pcall with the engine's arguments (made once, at load),
 * after the stored unit call-ins, so that the collector sees every call in its order.
 */
function guardedCallIn<A extends unknown[]>(name: string, fn: (this: void, ...args: A) => void) {
  return function (this: Widget, ...args: A): void {
    drainInbox();
    const [ok, err] = pcall(fn, ...args);
    if (!ok) contain(name, err, false);
  };
}

// The collection's call-ins exist only with a game to read (not in a bare test engine).
if (collector !== undefined) {
  widget.GameStart = guardedCallIn("GameStart", gameStart);
  widget.GamePaused = guardedCallIn("GamePaused", gamePaused);
  widget.GameOver = guardedCallIn("GameOver", gameOver);
  widget.TeamDied = guardedCallIn("TeamDied", teamDied);
  widget.TeamChanged = guardedCallIn("TeamChanged", teamChanged);
  widget.PlayerChanged = guardedCallIn("PlayerChanged", playerChanged);
  widget.PlayerAdded = guardedCallIn("PlayerAdded", playerAdded);
  widget.PlayerRemoved = guardedCallIn("PlayerRemoved", playerRemoved);
}
if (inbox !== undefined) {
  // Straight into the widget table: a call stores its arguments and never raises.
  widget.UnitCreated = inbox.callIns.UnitCreated;
  widget.UnitFinished = inbox.callIns.UnitFinished;
  widget.UnitDestroyed = inbox.callIns.UnitDestroyed;
  widget.UnitGiven = inbox.callIns.UnitGiven;
  widget.UnitTaken = inbox.callIns.UnitTaken;
  // Registered only while damage is collected (applyDamageCallIn); the collector
  // also ignores hits with damage off, should the handler call it anyway.
  widget.UnitDamaged = inbox.callIns.UnitDamaged;
}

widget.Update = function (this: Widget, _dt: number) {
  const [ok, err] = pcall(updateFrame);
  if (!ok) contain("Update", err, true);
};

widget.DrawScreen = function (this: Widget) {
  if (drawingFailed) return;
  const [ok, err] = pcall(drawIndicator);
  if (!ok) {
    // Drawing fails the same way every frame: stop after the first report.
    drawingFailed = true;
    contain("DrawScreen (status indicator disabled until reload)", err, false);
  }
};

widget.ViewResize = function (this: Widget, vsx: number, vsy: number) {
  const [ok, err] = pcall(placeIndicator, vsx, vsy);
  if (!ok) contain("ViewResize", err, false);
};

/** Fallback for `/luaui livedata ...` when the action did not match. */
widget.TextCommand = function (this: Widget, line: string) {
  const words = splitWords(line);
  if (words[0] !== COMMAND) return false;
  words.shift();
  const [ok, err] = pcall(runCommand, words);
  if (!ok) contain("the /livedata command", err, false);
  return true;
};

widget.Shutdown = function (this: Widget) {
  // The last frame's unit call-ins go out with the rest (app.shutdown sends them); then
  // the API refuses. Each step on its own: one that fails must not keep the others from
  // letting go of what other widgets and the window hold of us.
  drainInbox();
  shutDown = true;
  const [ok, err] = pcall(() => app.shutdown());
  if (!ok) contain("Shutdown", err, false);
  const [unhooked, unhookErr] = pcall(() => {
    if (WG[WG_KEY] === publicApi) {
      WG[WG_KEY] = undefined;
    }
    widgetHandler.RemoveAction(COMMAND, "t");
    const window = optionsWindow();
    if (window !== undefined && menuIDs !== undefined) window.removeOptions(menuIDs);
    menuIDs = undefined;
  });
  if (!unhooked) contain("Shutdown", unhookErr, false);
};
