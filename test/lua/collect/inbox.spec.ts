import { beforeEach, describe, expect, it } from "../framework";
import { createUnitInbox, UnitCallInTarget, UnitInbox } from "../../../src/collect/inbox";

/** Records what the inbox hands over, as text: "frame kind args...". */
class Recorder implements UnitCallInTarget {
  readonly calls: string[] = [];
  frame: number | undefined;
  failOn: number | undefined;

  /** `n` arguments, nil ones included (a Lua array's length stops at a nil). */
  private add(kind: string, n: number, args: unknown[]): void {
    if (args[0] === this.failOn) throw "broken record";
    const parts = [tostring(this.frame), kind];
    for (let i = 0; i < n; i++) parts.push(tostring(args[i]));
    this.calls.push(parts.join(" "));
  }

  pinFrame(frame: number | undefined): void {
    this.frame = frame;
  }
  unitCreated(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID, builderID?: UnitID): void {
    this.add("created", 4, [unitID, unitDefID, teamID, builderID]);
  }
  unitFinished(unitID: UnitID, unitDefID: UnitDefID, teamID: TeamID): void {
    this.add("finished", 3, [unitID, unitDefID, teamID]);
  }
  unitDestroyed(
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    attackerID?: UnitID,
    attackerDefID?: UnitDefID,
    attackerTeamID?: TeamID,
    weaponDefID?: WeaponDefID,
  ): void {
    this.add("destroyed", 7, [
      unitID,
      unitDefID,
      teamID,
      attackerID,
      attackerDefID,
      attackerTeamID,
      weaponDefID,
    ]);
  }
  unitGiven(unitID: UnitID, unitDefID: UnitDefID, newTeamID: TeamID, oldTeamID: TeamID): void {
    this.add("given", 4, [unitID, unitDefID, newTeamID, oldTeamID]);
  }
  unitTaken(unitID: UnitID, unitDefID: UnitDefID, oldTeamID: TeamID, newTeamID: TeamID): void {
    this.add("taken", 4, [unitID, unitDefID, oldTeamID, newTeamID]);
  }
  unitDamaged(
    unitID: UnitID,
    unitDefID: UnitDefID,
    teamID: TeamID,
    damage: number,
    paralyzer: boolean,
  ): void {
    this.add("damaged", 5, [unitID, unitDefID, teamID, damage, paralyzer]);
  }
}

let target: Recorder;
let engineFrame: number;
let errors: string[];
let inbox: UnitInbox;
const WIDGET = {};

function make(this: void, records?: number): UnitInbox {
  return createUnitInbox(
    target,
    () => engineFrame,
    (err) => errors.push(tostring(err)),
    records,
  );
}

const u = (n: number) => n as UnitID;
const d = (n: number) => n as UnitDefID;
const t = (n: number) => n as TeamID;

