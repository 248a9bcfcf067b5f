// Turns one received line into a protocol message or a reason it is not one. Every reason is
// a short stable key (counted per session and shown in the status), with a detail for the log.
import { isUtf8 } from "node:buffer";
import { EXT_TYPE_PATTERN, OUTBOUND_TYPES } from "../../protocol/messages.ts";
import type { OutboundMessage } from "../../protocol/messages.ts";
import type { MessageValidator } from "./validator.ts";

export type InvalidReason =
  | "too-long"
  | "unterminated"
  | "not-utf8"
  | "not-json"
  | "not-an-object"
  | "unknown-type"
  | `schema:${string}`;

export type ParsedLine =
  | { ok: true; message: OutboundMessage; text: string }
  | { ok: false; reason: InvalidReason; detail: string; seq?: number };

const KNOWN_TYPES = new Set<string>(OUTBOUND_TYPES);
/** Another widget's events (`ext.<widget>.<name>`): a family, not one type. */
const EXT_TYPE = new RegExp(EXT_TYPE_PATTERN);
/** Characters of the offending line kept in a sample. */
export const SAMPLE_CHARS = 200;

function sample(text: string): string {
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text;
}

/**
 * @param bytes the line without its newline, or null when it was over the line limit
 * @param terminated false for bytes left without a newline when the client went away
 */
export function parseLine(
  bytes: Buffer | null,
  byteLength: number,
  terminated: boolean,
  validate: MessageValidator,
): ParsedLine {
  if (bytes === null) return { ok: false, reason: "too-long", detail: `${byteLength} bytes` };
  // A line cut by a disconnect is never trusted, even if it happens to parse.
  if (!terminated) return { ok: false, reason: "unterminated", detail: `${byteLength} bytes` };
  if (!isUtf8(bytes)) return { ok: false, reason: "not-utf8", detail: `${byteLength} bytes` };
  const text = bytes.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reason: "not-json",
      detail: `${(error as Error).message}: ${sample(text)}`,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "not-an-object", detail: sample(text) };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string" || !(KNOWN_TYPES.has(type) || EXT_TYPE.test(type))) {
    return { ok: false, reason: "unknown-type", detail: sample(text) };
  }
  const error = validate(value);
  if (error) {
    const seq = (value as { seq?: unknown }).seq;
    return {
      ok: false,
      reason: `schema:${type}`,
      detail: `${error.path || "/"} ${error.message}: ${sample(text)}`,
      // The seq of a message that could not be used: the state lacks it (a resync may follow).
      ...(Number.isSafeInteger(seq) && (seq as number) > 0 ? { seq: seq as number } : {}),
    };
  }
  return { ok: true, message: value as OutboundMessage, text };
}
