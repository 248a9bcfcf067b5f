// Bad input over real TCP while a good widget streams: garbage, binary, a 100 MiB line
// without a newline, silent clients, 200 clients at once. Nothing may crash or stall, and
// the good session must lose nothing. (Silent clients are closed after a while:
// timeouts.test.ts.)
import { once } from "node:events";
import { readFileSync } from "node:fs";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startReceiverApp } from "../../receiver/app.ts";
import type { ReceiverApp } from "../../receiver/app.ts";

const FIXTURE = readFileSync(
  new URL("../../protocol/fixtures/session.ndjson", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter((line) => line.trim() !== "");

const apps: ReceiverApp[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(): Promise<ReceiverApp> {
  const app = await startReceiverApp({
    host: "127.0.0.1",
    port: 0,
    httpPort: null,
    recordingsDir: null,
    // The storm takes no time on the receiver's clock: however slow the machine, no
    // connection reaches a timeout here (timeouts.test.ts closes the silent ones).
    now: () => 1_700_000_000_000,
  });
  apps.push(app);
  return app;
}

async function connect(app: ReceiverApp): Promise<net.Socket> {
  const socket = net.connect({ host: "127.0.0.1", port: app.widgetAddress.port });
  sockets.push(socket);
  socket.on("error", () => undefined);
  await once(socket, "connect");
  return socket;
}

/** Resolves when `condition` holds, checking on every pipeline event and every 10 ms. */
function until(
  app: ReceiverApp,
  condition: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!condition()) return;
      cleanup();
      resolve();
    };
    const timer = setInterval(check, 10);
    const timeout = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      clearInterval(timer);
      clearTimeout(timeout);
      app.receiver.off("event", check);
    };
    app.receiver.on("event", check);
    check();
  });
}

/** Lines the receiver wrote back to this socket. */
function replies(socket: net.Socket): Record<string, unknown>[] {
  const received: Record<string, unknown>[] = [];
  let buffer = "";
  socket.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let newline;
    while ((newline = buffer.indexOf("\n")) !== -1) {
      received.push(JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>);
      buffer = buffer.slice(newline + 1);
    }
  });
  return received;
}

function helloFor(session: string): string {
  return JSON.stringify({ ...(JSON.parse(FIXTURE[0]!) as object), session });
}

describe("robustness", () => {
  it("survives every bad input at once and loses nothing of the good sessions", async () => {
    const app = await start();
    const good = await connect(app);
    const goodReplies = replies(good);

    // Garbage and binary, on their own connection and after a valid hello on another one.
    const garbage = await connect(app);
    garbage.write("hello?\n\u0000\u0001\u0002\xff\n{{{{\n[]\n");
    garbage.write(Buffer.from([0xc3, 0x28, 0x0a, 0xf0, 0x28, 0x8c, 0x28, 0x0a]));
    const mixed = await connect(app);
    mixed.write(`${helloFor("mixed00000000001")}\nnot json at all\n${"\u0007".repeat(50)}\n`);

    // Silent clients.
    for (let i = 0; i < 5; i++) await connect(app);

    // A 100 MiB line without a newline, sent with backpressure while the server bounds it.
    const huge = await connect(app);
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
    const many = await Promise.all(Array.from({ length: 200 }, () => connect(app)));
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
    // 33 sequenced messages in the fixture minus the 6 the widget itself reports dropped.
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
      () => goodReplies.some((r) => r.type === "ack" && r.seq === 33),
      "the ack of seq 33",
    );
    expect(goodReplies[0]).toMatchObject({ type: "hello_reply" });
    // Still serving: a new session after all that.
    const late = await connect(app);
    late.write(`${helloFor("late000000000001")}\n${FIXTURE[1]}\n`);
    await until(
      app,
      () => app.receiver.sessions.get("late000000000001")?.linesAccepted === 1,
      "a session after the storm",
    );
  }, 60_000);
});
