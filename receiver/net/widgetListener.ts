// Connects the TCP side (the test server's connection handling: accepting, line splitting with
// a bounded buffer, kick/stop/start) to the receiver's pipeline, and runs its periodic tick.
import type { Receiver } from "../receiver.ts";
import type { ConnectionHandle } from "../receiver.ts";
import type { TestServer } from "../testServer.ts";

/** Acknowledgements go out at most this often (the protocol asks for a few a second). */
export const TICK_MS = 250;

/** Wires them together; returns a function that undoes it and stops the tick. */
export function attachReceiver(
  server: TestServer,
  receiver: Receiver,
  tickMs = TICK_MS,
): () => void {
  const handles = new Map<number, ConnectionHandle>();
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
  const onConnection = (client: { id: number; label: string }) =>
    void handleOf(client.id, client.label);
  const onRawLine: Parameters<typeof server.on<"rawLine">>[1] = (
    client,
    bytes,
    byteLength,
    terminated,
  ) => handleOf(client.id, client.label).line(bytes, byteLength, terminated);
  const onDisconnect: Parameters<typeof server.on<"disconnect">>[1] = (event) => {
    handles.get(event.client.id)?.closed();
    handles.delete(event.client.id);
  };
  server.on("connection", onConnection);
  server.on("rawLine", onRawLine);
  server.on("disconnect", onDisconnect);
  const timer = setInterval(() => receiver.tick(), tickMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    server.off("connection", onConnection);
    server.off("rawLine", onRawLine);
    server.off("disconnect", onDisconnect);
  };
}
