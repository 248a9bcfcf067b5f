// One recording line per received line: the receive time and the widget's line verbatim, so a
// replay feeds the pipeline exactly what arrived (invalid lines included) at the same pace.
//   {"t":1738000000123,"line":<the widget's JSON line, byte for byte>}
//   {"t":…,"text":"<a line that is not JSON>"}   {"t":…,"base64":"…"} (not UTF-8)
//   {"t":…,"tooLong":123456}                       lines over the limit, only their size
// An "unterminated":true marks bytes left without a newline at a disconnect. The first line
// of a file is a header: {"t":…,"recording":{…}}.
import { isUtf8 } from "node:buffer";

export const RECORDING_FORMAT = 1;

export interface RecordedLine {
  /** Receive time, milliseconds since 1970 (the receiver's clock). */
  t: number;
  /** The line's bytes, or null when it was over the line limit. */
  bytes: Buffer | null;
  byteLength: number;
  terminated: boolean;
}

const LINE_PREFIX = /^\{"t":(\d+),"line":/;

/**
 * A recording line in pieces: the widget's bytes (`body`) go to the file as they arrived,
 * without a round trip through a string; the recorder adds the newline.
 */
export interface EncodedRecord {
  head: string;
  body: Buffer | null;
  tail: string;
}

/** @param isJson true when the text parsed as JSON, so it can be embedded as is */
export function encodeRecordedLine(line: RecordedLine, isJson: boolean): EncodedRecord {
  const t = Math.round(line.t);
  const end = line.terminated ? "}" : `,"unterminated":true}`;
  if (line.bytes === null)
    return { head: `{"t":${t},"tooLong":${line.byteLength}${end}`, body: null, tail: "" };
  // Verbatim only for terminated JSON: the decoder relies on the line ending with "}".
  if (isJson && line.terminated) return { head: `{"t":${t},"line":`, body: line.bytes, tail: "}" };
  const head = isUtf8(line.bytes)
    ? `{"t":${t},"text":${JSON.stringify(line.bytes.toString("utf8"))}${end}`
    : `{"t":${t},"base64":"${line.bytes.toString("base64")}"${end}`;
  return { head, body: null, tail: "" };
}

export type DecodedRecord =
  | { kind: "line"; line: RecordedLine }
  | { kind: "header"; t: number; header: Record<string, unknown> }
  | { kind: "invalid"; reason: string };

export function decodeRecordedLine(text: string): DecodedRecord {
  const verbatim = LINE_PREFIX.exec(text);
  if (verbatim && text.endsWith("}")) {
    const bytes = Buffer.from(text.slice(verbatim[0].length, -1), "utf8");
    const line = { t: Number(verbatim[1]), bytes, byteLength: bytes.length, terminated: true };
    return { kind: "line", line };
  }
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { kind: "invalid", reason: "not JSON" };
  }
  const t = record.t;
  if (typeof t !== "number") return { kind: "invalid", reason: 'no "t"' };
  const terminated = record.unterminated !== true;
  if (typeof record.recording === "object" && record.recording !== null) {
    return { kind: "header", t, header: record.recording as Record<string, unknown> };
  }
  let bytes: Buffer | null;
  if (typeof record.text === "string") bytes = Buffer.from(record.text, "utf8");
  else if (typeof record.base64 === "string") bytes = Buffer.from(record.base64, "base64");
  else if (typeof record.tooLong === "number") {
    return { kind: "line", line: { t, bytes: null, byteLength: record.tooLong, terminated } };
  } else return { kind: "invalid", reason: "no line in the record" };
  return { kind: "line", line: { t, bytes, byteLength: bytes.length, terminated } };
}
