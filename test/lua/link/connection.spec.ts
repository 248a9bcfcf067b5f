/**
 * The connection state machine over a scripted transport and a manual clock: when a
 * connection counts as a success, one greeting per connection, one send per frame,
 * resumed partial writes and a full queue.
 */
import { beforeEach, describe, expect, it } from "../framework";
import { Connection, Proof, Transition } from "../../../src/link/connection";
import { ManualClock } from "../fakes/manual-clock";
import { ScriptedTransport } from "../fakes/scripted-transport";

const GREETING = "hello\n";

let clock: ManualClock;
let transport: ScriptedTransport;
let transitions: Transition[];
let proofs: Proof[];

function open(
  this: void,
  options: {
    maxQueuedBytes?: number;
    provenAfter?: number;
    sendBytesPerFrame?: number;
    sendEverySeconds?: number;
  } = {},
) {
  const { sendEverySeconds, ...rest } = options;
  return new Connection(
    transport,
    clock,
    {
      host: "127.0.0.1",
      port: 9876,
      autoReconnect: true,
      retryInitialDelay: 1,
      retryMaxDelay: 30,
      connectTimeout: 5,
      silenceTimeout: 0,
      sendEverySeconds,
    },
    {
      onTransition: (t) => {
        transitions.push(t);
      },
      onProven: (p) => {
        proofs.push(p);
      },
    },
    { greeting: () => GREETING, ...rest },
  );
}

/** One frame after `seconds`. */
function step(this: void, conn: Connection, seconds = 0.016): void {
  clock.advance(seconds);
  conn.update();
}

/** Frames until the next attempt has started (at most `seconds`). */
function nextAttempt(this: void, conn: Connection, seconds: number): void {
  const opens = transport.opens;
  const start = clock.now();
  while (transport.opens === opens && clock.now() - start < seconds) step(conn, 0.05);
}

const lastRetry = () => transitions[transitions.length - 1].retryIn;

beforeEach(() => {
  clock = new ManualClock(100);
  transport = new ScriptedTransport();
  transitions = [];
  proofs = [];
});

describe("a receiver that accepts and closes at once", () => {
  it("counts each such connection as a failure: the retry delay doubles up to the maximum", () => {
    transport.plan.closesWith = "closed";
    const conn = open();
    conn.connect("test");
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      expect(conn.state()).toBe("RECONNECTING");
      delays.push(lastRetry() ?? -1);
      expect(transitions[transitions.length - 1].proven).toBe(false);
      nextAttempt(conn, 60);
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 30, 30]);
    expect(conn.diagnostics().failedAttempts).toBe(8);
    expect(transport.opens).toBe(8);
    expect(proofs).toHaveLength(0);
  });

  it("opens every connection with exactly one greeting, however many could not be sent", () => {
    transport.plan.closesWith = "closed";
    const conn = open();
    conn.send("data\n");
    conn.connect("test");
    for (let i = 0; i < 5; i++) nextAttempt(conn, 60);
    expect(transport.carried).toEqual(["", "", "", "", "", ""]);
    transport.plan.closesWith = undefined;
    nextAttempt(conn, 60);
    step(conn);
    expect(transport.current()).toBe(GREETING + "data\n");
  });

  it("sends a greeting cut off by a lost connection again whole, once", () => {
    transport.plan.sendCapacity = 3;
    const conn = open();
    conn.send("data\n");
    conn.connect("test");
    expect(transport.current()).toBe("hel");
    transport.peerError = "closed";
    step(conn);
    expect(conn.state()).toBe("RECONNECTING");
    transport.plan.sendCapacity = undefined;
    nextAttempt(conn, 60);
    expect(transport.current()).toBe(GREETING + "data\n");
  });
});

