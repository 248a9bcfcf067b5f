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
import { LiveDataApp, StatusSnapshot } from "./app/app";
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

function updateFrame(this: void): void {
  drainInbox();
  app.update();
}

function drawIndicator(this: void): void {
  const line = app.indicatorLine();
  if (line !== undefined) {
    const [x, y, options] = indicatorPlacement(app.config.indicatorCorner, viewWidth, viewHeight);
    gl.Text(line, x, y, INDICATOR_FONT_SIZE, options);
  }
}

function runCommand(this: void, words: string[]): void {
  app.handleCommand(words);
}

function gameFrame(this: void, frame: number): void {
  app.gameFrame(frame);
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

/**
 * Read-only view for other widgets (and the test host): `WG.LiveDataExport.getStatus()`;
 * `snapshot()`, the collected state now (fresh tables; undefined without collection);
 * `observeChanges(fn)`, one observer told of every change as it is recorded (shared
 * tables: never modify them; `observeChanges()` removes it; one that raises is removed).
 */
const publicApi = {
  version: widgetInfo().version,
  getStatus: (): StatusSnapshot | undefined => {
    drainInbox();
    const [ok, result] = pcall(() => app.status());
    return ok ? result : undefined;
  },
  snapshot: (): Snapshot | undefined => {
    if (collector === undefined) return undefined;
    drainInbox();
    const [ok, result] = pcall(() => collector.snapshot());
    return ok ? result : undefined;
  },
  observeChanges: (observer?: ChangeObserver): boolean => {
    if (app.collection === undefined) return false;
    app.collection.observe(observer);
    return true;
  },
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
  });
  if (!ok) contain("Initialize", err, true);
};

widget.GameFrame = function (this: Widget, frame: number) {
  const [ok, err] = pcall(gameFrame, frame);
  if (!ok) contain("GameFrame", err, false);
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
  const [ok, err] = pcall(() => {
    app.shutdown();
    widgetHandler.RemoveAction(COMMAND, "t");
    if (WG[WG_KEY] === publicApi) {
      WG[WG_KEY] = undefined;
    }
  });
  if (!ok) contain("Shutdown", err, false);
};
