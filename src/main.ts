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

const COMMAND = "livedata";
const WG_KEY = "LiveDataExport";

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
});

let viewWidth = 0;
let viewHeight = 0;
let drawingFailed = false;

/** Hands an error to the app; if even that fails, there is nothing safer left to do. */
function contain(where: string, err: unknown, resetConnection: boolean): void {
  pcall(() => app.internalError(where, tostring(err), resetConnection));
}

function updateFrame(this: void): void {
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

/** Read-only view for other widgets (and the test host): `WG.LiveDataExport.getStatus()`. */
const publicApi = {
  version: widgetInfo().version,
  getStatus: (): StatusSnapshot | undefined => {
    const [ok, result] = pcall(() => app.status());
    return ok ? result : undefined;
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
    app.start();
  });
  if (!ok) contain("Initialize", err, true);
};

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