describe("a connection that proves itself", () => {
  /** Fails three attempts (delays 1, 2, 4), then connects for good. */
  function afterThreeFailures(this: void, options: { provenAfter?: number } = {}): Connection {
    transport.openStatus = "failed";
    const conn = open(options);
    conn.connect("test");
    step(conn, 1);
    step(conn, 2);
    expect(lastRetry()).toBe(4);
    transport.openStatus = "connected";
    step(conn, 4);
    expect(conn.state()).toBe("CONNECTED");
    return conn;
  }

  it("is not a success before it stayed up for provenAfter seconds: a loss keeps the streak", () => {
    const conn = afterThreeFailures({ provenAfter: 10 });
    step(conn, 9.9);
    expect(conn.diagnostics().proven).toBe(false);
    transport.peerError = "closed";
    step(conn);
    expect(lastRetry()).toBe(8);
    expect(conn.diagnostics().failedAttempts).toBe(4);
  });

  it("after provenAfter seconds resets the backoff and ends the failure streak", () => {
    const conn = afterThreeFailures({ provenAfter: 10 });
    step(conn, 10);
    expect(conn.diagnostics().proven).toBe(true);
    expect(conn.diagnostics().failedAttempts).toBe(0);
    expect(proofs).toHaveLength(1);
    expect(proofs[0].failedBefore).toBe(3);
    expect(proofs[0].reason).toContain("stayed up for 10 s");
    transport.peerError = "closed";
    step(conn);
    expect(lastRetry()).toBe(1);
    expect(transitions[transitions.length - 1].proven).toBe(true);
  });

  it("proves itself at once when the receiver sends something", () => {
    const conn = afterThreeFailures({ provenAfter: 10 });
    transport.inbox = "ack\n";
    step(conn);
    expect(proofs).toHaveLength(1);
    expect(proofs[0].reason).toBe("the receiver answered");
    transport.peerError = "closed";
    step(conn);
    expect(lastRetry()).toBe(1);
  });
});

describe("sending", () => {
  it("joins everything queued into one send call per frame", () => {
    const conn = open();
    conn.connect("test");
    const before = transport.sendCalls;
    let expected = "";
    for (let i = 1; i <= 200; i++) {
      const line = `{"n":${i}}\n`;
      expected += line;
      conn.send(line);
    }
    step(conn);
    expect(transport.sendCalls - before).toBe(1);
    expect(transport.current()).toBe(GREETING + expected);
    const d = conn.diagnostics();
    expect(d.messagesSent).toBe(201);
    expect(d.bytesSent).toBe(
      `${string.format("%.1f", (GREETING.length + expected.length) / 1024)} KiB`,
    );
    expect(d.queuedMessages).toBe(0);
  });

  it("spreads a backlog larger than the per-frame cap over frames, one call each", () => {
    const conn = open();
    for (let i = 0; i < 100; i++) conn.send(string.rep("x", 999) + "\n");
    conn.connect("test");
    const calls = transport.sendCalls;
    expect(transport.current().length).toBeLessThanOrEqual(65536);
    step(conn);
    expect(transport.sendCalls).toBe(calls + 1);
    expect(transport.current().length).toBe(GREETING.length + 100000);
    expect(conn.diagnostics().messagesSent).toBe(101);
  });

  it("resumes a partial write where it stopped and keeps messages in order", () => {
    const conn = open();
    const messages = ["first message\n", "second\n", "third and last\n"];
    for (const m of messages) conn.send(m);
    transport.plan.sendCapacity = 4;
    conn.connect("test");
    for (let i = 0; i < 3; i++) {
      transport.sendCapacity = 4;
      step(conn);
    }
    const whole = GREETING + messages.join("");
    // 16 of 42 bytes are out: the other 26 must follow from byte 17, not from the start.
    expect(transport.current()).toBe(string.sub(whole, 1, 16));
    expect(conn.diagnostics().queuedBytes).toBe(whole.length - 16);
    expect(conn.diagnostics().messagesSent).toBe(1);
    transport.sendCapacity = math.huge;
    step(conn);
    expect(transport.current()).toBe(whole);
    const d = conn.diagnostics();
    expect(d.messagesSent).toBe(4);
    expect(d.queuedMessages).toBe(0);
    expect(d.queuedBytes).toBe(0);
    expect(d.bytesSent).toBe(`${whole.length} B`);
  });

  it("with a full queue drops whole messages, never one that has started to go out", () => {
    const conn = open({ maxQueuedBytes: 64 });
    transport.plan.sendCapacity = 10;
    conn.connect("test");
    for (let i = 0; i < 40; i++) conn.send(`message number ${i}\n`);
    for (let i = 0; i < 5; i++) {
      transport.sendCapacity = 10;
      step(conn);
    }
    for (let i = 40; i < 80; i++) conn.send(`message number ${i}\n`);
    transport.sendCapacity = math.huge;
    step(conn);
    step(conn);
    expect(conn.diagnostics().droppedMessages).toBeGreaterThan(0);
    expect(conn.diagnostics().queuedMessages).toBe(0);
    const out = transport.current();
    expect(string.sub(out, 1, GREETING.length)).toBe(GREETING);
    let lines = 0;
    for (const [line] of string.gmatch(string.sub(out, GREETING.length + 1), "([^\n]*)\n")) {
      expect(line).toMatch("^message number %d+$");
      lines += 1;
    }
    expect(lines + conn.diagnostics().droppedMessages).toBe(80);
  });
});

