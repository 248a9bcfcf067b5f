// Connects the TCP side (the test server's connection handling: accepting, line splitting with
// a bounded buffer, kick/stop/start) to the receiver's pipeline, and runs its periodic tick:
// the pipeline's own work, then closing connections that hold a slot without talking.
import type { Receiver } from "../receiver.ts";
import type { ConnectionHandle } from "../receiver.ts";
import type { TestServer } from "../testServer.ts";
import { ConnectionTimeouts } from "./connectionTimeouts.ts";
import type { ConnectionLimits } from "./connectionTimeouts.ts";

/** Acknowledgements go out at most this often (the protocol asks for a few a second). */
export const TICK_MS = 250;

export interface ListenerOptions {
  limits: ConnectionLimits;
  /** The clock (ms since 1970), the receiver's. */
  now: () => number;
  tickMs?: number;
}

export interface WidgetListener {
  /** The session a client feeds, or null before its hello (or for an unknown client). */
  sessionOf(clientId: number): string | null;
  /** Undoes the wiring and stops the tick. */
  detach(): void;
}

export function attachReceiver(
  server: TestServer,
  receiver: Receiver,
  options: ListenerOptions,
): WidgetListener {
  const { now } = options;
  const handles = new Map<number, ConnectionHandle>();
  const timeouts = new ConnectionTimeouts(options.limits);
  const handleOf = (clientId: number, label: string): ConnectionHandle => {
    let handle = handles.get(clientId);
    if (!handle) {
      handle = receiver.open({
        label,
        reply: (line) => void server.send(clientId, line),
        close: () => void server.kickClient(clientId),
      });
      handles.set(clientId, handle);
    }
    return handle;
  };
  const onConnection = (client: { id: number; label: string }) => {
    timeouts.connected(client.id, now());
    handleOf(client.id, client.label);
  };
  const onData = (client: { id: number }) => timeouts.data(client.id, now());
  const onRawLine: Parameters<typeof server.on<"rawLine">>[1] = (
    client,
    bytes,
    byteLength,
    terminated,
  ) => handleOf(client.id, client.label).line(bytes, byteLength, terminated);
  const onDisconnect: Parameters<typeof server.on<"disconnect">>[1] = (event) => {
    timeouts.gone(event.client.id);
    handles.get(event.client.id)?.closed();
    handles.delete(event.client.id);
  };
  server.on("connection", onConnection);
  server.on("data", onData);
  server.on("rawLine", onRawLine);
  server.on("disconnect", onDisconnect);
  const sessionOf = (clientId: number) => handles.get(clientId)?.session() ?? null;
  const greeted = (clientId: number) => sessionOf(clientId) !== null;
  const timer = setInterval(() => {
    receiver.tick();
    for (const { id, why } of timeouts.expired(now(), greeted)) void server.timeOut(id, why);
  }, options.tickMs ?? TICK_MS);
  timer.unref();
  return {
    sessionOf,
    detach: () => {
      clearInterval(timer);
      server.off("connection", onConnection);
      server.off("data", onData);
      server.off("rawLine", onRawLine);
      server.off("disconnect", onDisconnect);
    },
  };
}
