/**
 * Detail levels: one choice that sets the category switches (src/collect/detail.ts),
 * by command and by another widget, with each switch still its own afterwards; and the
 * cap the frame-rate guard puts on a collection.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { LiveDataApp } from "../../../src/app/app";
import { capAtLevel, switchesFor } from "../../../src/collect/detail";
import { defaultCollectSettings } from "../../../src/collect/settings";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedTransport } from "../fakes/scripted-transport";

let lines: string[];
let app: LiveDataApp;

function type(this: void, line: string): string {
  const words: string[] = [];
  for (const [word] of string.gmatch(line, "%S+")) words.push(word);
  app.handleCommand(words);
  return lines[lines.length - 1]!;
}

function switches(this: void): string {
  const c = app.config;
  const on = (key: "economy" | "stats" | "units" | "events" | "positions") =>
    c[key] ? key : `-${key}`;
  return [on("economy"), on("stats"), on("units"), on("events"), on("positions")].join(" ");
}

beforeEach(() => {
  lines = [];
  app = new LiveDataApp({
    transport: new ScriptedTransport(),
    clock: new ManualClock(0),
    echo: (line) => {
      lines.push(line);
    },
    stamp: () => "12:00:00",
  });
});

describe("choosing a detail level", () => {
  it("sets the switches each level governs, and says what changed", () => {
    expect(app.config.detail).toBe("standard");
    expect(switches()).toBe("economy stats units events -positions");
    expect(type("detail minimal")).toBe(
      "[Live Data Export] detail minimal, unit counts off, events off",
    );
    expect(switches()).toBe("economy stats -units -events -positions");
    type("detail FULL");
    expect(switches()).toBe("economy stats units events positions");
    type("detail standard");
    expect(switches()).toBe("economy stats units events -positions");
  });

  it("leaves each switch its own afterwards, and a level chosen again sets them again", () => {
    type("detail full");
    type("collect positions off");
    expect(app.config.detail).toBe("full");
    expect(switches()).toBe("economy stats units events -positions");
    expect(type("detail full")).toBe("[Live Data Export] positions on");
  });

  it("refuses an unknown level and changes nothing", () => {
    expect(type("detail huge")).toBe(
      "[Live Data Export] detail: the level must be one of minimal, standard, full (usage: /livedata detail <level>)",
    );
    expect(switches()).toBe("economy stats units events -positions");
  });

  it("from another widget: the switches named beside the level win", () => {
    const result = app.setConfig({ detail: "minimal", units: true });
    expect(result.ok).toBe(true);
    expect(switches()).toBe("economy stats units -events -positions");
  });
});

describe("the detail cap", () => {
  it("switches off what is above the level and leaves the rest as set", () => {
    const settings = defaultCollectSettings();
    settings.positions = true;
    settings.damage = true;
    settings.economy = false;
    capAtLevel(settings, 1);
    expect([settings.positions, settings.damage, settings.units, settings.economy]).toEqual([
      false,
      false,
      true,
      false,
    ]);
    capAtLevel(settings, 0);
    expect([settings.units, settings.events, settings.stats, settings.unitdefs]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it("a level's switches match its description", () => {
    expect(switchesFor("minimal")).toEqual({
      economy: true,
      stats: true,
      units: false,
      events: false,
      positions: false,
    });
  });
});
