// Shared helpers for the server tests: real node:net clients and event-driven waits, no sleeps.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";
import {
  createTestServer,
  type WatchedTestServer as TestServer,
  type WatchedTestServerOptions as TestServerOptions,
} from "../support/testServer.ts";
import type { ClientInfo } from "../../receiver/testServer.ts";
import { startReceiverApp } from "../../receiver/app.ts";
import type { ReceiverApp, ReceiverAppOptions } from "../../receiver/app.ts";

export const HOST = "127.0.0.1";

/**
 * The protocol's sample session, one line each: a hello, then the messages of seq 1 to 31
 * (a bye), without 20..25, which its `gap` reports dropped.
 */
export const FIXTURE = readFileSync(
  new URL("../../protocol/fixtures/session.ndjson", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter((line) => line.trim() !== "");

const serversToClose: TestServer[] = [];
const appsToClose: ReceiverApp[] = [];
const socketsToDestroy: net.Socket[] = [];

afterEach(async () => {
  for (const socket of socketsToDestroy.splice(0)) socket.destroy();
  await Promise.all(serversToClose.splice(0).map((server) => server.close()));
  await Promise.all(appsToClose.splice(0).map((app) => app.close()));
});

/** A receiver on free loopback ports, recording nothing unless told; closed after the test. */
export async function startApp(options: Partial<ReceiverAppOptions> = {}): Promise<ReceiverApp> {
  const app = await startReceiverApp({ port: 0, httpPort: 0, recordingsDir: null, ...options });
  appsToClose.push(app);
  return app;
}

/** A listening server on an ephemeral loopback port, closed after the test. */
export async function startServer(
  options: TestServerOptions = {},
): Promise<{ server: TestServer; port: number }> {
  const server = createTestServer({ host: HOST, port: 0, ...options });
  serversToClose.push(server);
  const address = await server.start();
  return { server, port: address.port };
}

/** A connected client, destroyed after the test. */
export async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: HOST, port });
  socketsToDestroy.push(socket);
  await once(socket, "connect");
  return socket;
}

/** Matches the server-side record of this client socket. */
export function isClient(socket: net.Socket): (client: ClientInfo) => boolean {
  return (client) => client.remotePort === socket.localPort;
}

/** Resolves with the error code of a connection attempt that fails, e.g. "ECONNREFUSED". */
export function connectionError(port: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port });
    socket.on("connect", () => {
      socket.destroy();
      reject(new Error(`connected to port ${port}, expected the connection to fail`));
    });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

export interface CloseSeen {
  /** The peer closed its side cleanly (FIN) before the socket closed. */
  ended: boolean;
  error: NodeJS.ErrnoException | undefined;
}

/** Watches a client socket until it closes; start watching before triggering the close. */
export function watchClose(socket: net.Socket): Promise<CloseSeen> {
  let ended = false;
  let error: NodeJS.ErrnoException | undefined;
  socket.on("end", () => (ended = true));
  socket.on("error", (err) => (error = err));
  socket.resume(); // "end" is only emitted once the readable side is consumed
  return new Promise((resolve) => socket.once("close", () => resolve({ ended, error })));
}

/** Resolves once the server has received at least this many bytes from all clients together. */
export async function waitForTotalBytes(server: TestServer, target: number): Promise<void> {
  while (server.totals.bytesReceived < target) await once(server, "data");
}

/** Writes and resolves once the server has received those bytes. */
export async function writeAndWaitForBytes(
  server: TestServer,
  socket: net.Socket,
  data: string | Buffer,
): Promise<void> {
  const target = server.totals.bytesReceived + Buffer.byteLength(data);
  socket.write(data);
  await waitForTotalBytes(server, target);
}

/** A port that was free a moment ago: for the CLI, which rightly refuses port 0. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, HOST);
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The fixture's hello, for another session. */
export function helloFor(session: string): string {
  return JSON.stringify({ ...(JSON.parse(FIXTURE[0]!) as object), session });
}

/** Resolves when `condition` holds, checking on every pipeline event and every 10 ms. */
export function until(
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

/** Collects the JSON lines the receiver writes back to this socket, as they arrive. */
export function replies(socket: net.Socket): Record<string, unknown>[] {
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
