// Per-client log messages are summarised when many clients come and go, with a test clock;
// the details stay in the API.
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { LogLimiter } from "../../receiver/logLimiter.ts";
import type { ConnectionsReport } from "../../receiver/net/connectionLog.ts";
import { connect, startApp } from "./helpers.ts";

function setup(perInterval = 5, intervalMs = 10_000) {
  const clock = { now: Date.UTC(2025, 0, 30, 19, 15, 3) };
  const lines: string[] = [];
  const limiter = new LogLimiter(
    (message) => lines.push(message),
    () => clock.now,
    {
      perInterval,
      intervalMs,
    },
  );
  return { clock, lines, limiter, log: limiter.limited };
}

describe("LogLimiter", () => {
  it("logs the first few of a kind per interval and counts the rest into one line", () => {
    const { clock, lines, limiter, log } = setup();
    for (let i = 1; i <= 1500; i++) {
      log(`#${i} connected`, "connect");
      clock.now += 2; // 1500 clients in 3 s
      log(`#${i} disconnected`, "disconnect");
    }
    log("listening on 127.0.0.1:9876"); // no kind: never held back
    expect(lines).toEqual([
      "#1 connected",
      "#1 disconnected",
      "#2 connected",
      "#2 disconnected",
      "#3 connected",
      "#3 disconnected",
      "#4 connected",
      "#4 disconnected",
      "#5 connected",
      "#5 disconnected",
      "listening on 127.0.0.1:9876",
    ]);
    limiter.flush(); // the interval is not over: nothing yet
    expect(lines).toHaveLength(11);
    clock.now += 8_000;
    limiter.flush();
    expect(lines.slice(11)).toEqual([
      expect.stringMatching(/^… and 1,495 more clients connected in the 10 s from \d\d:\d\d:03, /),
      expect.stringMatching(/^… and 1,495 more clients disconnected in the 10 s from /),
    ]);
    expect(lines[11]).toContain('the "status" command and /api/connections list them');
    limiter.flush();
    expect(lines).toHaveLength(13);
  });

  it("starts a new interval after the last one, summarising it first", () => {
    const { clock, lines, log } = setup(2, 1000);
    for (let i = 1; i <= 4; i++) log(`a${i}`, "session");
    clock.now += 1000;
    log("b1", "session");
    log("b2", "session");
    log("b3", "session");
    expect(lines).toEqual([
      "a1",
      "a2",
      expect.stringContaining("… and 2 more session messages"),
      "b1",
      "b2",
    ]);
  });

  it("writes no summary for an interval with nothing held back", () => {
    const { clock, lines, limiter, log } = setup();
    log("one", "refused");
    clock.now += 60_000;
    limiter.flush();
    expect(lines).toEqual(["one"]);
  });
});

describe("the receiver's log with many clients", () => {
  it("summarises 300 clients coming and going, and lists them in /api/connections", async () => {
    const { clock, lines, limiter, log } = setup();
    const app = await startApp({ log });
    const clients = await Promise.all(
      Array.from({ length: 300 }, () => connect(app.widgetAddress.port)),
    );
    while (app.server.totals.acceptedConnections < 300) await once(app.server, "connection");
    const base = `http://127.0.0.1:${app.http!.address.port}`;
    const during = (await (await fetch(`${base}/api/connections`)).json()) as ConnectionsReport;
    expect(during.clients).toHaveLength(300);

    for (const socket of clients) socket.end();
    while (app.server.totals.closedConnections < 300) await once(app.server, "disconnect");
    clock.now += 10_000;
    limiter.flush();
    expect(lines.filter((l) => / connected \(/.test(l))).toHaveLength(5);
    expect(lines.filter((l) => / disconnected: closed by client /.test(l))).toHaveLength(5);
    expect(lines.filter((l) => l.startsWith("… and 295 more clients"))).toHaveLength(2);
    expect(lines).toHaveLength(12);

    const after = (await (await fetch(`${base}/api/connections`)).json()) as ConnectionsReport;
    expect(after.clients).toEqual([]);
    expect(after.totals).toMatchObject({ acceptedConnections: 300, closedConnections: 300 });
    expect(after.recentDisconnects).toHaveLength(100);
    expect(after.recentDisconnects.at(-1)).toMatchObject({
      reason: "closed-by-client",
      error: null,
      linesReceived: 0,
    });
  }, 60_000);
});
