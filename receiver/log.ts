// The log format of the CLI: every message starts with a local timestamp, and the
// continuation lines of a multi-line message are indented under it, so the output stays
// easy to scan and to grep by time.
import { formatTimestamp } from "./format.ts";

/**
 * What a message is about, when the same message can come once per client: such messages
 * may be summarised (receiver/logLimiter.ts). Messages without a kind are always shown.
 */
export type LogKind =
  "connect" | "disconnect" | "session" | "recording" | "invalid" | "refused" | "sync";

/** Receives one message; the message may span several lines. */
export type Log = (message: string, kind?: LogKind) => void;

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
