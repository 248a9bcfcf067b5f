/**
 * The frame-rate guard's steps (src/app/throttle.ts) from the figures it is handed, and
 * what each step holds back; through the app, a receiver that stops reading makes it
 * step up, say so once per step in the console and in a heartbeat, and step down when
 * the receiver reads again. Time by the manual clock only.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { LiveDataApp } from "../../../src/app/app";
import { Throttle } from "../../../src/app/throttle";
import { defaultCollectSettings } from "../../../src/collect/settings";
import { FakeGame } from "../fakes/fake-game";
import { FakeStopwatch } from "../fakes/fake-stopwatch";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedTransport } from "../fakes/scripted-transport";

const BUDGET = 500;
/** An event of 2 KB: 50 a second fill 100 KB a second. */
const FILL: Record<string, string> = {};
for (let i = 1; i <= 8; i++) FILL[`text${i}`] = string.rep("z", 250);

describe("the steps", () => {
  it("one up after 3 windows at the budget, one down after 5 calm ones", () => {
    const t = new Throttle();
    expect([t.observe(480, BUDGET, 0), t.observe(460, BUDGET, 0)]).toEqual([0, 0]);
    expect(t.observe(450, BUDGET, 0)).toBe(1);
    expect([t.level, t.reason]).toEqual([1, "frame budget"]);
    // A calm window between resets the count.
    t.observe(500, BUDGET, 0);
    t.observe(100, BUDGET, 0);
    t.observe(500, BUDGET, 0);
    t.observe(500, BUDGET, 0);
    expect(t.level).toBe(1);
    expect(t.observe(500, BUDGET, 0)).toBe(1);
    expect(t.level).toBe(2);
    for (let i = 0; i < 4; i++) expect(t.observe(100, BUDGET, 0)).toBe(0);
    expect(t.observe(100, BUDGET, 0)).toBe(-1);
    expect(t.level).toBe(1);
  });

  it("unwritten bytes count when over 256 KiB and still growing", () => {
    const t = new Throttle();
    for (const bytes of [300000, 400000, 500000]) t.observe(0, BUDGET, bytes);
    expect([t.level, t.reason]).toEqual([1, "backlog growing"]);
    const u = new Throttle();
    for (const bytes of [200000, 250000, 260000]) u.observe(0, BUDGET, bytes);
    for (const bytes of [600000, 600000, 600000]) u.observe(0, BUDGET, bytes);
    expect(u.level).toBe(0);
  });

  it("changes waiting to be sent count when over 2,000 and still growing", () => {
    const t = new Throttle();
    for (const waiting of [3000, 5000, 9000]) t.observe(0, BUDGET, 0, waiting);
    expect([t.level, t.reason]).toEqual([1, "changes piling up"]);
    // Many waiting but draining, or growing below the floor: no pressure.
    const u = new Throttle();
    for (const waiting of [9000, 8000, 7000, 500, 1000, 1900]) u.observe(0, BUDGET, 0, waiting);
    expect(u.level).toBe(0);
  });

  it("a change queue full at its bound is pressure while it drops, not calm", () => {
    const t = new Throttle();
    for (const waiting of [3000, 6000, 12000]) t.observe(0, BUDGET, 0, waiting, 0);
    expect(t.level).toBe(1);
    // Pinned at the bound: no longer growing, but every window drops more.
    for (let i = 1; i <= 3; i++) t.observe(0, BUDGET, 0, 20000, 500 * i);
    expect([t.level, t.reason]).toEqual([2, "changes piling up"]);
    // Drops stop (the total stays): calm, and one step back after 5 windows.
    for (let i = 0; i < 5; i++) t.observe(0, BUDGET, 0, 20000, 1500);
    expect(t.level).toBe(1);
  });

  it("stops at the last step", () => {
    const t = new Throttle();
    for (let i = 0; i < 30; i++) t.observe(BUDGET, BUDGET, 0);
    expect(t.level).toBe(4);
  });

  it("stretches the periodic intervals, then caps the detail", () => {
    const t = new Throttle();
    const at = (level: number) => {
      t.level = level;
      const s = defaultCollectSettings();
      s.positions = true;
      s.damage = true;
      s.reconcileSeconds = 3000;
      t.shape(s);
      return s;
    };
    expect(at(0)).toEqual({
      ...defaultCollectSettings(),
      positions: true,
      damage: true,
      reconcileSeconds: 3000,
    });
    const half = at(1);
    expect([
      half.economySeconds,
      half.unitsSeconds,
      half.positionsSeconds,
      half.reconcileSeconds,
    ]).toEqual([2, 2, 2, 3600]);
    expect(at(2).statsSeconds).toBe(20);
    expect([at(3).positions, at(3).damage, at(3).units]).toEqual([false, false, true]);
    expect([at(4).units, at(4).events, at(4).economy, at(4).stats]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});

describe("through the app", () => {
  let game: FakeGame;
  let clock: ManualClock;
  let transport: ScriptedTransport;
  let lines: string[];
  let app: LiveDataApp;

  function seconds(this: void, n: number, publish = false): void {
    for (let frame = 0; frame < n * 30; frame++) {
      clock.advance(1 / 30);
      game.frame += 1;
      app.gameFrame(game.frame);
      if (publish && frame % 30 === 0) {
        for (let i = 0; i < 50; i++)
          app.publish("ext.test.fill", { text: string.rep("z", 250), i });
      }
      app.update();
    }
  }

  beforeEach(() => {
    game = new FakeGame();
    game.addTeam(0, 0, 2);
    game.asPlayer(0, 0);
    clock = new ManualClock(0);
    transport = new ScriptedTransport();
    lines = [];
    app = new LiveDataApp({
      transport,
      clock,
      stopwatch: new FakeStopwatch(),
      echo: (line) => {
        lines.push(line);
      },
      stamp: () => "12:00:00",
      reader: game,
      entropy: () => ["test", 1],
    });
    app.start();
    seconds(2);
  });

  it("steps up while the receiver takes nothing, says so once a step, steps down after", () => {
    // Not dropped as stalled meanwhile: this is a receiver that reads slowly, not a dead one.
    app.handleCommand(["silence", "off"]);
    transport.sendCapacity = 0;
    seconds(40, true);
    const level = app.status().delivery!.throttleLevel;
    expect(level).toBeGreaterThan(0);
    // The collection runs at the stretched rate; the setting is untouched.
    expect(app.collection!.collector.settings.economySeconds).toBe(level === 1 ? 2 : 4);
    const warnings = lines.filter(
      (l) => string.find(l, "waits for the receiver", 1, true)[0] !== undefined,
    );
    expect(warnings.length).toBe(level);
    expect(warnings[0]).toBe(
      "[Live Data Export] 12:00:00 warning: more and more waits for the receiver: periodic data at half rate until it eases",
    );
    // The receiver reads again: the heartbeats said each step; then the steps come back.
    transport.sendCapacity = math.huge;
    seconds(10 * level + 4);
    expect(app.status().delivery!.throttleLevel).toBe(0);
    expect(lines[lines.length - 1]).toBe(
      "[Live Data Export] 12:00:00 pressure eased: collecting as set",
    );
    const text = transport.carried[transport.carried.length - 1]!;
    expect(string.find(text, '"type":"heartbeat"[^\n]*"throttleLevel":1}')[0]).toBeDefined();
    expect(app.status().economySeconds).toBe(1); // the settings themselves never changed
    expect(app.collection!.collector.settings.economySeconds).toBe(1);
  });
});
