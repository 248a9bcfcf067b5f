/**
 * Every setting of the widget, declared once. Pure.
 *
 * An entry gives the setting's key (as saved in BAR's config file), its kind of
 * value (validation, parsing and wording come from it), its default, how people
 * call it, where the status report lists it, and the `/livedata` command that sets
 * it alone. Defaults, loading and saving (config.ts), the commands (commands.ts),
 * the status and help text (status-report.ts), `WG.LiveDataExport.getStatus()` and
 * the README's settings table (checked by a test) all follow this table, so a new
 * setting is one entry here (plus a rule below if it depends on another setting).
 */
import { CollectSettingKey, CollectSettings, COLLECT_SETTINGS } from "../collect/settings";
import { DETAIL_LEVELS, DetailLevel } from "../collect/detail";
import { formatNumber } from "./format";
import { INDICATOR_CORNERS, IndicatorCorner } from "./indicator";
import { LOG_LEVEL_NAMES, LogLevelName } from "./log";
import {
  hostAddress,
  onOff,
  oneOf,
  quantity,
  secret,
  SettingKind,
  wholeNumber,
} from "./setting-kinds";

/** Where `/livedata status` lists a setting; `receiver` ones are in its first line. */
export type SettingGroup =
  "receiver" | "connection" | "frame" | "collection" | "delivery" | "display";

/** A command that sets one setting from one word: `/livedata <name> <value>`. */
export interface SettingCommand {
  name: string;
  /** Other words accepted for the name. */
  aliases?: string[];
  summary: string;
}

/**
 * How the options window shows a setting (options-menu.ts). On/off settings are a
 * checkbox and a one-of setting a list by their kind; a number needs a slider's range
 * (often narrower than the command's: a slider cannot hit 0.25 of 3600) or a list of
 * presets (the current value and the default are always offered). `false`: not in it.
 */
export type MenuForm =
  | { slider: { min: number; max: number; step: number } }
  | { presets: readonly (string | number)[] }
  | false;

export interface Setting<K extends string, T> {
  readonly key: K;
  readonly kind: SettingKind<T>;
  readonly default: T;
  /** How people call it, in replies and the status report: "connect timeout". */
  readonly label: string;
  readonly group: SettingGroup;
  readonly command?: SettingCommand;
  /** Its form in BAR's options window; needed for numbers and text (see MenuForm). */
  readonly menu?: MenuForm;
}

function setting<K extends string, T>(entry: Setting<K, NoInfer<T>> & { kind: SettingKind<T> }) {
  return entry as Setting<K, T>;
}

type SwitchKey = {
  [K in CollectSettingKey]: CollectSettings[K] extends boolean ? K : never;
}[CollectSettingKey];
type RateKey = Exclude<CollectSettingKey, SwitchKey>;

/** A collection category's switch, as src/collect/settings.ts declares it. */
function collectSwitch<K extends SwitchKey>(key: K, label: string) {
  return setting({
    key,
    kind: onOff(),
    default: COLLECT_SETTINGS[key].default,
    label,
    group: "collection",
  });
}

/** A collection rate in seconds, with the range src/collect/settings.ts declares. */
function collectRate<K extends RateKey>(key: K, label: string) {
  const decl = COLLECT_SETTINGS[key];
  return setting({
    key,
    kind: quantity({ min: decl.min, max: decl.max, unit: "s" }),
    default: decl.default,
    label,
    group: "collection",
    menu: { slider: { min: 1, max: 60, step: 1 } },
  });
}