describe("the unit call-ins' inbox", () => {
  beforeEach(() => {
    target = new Recorder();
    engineFrame = 0;
    errors = [];
    inbox = make();
  });

  it("hands every call over in order, with the frame it was called in and every argument", () => {
    const c = inbox.callIns;
    engineFrame = 30;
    c.UnitCreated.call(WIDGET, u(1), d(5), t(0), u(9));
    c.UnitCreated.call(WIDGET, u(2), d(5), t(0));
    engineFrame = 31;
    c.UnitFinished.call(WIDGET, u(1), d(5), t(0));
    c.UnitDestroyed.call(WIDGET, u(2), d(5), t(0), u(7), d(8), t(1), 44 as WeaponDefID);
    c.UnitDestroyed.call(WIDGET, u(3), d(6), t(1));
    engineFrame = 32;
    c.UnitGiven.call(WIDGET, u(1), d(5), t(1), t(0));
    c.UnitTaken.call(WIDGET, u(4), d(6), t(1), t(0));
    c.UnitDamaged.call(WIDGET, u(1), d(5), t(1), 12.5, true);
    expect(target.calls).toEqual([]);
    expect(inbox.pending()).toBe(8);
    engineFrame = 40; // the drawn frame comes later
    inbox.drain();
    expect(target.calls).toEqual([
      "30 created 1 5 0 9",
      "30 created 2 5 0 nil",
      "31 finished 1 5 0",
      "31 destroyed 2 5 0 7 8 1 44",
      "31 destroyed 3 6 1 nil nil nil nil",
      "32 given 1 5 1 0",
      "32 taken 4 6 1 0",
      "32 damaged 1 5 1 12.5 true",
    ]);
    // the pin is lifted afterwards: others read the engine's frame again
    expect(target.frame).toBe(undefined);
    expect(inbox.pending()).toBe(0);
  });

  it("hands each call over once, and starts over after a drain", () => {
    inbox.callIns.UnitCreated.call(WIDGET, u(1), d(5), t(0));
    inbox.drain();
    inbox.drain();
    inbox.callIns.UnitFinished.call(WIDGET, u(1), d(5), t(0));
    inbox.drain();
    expect(target.calls).toEqual(["0 created 1 5 0 nil", "0 finished 1 5 0"]);
  });

  it("gives the first call after a drain its frame, though the frame did not change", () => {
    engineFrame = 12;
    inbox.callIns.UnitCreated.call(WIDGET, u(1), d(5), t(0));
    inbox.drain();
    inbox.callIns.UnitFinished.call(WIDGET, u(1), d(5), t(0));
    inbox.callIns.UnitDestroyed.call(WIDGET, u(1), d(5), t(0));
    inbox.drain();
    expect(target.calls).toEqual([
      "12 created 1 5 0 nil",
      "12 finished 1 5 0",
      "12 destroyed 1 5 0 nil nil nil nil",
    ]);
  });

  it("drains itself when full, so nothing is lost and the order holds", () => {
    inbox = make(3);
    for (let i = 1; i <= 7; i++) {
      engineFrame = i;
      inbox.callIns.UnitCreated.call(WIDGET, u(i), d(5), t(0));
    }
    // two full batches went at the 4th and 7th call; the 7th waits
    expect(target.calls.length).toBe(6);
    expect(inbox.pending()).toBe(1);
    inbox.drain();
    const units: string[] = [];
    for (const line of target.calls) units.push(line);
    expect(units).toEqual([
      "1 created 1 5 0 nil",
      "2 created 2 5 0 nil",
      "3 created 3 5 0 nil",
      "4 created 4 5 0 nil",
      "5 created 5 5 0 nil",
      "6 created 6 5 0 nil",
      "7 created 7 5 0 nil",
    ]);
  });

  it("reports a call whose handling raises, skips it and hands over the rest", () => {
    target.failOn = 2;
    for (let i = 1; i <= 3; i++) inbox.callIns.UnitCreated.call(WIDGET, u(i), d(5), t(0));
    inbox.drain();
    expect(target.calls).toEqual(["0 created 1 5 0 nil", "0 created 3 5 0 nil"]);
    expect(errors.length).toBe(1);
    expect(errors[0]).toContain("broken record");
    expect(inbox.pending()).toBe(0);
  });

  it("skips a raising record of any kind and goes on with the next, in its frame", () => {
    target.failOn = 2;
    const c = inbox.callIns;
    engineFrame = 5;
    c.UnitFinished.call(WIDGET, u(2), d(5), t(0));
    c.UnitCreated.call(WIDGET, u(3), d(5), t(0));
    engineFrame = 6;
    c.UnitDestroyed.call(WIDGET, u(2), d(5), t(0), u(7), d(8), t(1));
    c.UnitDamaged.call(WIDGET, u(2), d(5), t(0), 1.5, false);
    c.UnitGiven.call(WIDGET, u(2), d(5), t(1), t(0));
    c.UnitTaken.call(WIDGET, u(4), d(5), t(1), t(0));
    inbox.drain();
    expect(target.calls).toEqual(["5 created 3 5 0 nil", "6 taken 4 5 1 0"]);
    expect(errors.length).toBe(4);
    expect(inbox.pending()).toBe(0);
  });

  it("leaves no argument of an earlier call in a later one's empty places", () => {
    inbox = make(1);
    inbox.callIns.UnitDestroyed.call(WIDGET, u(1), d(5), t(0), u(7), d(8), t(1), 44 as WeaponDefID);
    inbox.drain();
    inbox.callIns.UnitDestroyed.call(WIDGET, u(2), d(5), t(0));
    inbox.drain();
    expect(target.calls[1]).toBe("0 destroyed 2 5 0 nil nil nil nil");
  });

  it("stores a call without allocating", () => {
    const [measurable] = pcall(collectgarbage, "count");
    if (!measurable) return; // fengari has no collector of its own: Lua 5.1 checks it
    inbox = make(4096);
    collectgarbage("collect");
    collectgarbage("stop");
    const before = collectgarbage("count");
    for (let i = 1; i <= 1000; i++) {
      inbox.callIns.UnitCreated.call(WIDGET, u(i), d(5), t(0), u(9));
      inbox.callIns.UnitDestroyed.call(WIDGET, u(i), d(5), t(0), u(7), d(8), t(1));
      inbox.callIns.UnitDamaged.call(WIDGET, u(i), d(5), t(0), 3.5, false);
    }
    const grown = collectgarbage("count") - before;
    collectgarbage("restart");
    expect(grown).toBeLessThan(0.5); // KiB, over 3000 calls
  });

  it("stores a full inbox of the largest records, each in a frame of its own, without allocating", () => {
    const [measurable] = pcall(collectgarbage, "count");
    if (!measurable) return;
    // 1,639 records of 10 slots (a FRAME record and a UnitDestroyed's): 16,390 slots, past the
    // 16,384 of an array part made for records one slot smaller, which would grow here.
    const records = 1639;
    inbox = make(records);
    collectgarbage("collect");
    collectgarbage("stop");
    const before = collectgarbage("count");
    for (let i = 1; i <= records; i++) {
      engineFrame = i;
      inbox.callIns.UnitDestroyed.call(
        WIDGET,
        u(i),
        d(5),
        t(0),
        u(7),
        d(8),
        t(1),
        9 as WeaponDefID,
      );
    }
    const grown = collectgarbage("count") - before;
    collectgarbage("restart");
    expect(inbox.pending()).toBe(records);
    expect(target.calls.length).toBe(0);
    expect(grown).toBeLessThan(0.5); // KiB
    inbox.drain();
    expect(target.calls[records - 1]).toBe(`${records} destroyed ${records} 5 0 7 8 1 9`);
  });
});
