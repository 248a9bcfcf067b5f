// Connections that hold a slot without talking are closed: no hello within the hello timeout
// of connecting, or nothing at all for the idle timeout. Over TCP the receiver runs on a test
// clock that the listener's own tick reads; the tests wait for closes and answers, not time.
import { describe, expect, it } from "vitest";
import { ConnectionTimeouts } from "../../receiver/net/connectionTimeouts.ts";
import { connect, FIXTURE, helloFor, replies, startApp, until, watchClose } from "./helpers.ts";

const SESSION = "5f3a9c1e7b2d4086";

describe("ConnectionTimeouts", () => {
  const limits = { helloMs: 10_000, idleMs: 60_000 };

  it("names a connection without a hello at the hello timeout, bytes or not, once", () => {
    const timeouts = new ConnectionTimeouts(limits);
    timeouts.connected(1, 0);
    timeouts.connected(2, 0);
    timeouts.data(1, 5_000); // garbage, say: still no hello
    const greeted = (id: number) => id === 2;
    expect(timeouts.expired(9_999, greeted)).toEqual([]);
    expect(timeouts.expired(10_000, greeted)).toEqual([
      { id: 1, why: "no hello within 10 s of connecting" },
    ]);
    expect(timeouts.expired(20_000, greeted)).toEqual([]);
  });

  it("names a greeted connection the idle timeout after its last byte", () => {
    const timeouts = new ConnectionTimeouts(limits);
    timeouts.connected(1, 0);
    timeouts.data(1, 30_000);
    expect(timeouts.expired(89_999, () => true)).toEqual([]);
    expect(timeouts.expired(90_000, () => true)).toEqual([
      { id: 1, why: "nothing received for 60 s" },
    ]);
  });

  it("never names a quiet greeted connection without an idle timeout, nor one that is gone", () => {
    const timeouts = new ConnectionTimeouts({ helloMs: 1_500, idleMs: null });
    timeouts.connected(1, 0);
    timeouts.connected(2, 0);
    timeouts.gone(2);
    expect(timeouts.expired(1e9, (id) => id === 1)).toEqual([]);
    timeouts.connected(3, 0);
    expect(timeouts.expired(1_500, (id) => id === 1)).toEqual([
      { id: 3, why: "no hello within 1.5 s of connecting" },
    ]);
  });
});

describe("over TCP", () => {
  it("closes clients without a hello at 10 s, keeps widgets, and closes a widget silent for 60 s", async () => {
    const clock = { now: 1_700_000_000_000 };
    const logs: string[] = [];
    const app = await startApp({ now: () => clock.now, log: (message) => logs.push(message) });
    const port = app.widgetAddress.port;
    const widget = await connect(port);
    const widgetAnswers = replies(widget);
    widget.write(`${FIXTURE.slice(0, 3).join("\n")}\n`);
    const silent = await connect(port);
    const garbage = await connect(port);
    garbage.write("not a hello\n");
    const late = await connect(port);
    const lateAnswers = replies(late);
    await until(
      app,
      () =>
        app.server.status().clients.length === 4 &&
        app.receiver.unattributed.total === 1 &&
        widgetAnswers.some((a) => a.type === "ack" && a.seq === 2),
      "four clients, the garbage line and the widget acknowledged",
    );
    // GET /api/connections names the session each client feeds.
    expect(app.connections.report().clients.map((c) => c.session)).toEqual([
      SESSION,
      null,
      null,
      null,
    ]);
    const [silentPort, garbagePort, widgetPort, latePort] = [silent, garbage, widget, late].map(
      (socket) => socket.localPort,
    );
    const [silentClosed, garbageClosed, lateClosed] = [silent, garbage, late].map(watchClose);

    // Just before the hello timeout: a tick has run (it acknowledged seq 3), and a hello now
    // still counts.
    clock.now += 9_999;
    widget.write(`${FIXTURE[3]}\n`);
    await until(app, () => widgetAnswers.some((a) => a.type === "ack" && a.seq === 3), "ack 3");
    late.write(`${helloFor("late000000000001")}\n`);
    await until(app, () => lateAnswers.some((a) => a.type === "hello_reply"), "late hello_reply");

    clock.now += 1;
    await Promise.all([silentClosed, garbageClosed]);
    await until(app, () => app.server.status().clients.length === 2, "the two closes seen");
    expect(app.server.status().clients.map((c) => c.remotePort)).toEqual([widgetPort, latePort]);
    const timedOut = () => logs.filter((l) => / disconnected: timed out, /.test(l));
    const noHello = "disconnected: timed out, no hello within 10 s of connecting";
    expect(timedOut()).toHaveLength(2);
    expect(timedOut()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(`:${silentPort} ${noHello} \\(after .*; 0 bytes, 0 lines\\)$`),
        expect.stringMatching(`:${garbagePort} ${noHello} \\(after .*; 12 bytes, 1 line\\)$`),
      ]),
    );
    expect(app.connections.report().recentDisconnects).toMatchObject([
      { reason: "timed-out", detail: "no hello within 10 s of connecting" },
      { reason: "timed-out", detail: "no hello within 10 s of connecting" },
    ]);

    // Both widgets sent their last byte at 9.999 s. At 69.998 s they are stale (since 15 s
    // of silence) but still connected: one of them is answered.
    clock.now += 59_998;
    await until(app, () => app.receiver.summaries().every((s) => s.status === "stale"), "stale");
    widget.write(`${FIXTURE[4]}\n`);
    await until(app, () => widgetAnswers.some((a) => a.type === "ack" && a.seq === 4), "ack 4");
    // At 69.999 s the other one is closed (so that it reconnects), the one that spoke is kept.
    clock.now += 1;
    await lateClosed;
    await until(app, () => timedOut().length === 3, "the idle close logged");
    expect(timedOut()[2]).toContain(
      `:${latePort} disconnected: timed out, nothing received for 60 s (`,
    );
    expect(app.server.status().clients.map((c) => c.remotePort)).toEqual([widgetPort]);
    const statuses = (session: string) =>
      app.receiver.feed
        .after(0)
        .events.flatMap((e) => (e.kind === "status" && e.session === session ? [e.status] : []));
    expect(statuses("late000000000001")).toEqual(["stale", "disconnected"]);
    expect(statuses(SESSION)).toEqual(["stale", "live"]);
  });
});