/** In the order of the docs, the status report and the help. */
export const SETTINGS = [
  setting({
    key: "host",
    kind: hostAddress(),
    default: "127.0.0.1",
    label: "host",
    group: "receiver",
    command: { name: "sethost", summary: "set the receiver's address (IPv4 or host name)" },
    menu: { presets: [] },
  }),
  setting({
    key: "port",
    kind: wholeNumber(1, 65535, "port"),
    default: 9876,
    label: "port",
    group: "receiver",
    command: { name: "setport", summary: "set the receiver's port" },
    menu: { presets: [] },
  }),
  // Whether a connection is wanted: `disconnect` clears it, `connect` sets it.
  setting({
    key: "enabled",
    kind: onOff(),
    default: true,
    label: "connection wanted",
    group: "receiver",
  }),
  setting({
    key: "autoReconnect",
    kind: onOff(),
    default: true,
    label: "auto-reconnect",
    group: "connection",
    command: { name: "autoreconnect", summary: "retry by itself after a failure" },
  }),
  // Seconds before the first retry; the delay doubles after each failure.
  setting({
    key: "retryInitialDelay",
    kind: quantity({ min: 0.1, max: 60, unit: "s" }),
    default: 1,
    label: "first retry delay",
    group: "connection",
    menu: { slider: { min: 0.5, max: 10, step: 0.5 } },
  }),
  // Seconds the retry delay never exceeds.
  setting({
    key: "retryMaxDelay",
    kind: quantity({ min: 1, max: 600, unit: "s" }),
    default: 30,
    label: "maximum retry delay",
    group: "connection",
    menu: { slider: { min: 5, max: 300, step: 5 } },
  }),
  // Seconds a pending connect may take before it is abandoned and retried.
  setting({
    key: "connectTimeout",
    kind: quantity({ min: 0.5, max: 120, unit: "s" }),
    default: 5,
    label: "connect timeout",
    group: "connection",
    command: { name: "timeout", summary: "give up on a pending connect after this long" },
    menu: { slider: { min: 1, max: 30, step: 1 } },
  }),
  // Seconds without a byte from a receiver that has proved it answers, after which
  // the connection counts as dead (a half-open link); 0 turns the check off.
  setting({
    key: "silenceTimeout",
    kind: quantity({ min: 3, max: 600, unit: "s", zeroIsOff: true }),
    default: 15,
    label: "silence timeout",
    group: "connection",
    command: {
      name: "silence",
      summary: "drop a connection whose receiver stopped answering for this long",
    },
    menu: { slider: { min: 0, max: 120, step: 5 } },
  }),
  // Milliseconds between the socket calls while connected: one send then carries what
  // was made meanwhile. A send costs the game's thread the kernel's loopback work
  // (docs/performance.md), so fewer, fuller sends are cheaper; each line waits up to
  // this long. 0 (off): every frame.
  setting({
    key: "sendInterval",
    kind: quantity({ min: 10, max: 1000, unit: "ms", zeroIsOff: true }),
    default: 100,
    label: "send interval",
    group: "connection",
    command: {
      name: "interval",
      summary: "time between sends (off: every frame): fewer sends cost the game less",
    },
    menu: { slider: { min: 0, max: 500, step: 10 } },
  }),
  // Milliseconds per frame the widget's own work may take.
  setting({
    key: "frameBudget",
    kind: quantity({ min: 0.1, max: 2, unit: "ms" }),
    default: 0.5,
    label: "frame budget",
    group: "frame",
    command: { name: "budget", summary: "time per frame for the widget's work" },
    menu: { slider: { min: 0.1, max: 2, step: 0.1 } },
  }),
  // How much is collected, as one choice: choosing a level sets the category switches
  // below (src/collect/detail.ts); each can still be switched alone.
  setting({
    key: "detail",
    kind: oneOf<DetailLevel>(DETAIL_LEVELS, "level"),
    default: "standard",
    label: "detail",
    group: "collection",
    command: {
      name: "detail",
      summary:
        "minimal (game, economy, statistics), standard (+ unit counts, events), full (+ positions)",
    },
  }),
  // What is collected and how often (src/collect/settings.ts declares each); the
  // `collect` command sets them.
  collectSwitch("economy", "economy"),
  collectSwitch("units", "unit counts"),
  collectSwitch("stats", "statistics"),
  collectSwitch("events", "events"),
  collectSwitch("unitdefs", "unit definitions"),
  collectSwitch("positions", "positions"),
  collectSwitch("damage", "damage"),
  collectRate("economySeconds", "economy interval"),
  collectRate("unitsSeconds", "unit counts interval"),
  collectRate("statsSeconds", "statistics interval"),
  collectRate("positionsSeconds", "positions interval"),
  collectRate("damageSeconds", "damage interval"),
  collectRate("reconcileSeconds", "unit count check interval"),
  // How the protocol delivers it (docs/protocol.md): a full snapshot every this many
  // seconds, unacknowledged messages kept up to this bound, the receiver's token.
  setting({
    key: "keyframeSeconds",
    kind: quantity({ min: 5, max: 3600, unit: "s" }),
    default: 60,
    label: "keyframe snapshot interval",
    group: "delivery",
    command: { name: "keyframe", summary: "seconds between full snapshots" },
    menu: { slider: { min: 5, max: 600, step: 5 } },
  }),
  setting({
    key: "backlogKiB",
    kind: wholeNumber(64, 65536, "backlog", "KiB"),
    default: 4096,
    label: "backlog bound",
    group: "delivery",
    command: {
      name: "backlog",
      summary: "KiB kept of what the receiver has not acknowledged (beyond it: dropped, reported)",
    },
    menu: { presets: [1024, 4096, 16384, 65536] },
  }),
  setting({
    key: "token",
    kind: secret(),
    default: "",
    label: "token",
    group: "delivery",
    command: { name: "token", summary: "the receiver's shared token (off: none)" },
    menu: false,
  }),
  setting({
    key: "logLevel",
    kind: oneOf<LogLevelName>(LOG_LEVEL_NAMES, "level"),
    default: "info",
    label: "log level",
    group: "display",
    command: {
      name: "verbose",
      aliases: ["loglevel"],
      summary: `how much to print: ${LOG_LEVEL_NAMES.join(", ")}`,
    },
  }),
  setting({
    key: "showIndicator",
    kind: onOff(),
    default: true,
    label: "status line",
    group: "display",
  }),
  // Every corner of BAR's screen holds something, so the player picks.
  setting({
    key: "indicatorCorner",
    kind: oneOf<IndicatorCorner>(INDICATOR_CORNERS, "corner"),
    default: "bottom-right",
    label: "status line corner",
    group: "display",
  }),
] as const;

