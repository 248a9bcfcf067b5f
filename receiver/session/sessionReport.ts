// The sessions part of the console's "status": one paragraph per session, for the first few;
// the rest are counted by status (GET /api/sessions has them all).
import { plural } from "../format.ts";
import type { InvalidEntry } from "./invalidCounts.ts";
import type { SessionStatus, SessionSummary } from "./session.ts";

/** Sessions shown in full by default. */
export const STATUS_SESSION_LIMIT = 10;

/** The sessions still talking first: they are what an operator looks for. */
const ORDER: Record<SessionStatus, number> = { live: 0, stale: 1, disconnected: 2, ended: 3 };

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function describeInvalid(byReason: Record<string, InvalidEntry>): string[] {
  return Object.entries(byReason).map(
    ([reason, entry]) => `    invalid ${reason} ×${entry.count}, latest: ${entry.lastSample}`,
  );
}

function describeSession(s: SessionSummary): string[] {
  const lines = [
    `  ${s.session} ${s.status}${s.endReason ? ` (${s.endReason})` : ""}${s.connection ? ` via ${s.connection}` : ""}: ${s.mapName}, ${s.view.kind} view, widget ${s.widgetVersion}`,
    `    seq ${s.highestSeq}, ${s.linesAccepted} accepted, ${s.rates.linesPerSecond.toFixed(1)} lines/s, ${kb(s.rates.bytesPerSecond)}/s; ` +
      `${s.duplicates} duplicate, ${s.missing} missing, ${s.droppedReported} dropped by the widget, ${s.resyncsRequested} resyncs, ${s.invalid.total} invalid`,
  ];
  lines.push(...describeInvalid(s.invalid.byReason));
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
  return lines;
}

function describeRest(rest: SessionSummary[]): string {
  const byStatus = (Object.keys(ORDER) as SessionStatus[])
    .map((status) => [status, rest.filter((s) => s.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`);
  return `  … and ${rest.length} more (${byStatus.join(", ")}); GET /api/sessions lists them all`;
}

export function formatSessions(sessions: SessionSummary[], limit = STATUS_SESSION_LIMIT): string {
  if (sessions.length === 0) return "no widget session yet";
  // Within a status, the one heard from most recently first (ISO times sort as text).
  const sorted = [...sessions].sort(
    (a, b) => ORDER[a.status] - ORDER[b.status] || b.lastLineAt.localeCompare(a.lastLineAt),
  );
  const lines = [`${plural(sessions.length, "session")}:`];
  for (const session of sorted.slice(0, limit)) lines.push(...describeSession(session));
  if (sorted.length > limit) lines.push(describeRest(sorted.slice(limit)));
  return lines.join("\n");
}

/**
 * Invalid lines no session can own (before a hello, a refused token): a widget that speaks
 * another protocol shows up only here. Empty when there are none.
 */
export function formatUnattributed(invalid: {
  total: number;
  byReason: Record<string, InvalidEntry>;
}): string {
  if (invalid.total === 0) return "";
  return [
    `${plural(invalid.total, "invalid line")} outside any session (before a hello, or refused):`,
    ...describeInvalid(invalid.byReason),
  ].join("\n");
}
