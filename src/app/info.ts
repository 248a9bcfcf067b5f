/** The metadata BAR's widget list shows. */
import { WIDGET_VERSION } from "./version";

/** Must not depend on `self`: BAR calls it both as `widget:GetInfo()` and `widget.GetInfo()`. */
export function widgetInfo(this: void): WidgetInfo {
  return {
    name: "Live Data Export",
    desc:
      "Keeps a TCP connection open to a program on this computer (stream overlays, " +
      "coaching tools, analytics, bots) and reconnects by itself. Type /livedata help.",
    author: "Live Data Export contributors",
    version: WIDGET_VERSION,
    date: "2026-11-22",
    license: "GNU GPL, v2 or later",
    layer: -10,
    enabled: true,
  };
}
