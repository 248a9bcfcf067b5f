// The sessions part of the console's "status": one paragraph per session.
import { plural } from "../format.ts";
import type { SessionSummary } from "./session.ts";

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function formatSessions(sessions: SessionSummary[]): string {
  if (sessions.length === 0) return "no widget session yet";
  const lines = [`${plural(sessions.length, "session")}:`];
  for (const s of sessions) {
    lines.push(
      `  ${s.session} ${s.status}${s.endReason ? ` (${s.endReason})` : ""}${s.connection ? ` via ${s.connection}` : ""}: ${s.mapName}, ${s.view.kind} view, widget ${s.widgetVersion}`,
      `    seq ${s.highestSeq}, ${s.linesAccepted} accepted, ${s.rates.linesPerSecond.toFixed(1)} lines/s, ${kb(s.rates.bytesPerSecond)}/s; ` +
        `${s.duplicates} duplicate, ${s.missing} missing, ${s.droppedReported} dropped by the widget, ${s.resyncsRequested} resyncs, ${s.invalid.total} invalid`,
    );
    for (const [reason, entry] of Object.entries(s.invalid.byReason)) {
      lines.push(`    invalid ${reason} ×${entry.count}, latest: ${entry.lastSample}`);
    }
    const hb = s.heartbeat;
    if (hb) {
      lines.push(
        `    widget: produced ${hb.produced}, acknowledged ${hb.acknowledged}, queued ${hb.queuedMessages} (${kb(hb.queuedBytes)}), dropped ${hb.dropped}, ` +
          `frame cost ${hb.frameCostMeanMs ?? "?"} ms mean / ${hb.frameCostMaxMs ?? "?"} ms max`,
      );
    }
    if (s.recording) {
      lines.push(
        s.recording.error
          ? `    ${s.recording.error}`
          : `    recording ${s.recording.path} (${plural(s.recording.lines, "line")}${s.recording.open ? "" : "; closed until the widget reconnects"})`,
      );
    }
  }
  return lines.join("\n");
}
