// The receiver's pipeline without sockets: lines in through fake connections, answers out,
// time from a test clock. Covers the protocol duties (hello, ack, duplicates, gaps, resync,
// token), validation counts and recording.
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { OutboundMessage } from "../../protocol/messages.ts";
import { decodeRecordedLine } from "../../receiver/record/recordingFormat.ts";
import { Receiver } from "../../receiver/receiver.ts";
import type { ConnectionHandle, ReceiverOptions } from "../../receiver/receiver.ts";
import { FIXTURE } from "./helpers.ts";

const HELLO = FIXTURE[0]!;
const SESSION = (JSON.parse(HELLO) as { session: string }).session;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "receiver-test-"));
  dirs.push(dir);
  return dir;
}

class FakeConnection {
  replies: Record<string, unknown>[] = [];
  closed = false;
  handle: ConnectionHandle;
  constructor(receiver: Receiver, label: string, trusted = false) {
    this.handle = receiver.open({
      label,
      trusted,
      reply: (line) => this.replies.push(JSON.parse(line) as Record<string, unknown>),
      close: () => (this.closed = true),
    });
  }
  send(...lines: string[]): void {
    for (const line of lines) this.handle.line(Buffer.from(line), Buffer.byteLength(line), true);
  }
  repliesOf(type: string): Record<string, unknown>[] {
    return this.replies.filter((reply) => reply.type === type);
  }
}

function setup(options: Partial<ReceiverOptions> = {}) {
  const clock = { now: 1_700_000_000_000 };
  const logs: string[] = [];
  const receiver = new Receiver({
    recordingsDir: null,
    now: () => clock.now,
    log: (message) => logs.push(message),
    ...options,
  });
  return { receiver, clock, logs };
}

const line = (seq: number, type = "game_started"): string =>
  JSON.stringify({ type, seq, frame: seq } as OutboundMessage);