type AnySetting = (typeof SETTINGS)[number];
type ValueOf<S> = S extends Setting<string, infer T> ? T : never;

/** The collection's settings out of a config (the collector's own shape). */
export function collectSettingsOf(config: Config): CollectSettings {
  const out: Partial<Record<CollectSettingKey, boolean | number>> = {};
  for (const [key] of pairs(COLLECT_SETTINGS)) out[key] = config[key];
  return out as CollectSettings;
}

/** The settings' values by key. */
export type Config = { [S in AnySetting as S["key"]]: ValueOf<S> };
export type SettingKey = keyof Config;

/** A setting with its value type erased, for code that handles every setting alike. */
export type SomeSetting = Setting<SettingKey, unknown>;

/** The table with value types erased (each entry checks its own values). */
export const SETTING_LIST: readonly SomeSetting[] = SETTINGS as readonly SomeSetting[];

export function findSetting(key: string): SomeSetting | undefined {
  for (const entry of SETTING_LIST) {
    if (entry.key === key) return entry;
  }
  return undefined;
}

/** Reads any setting's value by key (the table's types vary by key). */
export function valueOf(config: Config, key: SettingKey): unknown {
  return (config as unknown as Record<string, unknown>)[key];
}

/** For people: `connect timeout 0.7 s`. */
export function describeSetting(entry: SomeSetting, value: unknown): string {
  return `${entry.label} ${entry.kind.format(value)}`;
}

export function defaultConfig(): Config {
  const config: Record<string, unknown> = {};
  for (const entry of SETTING_LIST) {
    config[entry.key] = entry.default;
  }
  return config as unknown as Config;
}

/** A rule between settings, which each setting's own check cannot see. */
export interface SettingRule {
  /** The setting the rule constrains, and what the docs say of it. */
  key: SettingKey;
  doc: string;
  /** Why `config` breaks the rule, or undefined. */
  check(config: Config): string | undefined;
  /** Makes a loaded config follow the rule; returns the warning to print. */
  repair(config: Config): string;
}

export const SETTING_RULES: readonly SettingRule[] = [
  {
    key: "retryMaxDelay",
    doc: "at least the first delay",
    check(c) {
      if (c.retryMaxDelay >= c.retryInitialDelay) return undefined;
      const [max, first] = [c.retryMaxDelay, c.retryInitialDelay].map((value) =>
        formatSeconds(value),
      );
      return `the maximum retry delay (${max}) is below the initial delay (${first})`;
    },
    repair(c) {
      const first = formatSeconds(c.retryInitialDelay);
      const warning = `saved retryMaxDelay ${formatSeconds(c.retryMaxDelay)} is below retryInitialDelay ${first}: using ${first} for both`;
      c.retryMaxDelay = c.retryInitialDelay;
      return warning;
    },
  },
];

function formatSeconds(value: number): string {
  return `${formatNumber(value)} s`;
}

/** The first rule `config` breaks, in words, or undefined. */
export function checkRules(config: Config): string | undefined {
  for (const rule of SETTING_RULES) {
    const problem = rule.check(config);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
