/**
 * A receiver for the end-to-end protocol tests, small enough to steer: it keeps every
 * line the widget writes (per connection, in arrival order), checks each against the
 * protocol's JSON Schema, acknowledges the highest seq it has every `ackIntervalMs`
 * (as the real receiver does), and can kill a connection abruptly (RST: whatever the
 * socket held is lost, as when a receiver crashes), stop reading, or stop listening.
 */
import net from "node:net";
import type { OutboundMessage } from "../../protocol/messages.ts";
import { createValidator } from "../protocol/validator.ts";
import { listenOnKeptPorts } from "./kept-port.ts";

const validator = createValidator();

export interface Received {
  /** 1 for the first connection accepted, then 2, ... */
  connection: number;
  text: string;
  message: OutboundMessage;
}

export interface InvalidLine {
  connection: number;
  text: string;
  errors: string;
}

export interface ProtocolReceiverOptions {
  /** Acknowledge what arrived (default true). */
  ack?: boolean;
  ackIntervalMs?: number;
  /** Read nothing from a connection (a receiver that accepts and never reads). */
  neverRead?: boolean;
}

export class ProtocolReceiver {
  readonly received: Received[] = [];
  readonly invalid: InvalidLine[] = [];
  /** Connections accepted so far. */
  connections = 0;
  /** The seq of the last ack written (0: none). */
  lastAcked = 0;
  private server: net.Server | undefined;
  private port = 0;
  private readonly sockets = new Map<number, net.Socket>();
  private maxSeq = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProtocolReceiverOptions = {}) {}

  /**
   * Listens on 127.0.0.1 and returns the port. Port 0: a free one below the OS's ephemeral
   * range (test/support/kept-port.ts: no other test's bind(0) can take it while this receiver
   * is stopped), kept for later starts.
   */
  async start(port = this.port): Promise<number> {
    const server = await listenOnKeptPorts([port], ([p]) => this.listen(p));
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    if (this.options.ack !== false) {
      this.timer = setInterval(() => this.acknowledge(), this.options.ackIntervalMs ?? 250);
    }
    return this.port;
  }

  private async listen(port: number): Promise<net.Server> {
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return server;
  }

  /** Stops listening and drops every connection (a receiver that went away). */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.kill();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resets every open connection at once: unread bytes are lost. */
  kill(): void {
    for (const socket of this.sockets.values()) socket.resetAndDestroy();
    this.sockets.clear();
  }

  /** Whether a connection is open now. */
  isConnected(): boolean {
    return this.sockets.size > 0;
  }

  /** The messages with a seq, in arrival order (resends included). */
  sequenced(): (OutboundMessage & { seq: number })[] {
    return this.received
      .map((r) => r.message)
      .filter((m): m is OutboundMessage & { seq: number } => m.type !== "hello");
  }

  /** The highest seq received (0: none). */
  highestSeq(): number {
    return this.maxSeq;
  }

  private accept(socket: net.Socket): void {
    const id = ++this.connections;
    this.sockets.set(id, socket);
    socket.setNoDelay(true);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.sockets.get(id) === socket) this.sockets.delete(id);
    });
    if (this.options.neverRead === true) {
      socket.pause();
      return;
    }
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let start = 0;
      for (;;) {
        const newline = pending.indexOf(0x0a, start);
        if (newline < 0) break;
        this.line(id, pending.subarray(start, newline));
        start = newline + 1;
      }
      pending = pending.subarray(start);
    });
  }

  private line(connection: number, bytes: Buffer): void {
    let text: string;
    let message: OutboundMessage;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      message = JSON.parse(text) as OutboundMessage;
    } catch (e) {
      this.invalid.push({ connection, text: bytes.toString("hex"), errors: String(e) });
      return;
    }
    const errors = validator.outbound(message);
    if (errors.length > 0) {
      this.invalid.push({ connection, text, errors: JSON.stringify(errors) });
    }
    this.received.push({ connection, text, message });
    if (message.type !== "hello") this.maxSeq = Math.max(this.maxSeq, message.seq);
  }

  /** Acknowledges, on every open connection, the highest seq received so far. */
  private acknowledge(): void {
    const seq = this.highestSeq();
    if (seq === 0) return;
    for (const socket of this.sockets.values()) {
      if (!socket.destroyed) {
        socket.write(`{"type":"ack","seq":${seq}}\n`);
        this.lastAcked = seq;
      }
    }
  }
}
