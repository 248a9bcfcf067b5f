// The test server over real loopback sockets on ephemeral ports.
import { once } from "node:events";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { createTestServer, ListenError } from "../support/testServer.ts";
import type { ReceivedLine } from "../../receiver/testServer.ts";
import {
  connect,
  connectionError,
  HOST,
  isClient,
  startServer,
  waitForTotalBytes,
  watchClose,
  writeAndWaitForBytes,
} from "./helpers.ts";

const isText = (text: string) => (line: ReceivedLine) => line.kind === "text" && line.text === text;

describe("listening", () => {
  it("binds an ephemeral port when asked for port 0 and reports it", async () => {
    const { server, port } = await startServer();
    expect(port).toBeGreaterThan(0);
    const status = server.status();
    expect(status.listening).toBe(true);
    expect(status.address).toMatchObject({ address: HOST, port });
    expect(status.port).toBe(port);
  });

  it("start() while listening resolves with the current address", async () => {
    const { server, port } = await startServer();
    await expect(server.start()).resolves.toMatchObject({ port });
  });

  it("rejects with a one-line ListenError when the port is in use", async () => {
    const { port } = await startServer();
    const second = createTestServer({ host: HOST, port });
    const failure = await second.start().then(
      () => expect.fail("second server should not listen"),
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ListenError);
    expect((failure as ListenError).code).toBe("EADDRINUSE");
    expect((failure as ListenError).message).toContain(`${HOST}:${port}`);
    expect((failure as ListenError).message).not.toContain("\n");
    expect(second.status().listening).toBe(false);
    await second.close();
  });

  it("refuses an out-of-range port at construction", () => {
    expect(() => createTestServer({ port: 70000 })).toThrow(RangeError);
    expect(() => createTestServer({ port: 1.5 })).toThrow(RangeError);
  });
});

describe("clients", () => {
  it("accepts several clients at once and tells them apart", async () => {
    const { server, port } = await startServer();
    const sockets = await Promise.all([connect(port), connect(port), connect(port)]);

    const infos = await Promise.all(
      sockets.map((socket) => server.waitForConnection(isClient(socket))),
    );
    expect(new Set(infos.map((info) => info.id)).size).toBe(3);
    for (const info of infos) expect(info.remoteAddress).toBe(HOST);

    sockets.forEach((socket, index) => socket.write(`from ${index}\n`));
    for (const [index, info] of infos.entries()) {
      const line = await server.waitForLine(isText(`from ${index}`));
      expect(line.clientId).toBe(info.id);
    }
    expect(server.status().clients).toHaveLength(3);
    expect(server.totals.acceptedConnections).toBe(3);
  });

  it("hands each connection to one waitForConnection, even if it happened first", async () => {
    const { server, port } = await startServer();
    await connect(port);
    await connect(port);
    const first = await server.waitForConnection();
    const second = await server.waitForConnection();
    expect([first.id, second.id]).toEqual([1, 2]);
    await expect(server.waitForConnection(undefined, { timeoutMs: 50 })).rejects.toThrow(
      /timed out after 50 ms waiting for a connection/,
    );
  });

  it("reports a client that closes as closed-by-client, with its counts", async () => {
    const { server, port } = await startServer();
    const socket = await connect(port);
    socket.end("one\ntwo\n");
    const event = await server.waitForDisconnect();
    expect(event).toMatchObject({ reason: "closed-by-client", bytesReceived: 8, linesReceived: 2 });
    expect(event.client.remotePort).toBe(socket.localPort);
    expect(server.status().clients).toHaveLength(0);
    expect(server.totals.closedConnections).toBe(1);
  });

  it("reports a client that resets the connection as reset", async () => {
    const { server, port } = await startServer();
    const socket = await connect(port);
    await server.waitForConnection();
    socket.resetAndDestroy();
    const event = await server.waitForDisconnect();
    expect(event.reason).toBe("reset");
    expect((event.error as NodeJS.ErrnoException).code).toMatch(/ECONNRESET|ECONNABORTED/);
  });
});

