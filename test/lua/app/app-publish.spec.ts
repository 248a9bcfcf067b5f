/**
 * Other widgets' events (`WG.LiveDataExport.publish`, src/app/publish.ts): checked,
 * counted, limited per second, and delivered as `ext.<widget>.<name>` messages in order
 * with the game's own, lost and reported (gap counts `ext`) like them. Time by the
 * manual clock only.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { LiveDataApp } from "../../../src/app/app";
import { FakeGame } from "../fakes/fake-game";
import { FakeStopwatch } from "../fakes/fake-stopwatch";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedTransport } from "../fakes/scripted-transport";

let game: FakeGame;
let clock: ManualClock;
let transport: ScriptedTransport;
let app: LiveDataApp;

function frames(this: void, n: number, dt = 1 / 60): void {
  for (let i = 0; i < n; i++) {
    clock.advance(dt);
    game.frame += 1;
    app.gameFrame(game.frame);
    app.update();
  }
}

/** The raw lines the current connection carried. */
function wireLines(this: void): string[] {
  const out: string[] = [];
  for (const [line] of string.gmatch(
    transport.carried[transport.carried.length - 1] ?? "",
    "[^\n]+",
  )) {
    out.push(line);
  }
  return out;
}

beforeEach(() => {
  game = new FakeGame();
  game.addTeam(0, 0, 2);
  game.asPlayer(0, 0);
  clock = new ManualClock(0);
  transport = new ScriptedTransport();
  app = new LiveDataApp({
    transport,
    clock,
    stopwatch: new FakeStopwatch(),
    echo: () => {},
    stamp: () => "12:00:00",
    reader: game,
    entropy: () => ["test", 1],
  });
});

describe("publish", () => {
  it("delivers the event as its own type, fields sorted, in order with the game's", () => {
    app.start();
    frames(5);
    expect(app.publish("ext.hud.marker", { x: 1.5, label: 'a "b"', on: true })).toEqual({
      ok: true,
    });
    // Out at the next socket call (every 0.1 s: sendInterval).
    frames(8);
    const ext = wireLines().filter((l) => string.find(l, '"type":"ext.', 1, true)[0] !== undefined);
    expect(ext).toHaveLength(1);
    expect(ext[0]).toMatch(
      '^{"type":"ext%.hud%.marker","seq":%d+,"frame":%d+,"fields":{"label":"a \\"b\\"","on":true,"x":1%.5}}$',
    );
    expect(app.status().published).toEqual({ accepted: 1, rejected: 0 });
  });

  it("takes an event without fields", () => {
    app.start();
    frames(3);
    expect(app.publish("ext.hud.ping", undefined).ok).toBe(true);
    // Out at the next socket call (every 0.1 s: sendInterval).
    frames(8);
    expect(
      wireLines().filter((l) => string.find(l, '"fields":{}', 1, true)[0] !== undefined),
    ).toHaveLength(1);
  });

  it("refuses what breaks the rules, says why, counts it and sends nothing", () => {
    const long = string.rep("x", 257);
    const raising = new LuaTable<AnyNotNil, number>();
    raising.set(setmetatable({}, { __tostring: () => error("boom") }), 1);
    const many: Record<string, number> = {};
    for (let i = 1; i <= 33; i++) many[`f${i}`] = i;
    const cases: [unknown, unknown, string][] = [
      [5, {}, "the type is a number, not text"],
      ["hud.marker", {}, 'type "hud.marker" is not ext.<widget>.<name> (each 1-32 of a-z, 0-9, _)'],
      [
        "ext.HUD.marker",
        {},
        'type "ext.HUD.marker" is not ext.<widget>.<name> (each 1-32 of a-z, 0-9, _)',
      ],
      [
        `ext.${string.rep("a", 33)}.x`,
        {},
        `type "ext.${string.rep("a", 33)}.x" is not ext.<widget>.<name> (each 1-32 of a-z, 0-9, _)`,
      ],
      ["ext.hud.x", "label", "fields are a string, not a table"],
      ["ext.hud.x", { label: long }, "field label is longer than 256 bytes"],
      ["ext.hud.x", { n: 0 / 0 }, "field n is not a finite number"],
      ["ext.hud.x", { n: math.huge }, "field n is not a finite number"],
      ["ext.hud.x", { t: {} }, "field t is a table: only text, numbers, true/false"],
      [
        "ext.hud.x",
        { "bad key": 1 },
        'field name "bad key" is not an identifier of 1-32 characters',
      ],
      ["ext.hud.x", [1], 'field name "1" is not an identifier of 1-32 characters'],
      // A key whose __tostring raises: another widget's mistake, answered, not our error.
      ["ext.hud.x", raising, 'field name "<table>" is not an identifier of 1-32 characters'],
      ["ext.hud.x", many, "more than 32 fields"],
    ];
    for (const [type, fields, why] of cases) {
      expect(app.publish(type, fields)).toEqual({ ok: false, error: why });
    }
    expect(app.status().published.rejected).toBe(cases.length);
    expect(app.status().collection!.recordedByType.get("ext")).toBeUndefined();
  });

  it("takes at most 50 events a second", () => {
    for (let i = 1; i <= 50; i++) expect(app.publish("ext.hud.tick", { i }).ok).toBe(true);
    expect(app.publish("ext.hud.tick", { i: 51 })).toEqual({
      ok: false,
      error: "more than 50 events in a second",
    });
    clock.advance(1);
    expect(app.publish("ext.hud.tick", { i: 52 }).ok).toBe(true);
  });

  it("are lost like the game's messages when the backlog is full, and the gap counts them", () => {
    app.handleCommand(["backlog", "64"]);
    app.start();
    frames(5);
    // The receiver stops reading: the backlog fills with events of 256-byte texts.
    transport.sendCapacity = 0;
    const text = string.rep("y", 256);
    for (let second = 0; second < 10; second++) {
      for (let i = 0; i < 50; i++) app.publish("ext.hud.note", { text, i });
      frames(60);
    }
    expect(app.status().delivery!.dropped).toBeGreaterThan(0);
    transport.sendCapacity = math.huge;
    frames(30);
    const gaps = wireLines().filter(
      (l) => string.find(l, '"type":"gap"', 1, true)[0] !== undefined,
    );
    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps.join("\n")).toMatch('{"type":"ext","count":%d+}');
  });
});
