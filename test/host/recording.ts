/**
 * Reads what the receiver recorded (receiver/record/): every file of a folder, grouped by
 * widget session. A receiver restarted mid-game writes a new file for the same session, and
 * a reconnect resends what was not acknowledged, so one session's lines are the union of
 * its files with duplicates by seq dropped, as a tool reading the recordings would do.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { decodeRecordedLine } from "../../receiver/record/recordingFormat.ts";
import { UNIT_EVENTS_MAX_ROWS } from "../../protocol/messages.ts";
import type { HelloMessage, OutboundMessage } from "../../protocol/messages.ts";

export type SequencedMessage = Exclude<OutboundMessage, HelloMessage>;

export interface SessionRecording {
  session: string;
  files: string[];
  /** Every hello, one per connection the receiver recorded. */
  hellos: HelloMessage[];
  /** Each seq once (its first arrival), in seq order. */
  messages: SequencedMessage[];
  /** Lines that arrived again (resent after a reconnect). */
  duplicates: number;
  /** The start of a line whose connection was cut before its end (sent again later). */
  cutOff: number;
  /** Whole lines that were not a JSON object (the receiver records those too). */
  unreadable: number;
}

/** Every session recorded in `dir` (files ending .ndjson). */
export function readRecordings(dir: string): Map<string, SessionRecording> {
  const sessions = new Map<string, SessionRecording>();
  const bySeq = new Map<string, Map<number, SequencedMessage>>();
  // (the receiver makes the folder when its first session starts)
  const files = (existsSync(dir) ? readdirSync(dir) : [])
    .filter((f) => f.endsWith(".ndjson"))
    .sort();
  for (const file of files) {
    let current: SessionRecording | undefined;
    for (const text of readFileSync(path.join(dir, file), "utf8").split("\n")) {
      if (text === "") continue;
      const record = decodeRecordedLine(text);
      if (record.kind === "header") {
        const id = String(record.header.session);
        current = sessions.get(id);
        if (!current) {
          current = {
            session: id,
            files: [],
            hellos: [],
            messages: [],
            duplicates: 0,
            cutOff: 0,
            unreadable: 0,
          };
          sessions.set(id, current);
          bySeq.set(id, new Map());
        }
        if (!current.files.includes(file)) current.files.push(file);
        continue;
      }
      if (!current) throw new Error(`${file}: a line before the header`);
      if (record.kind === "line" && !record.line.terminated) {
        current.cutOff++;
        continue;
      }
      if (record.kind !== "line" || record.line.bytes === null) {
        current.unreadable++;
        continue;
      }
      let message: OutboundMessage;
      try {
        message = JSON.parse(record.line.bytes.toString("utf8")) as OutboundMessage;
      } catch {
        current.unreadable++;
        continue;
      }
      if (message.type === "hello") {
        current.hellos.push(message);
        continue;
      }
      const seen = bySeq.get(current.session)!;
      if (seen.has(message.seq)) current.duplicates++;
      else seen.set(message.seq, message);
    }
  }
  for (const [id, session] of sessions) {
    session.messages = [...bySeq.get(id)!.values()].sort((a, b) => a.seq - b.seq);
  }
  return sessions;
}

/** The one session recorded in `dir`; throws when there is not exactly one. */
export function readOneSession(dir: string): SessionRecording {
  const sessions = [...readRecordings(dir).values()];
  if (sessions.length !== 1) {
    throw new Error(`${dir}: expected one recorded session, found ${sessions.length}`);
  }
  return sessions[0]!;
}

/** The messages of one type, typed. */
export function ofType<T extends SequencedMessage["type"]>(
  messages: SequencedMessage[],
  type: T,
): Extract<SequencedMessage, { type: T }>[] {
  return messages.filter((m): m is Extract<SequencedMessage, { type: T }> => m.type === type);
}

/**
 * One unit event as a `unit_events` row carries it (docs/protocol.md), with the seq and
 * frame of its message and its fields by name.
 */
export type UnitEvent = { seq: number; frame: number; unitID: number; unitDefID: number } & (
  | { kind: "created"; teamID: number; builderID: number | null }
  | { kind: "finished"; teamID: number }
  | {
      kind: "destroyed";
      teamID: number;
      attackerID: number | null;
      attackerDefID: number | null;
      attackerTeamID: number | null;
      weaponDefID: number | null;
    }
  | { kind: "given" | "taken"; oldTeamID: number; newTeamID: number }
);

/** Each kind's row: which of its fields (after the kind) may be null. */
const ROW_NULLABLE: Record<UnitEvent["kind"], boolean[]> = {
  created: [false, false, false, true],
  finished: [false, false, false],
  destroyed: [false, false, false, true, true, true, true],
  given: [false, false, false, false],
  taken: [false, false, false, false],
};

/**
 * The unit events of the `unit_events` messages, in seq order and in each message's row
 * order. Throws on a message with no rows or more than UNIT_EVENTS_MAX_ROWS, or on a row
 * that is not one of the five kinds with its fields (integers, null only where allowed).
 */
export function unitEvents(messages: SequencedMessage[]): UnitEvent[] {
  const out: UnitEvent[] = [];
  for (const m of ofType(messages, "unit_events")) {
    const where = `unit_events seq ${m.seq}`;
    if (m.events.length < 1 || m.events.length > UNIT_EVENTS_MAX_ROWS) {
      throw new Error(`${where}: ${m.events.length} rows`);
    }
    for (const row of m.events as unknown[]) {
      const nullable = Array.isArray(row) ? ROW_NULLABLE[row[0] as UnitEvent["kind"]] : undefined;
      if (
        !Array.isArray(row) ||
        !Object.hasOwn(ROW_NULLABLE, row[0] as string) ||
        nullable === undefined ||
        row.length !== nullable.length + 1 ||
        !nullable.every((ok, i) => Number.isInteger(row[i + 1]) || (ok && row[i + 1] === null))
      ) {
        throw new Error(`${where}: not a unit event row: ${JSON.stringify(row)}`);
      }
      const kind = row[0] as UnitEvent["kind"];
      const [, unitID, unitDefID, a, b, c, d, e] = row as [string, ...(number | null)[]];
      const base = { seq: m.seq, frame: m.frame, unitID: unitID!, unitDefID: unitDefID! };
      switch (kind) {
        case "created":
          out.push({ ...base, kind, teamID: a!, builderID: b ?? null });
          break;
        case "finished":
          out.push({ ...base, kind, teamID: a! });
          break;
        case "destroyed":
          out.push({
            ...base,
            kind,
            teamID: a!,
            attackerID: b ?? null,
            attackerDefID: c ?? null,
            attackerTeamID: d ?? null,
            weaponDefID: e ?? null,
          });
          break;
        case "given":
        case "taken":
          out.push({ ...base, kind, oldTeamID: a!, newTeamID: b! });
          break;
      }
    }
  }
  return out;
}

/** The unit events of one kind, typed. */
export function ofKind<K extends UnitEvent["kind"]>(
  events: UnitEvent[],
  kind: K,
): Extract<UnitEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<UnitEvent, { kind: K }> => e.kind === kind);
}
