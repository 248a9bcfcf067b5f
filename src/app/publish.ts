/**
 * Another widget's events for the stream (`WG.LiveDataExport.publish(type, fields)`):
 * checked here, then recorded by the collector in order with the game's own changes,
 * so they go through the same queue, budget, backlog and loss accounting (gaps count
 * them as `ext`). Pure.
 */
import type { ExtFields } from "../collect/model";
import { keyText, quoteInput } from "./format";

/** What one event may hold: a notice, not a data dump. */
export const PUBLISH_LIMITS = {
  /** Fields per event. */
  fields: 32,
  /** Characters of a field's name. */
  nameLength: 32,
  /** Bytes of a text value. */
  textBytes: 256,
  /** Events accepted per second of wall-clock time; beyond, each is refused. */
  perSecond: 50,
};

/** The wire type: `ext.<widget>.<name>`, parts of a-z, 0-9, _ (protocol EXT_TYPE_PATTERN). */
const PART = "[a-z0-9_]+";
const TYPE_PATTERN = `^ext%.(${PART})%.(${PART})$`;
const NAME_PATTERN = "^[%a_][%w_]*$";

/** What `publish` returns: `{ok = true}` or `{ok = false, error = why}`. */
export interface PublishResult {
  ok: boolean;
  error?: string;
}

/** The event's fields as recorded, or why it is refused: `[fields]` or `[undefined, why]`. */
export function checkEvent(
  eventType: unknown,
  fields: unknown,
): LuaMultiReturn<[ExtFields, undefined] | [undefined, string]> {
  if (typeof eventType !== "string") {
    return $multi(undefined, `the type is a ${type(eventType)}, not text`);
  }
  const [widgetPart, namePart] = string.match(eventType, TYPE_PATTERN);
  if (widgetPart === undefined || widgetPart.length > 32 || namePart!.length > 32) {
    return $multi(
      undefined,
      `type ${quoteInput(eventType)} is not ext.<widget>.<name> (each 1-32 of a-z, 0-9, _)`,
    );
  }
  const out: ExtFields = new LuaMap();
  if (fields === undefined) return $multi(out, undefined);
  if (type(fields) !== "table")
    return $multi(undefined, `fields are a ${type(fields)}, not a table`);
  let count = 0;
  for (const [key, value] of pairs(fields as LuaTable<AnyNotNil, unknown>)) {
    count += 1;
    if (count > PUBLISH_LIMITS.fields) {
      return $multi(undefined, `more than ${PUBLISH_LIMITS.fields} fields`);
    }
    const name = keyText(key);
    if (
      typeof key !== "string" ||
      key.length > PUBLISH_LIMITS.nameLength ||
      string.find(key, NAME_PATTERN)[0] === undefined
    ) {
      return $multi(
        undefined,
        `field name ${quoteInput(name)} is not an identifier of 1-32 characters`,
      );
    }
    if (typeof value === "string") {
      if (value.length > PUBLISH_LIMITS.textBytes) {
        return $multi(undefined, `field ${name} is longer than ${PUBLISH_LIMITS.textBytes} bytes`);
      }
    } else if (typeof value === "number") {
      // nan fails every comparison; ±inf is beyond every finite number.
      if (!(value > -math.huge && value < math.huge)) {
        return $multi(undefined, `field ${name} is not a finite number`);
      }
    } else if (typeof value !== "boolean") {
      return $multi(undefined, `field ${name} is a ${type(value)}: only text, numbers, true/false`);
    }
    out.set(key, value as string | number | boolean);
  }
  return $multi(out, undefined);
}
