/** @noSelfInFile */

/**
 * The widget environment BAR's handler gives a widget file (BAR: luaui/barwidgets.lua).
 * The file runs with this table as its global environment: every global it assigns
 * lands here, and `_G`, `require`, `package`, `load` and `newproxy` do not exist.
 */

/**

 * Metadata returned by `GetInfo`; BAR calls it both as `widget:GetInfo()` and `widget.GetInfo()`.

 * @see https://github.com/beyond-all-reason/Beyond-All-Reason/blob/36039e57/luaui/barwidgets.lua

 */
declare interface WidgetInfo {
  name: string;
  desc: string;
  author: string;
  version: string;
  date: string;
  license: string;
  /** Call-in order: lower runs earlier. */
  layer: number;
  /** Ignored for user widgets: they start disabled until the player enables them. */
  enabled: boolean;
}

/**
 * Call-ins the handler invokes as `widget:Name(...)`. Every call-in runs inside
 * `pcall`: one uncaught error prints `Error in Name(): ...` and removes the widget.
 * @see https://github.com/beyond-all-reason/Beyond-All-Reason/blob/36039e57/luaui/barwidgets.lua
 */
declare interface Widget {
  GetInfo?: (this: void) => WidgetInfo;
  /** Runs after `SetConfigData` (when saved data exists); actions can be registered from here on. */
  Initialize?: (this: Widget) => void;
  /** Runs when the widget is disabled or removed and when LuaUI shuts down (after the config was saved). */
  Shutdown?: (this: Widget) => void;
  /** Every drawn frame, also while paused and before the game starts. */
  Update?: (this: Widget, dt: number) => void;
  /** Every drawn frame, skipped while the GUI is hidden. */
  DrawScreen?: (this: Widget) => void;
  ViewResize?: (this: Widget, vsx: number, vsy: number) => void;
  /** Fallback for `/luaui <line>` text that no action matched. Return true to consume it. */
  TextCommand?: (this: Widget, line: string) => boolean | void;
  /** Returns the table to save in `LuaUI/Config/<game>.lua`: strings, numbers, booleans and nested tables only. */
  GetConfigData?: (this: Widget) => object;
  /** Receives the saved table (possibly hand-edited or from an older version) before `Initialize`. */
  SetConfigData?: (this: Widget, data: unknown) => void;
}

/**
 * Handler for `/cmd ...` chat commands. `argLine` is the text after the command word,
 * `argWords` the remaining words. Return true to consume the command.
 */
declare type ActionHandler = (
  this: void,
  cmd: string,
  argLine: string | undefined,
  argWords: string[] | undefined,
  data: unknown,
  isRepeat: boolean,
) => boolean | void;

/**

 * The per-widget proxy of handler functions, called with `:` (the proxy ignores its first argument).

 * @see https://github.com/beyond-all-reason/Beyond-All-Reason/blob/36039e57/luaui/barwidgets.lua

 */
declare interface WidgetHandlerProxy {
  /**
   * Registers a chat command. Must be called from `Initialize` or later (earlier raises
   * an error). `types` "t" makes it a text action. Removed when the widget is removed.
   */
  AddAction(
    this: WidgetHandlerProxy,
    cmd: string,
    handler: ActionHandler,
    data: unknown,
    types: string,
  ): boolean;
  RemoveAction(this: WidgetHandlerProxy, cmd: string, types?: string): boolean;
  /**
   * Registers the widget for call-in `name` if `widget[name]` is a function now, else
   * removes it (`UpdateWidgetCallIn`); the engine stops sending an event nobody wants.
   */
  UpdateCallIn(this: WidgetHandlerProxy, name: string): void;
  /** Removes the widget from call-in `name`'s list (`RemoveWidgetCallIn`); the function stays. */
  RemoveCallIn(this: WidgetHandlerProxy, name: string): void;
  /** Removes this widget once the current call-in loop ends; the argument is ignored. */
  RemoveWidget(this: WidgetHandlerProxy, widget?: Widget): void;
}

/**

 * The widget table itself; assigning call-ins to it is how a widget file exposes them.

 * @see https://github.com/beyond-all-reason/Beyond-All-Reason/blob/36039e57/luaui/barwidgets.lua

 */
declare const widget: Widget;
declare const widgetHandler: WidgetHandlerProxy;
/** Table shared by all widgets: the conventional place to publish an API for other widgets. */
declare const WG: Record<string, unknown>;

/**
 * One entry of BAR's options window (`WG['options']`, set by BAR's
 * luaui/Widgets/gui_options.lua). A select's `value` is the 1-based index of the
 * chosen label in `options`; `onchange(i, value, force)` gets the new value.
 * @see https://github.com/beyond-all-reason/Beyond-All-Reason/blob/ca9d7c87/luaui/Widgets/gui_options.lua
 */
declare interface BarOption {
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
  onchange?: (this: void, i: number, value: unknown, force?: boolean) => void;
}

/**
 * BAR's options window as other widgets reach it: entries added in Initialize and
 * removed by id in Shutdown. Absent in a LuaUI without it (check first).
 */
declare interface BarOptionsWindow {
  addOptions(this: void, options: BarOption[]): void;
  removeOptions(this: void, ids: string[]): void;
}
