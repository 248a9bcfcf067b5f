/**
 * Checks settings handed over as a table (another widget's `setConfig`) the way the
 * `/livedata` commands check typed words. Pure: it only reads the current config.
 *
 * A value may be given as its saved Lua type (`port = 9000`, `economy = false`) or as
 * the word a command takes (`port = "9000"`, `economy = "off"`). Every key is checked
 * on its own, then the rules between settings on the result; one rejected key rejects
 * the whole table, so a mistake never leaves half of a change in force.
 */
import { LUA_TYPE_NAMES } from "./config";
import { keyText } from "./format";
import { Config, findSetting, SETTING_RULES, SettingKey } from "./settings";

/** Why each rejected key was rejected (the key `""` for a problem with the whole table). */
export type Rejections = Record<string, string>;

/** Checked changes, or why not: `[changes, undefined]` or `[undefined, rejections]`. */
export type CheckedChanges = LuaMultiReturn<[Partial<Config>, undefined] | [undefined, Rejections]>;

/** Most keys one call may name: a table that size is not a settings change. */
const MAX_KEYS = 64;

function checkValue(key: SettingKey, value: unknown): LuaMultiReturn<[unknown, string?]> {
  const entry = findSetting(key)!;
  if (type(value) === "string" && entry.kind.luaType !== "string") {
    const [parsed, why] = entry.kind.parse(value as string);
    return $multi(parsed, why);
  }
  if (type(value) !== entry.kind.luaType) {
    return $multi(
      undefined,
      `a ${type(value)}, not ${LUA_TYPE_NAMES[entry.kind.luaType]} (${entry.kind.range})`,
    );
  }
  const [checked, why] = entry.kind.check(value as never);
  return $multi(checked, why);
}

/**
 * Checks `partial` (any Lua value) against `config`. `enabled` is not set this way:
 * `connect()` and `disconnect()` say whether a connection is wanted.
 */
export function checkChanges(config: Config, partial: unknown): CheckedChanges {
  const rejected: Rejections = {};
  if (type(partial) !== "table") {
    rejected[""] = `expected a table of settings, got ${type(partial)}`;
    return $multi(undefined, rejected);
  }
  const changes: Record<string, unknown> = {};
  let problems = 0;
  let keys = 0;
  for (const [key, value] of pairs(partial as LuaTable<AnyNotNil, unknown>)) {
    keys += 1;
    if (keys > MAX_KEYS) {
      return $multi(undefined, { "": `more than ${MAX_KEYS} keys: not a settings change` });
    }
    const name = keyText(key);
    const entry = type(key) === "string" ? findSetting(name) : undefined;
    let why: string | undefined;
    if (entry === undefined) {
      why = "unknown setting";
    } else if (entry.key === "enabled") {
      why = "use connect() or disconnect()";
    } else {
      const [checked, problem] = checkValue(entry.key, value);
      changes[entry.key] = checked;
      why = problem;
    }
    if (why !== undefined) {
      rejected[name] = why;
      problems += 1;
    }
  }
  if (problems === 0) {
    const merged: Config = { ...config, ...(changes as Partial<Config>) };
    for (const rule of SETTING_RULES) {
      const why = rule.check(merged);
      if (why !== undefined) {
        rejected[rule.key] = why;
        problems += 1;
      }
    }
  }
  if (problems > 0) return $multi(undefined, rejected);
  return $multi(changes as Partial<Config>, undefined);
}