describe("protocol duties", () => {
  it("answers hello, then acknowledges the highest seq on the next tick, not per line", () => {
    const { receiver } = setup();
    const widget = new FakeConnection(receiver, "#1");
    widget.send(...FIXTURE.slice(0, 6));
    expect(widget.repliesOf("hello_reply")).toEqual([
      { type: "hello_reply", protocol: 2, receiver: "bar-live-receiver", version: "0.1.0" },
    ]);
    expect(widget.repliesOf("ack")).toEqual([]);
    receiver.tick();
    expect(widget.repliesOf("ack")).toEqual([{ type: "ack", seq: 5, session: SESSION }]);
    receiver.tick();
    expect(widget.repliesOf("ack")).toHaveLength(1);
  });

  it("drops duplicates by (session, seq) after a reconnect resends", () => {
    const { receiver } = setup();
    const first = new FakeConnection(receiver, "#1");
    first.send(...FIXTURE.slice(0, 6));
    first.handle.closed();
    const second = new FakeConnection(receiver, "#2");
    second.send(HELLO, ...FIXTURE.slice(4, 9));
    const [summary] = receiver.summaries();
    expect(summary!.duplicates).toBe(2);
    expect(summary!.linesAccepted).toBe(8);
    expect(summary!.connections).toBe(2);
    const messages = receiver.feed.after(0).events.filter((e) => e.kind === "message");
    expect(
      messages.map((e) => (e.kind === "message" && e.message.type !== "hello" ? e.message.seq : 0)),
    ).toEqual([0, 1, 2, 3, 4, 5, 0, 6, 7, 8]);
    receiver.tick();
    expect(second.repliesOf("ack")).toEqual([{ type: "ack", seq: 8, session: SESSION }]);
  });

  it("takes a gap message as the explanation of a hole: no resync", () => {
    const { receiver, clock } = setup();
    const widget = new FakeConnection(receiver, "#1");
    // The fixture holds seq 19, then the gap (seq 26) for 20..25, then a snapshot.
    widget.send(...FIXTURE);
    clock.now += 10_000;
    receiver.tick();
    expect(widget.repliesOf("resync")).toEqual([]);
    const [summary] = receiver.summaries();
    expect(summary!.missing).toBe(0);
    expect(summary!.droppedReported).toBe(6);
  });

  it("does not ask for a resync for a hole a gap message explains, even before its snapshot", () => {
    const { receiver, clock } = setup();
    const widget = new FakeConnection(receiver, "#1");
    widget.send(...FIXTURE.slice(0, 4));
    widget.send(
      JSON.stringify({
        type: "gap",
        seq: 10,
        frame: 1,
        firstSeq: 4,
        lastSeq: 9,
        dropped: 6,
        counts: [{ type: "economy", count: 6 }],
      }),
    );
    clock.now += 10_000;
    receiver.tick();
    expect(widget.repliesOf("resync")).toEqual([]);
    expect(receiver.summaries()[0]!.missing).toBe(0);
  });

  it("asks for a resync when a hole stays unexplained, once per interval, and stops after a snapshot", () => {
    const { receiver, clock } = setup({ resyncAfterMs: 2000 });
    const widget = new FakeConnection(receiver, "#1");
    widget.send(...FIXTURE.slice(0, 4), line(9));
    receiver.tick();
    expect(widget.repliesOf("resync")).toHaveLength(0);
    clock.now += 1999;
    receiver.tick();
    expect(widget.repliesOf("resync")).toHaveLength(0);
    clock.now += 1;
    receiver.tick();
    expect(widget.repliesOf("resync")).toHaveLength(1);
    receiver.tick();
    expect(widget.repliesOf("resync")).toHaveLength(1);
    clock.now += 2000;
    receiver.tick();
    expect(widget.repliesOf("resync")).toHaveLength(2);
    const snapshot = JSON.parse(FIXTURE[3]!) as Record<string, unknown>;
    widget.send(JSON.stringify({ ...snapshot, seq: 10, reason: "resync" }));
    clock.now += 10_000;
    receiver.tick();
    expect(widget.repliesOf("resync")).toHaveLength(2);
    expect(receiver.summaries()[0]!.unexplainedLost).toBe(5);
  });

  it("asks for a resync after a message it could not use (schema error)", () => {
    const { receiver, clock } = setup();
    const widget = new FakeConnection(receiver, "#1");
    widget.send(
      ...FIXTURE.slice(0, 4),
      JSON.stringify({ type: "economy", seq: 4, frame: 1, teams: "oops" }),
    );
    clock.now += 2000;
    receiver.tick();
    expect(widget.repliesOf("resync")).toHaveLength(1);
    expect(receiver.summaries()[0]!.invalid.byReason["schema:economy"]!.count).toBe(1);
  });

  it("marks a silent session stale after three missed heartbeats and live again on the next line", () => {
    const { receiver, clock } = setup();
    const widget = new FakeConnection(receiver, "#1");
    widget.send(...FIXTURE.slice(0, 4));
    clock.now += 14_999;
    receiver.tick();
    expect(receiver.summaries()[0]!.status).toBe("live");
    clock.now += 1;
    receiver.tick();
    expect(receiver.summaries()[0]!.status).toBe("stale");
    widget.send(line(4));
    expect(receiver.summaries()[0]!.status).toBe("live");
    widget.handle.closed();
    expect(receiver.summaries()[0]!.status).toBe("disconnected");
    const statuses = receiver.feed
      .after(0)
      .events.flatMap((e) => (e.kind === "status" ? [e.status] : []));
    expect(statuses).toEqual(["stale", "live", "disconnected"]);
  });

  it("shows the widget's own heartbeat figures", () => {
    const { receiver } = setup();
    new FakeConnection(receiver, "#1").send(...FIXTURE.slice(0, 20));
    expect(receiver.summaries()[0]!.heartbeat).toMatchObject({
      seq: 19,
      acknowledged: 16,
      queuedBytes: 611,
    });
  });

  it("refuses a hello without the right token when a token is set, and keeps no session", () => {
    const { receiver } = setup({ token: "s3cret-token" });
    const stranger = new FakeConnection(receiver, "#1");
    const { token: _token, ...noToken } = JSON.parse(HELLO) as Record<string, unknown>;
    stranger.send(JSON.stringify(noToken), line(1));
    expect(stranger.closed).toBe(true);
    expect(receiver.sessions.size).toBe(0);
    const wrong = new FakeConnection(receiver, "#2");
    wrong.send(JSON.stringify({ ...noToken, token: "guess" }));
    expect(wrong.closed).toBe(true);
    expect(receiver.unattributed.byReason["bad-token"]!.count).toBe(2);
    const friend = new FakeConnection(receiver, "#3");
    friend.send(HELLO); // the fixture's hello carries "s3cret-token"
    expect(friend.closed).toBe(false);
    expect(receiver.sessions.size).toBe(1);
  });
});