describe("sending every sendEverySeconds", () => {
  it("calls the socket at most once an interval while it keeps up, and every line goes out in order", () => {
    const conn = open({ sendEverySeconds: 0.1 });
    conn.connect("test");
    const calls = transport.sendCalls;
    let expected = GREETING;
    // A line every frame for a second (60 frames of 1/60 s).
    for (let i = 1; i <= 60; i++) {
      const line = `{"n":${i}}\n`;
      expected += line;
      conn.send(line);
      step(conn, 1 / 60);
    }
    expect(transport.sendCalls - calls).toBeGreaterThanOrEqual(9);
    expect(transport.sendCalls - calls).toBeLessThanOrEqual(10);
    step(conn, 0.1);
    expect(transport.current()).toBe(expected);
    expect(conn.diagnostics().messagesSent).toBe(61);
  });

  it("goes on every frame while more waits than one call carries, or the socket took only part", () => {
    const conn = open({ sendEverySeconds: 0.1, sendBytesPerFrame: 100 });
    for (let i = 0; i < 5; i++) conn.send(string.rep("x", 99) + "\n");
    conn.connect("test");
    // The greeting alone in the connect frame (a line does not fit beside it), then a
    // line a frame.
    const calls = transport.sendCalls;
    for (let i = 0; i < 5; i++) step(conn, 1 / 60);
    expect(transport.sendCalls - calls).toBe(5);
    expect(conn.diagnostics().messagesSent).toBe(6);
    // Caught up: the next call waits for the interval.
    conn.send("late\n");
    step(conn, 1 / 60);
    expect(transport.sendCalls - calls).toBe(5);
    // A socket that takes part: from the call that met it, one call every frame until
    // all is out, whatever the interval's phase.
    conn.send("a longer line\n");
    transport.sendCapacity = 4;
    const waiting = transport.sendCalls;
    for (let i = 0; i < 12 && transport.sendCalls === waiting; i++) step(conn, 1 / 60);
    expect(transport.sendCalls).toBe(waiting + 1);
    for (let i = 1; i <= 3; i++) {
      transport.sendCapacity = 4;
      step(conn, 1 / 60);
      expect(transport.sendCalls).toBe(waiting + 1 + i);
    }
    transport.sendCapacity = math.huge;
    step(conn, 1 / 60);
    expect(transport.sendCalls).toBe(waiting + 5);
    expect(conn.diagnostics().queuedBytes).toBe(0);
  });

  it("reads again the next frame when a frame's reads did not drain the socket", () => {
    const conn = open({ sendEverySeconds: 0.1 });
    conn.connect("test");
    step(conn, 1 / 60);
    // Four reads of 8 KiB a frame: 40,000 bytes take two frames, not an interval.
    transport.inbox = string.rep("x", 40000);
    for (let i = 0; i < 12 && transport.inbox.length === 40000; i++) step(conn, 1 / 60);
    expect(transport.inbox.length).toBe(40000 - 4 * 8192);
    step(conn, 1 / 60);
    expect(transport.inbox.length).toBe(0);
  });

  it("is quiet until the next call while connected; a new interval applies from the next frame", () => {
    const conn = open({ sendEverySeconds: 0.5 });
    conn.connect("test");
    step(conn);
    expect(conn.state()).toBe("CONNECTED");
    expect(conn.quietUntil).toBeGreaterThan(clock.now());
    expect(conn.quietUntil).toBeLessThanOrEqual(clock.now() + 0.5);
    conn.send("now\n");
    conn.configure({
      autoReconnect: true,
      retryInitialDelay: 1,
      retryMaxDelay: 30,
      connectTimeout: 5,
      silenceTimeout: 0,
      sendEverySeconds: 0,
    });
    expect(conn.quietUntil).toBe(-math.huge);
    step(conn);
    expect(transport.current()).toBe(GREETING + "now\n");
    expect(conn.quietUntil).toBe(-math.huge);
  });
});

