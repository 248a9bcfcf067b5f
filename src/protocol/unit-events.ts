/**
 * The unit events' rows (`unit_events` in docs/protocol.md): the change queue keeps the
 * unit events of one game frame recorded one after another in a batch (flat slots, no
 * table per event: src/collect/event-batch.ts); the session writes a batch as the rows of
 * a single message. At 900 events a second (the host's scale game) a line of its own per
 * event cost the session about 10 µs each (docs/performance.md); a batch's rows are one
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
import { idText, TWO_31, unpackList } from "./json";

const format = string.format;
const luaType = type;

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

/** `whole` of three values in one call (a row's first three values). */
function wholes3(this: void, x: unknown, y: unknown, z: unknown): boolean {
  if (luaType(x) !== "number" || luaType(y) !== "number" || luaType(z) !== "number") {
    return false;
  }
  const a = x as number;
  const b = y as number;
  const c = z as number;
  return (
    a % 1 === 0 &&
    b % 1 === 0 &&
    c % 1 === 0 &&
    a > -TWO_31 &&
    a < TWO_31 &&
    b > -TWO_31 &&
    b < TWO_31 &&
    c > -TWO_31 &&
    c < TWO_31
  );
}

// The common rows' formats: every value a whole number, or nil written as null.
const CREATED_ROW = '["created",%d,%d,%d,%d]';
const CREATED_NO_BUILDER_ROW = '["created",%d,%d,%d,null]';
const FINISHED_ROW = '["finished",%d,%d,%d]';
/**
 * A destroyed row's format by which of its last four values (attackerID, attackerDefID,
 * attackerTeamID, weaponDefID) are there: the sum of 1, 2, 4, 8 for each one there, the
 * others null. The engine leaves out the attacker's fields the view cannot see, its def
 * when it is not typed, and the weapon on its own (docs: bar-game-data.md); only the
 * rows with all four or none had a format of their own, and the others (in the host's
 * battle a third of all rows) were written value by value at several times the cost.
 */
const DESTROYED_ROWS = new LuaTable<number, string>();
/** Each of the four values' part of a destroyed row's mask, in their order. */
const DESTROYED_BITS = [1, 2, 4, 8];
for (let mask = 0; mask < 16; mask++) {
  const fields: string[] = [];
  for (const bit of DESTROYED_BITS) fields.push(mask % (bit * 2) >= bit ? "%d" : "null");
  DESTROYED_ROWS.set(mask, `["destroyed",%d,%d,%d,${fields.join(",")}]`);
}
/** Any other row, written on its own by rowAt. */
const TEXT_ROW = "%s";

/** Reused by unitEventsText: each row's format, and the values they take in order. */
const rowFormats = new LuaTable<number, string>();
const rowValues = new LuaTable<number, unknown>();

/**
 * The rows of `batch` joined by commas, byte for byte what the encoder writes for them
 * with the `UNIT_EVENT_ROW` shape (src/protocol/shapes.ts): ids as integers, nil as
 * null, anything else as the general path writes it (null, counted).
 *
 * One `string.format` for the whole batch (its format joined from each row's): a
 * string of its own per row cost a format call, a new string in Lua's string table and
 * a `table.concat` of them all (docs/performance.md). At most UNIT_EVENTS_MAX_ROWS rows
 * of at most 7 values each: well inside what `unpack` may put on Lua's stack.
 */
export function unitEventsText(this: void, batch: UnitEventBatch): string {
  const slots = batch.slots;
  const formats = rowFormats;
  const values = rowValues;
  const count = batch.count;
  let n = 0;
  for (let i = 0; i < count; i++) {
    const at = i * EVENT_STRIDE;
    const kind = slots.get(at + 1);
    const unitID = slots.get(at + 2);
    const unitDefID = slots.get(at + 3);
    const a = slots.get(at + 4);
    let row = TEXT_ROW;
    // Values after the first three, written from values[n + 4] on.
    let more = 0;
    if (wholes3(unitID, unitDefID, a)) {
      const b = slots.get(at + 5);
      if (kind === UNIT_FINISHED) {
        row = FINISHED_ROW;
      } else if (kind === UNIT_CREATED) {
        if (b === undefined) row = CREATED_NO_BUILDER_ROW;
        else if (whole(b)) {
          row = CREATED_ROW;
          values.set(n + 4, b);
          more = 1;
        }
      } else if (kind === UNIT_DESTROYED) {
        let mask = 0;
        let plain = true;
        for (let k = 0; k < 4; k++) {
          const v = slots.get(at + 5 + k);
          if (v !== undefined) {
            if (whole(v)) {
              more += 1;
              values.set(n + 3 + more, v);
              mask += DESTROYED_BITS[k];
            } else {
              plain = false;
            }
          }
        }
        if (plain) row = DESTROYED_ROWS.get(mask);
      }
    }
    formats.set(i + 1, row);
    if (row === TEXT_ROW) {
      values.set(n + 1, rowAt(slots, at));
      n += 1;
    } else {
      values.set(n + 1, unitID);
      values.set(n + 2, unitDefID);
      values.set(n + 3, a);
      n += 3 + more;
    }
  }
  return format(
    table.concat(formats as unknown as string[], ",", 1, count),
    ...unpackList(values as unknown as unknown[], 1, n),
  );
}

/**
 * The rows of unit events given as changes of their own, of one frame (the writer's
 * tests), packed by the change queue as the collector's events are: what
 * `unitEventsText` writes for their batch.
 */
export function unitEventsTextOf(this: void, changes: UnitEventChange[]): string {
  const queue = new ChangeQueue();
  for (const change of changes) queue.push(change);
  return unitEventsText(queue.shift() as UnitEventBatch);
}

/** The row of one unit event given as a change of its own (the writer's tests). */
export function unitEventRow(this: void, change: UnitEventChange): string {
  return unitEventsTextOf([change]);
}

/**
 * The row of the event whose slots follow `at` (src/collect/event-batch.ts), value by
 * value as the general path writes it: for the rows unitEventsText has no format for (a
 * value that is not a whole number, given, taken).
 */
function rowAt(this: void, slots: LuaTable<number, unknown>, at: number): string {
  const kind = slots.get(at + 1);
  const unitID = idText(slots.get(at + 2));
  const unitDefID = idText(slots.get(at + 3));
  const a = idText(slots.get(at + 4));
  if (kind === UNIT_FINISHED) return format('["finished",%s,%s,%s]', unitID, unitDefID, a);
  const b = idText(slots.get(at + 5));
  if (kind === UNIT_CREATED) return format('["created",%s,%s,%s,%s]', unitID, unitDefID, a, b);
  if (kind === UNIT_DESTROYED) {
    return format(
      '["destroyed",%s,%s,%s,%s,%s,%s,%s]',
      unitID,
      unitDefID,
      a,
      b,
      idText(slots.get(at + 6)),
      idText(slots.get(at + 7)),
      idText(slots.get(at + 8)),
    );
  }
  return format(
    kind === UNIT_GIVEN ? '["given",%s,%s,%s,%s]' : '["taken",%s,%s,%s,%s]',
    unitID,
    unitDefID,
    a,
    b,
  );
}
