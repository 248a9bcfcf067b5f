/** Widget-side protocol: the JSON encoder, the shape of every message, and the session. */
export {
  arrayItem,
  encode,
  encodeLine,
  encodeElements,
  encodeHead,
  encodeInto,
  encodeTail,
  encoderCounts,
  num,
  numberRecordRows,
  numberText,
  object,
  quote,
  recordRows,
  str,
} from "./json";
export { extShape, OUTBOUND_SHAPES, UNIT_EVENT_ROW } from "./shapes";
export { unitEventRow, unitEventsTextOf } from "./unit-events";
export { SlicedEncoder } from "./sliced";
export { Session } from "./session";
// The queue a session reads (the collector's), for tests that drive a session alone.
export { ChangeQueue } from "../collect/changes";
export { makeSessionID } from "./session-id";
export { TEAM_UNITS_ROWS } from "./wire";
