// Replays a recording through the receiver's pipeline as if the widget were connected, at the
// recorded pace times `speed` (0: as fast as possible). The clock and the wait are injectable
// so tests do not depend on real time.
import { createReadStream } from "node:fs";
import readline from "node:readline";
import type { Receiver } from "../receiver.ts";
import { decodeRecordedLine } from "./recordingFormat.ts";

export interface ReplayOptions {
  /** 1 = recorded pace, 10 = ten times faster, 0 = no waiting. */
  speed: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

export interface ReplayResult {
  lines: number;
  /** Recording lines that were not understood (a damaged file). */
  skipped: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function replayRecording(
  file: string,
  receiver: Receiver,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const connection = receiver.open({
    label: `replay ${file}`,
    trusted: true,
    reply: () => undefined,
    close: () => undefined,
  });
  const input = createReadStream(file);
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const result: ReplayResult = { lines: 0, skipped: 0 };
  let firstT: number | null = null;
  const startedAt = now();
  try {
    for await (const text of lines) {
      if (options.signal?.aborted) break;
      if (text.trim() === "") continue;
      const record = decodeRecordedLine(text);
      if (record.kind === "invalid") {
        result.skipped++;
        continue;
      }
      if (record.kind === "header") continue;
      const { line } = record;
      firstT ??= line.t;
      if (options.speed > 0) {
        const due = startedAt + (line.t - firstT) / options.speed;
        const wait = due - now();
        if (wait > 0) await sleep(wait);
      }
      connection.line(line.bytes, line.byteLength, line.terminated);
      result.lines++;
    }
  } finally {
    lines.close();
    input.destroy();
    connection.closed();
  }
  return result;
}
