/**
 * Saving and restoring the settings declared in settings.ts. Pure: no engine calls.
 *
 * Saved config comes back through `SetConfigData` from a file the player may have
 * edited by hand or written with an older or newer version, so every setting is
 * checked on its own: a bad one falls back to its default with one warning, the rest
 * are kept; a missing one silently takes its default; unknown keys are ignored.
 */
import { Config, defaultConfig, SETTING_LIST, SETTING_RULES, valueOf } from "./settings";

export type { Config } from "./settings";
export { defaultConfig } from "./settings";

/** Written with the saved config so a later version can migrate it. */
export const CONFIG_VERSION = 1;

export interface LoadedConfig {
  config: Config;
  /** One message per setting that was replaced by its default, or repaired by a rule. */
  warnings: string[];
}

/** How a saved value's Lua type is named in messages. */
export const LUA_TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

/** Builds the settings from whatever `SetConfigData` received. */
export function loadConfig(saved: unknown): LoadedConfig {
  const config = defaultConfig();
  const warnings: string[] = [];
  if (saved === undefined) {
    return { config, warnings };
  }
  if (type(saved) !== "table") {
    warnings.push(`saved settings are a ${type(saved)}, not a table: using defaults`);
    return { config, warnings };
  }
  const data = saved as Record<string, unknown>;
  const values = config as unknown as Record<string, unknown>;
  for (const entry of SETTING_LIST) {
    const value = data[entry.key];
    if (value === undefined) continue;
    const fallback = `using the default ${entry.kind.format(entry.default)}`;
    if (type(value) !== entry.kind.luaType) {
      warnings.push(
        `saved setting ${entry.key} is a ${type(value)}, not ${LUA_TYPE_NAMES[entry.kind.luaType]}: ${fallback}`,
      );
      continue;
    }
    const [checked, problem] = entry.kind.check(value);
    if (problem !== undefined) {
      warnings.push(`saved setting ${entry.key} is invalid (${problem}): ${fallback}`);
      continue;
    }
    values[entry.key] = checked;
  }
  for (const rule of SETTING_RULES) {
    if (rule.check(config) !== undefined) {
      warnings.push(rule.repair(config));
    }
  }
  return { config, warnings };
}

/** The table handed to `GetConfigData`: plain values only, as the handler saves them. */
export function saveConfig(config: Config): Record<string, unknown> {
  const saved: Record<string, unknown> = { configVersion: CONFIG_VERSION };
  for (const entry of SETTING_LIST) {
    saved[entry.key] = valueOf(config, entry.key);
  }
  return saved;
}