describe("a receiver that accepts and never reads", () => {
  /** Connected with a 15 s stall timeout and `queued` lines; the socket takes `capacity` bytes in all. */
  function stuck(this: void, capacity: number, queued: string[] = []): Connection {
    transport.plan.sendCapacity = capacity;
    const conn = new Connection(
      transport,
      clock,
      {
        host: "127.0.0.1",
        port: 9876,
        autoReconnect: true,
        retryInitialDelay: 1,
        retryMaxDelay: 30,
        connectTimeout: 5,
        silenceTimeout: 15,
      },
      { onTransition: (t) => transitions.push(t), onProven: (p) => proofs.push(p) },
      { greeting: () => GREETING, provenAfter: 10 },
    );
    for (const line of queued) conn.send(line);
    conn.connect("test");
    return conn;
  }

  it("is closed as stuck once the socket has taken nothing for the timeout, and was never proven", () => {
    const lines: string[] = [];
    for (let i = 0; i < 30; i++) lines.push(string.rep("y", 19) + "\n");
    const conn = stuck(100, lines);
    expect(transport.current().length).toBe(100);
    step(conn, 0.25);
    // Blocked since this frame: 10 s later it is still not a success.
    step(conn, 10);
    expect(proofs).toHaveLength(0);
    step(conn, 4.75);
    expect(conn.state()).toBe("CONNECTED");
    step(conn, 0.25);
    expect(conn.state()).toBe("RECONNECTING");
    const last = transitions[transitions.length - 1];
    expect(last.reason).toContain("stopped reading");
    expect(last.proven).toBe(false);
  });

  it("is not judged while the socket keeps taking bytes, however slowly", () => {
    const conn = stuck(0);
    for (let i = 0; i < 200; i++) conn.send(string.rep("z", 99) + "\n");
    for (let i = 0; i < 100; i++) {
      transport.sendCapacity = 10; // a few bytes a frame
      step(conn, 1);
    }
    expect(conn.state()).toBe("CONNECTED");
    expect(proofs).toHaveLength(1);
  });

  it("keeps a connection with nothing to write, however long", () => {
    const conn = stuck(GREETING.length);
    for (let i = 0; i < 60; i++) step(conn, 1);
    expect(conn.state()).toBe("CONNECTED");
  });
});

describe("writing within the per-frame cap", () => {
  it("spreads one line longer than the cap over frames, no send over the cap", () => {
    const conn = new Connection(
      transport,
      clock,
      {
        host: "127.0.0.1",
        port: 9876,
        autoReconnect: true,
        retryInitialDelay: 1,
        retryMaxDelay: 30,
        connectTimeout: 5,
        silenceTimeout: 0,
      },
      { onTransition: (t) => transitions.push(t) },
      { sendBytesPerFrame: 1000 },
    );
    const line = string.rep("L", 4499) + "\n";
    conn.send(line);
    conn.connect("test");
    const sizes: number[] = [transport.current().length];
    for (let i = 0; i < 5; i++) {
      const before = transport.current().length;
      step(conn);
      sizes.push(transport.current().length - before);
    }
    expect(sizes).toEqual([1000, 1000, 1000, 1000, 500, 0]);
    expect(transport.current()).toBe(line);
    expect(conn.diagnostics().messagesSent).toBe(1);
  });

  it("flush writes what is queued now, without waiting for the next frame", () => {
    const conn = open();
    conn.connect("test");
    conn.send("bye\n");
    conn.flush();
    expect(transport.current()).toBe(GREETING + "bye\n");
  });
});

