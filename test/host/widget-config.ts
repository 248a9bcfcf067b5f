/**
 * The built widget and LuaUI config files as BAR saves them (see
 * test/host/barhost/savetable.lua), so a host starts the widget with the settings a test or
 * tool wants.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../support/interpreters.ts";

export const WIDGET_NAME = "Live Data Export";
/** The built widget (npm run build). */
export const WIDGET_FILE = path.join(REPO_ROOT, "build/api_live_data_export.lua");

export type LuaValue = string | number | boolean;

function luaLiteral(v: LuaValue): string {
  if (typeof v === "string") return JSON.stringify(v); // ASCII-safe as Lua too
  return String(v);
}

/**
 * Writes `return { data = { [widget name] = {settings} }, order = {...} }`. Without a
 * saved order the host enables a widget as a player ticking it in F11 would; order 0
 * keeps it off until it is enabled (`/luaui enablewidget`), as in BAR.
 */
export function writeWidgetConfig(
  file: string,
  widgets: Record<string, Record<string, LuaValue>>,
  order: Record<string, number> = {},
): void {
  const lines = ["-- Widget Custom data and order, order = 0 disabled widget", "return {"];
  lines.push("\tdata = {");
  for (const [name, settings] of Object.entries(widgets)) {
    lines.push(`\t\t[${JSON.stringify(name)}] = {`);
    for (const [key, value] of Object.entries(settings)) {
      lines.push(`\t\t\t${key} = ${luaLiteral(value)},`);
    }
    lines.push("\t\t},");
  }
  lines.push("\t},", "\torder = {");
  for (const [name, n] of Object.entries(order))
    lines.push(`\t\t[${JSON.stringify(name)}] = ${n},`);
  lines.push("\t},", "}", "");
  writeFileSync(file, lines.join("\n"));
}

let written = 0;

/**
 * This widget's settings (and, when given, its F11 order) in a new config file in
 * `dir`; returns the file's path.
 */
export function widgetConfigIn(
  dir: string,
  settings: Record<string, LuaValue>,
  order?: number,
): string {
  const file = path.join(dir, `config-${++written}.lua`);
  writeWidgetConfig(
    file,
    { [WIDGET_NAME]: settings },
    order === undefined ? {} : { [WIDGET_NAME]: order },
  );
  return file;
}
