// The examples of docs/tool-authors.md, run as a tool author runs them: each one a child
// process (python3 or node), fed the golden fixture lines by a fake widget over real TCP, or
// reading a receiver started as `npm run receiver -- --replay <recording>` starts it (node
// with tsx's loader, without npm, so that stopping it stops the receiver). The fake widget
// paces its lines as a game would; every wait for a result is on output, a socket or a
// request, with a timeout.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it, test } from "vitest";
import { encodeRecordedLine, RECORDING_FORMAT } from "../../receiver/record/recordingFormat.ts";
import { isCI } from "../support/interpreters.ts";
import { freePort, HOST } from "./helpers.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** How long any one thing may take: starting tsx or python on a busy machine is slow. */
const WAIT_MS = 30_000;
const TEST_MS = 90_000;

// ---- the golden lines -------------------------------------------------------------------

const fixture = (name: string) =>
  readFileSync(path.join(REPO_ROOT, "protocol/fixtures", name), "utf8")
    .split("\n")
    .filter(Boolean);
const SESSION_LINES = fixture("session.ndjson");
const EDGE_LINES = fixture("edge.ndjson");
const SESSION_A = "5f3a9c1e7b2d4086";
const SESSION_B = "0123456789abcdef";
const seqOf = (line: string) => (JSON.parse(line) as { seq?: number }).seq ?? 0;

/** The session's hello with other fields. */
function hello(fields: Record<string, unknown>): string {
  return JSON.stringify({ ...(JSON.parse(SESSION_LINES[0]!) as object), ...fields });
}

/** The session's sequenced lines with first <= seq <= last. */
function seqs(first: number, last: number): string[] {
  return SESSION_LINES.filter((line) => seqOf(line) >= first && seqOf(line) <= last);
}

/** The promise, or a rejection naming `what` after WAIT_MS. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${WAIT_MS} ms passed waiting for ${what}`)),
      WAIT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---- child processes ---------------------------------------------------------------------

const running: Program[] = [];

class Program {
  output = "";
  errors = "";
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private readonly listeners = new Set<() => void>();

  constructor(command: string, args: string[]) {
    this.child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      this.output += text;
      this.listeners.forEach((listener) => listener());
    });
    this.child.stderr!.setEncoding("utf8").on("data", (text: string) => (this.errors += text));
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code) => {
        this.listeners.forEach((listener) => listener());
        resolve(code);
      }),
    );
    running.push(this);
  }

  /** Complete lines printed so far. */
  lines(): string[] {
    return this.output.split("\n").slice(0, -1);
  }

  /** Resolves once `done()` holds, checked on every output; rejects on exit or after WAIT_MS. */
  waitFor(what: string, done: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const failure = (why: string) =>
        new Error(`${why} waiting for ${what}\nstdout:\n${this.output}\nstderr:\n${this.errors}`);
      const check = () => {
        if (done()) finish();
        else if (this.child.exitCode !== null || this.child.signalCode !== null)
          finish(failure("exited"));
      };
      const timer = setTimeout(() => finish(failure(`${WAIT_MS} ms passed`)), WAIT_MS);
      this.listeners.add(check);
      check();
    });
  }

  waitForLine(pattern: RegExp): Promise<void> {
    return this.waitFor(String(pattern), () => this.lines().some((line) => pattern.test(line)));
  }

  count(pattern: RegExp): number {
    return this.lines().filter((line) => pattern.test(line)).length;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    await this.exited;
  }
}

const widgets: FakeWidget[] = [];

afterEach(async () => {
  for (const widget of widgets.splice(0)) widget.socket.destroy();
  await Promise.all(running.splice(0).map((program) => program.stop()));
});

const node = (file: string, ...args: string[]) => new Program(process.execPath, [file, ...args]);

// ---- a fake widget -----------------------------------------------------------------------

interface Ack {
  type: string;
  seq: number;
  session: string;
}