describe("quietUntil: until when update has nothing to do", () => {
  it("is the retry time while reconnecting, once update has closed the failed socket", () => {
    transport.openStatus = "failed";
    const conn = open();
    const failedAt = clock.now();
    conn.connect("test");
    expect(conn.state()).toBe("RECONNECTING");
    // A transition: the released socket waits for the next update.
    expect(conn.quietUntil).toBe(-math.huge);
    expect(transport.awaitingFinish).toBe(true);
    step(conn);
    expect(transport.finished).toBe(1);
    expect(conn.quietUntil).toBe(failedAt + lastRetry()!);
  });

  it("is never while disconnected or stopped by an error, always while connecting or connected", () => {
    const conn = open();
    step(conn);
    expect(conn.state()).toBe("DISCONNECTED");
    expect(conn.quietUntil).toBe(math.huge);
    transport.openStatus = "pending";
    conn.connect("test");
    step(conn);
    expect(conn.state()).toBe("CONNECTING");
    expect(conn.quietUntil).toBe(-math.huge);
    transport.connectStatus = "connected";
    step(conn);
    step(conn);
    expect(conn.state()).toBe("CONNECTED");
    expect(conn.quietUntil).toBe(-math.huge);
    conn.configure({
      autoReconnect: false,
      retryInitialDelay: 1,
      retryMaxDelay: 30,
      connectTimeout: 5,
      silenceTimeout: 0,
    });
    transport.peerError = "closed";
    step(conn);
    expect(conn.state()).toBe("ERROR");
    step(conn);
    expect(conn.quietUntil).toBe(math.huge);
  });

  it("ends with any transition, so a command made while quiet is acted on", () => {
    const conn = open();
    step(conn);
    expect(conn.quietUntil).toBe(math.huge);
    // The player's /livedata connect while disconnected: a pending attempt, updated only
    // from quietUntil on, is followed until it connects.
    transport.openStatus = "pending";
    conn.connect("test");
    expect(conn.quietUntil).toBe(-math.huge);
    for (let frame = 0; frame < 10; frame++) {
      clock.advance(1 / 60);
      if (frame === 5) transport.connectStatus = "connected";
      if (clock.now() >= conn.quietUntil) conn.update();
    }
    expect(conn.state()).toBe("CONNECTED");
    // ... and a disconnect while connected makes it quiet for good after its update.
    conn.disconnect("test");
    step(conn);
    expect(conn.quietUntil).toBe(math.huge);
  });

  it("updated only from quietUntil on, it makes the same transitions at the same times, and closes every released socket", () => {
    // Two connections to a receiver that is down, then up: one updated every frame, the
    // other only when not quiet. Each has its own transport; the same clock. Their states
    // are compared frame by frame.
    const everyFrame = open();
    const everyTransport = transport;
    transport = new ScriptedTransport();
    const quiet = open();
    const log: string[][] = [[], []];
    for (const t of [everyTransport, transport]) t.openStatus = "failed";
    everyFrame.connect("test");
    quiet.connect("test");
    let skipped = 0;
    let lateCloses = 0;
    for (let frame = 0; frame < 60 * 120; frame++) {
      if (frame === 60 * 90) {
        for (const t of [everyTransport, transport]) t.openStatus = "connected";
      }
      clock.advance(1 / 60);
      everyFrame.update();
      const awaiting = transport.awaitingFinish;
      if (clock.now() >= quiet.quietUntil) quiet.update();
      else skipped += 1;
      // A socket released in a frame is closed in the next one, quiet or not.
      if (awaiting && transport.awaitingFinish) lateCloses += 1;
      log[0].push(everyFrame.state());
      log[1].push(quiet.state());
    }
    expect(table.concat(log[1], ",")).toBe(table.concat(log[0], ","));
    expect(transport.opens).toBe(everyTransport.opens);
    expect(transport.opens).toBeGreaterThan(6);
    expect(quiet.state()).toBe("CONNECTED");
    expect(lateCloses).toBe(0);
    expect(transport.finished).toBe(transport.closes);
    expect(transport.awaitingFinish).toBe(false);
    // ... and the test is not void: most frames left the quiet one alone.
    expect(skipped).toBeGreaterThan(60 * 60);
  });
});
