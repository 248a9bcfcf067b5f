import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LUA_VMS } from "../support/lua-vm.ts";
import { Lab } from "./lab.ts";

describe.each(LUA_VMS)("the built widget under $name", ({ create }) => {
  let lab: Lab;
  beforeEach(() => {
    lab = new Lab(create());
  });
  afterEach(() => lab.close());

  it("loads without _G, require, package, load or newproxy", () => {
    lab.loadWidget();
    // The sandbox really lacks them, so a bundle that used them would have failed.
    expect(
      lab.lua(
        `return { env._G == nil, env.require == nil, env.package == nil, env.load == nil, env.newproxy == nil }`,
      ),
    ).toEqual([true, true, true, true, true]);
  });

  it("defines only call-ins in the widget table", () => {
    lab.loadWidget();
    const keys = lab.lua<string[]>(`
      local keys = {}
      for k in pairs(env) do keys[#keys + 1] = k end
      table.sort(keys)
      return keys`);
    // The engine stubs answer as an empty game, so the collection's call-ins are there.
    expect(keys).toEqual([
      "DrawScreen",
      "GameFrame",
      "GameOver",
      "GamePaused",
      "GameStart",
      "GetConfigData",
      "GetInfo",
      "Initialize",
      "PlayerAdded",
      "PlayerChanged",
      "PlayerRemoved",
      "SetConfigData",
      "Shutdown",
      "TeamChanged",
      "TeamDied",
      "TextCommand",
      "UnitCreated",
      "UnitDamaged",
      "UnitDestroyed",
      "UnitFinished",
      "UnitGiven",
      "UnitTaken",
      "Update",
      "ViewResize",
      "WG",
      "widget",
      "widgetHandler",
    ]);
  });

  it("reports its metadata with and without self", () => {
    lab.loadWidget();
    const [withSelf, withoutSelf] = lab.lua<Array<Record<string, unknown>>>(
      `return { env:GetInfo(), env.GetInfo() }`,
    );
    expect(withSelf).toEqual(withoutSelf);
    expect(withSelf).toMatchObject({
      name: "Live Data Export",
      version: "1.0.0",
      license: "GNU GPL, v2 or later",
      layer: -10,
      enabled: true,
    });
    expect(String(withSelf!["desc"]).length).toBeGreaterThan(20);
  });

  it("fails loudly in a sandbox that offers a global it must not use", () => {
    // Guards the guard: if the loader ignored the sandbox, the test above proves nothing.
    expect(() =>
      lab.exec(`T.loadWidget("return _G.x", T.newWidgetEnv(T.newEngine(T.newClock(0))))`),
    ).toThrow(/attempt to index/);
  });
});
