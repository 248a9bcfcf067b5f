/**
 * A LuaUI config file in BAR's format holding the widget's saved settings (what
 * `SetConfigData` receives) and its F11 order (0: ticked off, loaded only on `enable`).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";

export const WIDGET_NAME = "Live Data Export";

let written = 0;

/** Writes the file into `dir`; returns its path. */
export function writeWidgetConfig(
  dir: string,
  settings: Record<string, string | number | boolean>,
  order = 1,
): string {
  const file = path.join(dir, `config-${++written}.lua`);
  const fields = Object.entries(settings)
    .map(([k, v]) => `      ${k} = ${typeof v === "string" ? JSON.stringify(v) : String(v)},`)
    .join("\n");
  writeFileSync(
    file,
    `return {\n  data = {\n    ["${WIDGET_NAME}"] = {\n${fields}\n    },\n  },\n  order = { ["${WIDGET_NAME}"] = ${order} },\n}\n`,
  );
  return file;
}
