// Bad input over real TCP while a good widget streams: garbage, binary, a 100 MiB line
// without a newline, silent clients, 200 clients at once. Nothing may crash or stall, and
// the good session must lose nothing. (Silent clients are closed after a while:
// timeouts.test.ts.)
import { once } from "node:events";
import type net from "node:net";
import { describe, expect, it } from "vitest";
import type { ReceiverApp } from "../../receiver/app.ts";
import { connect, FIXTURE, helloFor, replies, startApp, until } from "./helpers.ts";

/** A client whose resets (the receiver may close it mid-write) are no test failure. */
async function connectTo(app: ReceiverApp): Promise<net.Socket> {
  const socket = await connect(app.widgetAddress.port);
  socket.on("error", () => undefined);
  return socket;
}

describe("robustness", () => {
  it("survives every bad input at once and loses nothing of the good sessions", async () => {
    // The storm takes no time on the receiver's clock: however slow the machine, no
    // connection reaches a timeout here (timeouts.test.ts closes the silent ones).
    const app = await startApp({ httpPort: null, now: () => 1_700_000_000_000 });
    const good = await connectTo(app);
    const goodReplies = replies(good);

    // Garbage and binary, on their own connection and after a valid hello on another one.
    const garbage = await connectTo(app);
    garbage.write("hello?\n\u0000\u0001\u0002\xff\n{{{{\n[]\n");
    garbage.write(Buffer.from([0xc3, 0x28, 0x0a, 0xf0, 0x28, 0x8c, 0x28, 0x0a]));
    const mixed = await connectTo(app);
    mixed.write(`${helloFor("mixed00000000001")}\nnot json at all\n${"\u0007".repeat(50)}\n`);

    // Silent clients.
    for (let i = 0; i < 5; i++) await connectTo(app);

    // A 100 MiB line without a newline, sent with backpressure while the server bounds it.
    const huge = await connectTo(app);
    let maxPending = 0;
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const hugeDone = (async () => {
      for (let i = 0; i < 100; i++) {
        if (!huge.write(chunk)) await once(huge, "drain");
        for (const client of app.server.status().clients)
          maxPending = Math.max(maxPending, client.pendingBytes);
      }
    })();

    // The good widget streams its whole session meanwhile.
    good.write(`${FIXTURE.join("\n")}\n`);
    await hugeDone;
    await until(
      app,
      () => app.receiver.sessions.get("5f3a9c1e7b2d4086")?.status === "ended",
      "the good session's bye",
    );

    // 200 clients at once, each a short session of its own.
    const many = await Promise.all(Array.from({ length: 200 }, () => connectTo(app)));
    many.forEach((socket, i) =>
      socket.write(
        `${helloFor(`many${String(i).padStart(12, "0")}`)}\n${FIXTURE.slice(1, 6).join("\n")}\n`,
      ),
    );
    await until(
      app,
      () =>
        [...app.receiver.sessions.values()].filter(
          (s) => s.id.startsWith("many") && s.linesAccepted === 5,
        ).length === 200,
      "200 sessions with 5 messages each",
    );

    const summary = app.receiver.summaries().find((s) => s.session === "5f3a9c1e7b2d4086")!;
    // 31 sequenced messages in the fixture minus the 6 the widget itself reports dropped.
    expect(summary.linesAccepted).toBe(FIXTURE.length - 1);
    expect(summary.invalid.total).toBe(0);
    expect(summary.missing).toBe(0);
    // The TCP side counts every line, though nothing there describes them for a console.
    const goodClient = app.server.status().clients.find((c) => c.remotePort === good.localPort);
    expect(goodClient!.linesReceived).toBe(FIXTURE.length);
    // The bounded buffer: never more than the line limit plus a CR.
    expect(maxPending).toBeLessThanOrEqual(1024 * 1024 + 1);
    huge.write("\n");
    await until(
      app,
      () => (app.receiver.unattributed.byReason["too-long"]?.count ?? 0) === 1,
      "the huge line counted",
    );
    expect(app.receiver.unattributed.byReason["not-json"]!.count).toBeGreaterThanOrEqual(2);
    expect(app.receiver.unattributed.byReason["not-utf8"]!.count).toBe(2);
    const mixedSummary = app.receiver.summaries().find((s) => s.session === "mixed00000000001")!;
    expect(mixedSummary.invalid.byReason["not-json"]!.count).toBe(2);

    // The good widget was answered and acknowledged up to its last seq.
    await until(
      app,
      () => goodReplies.some((r) => r.type === "ack" && r.seq === 31),
      "the ack of seq 31",
    );
    expect(goodReplies[0]).toMatchObject({ type: "hello_reply" });
    // Still serving: a new session after all that.
    const late = await connectTo(app);
    late.write(`${helloFor("late000000000001")}\n${FIXTURE[1]}\n`);
    await until(
      app,
      () => app.receiver.sessions.get("late000000000001")?.linesAccepted === 1,
      "a session after the storm",
    );
  }, 60_000);
});
