/**
 * The protocol session as the app runs it: its jobs in the app's scheduler, the
 * delivery settings (token, keyframe interval, backlog bound), a receiver's `configure`
 * steering the collection for its connection only, `bye` on disconnect and shutdown,
 * and the heartbeat's frame cost from the scheduler. Timing by the manual clock only.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { LiveDataApp } from "../../../src/app/app";
import { decodeJson } from "../../../src/protocol/inbound";
import { FakeGame } from "../fakes/fake-game";
import { FakeStopwatch } from "../fakes/fake-stopwatch";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedTransport } from "../fakes/scripted-transport";

let game: FakeGame;
let clock: ManualClock;
let stopwatch: FakeStopwatch;
let transport: ScriptedTransport;
let lines: string[];
let app: LiveDataApp;

function type(this: void, line: string): void {
  const words: string[] = [];
  for (const [word] of string.gmatch(line, "%S+")) words.push(word);
  app.handleCommand(words);
}

function frames(this: void, n: number, dt = 1 / 60, gameFrames = 0): void {
  for (let i = 0; i < n; i++) {
    clock.advance(dt);
    game.frame += gameFrames;
    app.gameFrame(game.frame);
    app.update();
  }
}

/** The decoded lines connection `index` carried (default: the current one). */
function sent(this: void, index = transport.carried.length): LuaTable<string, unknown>[] {
  const out: LuaTable<string, unknown>[] = [];
  const text = transport.carried[index - 1] ?? "";
  let pos = 1;
  for (;;) {
    const [newline] = string.find(text, "\n", pos, true);
    if (newline === undefined) break;
    const [value] = decodeJson(string.sub(text, pos, newline - 1));
    out.push(value as LuaTable<string, unknown>);
    pos = newline + 1;
  }
  return out;
}

function ofType(this: void, type: string, index?: number): LuaTable<string, unknown>[] {
  return sent(index).filter((l) => l.get("type") === type);
}

function field(this: void, line: LuaTable<string, unknown>, ...path: string[]): unknown {
  let value: unknown = line;
  for (const key of path) value = (value as LuaTable<string, unknown>).get(key);
  return value;
}

beforeEach(() => {
  game = new FakeGame();
  game.addTeam(0, 0, 2);
  game.addTeam(1, 1, 2);
  game.asPlayer(0, 0);
  clock = new ManualClock(0);
  stopwatch = new FakeStopwatch();
  transport = new ScriptedTransport();
  lines = [];
  app = new LiveDataApp({
    transport,
    clock,
    stopwatch,
    echo: (line) => {
      lines.push(line);
    },
    stamp: () => "12:00:00",
    reader: game,
    entropy: () => ["test", 1],
  });
});

