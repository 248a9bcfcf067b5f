/**
 * A reader of the receiver's WebSocket stream (`/api/stream`, what the overlay reads) that
 * notes when each unit event arrives, by Node's wall clock with sub-millisecond resolution,
 * for the call-in to overlay latency of the pipeline benchmark. A `unit_events` message
 * carries a frame's events as rows: each row's arrival is its message's.
 */
import WebSocket from "ws";
import type { StreamMessage } from "../../receiver/http/stream.ts";

/** The truth log's name of a unit event row's kind (its call-in), as its key's first part. */
export const TRUTH_NAME: Record<string, string> = {
  created: "UnitCreated",
  finished: "UnitFinished",
  destroyed: "UnitDestroyed",
};

/** "UnitDestroyed:unitID:frame", the same from both sides. */
export const eventKey = (truthName: string, unitID: number, frame: number): string =>
  `${truthName}:${unitID}:${frame}`;

export const wallNow = (): number => performance.timeOrigin + performance.now();

export class StreamArrivals {
  /** First arrival per event key, wall ms. */
  readonly arrivals = new Map<string, number>();
  messages = 0;
  private socket: WebSocket | null = null;

  async connect(httpPort: number): Promise<void> {
    const socket = new WebSocket(`ws://127.0.0.1:${httpPort}/api/stream`);
    this.socket = socket;
    socket.on("message", (data) => {
      const at = wallNow();
      this.messages++;
      const m = JSON.parse(String(data)) as StreamMessage;
      if (m.type !== "event" || m.kind !== "message" || m.message.type !== "unit_events") return;
      const frame = m.message.frame;
      for (const row of m.message.events) {
        const name = Object.hasOwn(TRUTH_NAME, row[0]) ? TRUTH_NAME[row[0]] : undefined;
        if (name === undefined) continue;
        const key = eventKey(name, row[1], frame);
        if (!this.arrivals.has(key)) this.arrivals.set(key, at);
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
  }

  close(): void {
    this.socket?.close();
  }
}
