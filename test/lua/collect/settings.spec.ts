import { describe, expect, it } from "../framework";
import { Cadence } from "../../../src/collect/budget";
import { COLLECT_SETTINGS, defaultCollectSettings } from "../../../src/collect/settings";

describe("collect settings", () => {
  it("everything is on by default except positions and damage", () => {
    const s = defaultCollectSettings();
    expect(s.economy).toBe(true);
    expect(s.units).toBe(true);
    expect(s.stats).toBe(true);
    expect(s.events).toBe(true);
    expect(s.unitdefs).toBe(true);
    expect(s.positions).toBe(false);
    expect(s.damage).toBe(false);
  });

  it("every rate default lies within its declared range, and economy never under a second", () => {
    for (const [key, decl] of pairs(
      COLLECT_SETTINGS as unknown as LuaTable<
        string,
        { type: string; default: number; min: number; max: number }
      >,
    )) {
      if (decl.type === "number") {
        expect(
          decl.default >= decl.min && decl.default <= decl.max ? key : `${key} out of range`,
        ).toBe(key);
      }
    }
    expect(COLLECT_SETTINGS.economySeconds.min).toBeGreaterThanOrEqual(1);
    expect(defaultCollectSettings().positionsSeconds).toBe(1);
  });

  it("returns a fresh object each time", () => {
    const a = defaultCollectSettings();
    a.positions = true;
    expect(defaultCollectSettings().positions).toBe(false);
  });
});

describe("cadence", () => {
  it("limits runs in wall-clock time and in game frames, both", () => {
    const c = new Cadence(1, 30);
    expect(c.due(0, 0)).toBe(true);
    // A replay at high speed: many frames, little wall time.
    expect(c.due(0.5, 300)).toBe(false);
    // Paused: wall time passes, no frames.
    expect(c.due(5, 0)).toBe(false);
    expect(c.due(5, 30)).toBe(true);
    expect(c.due(5.5, 90)).toBe(false);
    expect(c.due(6, 59)).toBe(false);
    expect(c.due(6, 60)).toBe(true);
  });
});
