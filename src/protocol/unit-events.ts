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
const luaType = type;
/** %d takes the build's C int, 32 bits in some builds. */
const TWO_31 = 2 ** 31;

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
 * Whether `x` is a whole number that `%d` writes exactly. Ids written this way skip a
 * text of their own: unit ids run to about 32,000, beyond the encoder's cache of small
 * numbers' texts, and a new string per id was most of a row's cost.
 */
function whole(this: void, x: unknown): boolean {
  return (
    luaType(x) === "number" &&
    (x as number) % 1 === 0 &&
    (x as number) > -TWO_31 &&
    (x as number) < TWO_31
  );
}

/**
 * The row of one unit event, byte for byte what the encoder writes for it with the
 * `UNIT_EVENT_ROW` shape (src/protocol/shapes.ts): ids as integers, nil as null, anything
 * else as the general path writes it (null, counted).
 */
export function unitEventRow(this: void, c: UnitEventChange): string {
  switch (c.type) {
    case "unit_created": {
      const builderID = c.builderID;
      if (whole(c.unitID) && whole(c.unitDefID) && whole(c.teamID)) {
        if (builderID === undefined) {
          return format('["created",%d,%d,%d,null]', c.unitID, c.unitDefID, c.teamID);
        }
        if (whole(builderID)) {
          return format('["created",%d,%d,%d,%d]', c.unitID, c.unitDefID, c.teamID, builderID);
        }
      }
      return format(
        '["created",%s,%s,%s,%s]',
        idText(c.unitID),
        idText(c.unitDefID),
        idText(c.teamID),
        idText(builderID),
      );
    }
    case "unit_finished":
      if (whole(c.unitID) && whole(c.unitDefID) && whole(c.teamID)) {
        return format('["finished",%d,%d,%d]', c.unitID, c.unitDefID, c.teamID);
      }
      return format(
        '["finished",%s,%s,%s]',
        idText(c.unitID),
        idText(c.unitDefID),
        idText(c.teamID),
      );
    case "unit_destroyed": {
      const attackerID = c.attackerID;
      if (whole(c.unitID) && whole(c.unitDefID) && whole(c.teamID)) {
        // The attacker's four fields come together, or none (the view cannot see it).
        if (
          attackerID === undefined &&
          c.attackerDefID === undefined &&
          c.attackerTeamID === undefined &&
          c.weaponDefID === undefined
        ) {
          return format(
            '["destroyed",%d,%d,%d,null,null,null,null]',
            c.unitID,
            c.unitDefID,
            c.teamID,
          );
        }
        if (
          whole(attackerID) &&
          whole(c.attackerDefID) &&
          whole(c.attackerTeamID) &&
          whole(c.weaponDefID)
        ) {
          return format(
            '["destroyed",%d,%d,%d,%d,%d,%d,%d]',
            c.unitID,
            c.unitDefID,
            c.teamID,
            attackerID,
            c.attackerDefID,
            c.attackerTeamID,
            c.weaponDefID,
          );
        }
      }
      return format(
        '["destroyed",%s,%s,%s,%s,%s,%s,%s]',
        idText(c.unitID),
        idText(c.unitDefID),
        idText(c.teamID),
        idText(attackerID),
        idText(c.attackerDefID),
        idText(c.attackerTeamID),
        idText(c.weaponDefID),
      );
    }
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
