/**
 * Settings, their defaults and validation. Pure: no engine calls.
 *
 * Saved config comes back through `SetConfigData` from a file the player may have
 * edited by hand or written with an older version, so every field is checked on its
 * own: a bad one falls back to its default with one warning, the rest are kept.
 */

import { INDICATOR_CORNERS, IndicatorCorner } from "./indicator";
import { LOG_LEVEL_NAMES, LogLevelName } from "./log";

export { INDICATOR_CORNERS, LOG_LEVEL_NAMES };
export type { IndicatorCorner, LogLevelName };

export interface Config {
  host: string;
  port: number;
  /** Whether a connection is wanted: `/livedata disconnect` clears it, `connect` sets it. */
  enabled: boolean;
  autoReconnect: boolean;
  /** Seconds before the first retry; doubles after each failure. */
  retryInitialDelay: number;
  /** Seconds the retry delay never exceeds. */
  retryMaxDelay: number;
  /** Seconds a pending connect may take before it is abandoned and retried. */
  connectTimeout: number;
  /** Seconds a receiver that answers may stay silent while owing an answer; 0: off. */
  silenceTimeout: number;
  logLevel: LogLevelName;
  showIndicator: boolean;
  /** Where the status line goes; every corner of BAR's screen holds something, so the player picks. */
  indicatorCorner: IndicatorCorner;
}

/** Written with the saved config so a later version can migrate it. */
export const CONFIG_VERSION = 1;

export function defaultConfig(): Config {
  return {
    host: "127.0.0.1",
    port: 9876,
    enabled: true,
    autoReconnect: true,
    retryInitialDelay: 1,
    retryMaxDelay: 30,
    connectTimeout: 5,
    silenceTimeout: 15,
    logLevel: "info",
    showIndicator: true,
    indicatorCorner: "bottom-right",
  };
}

export const LIMITS = {
  retryInitialDelay: { min: 0.1, max: 60 },
  retryMaxDelay: { min: 1, max: 600 },
  connectTimeout: { min: 0.5, max: 120 },
  silenceTimeout: { min: 0, max: 600 },
} as const;

/** `undefined` when valid, else why not: shared by config loading and commands. */
export function checkHost(host: string): string | undefined {
  if (host.length === 0) {
    return "the host is empty";
  }
  if (host.length > 253) {
    return "the host is longer than 253 characters";
  }
  if (string.find(host, "^[%w%.%-]+$")[0] === undefined) {
    return `"${host}" is not a hostname or IPv4 address (IPv6 is not supported by the engine)`;
  }
  const [a, b, c, d] = string.match(host, "^(%d+)%.(%d+)%.(%d+)%.(%d+)$");
  if (a !== undefined) {
    for (const octet of [a, b, c, d]) {
      if ((tonumber(octet) ?? 256) > 255) {
        return `"${host}" is not a valid IPv4 address`;
      }
    }
  }
  return undefined;
}

export function checkPort(port: number): string | undefined {
  if (port !== math.floor(port) || port < 1 || port > 65535) {
    return `port ${port} is not a whole number from 1 to 65535`;
  }
  return undefined;
}

/** Parses a port typed by the player: digits only, 1-65535. */
export function parsePort(text: string): LuaMultiReturn<[number, undefined] | [undefined, string]> {
  if (string.find(text, "^%d+$")[0] === undefined) {
    return $multi(undefined, `"${text}" is not a port number (1-65535)`);
  }
  const port = tonumber(text) ?? 0;
  const problem = checkPort(port);
  if (problem !== undefined) {
    return $multi(undefined, problem);
  }
  return $multi(port, undefined);
}

/** Parses a number of seconds typed by the player within `limits`. */
export function parseSeconds(
  text: string,
  what: string,
  limits: { min: number; max: number },
): LuaMultiReturn<[number, undefined] | [undefined, string]> {
  const value = string.find(text, "^%d*%.?%d+$")[0] !== undefined ? tonumber(text) : undefined;
  if (value === undefined) {
    return $multi(undefined, `${what}: "${text}" is not a number of seconds`);
  }
  const problem = checkRange(value, limits);
  if (problem !== undefined) {
    return $multi(undefined, `${what}: ${problem}`);
  }
  return $multi(value, undefined);
}

function checkRange(value: number, limits: { min: number; max: number }): string | undefined {
  // `value !== value` is NaN, which a hand-edited file can produce (0/0).
  if (value !== value || value < limits.min || value > limits.max) {
    return `${value} is outside ${limits.min}-${limits.max} seconds`;
  }
  return undefined;
}

/** The name in `names` that `text` spells, ignoring case. */
function pickName<T extends string>(names: readonly T[], text: string): T | undefined {
  const lower = string.lower(text);
  for (const name of names) {
    if (name === lower) {
      return name;
    }
  }
  return undefined;
}

