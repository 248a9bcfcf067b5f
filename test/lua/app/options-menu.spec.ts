/**
 * The options window's entries read back (src/app/options-menu.ts): what a click hands
 * `onchange` becomes a setting value or a clear message, and the window counts as out
 * of date exactly when it shows a value not in force. Whole runs: test/e2e/control.test.ts.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { OptionsMenu, settingOfMenuId } from "../../../src/app/options-menu";
import { Config, defaultConfig, SettingKey } from "../../../src/app/settings";

let menu: OptionsMenu;

function valueOf(this: void, key: SettingKey, raw: unknown): unknown {
  const [value] = menu.read(key, raw);
  return value;
}

function whyNot(this: void, key: SettingKey, raw: unknown): string | undefined {
  const [, why] = menu.read(key, raw);
  return why;
}
let config: Config;

beforeEach(() => {
  menu = new OptionsMenu();
  config = defaultConfig();
  config.port = 9000;
  menu.build(config);
});

describe("reading a click", () => {
  it("a select's index is the value it lists, a slider's number is rounded to its step", () => {
    expect(valueOf("port", 2)).toBe(9876);
    expect(valueOf("logLevel", 4)).toBe("debug");
    expect(valueOf("frameBudget", 0.30000001192092896)).toBeCloseTo(0.3, 6);
    expect(valueOf("economy", false)).toBe(false);
  });

  it("what is not a value of the entry gets a message", () => {
    expect(valueOf("port", 3)).toBeUndefined();
    expect(whyNot("port", 3)).toBe("no choice 3");
    expect(whyNot("economy", 1)).toBe("1 is not on or off");
    expect(whyNot("frameBudget", "fast")).toBe("fast is not a number");
    expect(whyNot("token", "x")).toBe("not in the options window");
  });

  it("a slider's step leaves no float noise: 0.7 is the number 0.7", () => {
    expect(valueOf("frameBudget", 0.7)).toBe(0.7);
    expect(valueOf("frameBudget", 0.69)).toBe(0.7);
    expect(valueOf("keyframeSeconds", 62)).toBe(60);
  });

  it("a value set beyond a slider's range widens it, not changed by showing it", () => {
    config.keyframeSeconds = 3600;
    config.unitsSeconds = 0.25;
    const entries = menu.build(config);
    const keyframe = entries.find((e) => e.id === "livedata_keyframeSeconds")!;
    expect([keyframe.min, keyframe.max, keyframe.value]).toEqual([5, 3600, 3600]);
    const units = entries.find((e) => e.id === "livedata_unitsSeconds")!;
    expect(units.min).toBe(0.25);
    expect(menu.stale(config)).toBe(false);
  });

  it("ids name settings", () => {
    expect(settingOfMenuId("livedata_frameBudget")).toBe("frameBudget");
    expect(settingOfMenuId("livedata_nonsense")).toBeUndefined();
    expect(settingOfMenuId("other_port")).toBeUndefined();
  });
});

describe("out of date", () => {
  it("not while the window shows the values in force, also after its own clicks", () => {
    expect(menu.stale(config)).toBe(false);
    menu.read("economy", false);
    config.economy = false;
    menu.read("port", 2);
    config.port = 9876;
    expect(menu.stale(config)).toBe(false);
  });

  it("when a setting changed elsewhere, or a click was refused", () => {
    config.units = false;
    expect(menu.stale(config)).toBe(true);
    config.units = true;
    config.host = "10.0.0.5";
    expect(menu.stale(config)).toBe(true);
    config.host = "127.0.0.1";
    menu.read("frameBudget", 5);
    expect(menu.stale(config)).toBe(true);
  });

  it("when the window was handed what is no value of its entry", () => {
    menu.read("logLevel", 9);
    expect(menu.stale(config)).toBe(true);
    menu.build(config);
    menu.read("economy", "yes");
    expect(menu.stale(config)).toBe(true);
    menu.build(config);
    menu.read("port", "x");
    expect(menu.stale(config)).toBe(true);
    // A nil click keeps the entry among the ids to remove.
    menu.build(config);
    menu.read("port", undefined);
    expect(menu.ids()).toContain("livedata_port");
  });
});