describe("received lines", () => {
  it("delivers newline-terminated lines in order with their client", async () => {
    const { server, port } = await startServer();
    const socket = await connect(port);
    const client = await server.waitForConnection();
    socket.write('{"type":"hello"}\n{"type":"frame","n":1}\n');
    const first = await server.waitForLine();
    const second = await server.waitForLine();
    expect(first).toMatchObject({ kind: "text", text: '{"type":"hello"}', clientId: client.id });
    expect(second).toMatchObject({
      kind: "text",
      text: '{"type":"frame","n":1}',
      terminated: true,
    });
    expect(second.seq).toBe(first.seq + 1);
    expect(server.receivedLines().map((line) => line.seq)).toEqual([first.seq, second.seq]);
  });

  it("joins a line split across packets, including a CRLF split between them", async () => {
    const { server, port } = await startServer();
    const socket = await connect(port);
    // Each part is confirmed received before the next is sent, so they cannot be coalesced.
    await writeAndWaitForBytes(server, socket, '{"a":');
    expect(server.status().clients[0]!.pendingBytes).toBe(5);
    expect(server.receivedLines()).toEqual([]);
    await writeAndWaitForBytes(server, socket, "1}\r");
    await writeAndWaitForBytes(server, socket, "\nnext\r\n");
    expect((await server.waitForLine()).byteLength).toBe(7);
    expect(server.receivedLines().map((line) => line.kind === "text" && line.text)).toEqual([
      '{"a":1}',
      "next",
    ]);
  });

  it("summarises an over-long line by size and keeps going", async () => {
    const { server, port } = await startServer({ maxLineBytes: 16 });
    const socket = await connect(port);
    socket.write(`${"x".repeat(16)}\r\n${"y".repeat(17)}\nafter\n`);
    await expect(server.waitForLine()).resolves.toMatchObject({ kind: "text", byteLength: 16 });
    await expect(server.waitForLine()).resolves.toMatchObject({ kind: "too-long", byteLength: 17 });
    await expect(server.waitForLine()).resolves.toMatchObject({ kind: "text", text: "after" });
  });

  it("summarises invalid UTF-8 and control characters as binary", async () => {
    const { server, port } = await startServer();
    const socket = await connect(port);
    socket.write(Buffer.from([0xff, 0xfe, 0x41, 0x0a, 0x1b, 0x5b, 0x32, 0x4a, 0x0a]));
    socket.write("héllo ✓\n");
    await expect(server.waitForLine()).resolves.toMatchObject({ kind: "binary", byteLength: 3 });
    await expect(server.waitForLine()).resolves.toMatchObject({ kind: "binary", byteLength: 4 });
    await expect(server.waitForLine()).resolves.toMatchObject({ kind: "text", text: "héllo ✓" });
  });

  it("bounds the memory of a line that never ends", async () => {
    const maxLineBytes = 1024;
    const { server, port } = await startServer({ maxLineBytes });
    const socket = await connect(port);
    const chunk = Buffer.alloc(64 * 1024, "z");
    for (let i = 0; i < 16; i++) {
      await writeAndWaitForBytes(server, socket, chunk);
      expect(server.status().clients[0]!.pendingBytes).toBeLessThanOrEqual(maxLineBytes + 1);
    }
    expect(server.receivedLines()).toEqual([]);
    socket.write("\nok\n");
    await expect(server.waitForLine()).resolves.toMatchObject({
      kind: "too-long",
      byteLength: 16 * chunk.length,
    });
    await expect(server.waitForLine()).resolves.toMatchObject({ kind: "text", text: "ok" });
  });

  it("reports bytes left without a newline at disconnect as an unterminated line", async () => {
    const { server, port } = await startServer();
    const socket = await connect(port);
    socket.end("complete\npartial");
    await server.waitForLine(isText("complete"));
    await expect(server.waitForLine()).resolves.toMatchObject({
      kind: "text",
      text: "partial",
      terminated: false,
    });
    await expect(server.waitForDisconnect()).resolves.toMatchObject({ linesReceived: 2 });
  });

  it("emits the line event for consumers other than the waits", async () => {
    const { server, port } = await startServer();
    const seen = once(server, "line");
    const socket = await connect(port);
    socket.write("event\n");
    const [line] = (await seen) as [ReceivedLine];
    expect(line).toMatchObject({ kind: "text", text: "event" });
  });
});

describe("kick", () => {
  it("closes every client, which sees a clean close, and keeps listening", async () => {
    const { server, port } = await startServer();
    const sockets = [await connect(port), await connect(port)];
    await server.waitForConnection();
    await server.waitForConnection();
    const closes = sockets.map(watchClose);

    await server.kick();
    expect(server.status().clients).toEqual([]); // kick() waited for the sockets to close
    for (const seen of await Promise.all(closes))
      expect(seen).toEqual({ ended: true, error: undefined });
    const reasons = [await server.waitForDisconnect(), await server.waitForDisconnect()].map(
      (event) => event.reason,
    );
    expect(reasons).toEqual(["kicked", "kicked"]);

    expect(server.status().listening).toBe(true);
    const again = await connect(port);
    await server.waitForConnection(isClient(again));
  });

  it("with no clients resolves at once", async () => {
    const { server } = await startServer();
    await server.kick();
    expect(server.totals.closedConnections).toBe(0);
  });
});