export function parseIndicatorCorner(text: string): IndicatorCorner | undefined {
  return pickName(INDICATOR_CORNERS, text);
}

export function parseLogLevel(text: string): LogLevelName | undefined {
  return pickName(LOG_LEVEL_NAMES, text);
}

/** Checks the pair of retry delays, which must also make sense together. */
export function checkRetryDelays(initial: number, max: number): string | undefined {
  if (max < initial) {
    return `the maximum retry delay (${max} s) is below the initial delay (${initial} s)`;
  }
  return undefined;
}

interface LoadedConfig {
  config: Config;
  /** One message per field that was replaced by its default. */
  warnings: string[];
}

type SavedTable = { [key: string]: unknown };

/**
 * Builds a config from whatever `SetConfigData` received. Unknown keys are ignored
 * (they may come from a newer version); missing keys silently take their default.
 */
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
  const data = saved as SavedTable;
  const defaults = defaultConfig();

  function reject(key: keyof Config, why: string): void {
    warnings.push(`saved setting ${key} ${why}: using the default ${tostring(defaults[key])}`);
  }
  function readString(key: "host"): string | undefined {
    const value = data[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string") {
      reject(key, `is a ${type(value)}, not a string`);
      return undefined;
    }
    return value;
  }
  function readNumber(key: keyof Config): number | undefined {
    const value = data[key];
    if (value === undefined) return undefined;
    if (typeof value !== "number") {
      reject(key, `is a ${type(value)}, not a number`);
      return undefined;
    }
    return value;
  }
  function readBoolean(key: "enabled" | "autoReconnect" | "showIndicator"): void {
    const value = data[key];
    if (value === undefined) return;
    if (typeof value !== "boolean") {
      reject(key, `is a ${type(value)}, not true or false`);
      return;
    }
    config[key] = value;
  }
  function readSeconds(
    key: "retryInitialDelay" | "retryMaxDelay" | "connectTimeout" | "silenceTimeout",
  ): void {
    const value = readNumber(key);
    if (value === undefined) return;
    const problem = checkRange(value, LIMITS[key]);
    if (problem !== undefined) {
      reject(key, `(${problem})`);
      return;
    }
    config[key] = value;
  }

  const host = readString("host");
  if (host !== undefined) {
    const problem = checkHost(host);
    if (problem !== undefined) reject("host", `is invalid (${problem})`);
    else config.host = host;
  }
  const port = readNumber("port");
  if (port !== undefined) {
    const problem = checkPort(port);
    if (problem !== undefined) reject("port", `is invalid (${problem})`);
    else config.port = port;
  }
  readBoolean("enabled");
  readBoolean("autoReconnect");
  readBoolean("showIndicator");
  readSeconds("retryInitialDelay");
  readSeconds("retryMaxDelay");
  readSeconds("connectTimeout");
  readSeconds("silenceTimeout");
  if (checkRetryDelays(config.retryInitialDelay, config.retryMaxDelay) !== undefined) {
    warnings.push(
      `saved retryMaxDelay ${config.retryMaxDelay} is below retryInitialDelay ${config.retryInitialDelay}: using ${config.retryInitialDelay} for both`,
    );
    config.retryMaxDelay = config.retryInitialDelay;
  }
  const level = data["logLevel"];
  if (level !== undefined) {
    const parsed = typeof level === "string" ? parseLogLevel(level) : undefined;
    if (parsed === undefined) reject("logLevel", `is not one of ${LOG_LEVEL_NAMES.join(", ")}`);
    else config.logLevel = parsed;
  }
  const corner = data["indicatorCorner"];
  if (corner !== undefined) {
    const parsed = typeof corner === "string" ? parseIndicatorCorner(corner) : undefined;
    if (parsed === undefined) {
      reject("indicatorCorner", `is not one of ${INDICATOR_CORNERS.join(", ")}`);
    } else config.indicatorCorner = parsed;
  }
  return { config, warnings };
}

/** The table handed to `GetConfigData`: plain values only, as the handler saves them. */
export function saveConfig(config: Config): SavedTable {
  return {
    configVersion: CONFIG_VERSION,
    host: config.host,
    port: config.port,
    enabled: config.enabled,
    autoReconnect: config.autoReconnect,
    retryInitialDelay: config.retryInitialDelay,
    retryMaxDelay: config.retryMaxDelay,
    connectTimeout: config.connectTimeout,
    silenceTimeout: config.silenceTimeout,
    logLevel: config.logLevel,
    showIndicator: config.showIndicator,
    indicatorCorner: config.indicatorCorner,
  };
}
