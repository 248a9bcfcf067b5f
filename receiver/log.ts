// The log format of the CLI: every message starts with a local timestamp, and the
// continuation lines of a multi-line message are indented under it, so the output stays
// easy to scan and to grep by time.
import { formatTimestamp } from "./format.ts";

/** Receives one message; the message may span several lines. */
export type Log = (message: string) => void;

export function createTimestampedLog(
  write: (text: string) => void,
  now: () => Date = () => new Date(),
): Log {
  return (message) => {
    const stamp = formatTimestamp(now());
    const indent = " ".repeat(stamp.length + 1);
    write(`${stamp} ${message.split("\n").join(`\n${indent}`)}\n`);
  };
}
