import { describe, expect, it } from "../framework";
import { UnitDefCatalog } from "../../../src/collect/catalog";
import { CountingBudget, FakeGame, unitDefRead } from "../fakes/fake-game";

describe("unit definition catalog", () => {
  it("reads every def once, spread over steps with a cursor", () => {
    const game = new FakeGame();
    for (let i = 1; i <= 25; i++) game.defs.push(unitDefRead(`unit${i}`));
    const catalog = new UnitDefCatalog(game);
    const budget = new CountingBudget();
    let steps = 0;
    while (!catalog.step(budget.reset(4))) {
      steps += 1;
      expect(catalog.entries.length).toBe(4 * steps);
      expect(catalog.complete).toBe(false);
    }
    expect(steps).toBeGreaterThan(4);
    expect(catalog.complete).toBe(true);
    expect(catalog.entries).toHaveLength(25);
    expect(catalog.entries.map((d) => d.unitDefID)).toEqual(game.defs.map((_d, i) => i + 1));
    expect(catalog.entries[24].name).toBe("unit25");
    expect(catalog.entries[24].humanName).toBe("UNIT25");
    // Every def read once, plus the one look past the end.
    expect(game.calls.get("unitDef")).toBe(26);
    // Cached: a later step reads nothing.
    expect(catalog.step(budget.reset(4))).toBe(true);
    expect(game.calls.get("unitDef")).toBe(26);
  });

  it("copies each field the engine gives", () => {
    const game = new FakeGame();
    const d = unitDefRead("armcom");
    d.iscommander = true;
    d.unitgroup = undefined;
    d.techlevel = 2;
    d.isBuilder = true;
    d.buildSpeed = 300;
    game.defs.push(d);
    const catalog = new UnitDefCatalog(game);
    expect(catalog.step(new CountingBudget())).toBe(true);
    const e = catalog.entries[0];
    expect(e).toEqual({ unitDefID: 1, ...d });
  });
});
