// The WebSocket stream (/api/stream): the whole state first, then every change as it happens.
// A reader that reconnects with ?after=<id> gets only what it missed, while the change feed
// still holds it, else the whole state again.
import type { IncomingMessage } from "node:http";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import type { StreamEvent } from "../eventLog.ts";
import type { Receiver } from "../receiver.ts";
import type { GameState } from "../state/gameState.ts";
import type { SessionSummary } from "../session/session.ts";

/** What the stream sends, one JSON object per WebSocket message. */
export type StreamMessage =
  | {
      type: "state";
      /** Changes with each receiver start: ids from another start cannot be resumed. */
      epoch: string;
      lastId: number;
      sessions: SessionSummary[];
      states: Record<string, GameState>;
    }
  | { type: "resume"; epoch: string; lastId: number }
  | ({ type: "event" } & StreamEvent)
  | { type: "sessions"; sessions: SessionSummary[] };

/** A reader this far behind is closed (it reconnects and resumes) rather than buffered. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** Session summaries (rates, status) go out this often; they double as a keep-alive. */
export const SESSIONS_INTERVAL_MS = 1000;

export function statesOf(receiver: Receiver): Record<string, GameState> {
  const states: Record<string, GameState> = {};
  for (const [id, session] of receiver.sessions) states[id] = session.state;
  return states;
}

export function createStream(receiver: Receiver): {
  wss: WebSocketServer;
  accept: (ws: WebSocket, request: IncomingMessage) => void;
  close: () => void;
} {
  const wss = new WebSocketServer({ noServer: true });
  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, message: StreamMessage): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(1013, "too far behind; reconnect with ?after=");
      return;
    }
    ws.send(JSON.stringify(message));
  };
  const onEvent = (event: StreamEvent) => {
    for (const ws of clients) send(ws, { type: "event", ...event });
  };
  receiver.on("event", onEvent);
  const timer = setInterval(() => {
    if (clients.size === 0) return;
    const sessions = receiver.summaries();
    for (const ws of clients) send(ws, { type: "sessions", sessions });
  }, SESSIONS_INTERVAL_MS);
  timer.unref();

  const accept = (ws: WebSocket, request: IncomingMessage): void => {
    const query = new URL(request.url ?? "/", "http://x").searchParams;
    const after = Number(query.get("after") ?? "NaN");
    // Ids restart with the receiver: resume only within the same start.
    const sameStart = query.get("epoch") === receiver.epoch;
    const missed =
      sameStart && Number.isSafeInteger(after) && after >= 0 ? receiver.feed.after(after) : null;
    if (missed?.complete) {
      send(ws, { type: "resume", epoch: receiver.epoch, lastId: receiver.feed.lastId });
      for (const event of missed.events) send(ws, { type: "event", ...event });
    } else {
      send(ws, {
        type: "state",
        epoch: receiver.epoch,
        lastId: receiver.feed.lastId,
        sessions: receiver.summaries(),
        states: statesOf(receiver),
      });
    }
    send(ws, { type: "sessions", sessions: receiver.summaries() });
    clients.add(ws);
    ws.on("close", () => clients.delete(ws));
    ws.on("error", () => clients.delete(ws));
    // Readers only listen; anything they send is ignored.
  };

  return {
    wss,
    accept,
    close: () => {
      clearInterval(timer);
      receiver.off("event", onEvent);
      for (const ws of clients) ws.terminate();
      wss.close();
    },
  };
}
