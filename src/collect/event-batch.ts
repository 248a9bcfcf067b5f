/**
 * Unit events as the change queue keeps them: the events of one game frame recorded one
 * after another go into one batch, a flat array of EVENT_STRIDE slots per event, not a
 * table each. A battle of 300 deaths a second makes about 900 unit events a second; a
 * table per event (a Lua constructor of six fields) cost 1.3 µs and its garbage, more than
 * the rest of recording it (docs/performance.md). The protocol writes a batch as one
 * `unit_events` message, so a batch holds at most that message's rows.
 *
 * An event's slots: its kind, unitID, unitDefID, then the kind's own values:
 * - created: teamID, builderID
 * - finished: teamID
 * - destroyed: teamID, attackerID, attackerDefID, attackerTeamID, weaponDefID
 * - given, taken: oldTeamID, newTeamID
 * A value the engine did not give is nil; a slot a kind does not use is nil.
 */
import { UNIT_EVENTS_MAX_ROWS } from "../../protocol/messages";
import type { Change, UnitEventBatch, UnitEventChange, UnitEventType } from "./model";

export const UNIT_CREATED = 1;
export const UNIT_FINISHED = 2;
export const UNIT_DESTROYED = 3;
export const UNIT_GIVEN = 4;
export const UNIT_TAKEN = 5;

/** Slots per event. */
export const EVENT_STRIDE = 8;

/** Events a batch holds at most: the rows of one `unit_events` message. */
export const BATCH_EVENTS = UNIT_EVENTS_MAX_ROWS;

/** Each kind's change type, by kind. */
export const EVENT_TYPES = new LuaTable<number, UnitEventType>();
EVENT_TYPES.set(UNIT_CREATED, "unit_created");
EVENT_TYPES.set(UNIT_FINISHED, "unit_finished");
EVENT_TYPES.set(UNIT_DESTROYED, "unit_destroyed");
EVENT_TYPES.set(UNIT_GIVEN, "unit_given");
EVENT_TYPES.set(UNIT_TAKEN, "unit_taken");

/** Each unit event type's kind; undefined for the other change types. */
export const EVENT_KINDS = new LuaTable<string, number>();
for (const [kind, type] of EVENT_TYPES) EVENT_KINDS.set(type, kind);

/** Whether `change` is a unit event (one that the queue keeps in a batch). */
export function isUnitEventChange(this: void, change: Change): change is UnitEventChange {
  return EVENT_KINDS.get(change.type) !== undefined;
}

/** The slot values of a unit event change, after its kind (see the module's comment). */
export function eventValues(
  this: void,
  c: UnitEventChange,
): LuaMultiReturn<[UnitID, UnitDefID, unknown, unknown, unknown, unknown, unknown]> {
  switch (c.type) {
    case "unit_created":
      return $multi(c.unitID, c.unitDefID, c.teamID, c.builderID, undefined, undefined, undefined);
    case "unit_finished":
      return $multi(c.unitID, c.unitDefID, c.teamID, undefined, undefined, undefined, undefined);
    case "unit_destroyed":
      return $multi(
        c.unitID,
        c.unitDefID,
        c.teamID,
        c.attackerID,
        c.attackerDefID,
        c.attackerTeamID,
        c.weaponDefID,
      );
    case "unit_given":
    case "unit_taken":
      return $multi(
        c.unitID,
        c.unitDefID,
        c.oldTeamID,
        c.newTeamID,
        undefined,
        undefined,
        undefined,
      );
  }
}

/**
 * The change of a batch's event `index` (0-based) as its own table: for observers and
 * `ChangeQueue.take`, which hand out one change per event.
 */
export function batchEvent(this: void, batch: UnitEventBatch, index: number): UnitEventChange {
  return eventChange(batch.frame, batch.slots, index * EVENT_STRIDE);
}

/** The change of the event whose slots follow `at` (its kind is at `at + 1`). */
export function eventChange(
  this: void,
  frame: number,
  slots: LuaTable<number, unknown>,
  at: number,
): UnitEventChange {
  const kind = slots.get(at + 1) as number;
  const unitID = slots.get(at + 2) as UnitID;
  const unitDefID = slots.get(at + 3) as UnitDefID;
  if (kind === UNIT_CREATED) {
    return {
      type: "unit_created",
      frame,
      unitID,
      unitDefID,
      teamID: slots.get(at + 4) as TeamID,
      builderID: slots.get(at + 5) as UnitID | undefined,
    };
  }
  if (kind === UNIT_FINISHED) {
    return { type: "unit_finished", frame, unitID, unitDefID, teamID: slots.get(at + 4) as TeamID };
  }
  if (kind === UNIT_DESTROYED) {
    return {
      type: "unit_destroyed",
      frame,
      unitID,
      unitDefID,
      teamID: slots.get(at + 4) as TeamID,
      attackerID: slots.get(at + 5) as UnitID | undefined,
      attackerDefID: slots.get(at + 6) as UnitDefID | undefined,
      attackerTeamID: slots.get(at + 7) as TeamID | undefined,
      weaponDefID: slots.get(at + 8) as WeaponDefID | undefined,
    };
  }
  return {
    type: kind === UNIT_GIVEN ? "unit_given" : "unit_taken",
    frame,
    unitID,
    unitDefID,
    oldTeamID: slots.get(at + 4) as TeamID,
    newTeamID: slots.get(at + 5) as TeamID,
  };
}
