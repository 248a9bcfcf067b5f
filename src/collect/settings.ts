/**
 * What is collected and how often: one typed object with defaults. Declared as a plain
 * table (key, default, min, max, unit, doc) so the app's settings table can register
 * every entry (commands, persistence, the options menu) without knowing this module.
 * Rates are in seconds; each is also limited in wall-clock time (a replay at high
 * speed runs thousands of frames per second) and, where the engine updates a value
 * once a game second, in game time.
 */

export interface CollectSettings {
  /** Economy of every readable team (9 values x metal/energy). */
  economy: boolean;
  /** Unit counts per team and def. */
  units: boolean;
  /** New team statistics entries. */
  stats: boolean;
  /** Unit, team, player and game events. */
  events: boolean;
  /** The unit definition catalog. */
  unitdefs: boolean;
  /** Every visible unit's position (high volume). */
  positions: boolean;
  /** Damage aggregated per interval (high volume). */
  damage: boolean;
  /** Seconds between economy samples (never under 1: the engine updates once a second). */
  economySeconds: number;
  /** Seconds between unit count changes. */
  unitsSeconds: number;
  /** Seconds between looks for new statistics entries (one appears every 15 s). */
  statsSeconds: number;
  /** Seconds between position scans. */
  positionsSeconds: number;
  /** Seconds over which damage is aggregated. */
  damageSeconds: number;
  /** Seconds between reconciliations of unit counts with the engine's. */
  reconcileSeconds: number;
}

export type CollectSettingKey = keyof CollectSettings;

interface SwitchDecl {
  type: "boolean";
  default: boolean;
  doc: string;
}

interface RateDecl {
  type: "number";
  default: number;
  min: number;
  max: number;
  unit: "s";
  doc: string;
}

type Decl<T> = T extends boolean ? SwitchDecl : RateDecl;

/** The declaration of every collection setting, keyed as saved. */
export const COLLECT_SETTINGS: { readonly [K in CollectSettingKey]: Decl<CollectSettings[K]> } = {
  economy: {
    type: "boolean",
    default: true,
    doc: "Export the economy of every team the view may read.",
  },
  units: { type: "boolean", default: true, doc: "Export unit counts per team and unit type." },
  stats: {
    type: "boolean",
    default: true,
    doc: "Export each new team statistics entry (every 15 s of game time).",
  },
  events: { type: "boolean", default: true, doc: "Export unit, team, player and game events." },
  unitdefs: { type: "boolean", default: true, doc: "Export the unit definition catalog." },
  positions: {
    type: "boolean",
    default: false,
    doc: "Export the position of every visible unit (high volume).",
  },
  damage: {
    type: "boolean",
    default: false,
    doc: "Export damage taken and dealt, aggregated per interval (high volume).",
  },
  economySeconds: {
    type: "number",
    default: 1,
    min: 1,
    max: 3600,
    unit: "s",
    doc: "Interval between economy samples.",
  },
  unitsSeconds: {
    type: "number",
    default: 1,
    min: 0.1,
    max: 3600,
    unit: "s",
    doc: "Interval between unit count updates.",
  },
  statsSeconds: {
    type: "number",
    default: 5,
    min: 1,
    max: 3600,
    unit: "s",
    doc: "Interval between looks for new statistics entries.",
  },
  positionsSeconds: {
    type: "number",
    default: 1,
    min: 0.1,
    max: 3600,
    unit: "s",
    doc: "Interval between position scans.",
  },
  damageSeconds: {
    type: "number",
    default: 1,
    min: 0.1,
    max: 3600,
    unit: "s",
    doc: "Interval over which damage is aggregated.",
  },
  reconcileSeconds: {
    type: "number",
    default: 10,
    min: 1,
    max: 3600,
    unit: "s",
    doc: "Interval between checks of unit counts against the engine's.",
  },
};

/** A fresh settings object with every default. */
export function defaultCollectSettings(): CollectSettings {
  const s: Partial<Record<CollectSettingKey, boolean | number>> = {};
  for (const [key, decl] of pairs(
    COLLECT_SETTINGS as unknown as LuaTable<CollectSettingKey, SwitchDecl | RateDecl>,
  )) {
    s[key] = decl.default;
  }
  return s as CollectSettings;
}
