/** Widget-side protocol encoding: the JSON encoder and the shape of every message. */
export {
  encode,
  encodeElements,
  encodeHead,
  encodeInto,
  encodeTail,
  encoderCounts,
  numberText,
  quote,
} from "./json";
export { OUTBOUND_SHAPES } from "./shapes";
