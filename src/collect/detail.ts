/**
 * Detail levels: how much is collected, as one choice. Pure.
 *
 * - `minimal`: the game, the economy and the statistics;
 * - `standard` (the default): also unit counts and events;
 * - `full`: also positions.
 *
 * Choosing a level sets the category switches it governs (`switchesFor`); the player
 * may still switch a category alone afterwards. The frame-rate guard caps the
 * collection at a level for a while (`capAtLevel`) without touching the settings.
 * Damage and the unit definition catalog are not set by a level (damage is its own
 * choice, the catalog is sent once); damage counts as `full` when capping.
 */
import type { CollectSettings } from "./settings";

export const DETAIL_LEVELS = ["minimal", "standard", "full"] as const;
export type DetailLevel = (typeof DETAIL_LEVELS)[number];

type CappedKey = "economy" | "stats" | "units" | "events" | "positions" | "damage";

/** The index in DETAIL_LEVELS from which each category is collected. */
const LEVEL_OF: Record<CappedKey, number> = {
  economy: 0,
  stats: 0,
  units: 1,
  events: 1,
  positions: 2,
  damage: 2,
};

/** The switches a level sets (every category it governs, on or off). */
const GOVERNED: CappedKey[] = ["economy", "stats", "units", "events", "positions"];
/** Every category a cap may switch off. */
const CAPPED: CappedKey[] = [...GOVERNED, "damage"];

/** 0 for minimal, 1 for standard, 2 for full. */
export function levelIndex(level: DetailLevel): number {
  return DETAIL_LEVELS.indexOf(level);
}

/** The category switches choosing `level` sets: `{economy = true, ..., positions = false}`. */
export function switchesFor(level: DetailLevel): Partial<CollectSettings> {
  const index = levelIndex(level);
  const out: Partial<Record<CappedKey, boolean>> = {};
  for (const key of GOVERNED) out[key] = LEVEL_OF[key] <= index;
  return out;
}

/** Switches off in `settings` every category above level `index` (0-2). */
export function capAtLevel(settings: CollectSettings, index: number): void {
  for (const key of CAPPED) {
    if (LEVEL_OF[key] > index) settings[key] = false;
  }
}
