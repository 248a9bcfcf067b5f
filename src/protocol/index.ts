/** Widget-side protocol: the JSON encoder, the shape of every message, and the session. */
export {
  encode,
  encodeLine,
  encodeElements,
  encodeHead,
  encodeInto,
  encodeTail,
  encoderCounts,
  numberText,
  quote,
  recordRows,
} from "./json";
export { extShape, OUTBOUND_SHAPES } from "./shapes";
export { SlicedEncoder } from "./sliced";
export { Session } from "./session";
export { makeSessionID } from "./session-id";
export { TEAM_UNITS_ROWS } from "./wire";