describe("close at once", () => {
  it("closes each connection as soon as it is accepted, until switched off", async () => {
    const { server, port } = await startServer({ closeAtOnce: true });
    const first = await connect(port);
    expect(await watchClose(first)).toMatchObject({ ended: true });
    expect(await server.waitForDisconnect()).toMatchObject({ reason: "kicked" });

    server.closeAtOnce = false;
    const second = await connect(port);
    await server.waitForConnection(isClient(second));
    await writeAndWaitForBytes(server, second, "stays\n");
    expect(server.status().clients).toHaveLength(1);
  });
});

describe("stop and start", () => {
  it("refuses connections while stopped and accepts them on the same port after start", async () => {
    const { server, port } = await startServer();
    const socket = await connect(port);
    await server.waitForConnection();
    const closed = watchClose(socket);

    await server.stop();
    expect((await closed).error).toBeUndefined();
    expect((await server.waitForDisconnect()).reason).toBe("server-stopped");
    expect(server.status()).toMatchObject({ listening: false, address: null, port, clients: [] });
    expect(await connectionError(port)).toBe("ECONNREFUSED");

    await expect(server.start()).resolves.toMatchObject({ port });
    const again = await connect(port);
    await server.waitForConnection(isClient(again));
    expect(server.status().listening).toBe(true);
  }, 15_000); // Windows takes about 2 s to report a refused loopback connection

  it("stop() when already stopped does nothing", async () => {
    const { server } = await startServer();
    await server.stop();
    await server.stop();
    expect(server.status().listening).toBe(false);
  });

  it("runs overlapping calls in order", async () => {
    const { server, port } = await startServer();
    const stopped = server.stop();
    const started = server.start();
    await stopped;
    await expect(started).resolves.toMatchObject({ port });
    expect(server.status().listening).toBe(true);
  });
});

describe("status and counters", () => {
  it("counts bytes and lines per client and in total", async () => {
    const { server, port } = await startServer();
    const a = await connect(port);
    const b = await connect(port);
    const infoA = await server.waitForConnection(isClient(a));
    a.write("12345\nab");
    b.write("x\r\n");
    await server.waitForLine(isText("12345"));
    await server.waitForLine(isText("x"));
    await waitForTotalBytes(server, 11); // "ab" has no newline, so no line event announces it

    const status = server.status();
    const clientA = status.clients.find((client) => client.id === infoA.id)!;
    expect(clientA).toMatchObject({ bytesReceived: 8, linesReceived: 1, pendingBytes: 2 });
    expect(clientA.connectedForMs).toBeGreaterThanOrEqual(0);
    expect(status.totals).toEqual({
      acceptedConnections: 2,
      closedConnections: 0,
      bytesReceived: 11,
      linesReceived: 2,
    });

    b.end();
    await server.waitForDisconnect();
    expect(server.totals.closedConnections).toBe(1);
  });
});

describe("close", () => {
  it("rejects pending and later waits and cannot start again", async () => {
    const { server } = await startServer();
    const pending = server.waitForLine(undefined, { timeoutMs: Infinity });
    await server.close();
    await expect(pending).rejects.toThrow(/closed/);
    await expect(server.waitForConnection()).rejects.toThrow(/closed/);
    await expect(server.start()).rejects.toThrow(/closed/);
    await server.close(); // idempotent
  });
});

describe("log option", () => {
  it("describes connections, lines and disconnections", async () => {
    const messages: string[] = [];
    const { server, port } = await startServer({ log: (message) => messages.push(message) });
    const socket = await connect(port);
    const label = `#1 ${HOST}:${socket.localPort}`;
    socket.end("hi\n");
    await server.waitForDisconnect();
    expect(messages).toEqual([
      `listening on ${HOST}:${port}`,
      `${label} connected (1 client connected)`,
      `${label} > hi`,
      expect.stringMatching(
        new RegExp(`^${label} disconnected: closed by client \\(after .*; 3 bytes, 1 line\\)$`),
      ),
    ]);
  });
});

// A server on another interface would make these tests depend on the machine's network setup.
it("listens on loopback by default", () => {
  const server = createTestServer();
  expect(server.status()).toMatchObject({ host: "127.0.0.1", port: 9876, listening: false });
  expect(net.isIPv4(server.host)).toBe(true);
});
