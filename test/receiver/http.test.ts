// The HTTP API and the WebSocket stream of a running receiver, with real HTTP and ws clients.
import { once } from "node:events";
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { ReceiverApp } from "../../receiver/app.ts";
import type { StreamMessage } from "../../receiver/http/stream.ts";
import { FIXTURE, startApp } from "./helpers.ts";

const sockets: WebSocket[] = [];
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate();
});

/** A receiver with HTTP, and a trusted connection that feeds it lines. */
async function start(
  token: string | null = null,
): Promise<{ app: ReceiverApp; base: string; feed: (lines: string[]) => void }> {
  const app = await startApp({ token });
  const connection = app.receiver.open({
    label: "test",
    trusted: true,
    reply: () => undefined,
    close: () => undefined,
  });
  const feed = (lines: string[]) => {
    for (const line of lines) connection.line(Buffer.from(line), Buffer.byteLength(line), true);
  };
  return { app, base: `http://127.0.0.1:${app.http!.address.port}`, feed };
}

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.json() };
}

/** A stream client that collects messages; next() resolves with the next unread one. */
function stream(url: string) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const queue: StreamMessage[] = [];
  const waiters: ((m: StreamMessage) => void)[] = [];
  ws.on("message", (data) => {
    const message = JSON.parse(String(data)) as StreamMessage;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const next = (): Promise<StreamMessage> => {
    const queued = queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no stream message within 5 s")), 5000);
      waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  };
  /** Skips the periodic session summaries. */
  const nextChange = async (): Promise<StreamMessage> => {
    for (;;) {
      const m = await next();
      if (m.type !== "sessions") return m;
    }
  };
  return { ws, next, nextChange };
}

describe("HTTP API", () => {
  it("lists sessions, serves the state with metrics, and pages through the change feed", async () => {
    const { base, feed } = await start();
    expect((await get(`${base}/api/state`)).status).toBe(404);
    feed(FIXTURE.slice(0, 12));
    const sessions = await get(`${base}/api/sessions`);
    expect(sessions.body.sessions).toMatchObject([
      { session: "5f3a9c1e7b2d4086", status: "live", highestSeq: 11 },
    ]);
    const state = await get(`${base}/api/state?session=5f3a9c1e7b2d4086`);
    expect(state.body.state.game.mapName).toBe("Colorado_V2 1.1");
    expect(state.body.metrics.find((m: { teamID: number }) => m.teamID === 0).killedMetal).toBe(42);
    expect(state.body.state.hello.token).toBeUndefined();
    const first = await get(`${base}/api/events?after=0&limit=5`);
    expect(first.body.events.map((e: { id: number }) => e.id)).toEqual([1, 2, 3, 4, 5]);
    expect(first.body).toMatchObject({ next: 5, complete: true, lastId: 12 });
    const rest = await get(`${base}/api/events?after=${first.body.next}`);
    expect(rest.body.events.map((e: { message: { seq?: number } }) => e.message.seq)).toEqual([
      5, 6, 7, 8, 9, 10, 11,
    ]);
    expect((await get(`${base}/api/events?after=-1`)).status).toBe(400);
  });

  it("answers only requests addressed to this machine by name (no DNS rebinding)", async () => {
    const { app } = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.get(
        {
          host: "127.0.0.1",
          port: app.http!.address.port,
          path: "/api/sessions",
          headers: { host: "evil.example:80" },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on("error", reject);
    });
    expect(status).toBe(403);
  });

  it("requires the token on HTTP and on the stream when one is set", async () => {
    const { base } = await start("t0ken");
    expect((await get(`${base}/api/sessions`)).status).toBe(401);
    expect((await get(`${base}/api/sessions?token=t0ken`)).status).toBe(200);
    expect((await get(`${base}/api/sessions`, { authorization: "Bearer t0ken" })).status).toBe(200);
    const ws = new WebSocket(`${base.replace("http", "ws")}/api/stream`);
    sockets.push(ws);
    const [error] = (await once(ws, "error")) as [Error];
    expect(error.message).toMatch(/401/);
  });
});

describe("WebSocket stream", () => {
  it("sends the state, then every change, and resumes from an id without repeating", async () => {
    const { app, base, feed } = await start();
    feed(FIXTURE.slice(0, 4));
    const url = `${base.replace("http", "ws")}/api/stream`;
    const client = stream(url);
    const first = await client.next();
    expect(first.type).toBe("state");
    if (first.type !== "state") return;
    expect(first.states["5f3a9c1e7b2d4086"]!.teams).toHaveLength(9);
    expect(first.lastId).toBe(4);
    feed([FIXTURE[4]!]);
    const change = await client.nextChange();
    expect(change).toMatchObject({
      type: "event",
      id: 5,
      kind: "message",
      message: { type: "economy", seq: 4 },
    });
    client.ws.close();

    // Missed while away: seq 5..7; a resumed reader gets exactly those.
    feed(FIXTURE.slice(5, 8));
    const resumed = stream(`${url}?after=5&epoch=${first.epoch}`);
    expect(await resumed.nextChange()).toEqual({
      type: "resume",
      epoch: app.receiver.epoch,
      lastId: 8,
    });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(((await resumed.nextChange()) as { id: number }).id);
    expect(ids).toEqual([6, 7, 8]);

    // Ids of another receiver start cannot be resumed: the whole state comes instead.
    const otherStart = stream(`${url}?after=5&epoch=not-this-one`);
    expect((await otherStart.nextChange()).type).toBe("state");
  });
});