describe("the app's delivery", () => {
  it("opens each connection with the session's hello, the catalog and a snapshot", () => {
    app.start();
    // The socket is called every 0.1 s (sendInterval) and the catalog, then the snapshot,
    // each wait for it to take what came before: all out within 0.4 s.
    frames(24);
    const types = sent().map((l) => l.get("type") as string);
    // hello first; the catalog before the snapshot (changes of the first frames may come between).
    expect(types[0]).toBe("hello");
    expect(types.indexOf("unitdefs")).toBeGreaterThan(0);
    expect(types.indexOf("snapshot")).toBeGreaterThan(types.indexOf("unitdefs"));
    const hello = sent()[0];
    expect(hello.get("session")).toBe(app.status().delivery!.session);
    expect(hello.get("token")).toBeUndefined();
    expect(field(hello, "view", "kind")).toBe("player");
  });

  it("sends the token and the keyframe interval set by command", () => {
    type("token s3cret");
    type("keyframe 30");
    expect(lines[lines.length - 1]).toMatch("keyframe snapshot interval 30 s");
    app.start();
    frames(2);
    const hello = sent()[0];
    expect(hello.get("token")).toBe("s3cret");
    expect(field(hello, "settings", "rates", "snapshot")).toBe(30);
    // Shown to people only as set.
    type("status");
    expect(lines.join("\n")).toMatch("token set");
    expect(lines.join("\n")).not.toMatch("s3cret");
  });

  it("lets a receiver's configure steer the collection for its connection only", () => {
    app.start();
    frames(5);
    transport.inbox = '{"type":"configure","categories":{"positions":true}}\n';
    frames(120, 1 / 60, 1);
    expect(ofType("positions").length).toBeGreaterThan(0);
    expect(app.status().positions).toBe(false); // the saved setting is untouched
    const before = sent().map((l) => l.get("seq") as number | undefined);
    const lastSeq = before[before.length - 1]!;
    transport.peerError = "closed";
    frames(1);
    const carried = transport.carried.length;
    frames(180, 1 / 60, 1);
    expect(transport.carried.length).toBe(carried + 1);
    // The new connection's own snapshot (the first one's unacknowledged lines come again before it).
    const snapshots = ofType("snapshot").filter((l) => (l.get("seq") as number) > lastSeq);
    expect(field(snapshots[0], "settings", "categories", "positions")).toBe(false);
    // Positions on the new connection are only those sent again (not acknowledged).
    for (const p of ofType("positions"))
      expect(p.get("seq") as number).toBeLessThanOrEqual(lastSeq);
  });

  it("lets the sender sleep while there is nothing to send, and wakes it for a change", () => {
    const senderFrames = () =>
      app.status().frameCost.tasks.find((t) => t.name === "session.sender")!.frames;
    app.start();
    frames(120, 1 / 60, 1);
    const before = senderFrames();
    frames(60, 1 / 60, 1);
    // Polled ten times a second (its timers), woken by the economy's change and the
    // writes: not every frame.
    expect(senderFrames() - before).toBeLessThanOrEqual(20);
    // With the socket called every frame, each change goes out two frames later (made a
    // line in the first, written in the second), at every phase of the poll.
    type("interval off");
    for (let i = 1; i <= 6; i++) {
      app.collection!.collector.teamDied(1 as TeamID);
      frames(2, 1 / 60, 1);
      expect(ofType("team_died").length).toBe(i);
    }
  });

  it("calls the socket every sendInterval while it keeps up, each change out within it; off: every frame", () => {
    /** A change every frame for a second: the sends it took, and the changes that arrived. */
    function aChangeEveryFrame(this: void): LuaMultiReturn<[number, number]> {
      const calls = transport.sendCalls;
      const before = ofType("team_died").length;
      for (let i = 0; i < 60; i++) {
        app.collection!.collector.teamDied(1 as TeamID);
        frames(1, 1 / 60, 1);
      }
      frames(8, 1 / 60, 1);
      return $multi(transport.sendCalls - calls, ofType("team_died").length - before);
    }
    app.start();
    frames(120, 1 / 60, 1);
    // Default 100 ms: 68 frames (1.13 s) take at most 12 sends, and lose nothing.
    const [paced, pacedArrived] = aChangeEveryFrame();
    expect(pacedArrived).toBe(60);
    expect(paced).toBeLessThanOrEqual(12);
    // Each change is out within 0.1 s and two frames, at every phase of the interval.
    for (let i = 1; i <= 6; i++) {
      const before = ofType("team_died").length;
      app.collection!.collector.teamDied(1 as TeamID);
      frames(8, 1 / 60, 1);
      expect(ofType("team_died").length).toBe(before + 1);
      frames(i, 1 / 60, 1);
    }
    type("interval off");
    const [every, everyArrived] = aChangeEveryFrame();
    expect(everyArrived).toBe(60);
    expect(every).toBeGreaterThanOrEqual(60);
  });

  it("polls its jobs once a second while no receiver is connected, the sender ten times a second while one is", () => {
    const runs = (name: string) =>
      app.status().frameCost.tasks.find((t) => t.name === name)!.frames;
    transport.openStatus = "failed";
    app.start();
    frames(120, 1 / 60, 1);
    let sender = runs("session.sender");
    let bulk = runs("session.bulk");
    frames(600, 1 / 60, 1);
    // Ten seconds without a receiver: a poll a second, and the economy's change a second.
    const senderAlone = runs("session.sender") - sender;
    expect(senderAlone).toBeLessThanOrEqual(25);
    expect(runs("session.bulk") - bulk).toBeLessThanOrEqual(11);
    // A receiver comes: the sender's timers (heartbeat, keyframes) need their precision.
    transport.openStatus = "connected";
    type("connect");
    frames(120, 1 / 60, 1);
    sender = runs("session.sender");
    bulk = runs("session.bulk");
    frames(600, 1 / 60, 1);
    expect(runs("session.sender") - sender).toBeGreaterThanOrEqual(100);
    expect(runs("session.bulk") - bulk).toBeLessThanOrEqual(11);
    // ... and once it is gone again, back to once a second.
    transport.peerError = "closed";
    transport.openStatus = "failed";
    frames(120, 1 / 60, 1);
    sender = runs("session.sender");
    frames(600, 1 / 60, 1);
    expect(runs("session.sender") - sender).toBeLessThanOrEqual(senderAlone + 2);
  });

  it("reports a loss once the connection keeps up again, however busy the sender was before", () => {
    type("backlog 64");
    app.start();
    frames(5);
    const collector = app.collection!.collector;
    // A busy spell: a change every frame for 20 s wakes the sender every frame.
    for (let i = 0; i < 60 * 20; i++) {
      collector.teamDied(1 as TeamID);
      frames(1, 1 / 60, 1);
    }
    expect(ofType("gap")).toEqual([]);
    // The socket takes nothing: the connection holds its chunk, and a burst beyond the
    // bound is produced while it does not keep up (dropped, no gap yet).
    transport.sendCapacity = 0;
    collector.teamDied(1 as TeamID);
    frames(2, 1 / 60, 1);
    for (let i = 0; i < 2000; i++) collector.teamDied(1 as TeamID);
    frames(2, 1 / 60, 1);
    const dropped = app.status().delivery!.dropped;
    expect(dropped).toBeGreaterThan(0);
    // The socket takes again; no change comes to wake the sender. Its poll (ten times a
    // second) sees the connection keep up: the gap and its snapshot follow at once.
    transport.sendCapacity = math.huge;
    frames(30, 1 / 60, 1);
    const gaps = ofType("gap");
    expect(gaps.map((g) => g.get("dropped"))).toEqual([dropped]);
    const types = sent().map((l) => l.get("type"));
    expect(types[types.indexOf("gap") + 1]).toBe("snapshot");
  });

  it("keeps at most the backlog bound while no receiver reads, and counts what it drops", () => {
    type("backlog 64");
    const collector = app.collection!.collector;
    for (let i = 0; i < 2000; i++) collector.teamDied(1 as TeamID);
    frames(60);
    const d = app.status().delivery!;
    expect(d.queuedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(d.dropped).toBeGreaterThan(0);
    expect(d.queuedMessages + d.dropped).toBe(d.produced);
  });

  it("says bye before it disconnects and before it shuts down", () => {
    app.start();
    frames(5);
    type("disconnect");
    const byes = ofType("bye", 1);
    expect(byes.length).toBe(1);
    expect(byes[0].get("reason")).toBe("disconnect");
    expect(transport.isOpen).toBe(false);
    type("connect");
    frames(5);
    app.shutdown();
    expect(ofType("bye", 2).map((b) => b.get("reason"))).toEqual(["shutdown"]);
  });

  it("sends every change recorded before it shuts down, in order, then bye", () => {
    app.start();
    frames(5);
    const collector = app.collection!.collector;
    // Recorded after the last frame: more than one frame's chunk (64 KiB) of lines.
    for (let i = 0; i < 3000; i++) collector.teamDied(1 as TeamID);
    app.shutdown();
    const carried = sent();
    expect(carried.filter((l) => l.get("type") === "team_died").length).toBe(3000);
    expect(carried[carried.length - 1].get("type")).toBe("bye");
    const seqs = carried
      .map((l) => l.get("seq") as number | undefined)
      .filter((q) => q !== undefined);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
    expect(lines.join("\n")).not.toMatch("closing:");
  });

  it("says at shutdown how many changes and bytes the receiver will not get", () => {
    app.start();
    frames(5);
    const collector = app.collection!.collector;
    for (let i = 0; i < 3000; i++) collector.teamDied(1 as TeamID);
    // Each look at the clock takes 10 ms from here: the 50 ms for the changes run out.
    let t = clock.now();
    clock.now = () => (t += 0.01);
    // And the socket takes only 100 bytes more.
    transport.sendCapacity = 100;
    app.shutdown();
    const said = lines.join("\n");
    const [left] = string.match(said, "closing: (%d+) recorded changes not sent");
    expect(left).not.toBeUndefined();
    const produced = app.status().delivery!.produced;
    expect(tonumber(left)! > 0 && tonumber(left)! < 3000).toBe(true);
    const [bytes] = string.match(said, "closing: (%d+) bytes the receiver will not get");
    expect(tonumber(bytes)! > 0).toBe(true);
    expect(produced).toBeGreaterThan(0);
  });

  it("reports the scheduler's frame cost since the last heartbeat", () => {
    app.start();
    frames(5);
    // One frame's work costs 1.5 ms; nothing is sent for 5 s: a heartbeat says so.
    let frame = 0;
    app.scheduler.add(
      {
        step: () => {
          frame += 1;
          if (frame === 200) stopwatch.spend(1500);
          return true;
        },
      },
      { name: "costly", priority: 30, share: 0.1 },
    );
    frames(400);
    const heartbeats = ofType("heartbeat");
    expect(heartbeats.length).toBeGreaterThan(0);
    const costs = heartbeats.map((h) => h.get("frameCostMaxMs") as number);
    expect(costs.some((c) => c >= 1.5)).toBe(true);
  });
});