/** One connection as the widget makes it: writes lines, reads what the listener answers. */
class FakeWidget {
  readonly received: { at: number; line: string }[] = [];
  readonly closed: Promise<void>;
  private pending = "";
  private readonly listeners = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.setEncoding("utf8");
    socket.on("data", (data: string) => {
      const lines = (this.pending + data).split("\n");
      this.pending = lines.pop()!;
      for (const line of lines) this.received.push({ at: performance.now(), line });
      this.listeners.forEach((listener) => listener());
    });
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) =>
      socket.on("close", () => {
        this.listeners.forEach((listener) => listener());
        resolve();
      }),
    );
  }

  static async connect(port: number): Promise<FakeWidget> {
    const socket = net.connect({ host: HOST, port });
    await once(socket, "connect");
    const widget = new FakeWidget(socket);
    widgets.push(widget);
    return widget;
  }

  /** Writes each line on its own, `paceMs` apart, as a game produces them over time. */
  async send(lines: string[], paceMs = 15): Promise<void> {
    for (const line of lines) {
      this.socket.write(`${line}\n`);
      await delay(paceMs);
    }
  }

  /** Every line received, parsed: each must be a JSON object. */
  acks(): Ack[] {
    return this.received.map(({ line }) => JSON.parse(line) as Ack);
  }

  waitForAck(seq: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.acks().some((ack) => ack.seq >= seq)) {
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve();
        } else if (this.socket.closed) {
          clearTimeout(timer);
          reject(new Error(`closed before an ack of seq ${seq}: ${JSON.stringify(this.acks())}`));
        }
      };
      const timer = setTimeout(
        () => reject(new Error(`no ack of seq ${seq} in ${WAIT_MS} ms: ${this.received.length}`)),
        WAIT_MS,
      );
      this.listeners.add(check);
      check();
    });
  }
}

/**
 * The answers on one connection are acks as docs/protocol.md asks: valid JSON, the session's,
 * rising, never beyond what was sent, the last one the highest seq sent, and a few a second
 * at most (the listener may ack every 250 ms; 200 leaves room for the scheduler).
 */
function expectAcks(widget: FakeWidget, session: string, highestSent: number): void {
  const acks = widget.acks();
  expect(acks.length).toBeGreaterThan(0);
  for (const ack of acks) {
    expect(Object.keys(ack).sort()).toEqual(["seq", "session", "type"]);
    expect(ack).toMatchObject({ type: "ack", session });
    const fits = Number.isInteger(ack.seq) && ack.seq > 0 && ack.seq <= highestSent;
    expect(fits, `${JSON.stringify(ack)}, ${highestSent} the highest seq sent`).toBe(true);
  }
  const order = acks.map((ack) => ack.seq);
  expect(order).toEqual([...new Set(order)].sort((a, b) => a - b));
  expect(order.at(-1)).toBe(highestSent);
  const span = widget.received.at(-1)!.at - widget.received[0]!.at;
  expect(acks.length, `${acks.length} acks in ${span.toFixed(0)} ms`).toBeLessThanOrEqual(
    3 + span / 200,
  );
}

// ---- the listeners: Python and Node ------------------------------------------------------

function pythonProblem(): string | null {
  const r = spawnSync("python3", ["-c", "import sys; assert sys.version_info >= (3, 8)"], {
    encoding: "utf8",
    timeout: 15_000,
  });
  if (r.error) return `python3 not found (${r.error.message})`;
  if (r.status !== 0) return `python3 is older than 3.8 (${r.stderr.trim()})`;
  return null;
}

const PYTHON_HINT = "install Python 3.8 or newer as python3 (Debian: apt-get install python3)";
const pythonMissing = pythonProblem();
if (pythonMissing !== null) {
  if (isCI()) {
    test("python3 is available (required when CI=true)", () => {
      throw new Error(`${pythonMissing}: ${PYTHON_HINT}`);
    });
  } else {
    console.warn(`[examples] the Python example is not tested: ${pythonMissing}; ${PYTHON_HINT}`);
    test.skip(`python3 MISSING: ${PYTHON_HINT}`, () => {});
  }
}

