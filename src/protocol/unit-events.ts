/**
 * The unit events' rows (`unit_events` in docs/protocol.md): the collector records one
 * change per engine call-in (`unit_created`, ...); the session writes the changes of one
 * game frame that follow one another as the rows of a single message. At 900 events a
 * second (the host's scale game) a line of its own per event cost the session about
 * 10 µs each (docs/performance.md); a row is one `string.format`.
 */
import type { Change } from "../collect/model";
import { idText } from "./json";

const format = string.format;

/** A change the `unit_events` message carries. */
export type UnitEventChange = Extract<
  Change,
  { type: "unit_created" | "unit_finished" | "unit_destroyed" | "unit_given" | "unit_taken" }
>;

/** Each unit event change's row tag (UnitEventRow in protocol/messages.ts). */
const TAGS = new LuaTable<string, string>();
TAGS.set("unit_created", "created");
TAGS.set("unit_finished", "finished");
TAGS.set("unit_destroyed", "destroyed");
TAGS.set("unit_given", "given");
TAGS.set("unit_taken", "taken");

/** Whether `change` is a unit event (a row of `unit_events`). */
export function isUnitEvent(this: void, change: Change): change is UnitEventChange {
  return TAGS.get(change.type) !== undefined;
}

/**
 * The row of one unit event, byte for byte what the encoder writes for it with the
 * `UNIT_EVENT_ROW` shape (src/protocol/shapes.ts): ids as integers, nil as null.
 */
export function unitEventRow(this: void, c: UnitEventChange): string {
  switch (c.type) {
    case "unit_created":
      return format(
        '["created",%s,%s,%s,%s]',
        idText(c.unitID),
        idText(c.unitDefID),
        idText(c.teamID),
        idText(c.builderID),
      );
    case "unit_finished":
      return format(
        '["finished",%s,%s,%s]',
        idText(c.unitID),
        idText(c.unitDefID),
        idText(c.teamID),
      );
    case "unit_destroyed":
      return format(
        '["destroyed",%s,%s,%s,%s,%s,%s,%s]',
        idText(c.unitID),
        idText(c.unitDefID),
        idText(c.teamID),
        idText(c.attackerID),
        idText(c.attackerDefID),
        idText(c.attackerTeamID),
        idText(c.weaponDefID),
      );
    case "unit_given":
    case "unit_taken":
      return format(
        c.type === "unit_given" ? '["given",%s,%s,%s,%s]' : '["taken",%s,%s,%s,%s]',
        idText(c.unitID),
        idText(c.unitDefID),
        idText(c.oldTeamID),
        idText(c.newTeamID),
      );
  }
}