describe("a second hello on one connection", () => {
  const OTHER = "0123456789abcdef";
  const helloOf = (session: string) =>
    JSON.stringify({ ...(JSON.parse(HELLO) as object), session });

  function recordedSeqs(dir: string, file: string): number[] {
    return readFileSync(path.join(dir, file), "utf8")
      .trimEnd()
      .split("\n")
      .flatMap((text) => {
        const record = decodeRecordedLine(text);
        if (record.kind !== "line") return [];
        const message = JSON.parse(record.line.bytes!.toString()) as { seq?: number };
        return [message.seq ?? 0];
      });
  }

  it("ends the previous session (status, reason, recording closed) and starts the new one", () => {
    const dir = tempDir();
    const { receiver, clock, logs } = setup({ recordingsDir: dir });
    const widget = new FakeConnection(receiver, "#1");
    widget.send(...FIXTURE.slice(0, 6));
    clock.now += 1000;
    widget.send(helloOf(OTHER), line(1), line(2));

    const first = receiver.sessions.get(SESSION)!.summary(clock.now);
    expect(first).toMatchObject({
      status: "ended",
      connection: null,
      linesAccepted: 5,
      endReason: expect.stringContaining(`replaced by session ${OTHER}`),
      recording: { open: false, lines: 6, error: null },
    });
    const second = receiver.sessions.get(OTHER)!.summary(clock.now);
    expect(second).toMatchObject({
      status: "live",
      connection: "#1",
      connections: 1,
      linesAccepted: 2,
      endReason: null,
      recording: { open: true, lines: 3 },
    });
    expect(logs.some((l) => l.includes(`ends session ${SESSION}`))).toBe(true);
    // Each recording holds its own session's lines only: the hello (no seq) and its seqs.
    const files = [first.recording!.path!, second.recording!.path!].map((p) => path.basename(p));
    expect(files[0]).not.toBe(files[1]);
    expect(recordedSeqs(dir, files[0]!)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(recordedSeqs(dir, files[1]!)).toEqual([0, 1, 2]);
    // The change feed says so, in order; acks go to the new session only.
    const statuses = receiver.feed
      .after(0)
      .events.flatMap((e) => (e.kind === "status" ? [`${e.session} ${e.status}`] : []));
    expect(statuses).toEqual([`${SESSION} ended`]);
    receiver.tick();
    expect(widget.repliesOf("ack")).toEqual([{ type: "ack", seq: 2, session: OTHER }]);
    expect(widget.repliesOf("hello_reply")).toHaveLength(2);

    // The connection closing now concerns the new session only.
    widget.handle.closed();
    expect(receiver.sessions.get(SESSION)!.status).toBe("ended");
    expect(receiver.sessions.get(OTHER)!.status).toBe("disconnected");
    expect(receiver.sessions.get(OTHER)!.summary(clock.now).recording!.open).toBe(false);

    // The first session coming back later goes on in its own file.
    const back = new FakeConnection(receiver, "#2");
    back.send(HELLO, ...FIXTURE.slice(6, 8));
    expect(receiver.sessions.get(SESSION)!.summary(clock.now)).toMatchObject({
      status: "live",
      endReason: null,
      linesAccepted: 7,
      recording: { open: true },
    });
    expect(recordedSeqs(dir, files[0]!)).toEqual([0, 1, 2, 3, 4, 5, 0, 6, 7]);
  });

  it("keeps the bye's reason for a session that said bye before the new hello", () => {
    const { receiver, clock } = setup({ recordingsDir: tempDir() });
    const widget = new FakeConnection(receiver, "#1");
    const bye = JSON.stringify({ type: "bye", seq: 6, frame: 45100, reason: "view_changed" });
    widget.send(...FIXTURE.slice(0, 6), bye, helloOf(OTHER));
    expect(receiver.sessions.get(SESSION)!.summary(clock.now)).toMatchObject({
      status: "ended",
      endReason: "bye (view_changed)",
      connection: null,
      recording: { open: false },
    });
    expect(receiver.sessions.get(OTHER)!.status).toBe("live");
  });

  it("keeps a session that another connection has taken over, and a hello for the same session", () => {
    const { receiver, clock } = setup();
    const old = new FakeConnection(receiver, "#1");
    old.send(...FIXTURE.slice(0, 4));
    // The widget reconnected before the old socket was seen closing.
    const current = new FakeConnection(receiver, "#2");
    current.send(HELLO, FIXTURE[4]!);
    old.send(helloOf(OTHER));
    expect(receiver.sessions.get(SESSION)!.summary(clock.now)).toMatchObject({
      status: "live",
      connection: "#2",
      endReason: null,
    });
    // Saying hello again for its own session neither ends it nor counts a connection.
    current.send(HELLO, FIXTURE[5]!);
    expect(receiver.sessions.get(SESSION)!.summary(clock.now)).toMatchObject({
      status: "live",
      connections: 2,
      linesAccepted: 5,
    });
  });
});

describe("validation", () => {
  it("counts every kind of bad line per reason with a sample, and goes on", () => {
    const { receiver, logs } = setup();
    const widget = new FakeConnection(receiver, "#1");
    widget.send(line(1)); // before hello
    widget.send(HELLO);
    widget.send(
      "not json",
      "[1,2]",
      '{"type":"nope","seq":1}',
      "{}",
      '{"type":"economy","seq":1,"frame":0}',
    );
    widget.handle.line(Buffer.from([0xff, 0xfe, 0x7b]), 3, true);
    widget.handle.line(null, 100 * 1024 * 1024, true);
    widget.handle.line(Buffer.from('{"type":"bye"'), 13, false);
    widget.send(FIXTURE[1]!);
    const summary = receiver.summaries()[0]!;
    expect(
      Object.fromEntries(Object.entries(summary.invalid.byReason).map(([k, v]) => [k, v.count])),
    ).toEqual({
      "not-json": 1,
      "not-an-object": 1,
      "unknown-type": 2,
      "schema:economy": 1,
      "not-utf8": 1,
      "too-long": 1,
      unterminated: 1,
    });
    expect(summary.invalid.byReason["schema:economy"]!.firstSample).toContain(
      "must have required property",
    );
    expect(summary.linesAccepted).toBe(1);
    expect(receiver.unattributed.byReason["before-hello"]!.count).toBe(1);
    expect(logs.filter((l) => l.includes("invalid line"))).toHaveLength(7);
  });
});

describe("other widgets' events", () => {
  it("accepts ext.<widget>.<name> lines and refuses the family's malformed ones", () => {
    const { receiver } = setup();
    const widget = new FakeConnection(receiver, "#1");
    widget.send(HELLO);
    widget.send(
      '{"type":"ext.hud.marker","seq":1,"frame":30,"fields":{"label":"push mid","x":1024}}',
      '{"type":"ext.hud","seq":2,"frame":30,"fields":{}}',
      '{"type":"ext.hud.marker","seq":3,"frame":30,"fields":{"nested":{"a":1}}}',
    );
    const summary = receiver.summaries()[0]!;
    expect(summary.linesAccepted).toBe(1);
    expect(
      Object.fromEntries(Object.entries(summary.invalid.byReason).map(([k, v]) => [k, v.count])),
    ).toEqual({ "unknown-type": 1, "schema:ext.hud.marker": 1 });
  });
});

describe("recording", () => {
  it("records every line of the session verbatim with its receive time, without the token", () => {
    const dir = tempDir();
    const { receiver, clock } = setup({ recordingsDir: dir });
    const widget = new FakeConnection(receiver, "#1");
    widget.send(HELLO);
    for (const text of FIXTURE.slice(1, 5)) {
      clock.now += 1000;
      widget.send(text);
    }
    widget.send("garbage");
    const files = readdirSync(dir);
    // Local date and time without ":"; map and gameID from hello.
    expect(files).toEqual([
      expect.stringMatching(
        /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d_Colorado_V2-1.1_3f2a94c1d07e5b68a1c9e4f20b7d6a53\.ndjson$/,
      ),
    ]);
    const recorded = readFileSync(path.join(dir, files[0]!), "utf8")
      .trimEnd()
      .split("\n")
      .map(decodeRecordedLine);
    expect(recorded[0]!.kind).toBe("header");
    const lines = recorded.slice(1).map((r) => (r.kind === "line" ? r.line : null));
    expect(lines.map((l) => l!.bytes!.toString())).toEqual([
      expect.not.stringContaining("s3cret"),
      ...FIXTURE.slice(1, 5),
      "garbage",
    ]);
    expect(lines.map((l) => l!.t - 1_700_000_000_000)).toEqual([0, 1000, 2000, 3000, 4000, 4000]);
  });

  it("records lines of every kind and size byte for byte, beyond the recorder's buffer too", () => {
    const dir = tempDir();
    const { receiver } = setup({ recordingsDir: dir });
    const widget = new FakeConnection(receiver, "#1");
    const big = "ü€𝄞".repeat(12_000); // 108,000 bytes of UTF-8
    const sent = [
      Buffer.from(FIXTURE[1]!),
      Buffer.from(`{"type":"economy","seq":5,"frame":1,"teams":"${big}"}`), // JSON, schema error
      Buffer.from(`not json ${big}`),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(big)]), // not UTF-8
      Buffer.from('{"type":"heartbeat","text":"ü"}'),
    ];
    widget.send(HELLO);
    for (const bytes of sent) widget.handle.line(bytes, bytes.length, true);
    const [file] = readdirSync(dir);
    const recorded = readFileSync(path.join(dir, file!), "utf8").trimEnd().split("\n");
    const lines = recorded.slice(2).map((text) => {
      const record = decodeRecordedLine(text);
      return record.kind === "line" ? record.line.bytes : null;
    });
    // Compared as hex: a deep equality of 100 KB buffers goes byte by byte and takes seconds.
    const hex = (bytes: Buffer | null) => bytes?.toString("hex") ?? null;
    expect(lines.map(hex)).toEqual(sent.map(hex));
    expect(receiver.summaries()[0]!.recording!.lines).toBe(recorded.length - 1);
  });

  it("creates the recordings folder with its missing parents", () => {
    const dir = path.join(tempDir(), "a", "b");
    const { receiver } = setup({ recordingsDir: dir });
    new FakeConnection(receiver, "#1").send(...FIXTURE.slice(0, 3));
    expect(receiver.summaries()[0]!.recording).toMatchObject({ error: null, lines: 3 });
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it("reports a recording that cannot be written and keeps the live side going", () => {
    const dir = tempDir();
    const notAFolder = path.join(dir, "file");
    writeFileSync(notAFolder, "");
    const { receiver, logs } = setup({ recordingsDir: path.join(notAFolder, "recordings") });
    const widget = new FakeConnection(receiver, "#1");
    widget.send(...FIXTURE.slice(0, 6));
    const summary = receiver.summaries()[0]!;
    expect(summary.recording!.error).toMatch(
      /stopped: a file stands where a folder should be; choose another folder with --recordings \((ENOTDIR|EEXIST)\)$/,
    );
    expect(logs.some((l) => l.includes("the live data goes on"))).toBe(true);
    expect(summary.linesAccepted).toBe(5);
  });

  // Linux: /sys refuses new files even to root, and /dev/full is always full.
  it.skipIf(process.platform !== "linux")(
    "reports a folder it may not write to, once, and keeps the live side going",
    () => {
      const { receiver, logs } = setup({ recordingsDir: "/sys/kernel" });
      const widget = new FakeConnection(receiver, "#1");
      widget.send(...FIXTURE.slice(0, 6));
      receiver.tick();
      const summary = receiver.summaries()[0]!;
      expect(summary.recording!.error).toMatch(
        /^recording \/sys\/kernel\/.*\.ndjson stopped: no permission to write there \(choose another folder with --recordings\) \(EACCES\)$/,
      );
      expect(logs.filter((l) => l.includes("no permission"))).toHaveLength(1);
      expect(summary.linesAccepted).toBe(5);
      expect(widget.repliesOf("ack")).toEqual([{ type: "ack", seq: 5, session: SESSION }]);
    },
  );

  it.skipIf(process.platform !== "linux")(
    "reports a disk that fills up during a session, once, and keeps the live side going",
    () => {
      const dir = tempDir();
      const { receiver, logs } = setup({ recordingsDir: dir });
      const first = new FakeConnection(receiver, "#1");
      first.send(...FIXTURE.slice(0, 6));
      first.handle.closed();
      // While the widget is away, its file's place becomes a full disk.
      const file = receiver.summaries()[0]!.recording!.path!;
      renameSync(file, `${file}.kept`);
      symlinkSync("/dev/full", file);
      const second = new FakeConnection(receiver, "#2");
      second.send(HELLO, ...FIXTURE.slice(6, 12));
      receiver.tick();
      const summary = receiver.summaries()[0]!;
      expect(summary.recording).toMatchObject({
        open: false,
        lines: 6,
        error: expect.stringMatching(/stopped: the disk is full \(ENOSPC\)$/),
      });
      expect(logs.filter((l) => l.includes("the disk is full"))).toEqual([
        `session ${SESSION}: ${summary.recording!.error}; the live data goes on`,
      ]);
      expect(summary.linesAccepted).toBe(11);
      expect(second.repliesOf("ack")).toEqual([{ type: "ack", seq: 11, session: SESSION }]);
      // What was written before stays.
      expect(readFileSync(`${file}.kept`, "utf8").trimEnd().split("\n")).toHaveLength(7);
    },
  );

  it("stops recording on a write error (disk full) and keeps applying lines", async () => {
    if (process.platform !== "linux") return; // /dev/full is Linux's always-full device
    const { Recorder } = await import("../../receiver/record/recorder.ts");
    const errors: string[] = [];
    const recorder = new Recorder({
      directory: "/dev",
      fileName: "full",
      fallbackSuffix: "x",
      header: {},
      now: () => 0,
      onError: (message) => errors.push(message),
    });
    recorder.write({ head: "{}", body: null, tail: "" });
    expect(errors).toEqual([expect.stringContaining("the disk is full (ENOSPC)")]);
    expect(recorder.active).toBe(false);
  });
});

describe("change feed", () => {
  it("keeps its limit for readers, says when a reader fell behind, and frees the rest", async () => {
    const { EventLog } = await import("../../receiver/eventLog.ts");
    const log = new EventLog(10_000);
    let held = 0;
    for (let i = 0; i < 30_000; i++) {
      log.add({ kind: "status", session: "s", receivedAt: 0, status: "live" });
      held = Math.max(held, (log as unknown as { events: unknown[] }).events.length);
    }
    expect(log.firstId).toBe(20_001);
    const ids = log.after(29_950).events.map((e) => e.id);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => 29_951 + i));
    expect(log.after(19_999).complete).toBe(false);
    expect(log.after(20_000).complete).toBe(true);
    // Held in memory: the window plus at most one batch not yet cut off.
    expect(held).toBeLessThanOrEqual(10_000 + 4096);
  });
});
