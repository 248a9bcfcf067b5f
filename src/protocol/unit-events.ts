/**
 * The unit events' rows (`unit_events` in docs/protocol.md): the change queue keeps the
 * unit events of one game frame recorded one after another in a batch (flat slots, no
 * table per event: src/collect/event-batch.ts); the session writes a batch as the rows of
 * a single message. At 900 events a second (the host's scale game) a line of its own per
 * event cost the session about 10 µs each (docs/performance.md); a row is one
 * `string.format`.
 */
import { ChangeQueue } from "../collect/changes";
import {
  EVENT_STRIDE,
  UNIT_CREATED,
  UNIT_DESTROYED,
  UNIT_FINISHED,
  UNIT_GIVEN,
} from "../collect/event-batch";
import type { UnitEventBatch, UnitEventChange } from "../collect/model";
import { idText } from "./json";

const format = string.format;
const luaType = type;
/** %d takes the build's C int, 32 bits in some builds. */
const TWO_31 = 2 ** 31;

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
 * Writes the rows of `batch` into rows[1..count] (the caller joins them), byte for byte
 * what the encoder writes for them with the `UNIT_EVENT_ROW` shape
 * (src/protocol/shapes.ts): ids as integers, nil as null, anything else as the general
 * path writes it (null, counted).
 */
export function writeUnitEventRows(
  this: void,
  batch: UnitEventBatch,
  rows: LuaTable<number, string>,
): void {
  const slots = batch.slots;
  for (let i = 0; i < batch.count; i++) rows.set(i + 1, rowAt(slots, i * EVENT_STRIDE));
}

/**
 * The row of one unit event given as a change of its own (the writer's tests): packed by
 * the change queue, as the collector's events are.
 */
export function unitEventRow(this: void, change: UnitEventChange): string {
  const queue = new ChangeQueue();
  queue.push(change);
  return rowAt((queue.shift() as UnitEventBatch).slots, 0);
}

/** The row of the event whose slots follow `at` (src/collect/event-batch.ts). */
function rowAt(this: void, slots: LuaTable<number, unknown>, at: number): string {
  const kind = slots.get(at + 1);
  const unitID = slots.get(at + 2);
  const unitDefID = slots.get(at + 3);
  const a = slots.get(at + 4);
  const b = slots.get(at + 5);
  const plain = whole(unitID) && whole(unitDefID) && whole(a);
  if (kind === UNIT_CREATED) {
    if (plain) {
      if (b === undefined) return format('["created",%d,%d,%d,null]', unitID, unitDefID, a);
      if (whole(b)) return format('["created",%d,%d,%d,%d]', unitID, unitDefID, a, b);
    }
    return format(
      '["created",%s,%s,%s,%s]',
      idText(unitID),
      idText(unitDefID),
      idText(a),
      idText(b),
    );
  }
  if (kind === UNIT_FINISHED) {
    if (plain) return format('["finished",%d,%d,%d]', unitID, unitDefID, a);
    return format('["finished",%s,%s,%s]', idText(unitID), idText(unitDefID), idText(a));
  }
  if (kind === UNIT_DESTROYED) {
    const c = slots.get(at + 6);
    const d = slots.get(at + 7);
    const e = slots.get(at + 8);
    if (plain) {
      // The attacker's four fields come together, or none (the view cannot see it).
      if (b === undefined && c === undefined && d === undefined && e === undefined) {
        return format('["destroyed",%d,%d,%d,null,null,null,null]', unitID, unitDefID, a);
      }
      if (whole(b) && whole(c) && whole(d) && whole(e)) {
        return format('["destroyed",%d,%d,%d,%d,%d,%d,%d]', unitID, unitDefID, a, b, c, d, e);
      }
    }
    return format(
      '["destroyed",%s,%s,%s,%s,%s,%s,%s]',
      idText(unitID),
      idText(unitDefID),
      idText(a),
      idText(b),
      idText(c),
      idText(d),
      idText(e),
    );
  }
  return format(
    kind === UNIT_GIVEN ? '["given",%s,%s,%s,%s]' : '["taken",%s,%s,%s,%s]',
    idText(unitID),
    idText(unitDefID),
    idText(a),
    idText(b),
  );
}