const LISTENERS = [
  { name: "Python", command: "python3", file: "examples/python/listen.py", skip: !!pythonMissing },
  { name: "Node", command: process.execPath, file: "examples/node/listen.mjs", skip: false },
];

/** What the listeners print for the golden economy (seq 4) and unit events (seqs 9 to 12). */
const ECONOMY_4 = ["team 0: metal 16.7/s, energy 401.3/s", "team 1: metal 58.9/s, energy 2013.3/s"];
/** seq 9 and 10 one row each, seq 11 three rows: two deaths and a unit started. */
const EVENTS_9_TO_11 = [
  "created unit 15873 (def 385) of team 0",
  "finished unit 15873 (def 385) of team 0",
  "destroyed unit 23100 (def 1003) of team 4",
  "destroyed unit 12007 (def 385) of team 0",
  "created unit 15874 (def 385) of team 0",
];
/** seq 12: a unit given by team 1 to team 0, seen from both sides. */
const EVENTS_12 = [
  "taken unit 9120 (def 101) from team 1 to team 0",
  "given unit 9120 (def 101) from team 1 to team 0",
];
/** The golden session's last seq (its bye). */
const LAST_SEQ = 31;

describe.each(LISTENERS)("the $name listener", ({ command, file, skip }) => {
  async function startListener(): Promise<{ program: Program; port: number }> {
    const port = await freePort();
    const program = new Program(command, [file, String(port)]);
    await program.waitForLine(new RegExp(`^listening on 127\\.0\\.0\\.1:${port}$`));
    return { program, port };
  }
  const disconnected = (program: Program, times: number) =>
    program.waitFor(
      `${times} disconnections`,
      () => program.count(/^widget disconnected$/) >= times,
    );

  it.skipIf(skip)(
    "prints each event once across a reconnect, per session, and acks the highest seq",
    async () => {
      const { program, port } = await startListener();

      // Session A, first connection: up to seq 11, acknowledged; then half of line 12, cut.
      const first = await FakeWidget.connect(port);
      await first.send([SESSION_LINES[0]!, ...seqs(1, 11)]);
      await first.waitForAck(11);
      first.socket.write(seqs(12, 12)[0]!.slice(0, 40));
      first.socket.resetAndDestroy();
      await disconnected(program, 1);

      // The widget reconnects and resends from seq 9: 9 to 11 are copies, 12 is new.
      const second = await FakeWidget.connect(port);
      await second.send([hello({ nextSeq: 9 }), ...seqs(9, LAST_SEQ)]);
      await second.waitForAck(LAST_SEQ);
      second.socket.end(); // after bye the widget closes
      await disconnected(program, 2);

      // Another session reuses the same seqs: its messages are new. Edge: null floats.
      const other = await FakeWidget.connect(port);
      await other.send([hello({ session: SESSION_B }), ...seqs(1, 12), ...EDGE_LINES]);
      await other.waitForAck(41);
      other.socket.end();
      await disconnected(program, 3);

      expect(program.lines()).toEqual([
        `listening on 127.0.0.1:${port}`,
        `widget connected: session ${SESSION_A}, next seq 1`,
        ...ECONOMY_4,
        ...EVENTS_9_TO_11,
        "widget disconnected",
        `widget connected: session ${SESSION_A}, next seq 9`,
        ...EVENTS_12,
        "widget disconnected",
        `widget connected: session ${SESSION_B}, next seq 1`,
        ...ECONOMY_4,
        ...EVENTS_9_TO_11,
        ...EVENTS_12,
        "team 2: metal ?/s, energy 389.6/s",
        "widget disconnected",
      ]);
      expectAcks(first, SESSION_A, 11);
      expectAcks(second, SESSION_A, LAST_SEQ);
      expectAcks(other, SESSION_B, 41);
      expect(program.errors).toBe("");
    },
    TEST_MS,
  );

  it.skipIf(skip)(
    "refuses a widget that speaks another protocol, and serves the next",
    async () => {
      const { program, port } = await startListener();
      for (const protocol of [1, 3]) {
        const other = await FakeWidget.connect(port);
        other.socket.write(`${hello({ protocol })}\n${seqs(1, 4).join("\n")}\n`);
        await within(other.closed, "the listener to close the connection");
        expect(other.received).toEqual([]);
        await disconnected(program, protocol === 1 ? 1 : 2);
      }

      const widget = await FakeWidget.connect(port);
      await widget.send([SESSION_LINES[0]!, ...seqs(1, 4)], 0);
      await widget.waitForAck(4);
      expect(program.lines().slice(1)).toEqual([
        "refused: protocol 1, this script reads 2",
        "widget disconnected",
        "refused: protocol 3, this script reads 2",
        "widget disconnected",
        `widget connected: session ${SESSION_A}, next seq 1`,
        ...ECONOMY_4,
      ]);
    },
    TEST_MS,
  );

  it.skipIf(skip)(
    "takes the fixture from play.mjs, the doc's way to try it without the game",
    async () => {
      const { program, port } = await startListener();
      const play = node("examples/node/play.mjs", "protocol/fixtures/session.ndjson", String(port));
      expect(await within(play.exited, "play.mjs to exit")).toBe(0);
      expect(play.lines().at(-1)).toBe("all acknowledged");
      expect(play.lines()[0]).toBe(
        `connected: sending ${SESSION_LINES.length} lines, the last seq ${LAST_SEQ}`,
      );
      expect(SESSION_LINES).toHaveLength(26);
      await disconnected(program, 1);
      expect(program.lines().slice(2, -1)).toEqual([...ECONOMY_4, ...EVENTS_9_TO_11, ...EVENTS_12]);
    },
    TEST_MS,
  );

  it(
    "skips a unit event row of a kind it does not know (a later version's), keeps the others",
    async () => {
      const { program, port } = await startListener();
      // The fixture with a row of an unknown kind, shorter than any known one, in seq 12.
      const lines = SESSION_LINES.map((line) => {
        const m = JSON.parse(line) as { type: string; seq?: number; events?: unknown[] };
        if (m.type === "unit_events" && m.seq === 12) m.events!.splice(1, 0, ["cloaked", 9120]);
        return JSON.stringify(m);
      });
      const dir = mkdtempSync(path.join(tmpdir(), "examples-future-"));
      try {
        const file = path.join(dir, "future.ndjson");
        writeFileSync(file, lines.join("\n") + "\n");
        const play = node("examples/node/play.mjs", file, String(port));
        expect(await within(play.exited, "play.mjs to exit")).toBe(0);
        expect(play.lines().at(-1)).toBe("all acknowledged");
        await disconnected(program, 1);
        expect(program.lines().slice(2, -1)).toEqual([
          ...ECONOMY_4,
          ...EVENTS_9_TO_11,
          ...EVENTS_12,
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    TEST_MS,
  );
});

// ---- through the receiver ----------------------------------------------------------------

/** A TCP relay in front of the receiver's HTTP port: sees every request and can cut them all. */
class Relay {
  private readonly server = net.createServer((client) => this.relay(client));
  private readonly sockets = new Set<net.Socket>();
  /** Request lines in the order they arrived, e.g. "GET /api/events?after=0". */
  private readonly requests: string[] = [];
  private readonly listeners = new Set<() => void>();
  port = 0;

  constructor(private readonly target: number) {}

  async start(): Promise<this> {
    this.server.listen(0, HOST);
    await once(this.server, "listening");
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect({ host: HOST, port: this.target });
    let text = "";
    let found = 0;
    client.on("data", (data: Buffer) => {
      // Several requests per connection with keep-alive; WebSocket frames after an upgrade
      // are masked and never look like a request line.
      text += data.toString("latin1");
      const lines = [...text.matchAll(/(?:^|\r\n)(GET \S+) HTTP\/1\.1\r\n/g)];
      for (const match of lines.slice(found)) this.requests.push(match[1]!);
      found = lines.length;
      this.listeners.forEach((listener) => listener());
    });
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.pipe(to);
      from.on("error", () => undefined);
      from.on("close", () => {
        this.sockets.delete(from);
        to.destroy();
      });
    }
  }

  /** Request lines seen, e.g. "GET /api/events?after=0". */
  seen(prefix: string): string[] {
    return this.requests.filter((request) => request.startsWith(prefix));
  }

  waitForRequests(prefix: string, count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.seen(prefix).length < count) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(
        () => reject(new Error(`${count} requests ${prefix}: ${this.seen("").join(", ")}`)),
        WAIT_MS,
      );
      this.listeners.add(check);
      check();
    });
  }

  /** Cuts every relayed connection, as a network outage would. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    this.server.close();
    await once(this.server, "close");
  }
}

interface Feed {
  events: FeedEvent[];
  epoch: string;
  lastId: number;
}
interface FeedEvent {
  id: number;
  kind: string;
  session: string;
  status?: string;
  message?: { type: string; seq?: number; events?: [string, number, number, number, number?][] };
}

/** The lines events.mjs and stream.mjs print for a feed event: one per unit event row. */
function eventLines(e: FeedEvent): string[] {
  const what = e.kind === "status" ? `status ${e.status}` : e.message!.type;
  const line = `#${e.id} ${e.session}: ${what}${e.message?.seq === undefined ? "" : ` seq ${e.message.seq}`}`;
  if (e.message?.type !== "unit_events") return [line];
  return e.message.events!.map(([kind, unitID, unitDefID, team, newTeam]) => {
    const teams =
      kind === "given" || kind === "taken"
        ? `from team ${team} to team ${newTeam}`
        : `of team ${team}`;
    return `${line}, ${kind} unit ${unitID} (def ${unitDefID}) ${teams}`;
  });
}

describe("through the receiver", () => {
  let dir: string;
  let recording: string;
  const relays: Relay[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "examples-test-"));
    recording = path.join(dir, "session.ndjson");
    writeRecording(recording, SESSION_LINES);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.close()));
  });

  /** A recording as the receiver writes it: a header, then each line with its receive time. */
  function writeRecording(file: string, lines: string[]): void {
    const t0 = Date.UTC(2025, 0, 30, 19, 15, 3);
    const header = { format: RECORDING_FORMAT, receiver: "bar-live-receiver", session: SESSION_A };
    const records = lines.map((line, i) => {
      const bytes = Buffer.from(line);
      const { head, body, tail } = encodeRecordedLine(
        { t: t0 + i * 50, bytes, byteLength: bytes.length, terminated: true },
        true,
      );
      return `${head}${body === null ? "" : body.toString("utf8")}${tail}`;
    });
    writeFileSync(file, [JSON.stringify({ t: t0, recording: header }), ...records, ""].join("\n"));
  }

  /** `npm run receiver -- --replay <file> --speed 0 --http-port <port>`, the replay done. */
  async function startReceiver(
    file: string,
    httpPort: number,
    ...options: string[]
  ): Promise<{ program: Program; widgetPort: number; feed: () => Promise<Feed> }> {
    const program = new Program(process.execPath, [
      ...["--import", TSX_LOADER, "receiver/cli/main.ts"],
      ...["--replay", file, "--speed", "0", "--http-port", String(httpPort), ...options],
    ]);
    await program.waitForLine(/replay finished: \d+ lines/);
    const widgetPort = Number(/widgets: listening on 127\.0\.0\.1:(\d+)/.exec(program.output)![1]);
    const feed = async () =>
      (await (await fetch(`http://${HOST}:${httpPort}/api/events?after=0`)).json()) as Feed;
    return { program, widgetPort, feed };
  }

  async function relayTo(port: number): Promise<Relay> {
    const relay = await new Relay(port).start();
    relays.push(relay);
    return relay;
  }

  it(
    "events.mjs prints the feed once, follows a restart of the receiver",
    async () => {
      const httpPort = await freePort();
      const receiver = await startReceiver(recording, httpPort);
      const feedEvents = (await receiver.feed()).events;
      expect(feedEvents).toHaveLength(27); // hello, 25 messages, the status "ended"
      const expected = feedEvents.flatMap(eventLines);
      // seq 11 holds three unit events, seq 12 two: each printed on a line of its own.
      expect(expected).toHaveLength(27 + 2 + 1);
      expect(expected.filter((line) => / unit_events seq 11, /.test(line))).toEqual([
        `#12 ${SESSION_A}: unit_events seq 11, destroyed unit 23100 (def 1003) of team 4`,
        `#12 ${SESSION_A}: unit_events seq 11, destroyed unit 12007 (def 385) of team 0`,
        `#12 ${SESSION_A}: unit_events seq 11, created unit 15874 (def 385) of team 0`,
      ]);
      const relay = await relayTo(httpPort);
      const events = node("examples/receiver/events.mjs", `http://${HOST}:${relay.port}`);

      // Two more polls after the page that held everything: nothing printed again.
      await events.waitFor("the feed", () => events.lines().length >= expected.length);
      await relay.waitForRequests("GET /api/events", 3);
      expect(events.lines()).toEqual(expected);

      await receiver.program.stop();
      await events.waitForLine(/^receiver not reachable \(.+\)$/);
      const again = await startReceiver(recording, httpPort);
      const expectedAgain = (await again.feed()).events.flatMap(eventLines);
      const printed = expected.length + 2 + expectedAgain.length;
      await events.waitFor("the new feed", () => events.lines().length >= printed);
      await relay.waitForRequests("GET /api/events", relay.seen("GET /api/events").length + 2);
      expect(events.lines()).toEqual([
        ...expected,
        expect.stringMatching(/^receiver not reachable \(.+\)$/),
        "the receiver restarted: reading its feed from the start",
        ...expectedAgain,
      ]);
      expect(events.errors).toBe("");
    },
    TEST_MS,
  );

  it(
    "events.mjs goes on from the state when the feed no longer holds its cursor",
    async () => {
      // 20,100 heartbeats: more than the feed keeps (20,000), so after=0 is incomplete.
      const big = path.join(dir, "big.ndjson");
      const heartbeat = JSON.parse(SESSION_LINES.find((l) => l.includes('"heartbeat"'))!) as {
        seq: number;
      };
      const beats = Array.from({ length: 20_100 }, (_, i) =>
        JSON.stringify({ ...heartbeat, seq: i + 1, produced: i + 1, sent: i + 1 }),
      );
      writeRecording(big, [SESSION_LINES[0]!, ...beats]);
      const httpPort = await freePort();
      const receiver = await startReceiver(big, httpPort);
      const { lastId } = await receiver.feed();
      const relay = await relayTo(httpPort);
      const events = node("examples/receiver/events.mjs", `http://${HOST}:${relay.port}`);
      await relay.waitForRequests(`GET /api/events?after=${lastId}`, 2);
      expect(relay.seen("GET /api/")).toEqual([
        "GET /api/events?after=0",
        "GET /api/state",
        `GET /api/events?after=${lastId}`,
        `GET /api/events?after=${lastId}`,
      ]);
      expect(events.lines()).toEqual([
        `missed events: going on from the state of ${SESSION_A} at #${lastId}`,
      ]);
    },
    TEST_MS,
  );

  // Node 22+ has a global WebSocket, Node 20 behind a flag; the example takes ws without it.
  const nodeMajor = Number(process.versions.node.split(".")[0]);
  it.each([
    { client: "the ws package", flags: nodeMajor >= 22 ? ["--no-experimental-websocket"] : [] },
    { client: "the global WebSocket", flags: nodeMajor >= 22 ? [] : ["--experimental-websocket"] },
  ])(
    "stream.mjs with $client: the state, then each change once across a cut",
    async ({ flags }) => {
      const httpPort = await freePort();
      const receiver = await startReceiver(recording, httpPort);
      const before = await receiver.feed();
      const relay = await relayTo(httpPort);
      const stream = new Program(process.execPath, [
        ...flags,
        "examples/receiver/stream.mjs",
        `ws://${HOST}:${relay.port}/api/stream`,
      ]);
      await stream.waitFor("the state", () => stream.lines().length >= 2);

      // A live widget on the same receiver: session B, up to seq 12, then the stream is cut.
      const widget = await FakeWidget.connect(receiver.widgetPort);
      await widget.send([hello({ session: SESSION_B }), ...seqs(1, 12)], 0);
      await stream.waitForLine(
        new RegExp(
          `^#\\d+ ${SESSION_B}: unit_events seq 12, given unit 9120 \\(def 101\\) from team 1 to team 0$`,
        ),
      );
      const cutAfter = Number(/^#(\d+)/.exec(stream.lines().at(-1)!)![1]);
      relay.cut();
      await widget.send([...seqs(13, LAST_SEQ)], 0);
      await stream.waitForLine(/^resumed after #\d+$/);
      await stream.waitForLine(new RegExp(`^#\\d+ ${SESSION_B}: status ended$`));

      const after = await receiver.feed();
      const lastSnapshot = JSON.parse(seqs(29, 29)[0]!) as {
        economy: { teamID: number; metal: { income: number } }[];
      };
      const incomes = lastSnapshot.economy.map((t) => `${t.teamID}: ${t.metal.income}`);
      const news = after.events.filter((e) => e.id > before.lastId);
      expect(stream.lines()).toEqual([
        `state at #${before.lastId}: 1 session(s)`,
        `  ${SESSION_A} at seq ${LAST_SEQ}, metal income by team {${incomes.join(", ")}}`,
        ...news.filter((e) => e.id <= cutAfter).flatMap(eventLines),
        "stream closed; reconnecting in 1 s",
        `resumed after #${cutAfter}`,
        ...news.filter((e) => e.id > cutAfter).flatMap(eventLines),
      ]);
      expect(relay.seen("GET /api/stream")).toEqual([
        "GET /api/stream",
        `GET /api/stream?after=${cutAfter}&epoch=${after.epoch}`,
      ]);
    },
    TEST_MS,
  );

  it(
    "the doc's curl commands answer JSON, with the token where the receiver asks for one",
    async () => {
      const doc = readFileSync(path.join(REPO_ROOT, "docs/tool-authors.md"), "utf8");
      const commands = doc.split("\n").filter((line) => line.startsWith("curl "));
      expect(commands.length).toBeGreaterThanOrEqual(4);
      const httpPort = await freePort();
      await startReceiver(recording, httpPort, "--token", "s3cret");
      for (const command of commands) {
        const url = /"(http:\/\/127\.0\.0\.1:9877\/[^"]+)"/.exec(command)?.[1];
        expect(url, command).toBeDefined();
        const bearer = /-H "Authorization: Bearer ([^"]+)"/.exec(command)?.[1];
        // This receiver asks for a token: a command without one gets it as a header here.
        const token = url!.includes("token=") ? null : (bearer ?? "s3cret");
        const response = await fetch(url!.replace(":9877/", `:${httpPort}/`), {
          headers: token === null ? {} : { authorization: `Bearer ${token}` },
        });
        expect(response.status, command).toBe(200);
        expect(await response.json(), command).toBeTypeOf("object");
      }
    },
    TEST_MS,
  );
});

// ---- the doc shows every example as it is -----------------------------------------------

describe("docs/tool-authors.md", () => {
  it("holds each example file verbatim", () => {
    const doc = readFileSync(path.join(REPO_ROOT, "docs/tool-authors.md"), "utf8");
    for (const [file, language] of [
      ["examples/python/listen.py", "python"],
      ["examples/node/listen.mjs", "js"],
      ["examples/receiver/events.mjs", "js"],
      ["examples/receiver/stream.mjs", "js"],
    ] as const) {
      const text = readFileSync(path.join(REPO_ROOT, file), "utf8");
      expect(doc, file).toContain(`\`\`\`${language}\n${text}\`\`\`\n`);
    }
  });
});
