// The texts shown to the operator: listen errors, status, and event descriptions.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { HelloMessage } from "../../protocol/messages.ts";
import { describeDisconnect, describeLine } from "../../receiver/consoleReporter.ts";
import { describeListenError, ListenError } from "../../receiver/listenErrors.ts";
import { formatStatus } from "../../receiver/statusReport.ts";
import type { ClientInfo, ReceivedLine, TestServerStatus } from "../../receiver/testServer.ts";

function errno(code: string, message = `listen ${code}`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

describe("describeListenError", () => {
  it("names the address, the cause and what to do, on one line", () => {
    const inUse = describeListenError(errno("EADDRINUSE"), "127.0.0.1", 9876);
    expect(inUse).toMatch(
      /^cannot listen on 127\.0\.0\.1:9876: the port is already in use \(EADDRINUSE\)/,
    );
    expect(inUse).toContain("--port");

    const denied = describeListenError(errno("EACCES"), "127.0.0.1", 80);
    expect(denied).toMatch(/permission denied \(EACCES\); ports below 1024 need administrator/);
    const deniedHigh = describeListenError(errno("EACCES"), "127.0.0.1", 50000);
    expect(deniedHigh).toContain("excludedportrange");

    expect(describeListenError(errno("EADDRNOTAVAIL"), "10.0.0.9", 1)).toContain(
      "does not belong to this machine",
    );
    expect(describeListenError(errno("ENOTFOUND"), "nohost", 1)).toContain('unknown host "nohost"');
    expect(describeListenError(errno("EWHATEVER", "strange\n  failure"), "::1", 5)).toBe(
      "cannot listen on [::1]:5: strange failure",
    );
  });

  it("names the listener and its option when a program has more than one", () => {
    const http = { what: "HTTP: API and overlay", flag: "--http-port" };
    expect(describeListenError(errno("EADDRINUSE"), "127.0.0.1", 9877, http)).toBe(
      "cannot listen on 127.0.0.1:9877 (HTTP: API and overlay): the port is already in use (EADDRINUSE); is another server running? Choose another port with --http-port",
    );
    expect(describeListenError(errno("EACCES"), "127.0.0.1", 80, http)).toMatch(
      /\(HTTP: API and overlay\): permission denied .*choose a higher port with --http-port$/,
    );
    const widget = new ListenError(errno("EADDRINUSE"), "127.0.0.1", 9876).as({
      what: "widgets",
      flag: "--port",
    });
    expect(widget.message).toContain("127.0.0.1:9876 (widgets): the port is already in use");
    expect(widget.code).toBe("EADDRINUSE");
  });

  it("ListenError keeps the code and the cause", () => {
    const cause = errno("EADDRINUSE");
    const error = new ListenError(cause, "127.0.0.1", 1);
    expect(error).toMatchObject({ code: "EADDRINUSE", host: "127.0.0.1", port: 1, cause });
  });
});

const client: ClientInfo = {
  id: 3,
  label: "#3 127.0.0.1:50000",
  remoteAddress: "127.0.0.1",
  remotePort: 50000,
  connectedAt: new Date(10_000),
};

describe("formatStatus", () => {
  const totals = {
    acceptedConnections: 4,
    closedConnections: 3,
    bytesReceived: 100,
    linesReceived: 1,
  };

  it("lists the address, each client and the totals", () => {
    const status: TestServerStatus = {
      listening: true,
      host: "127.0.0.1",
      port: 9876,
      address: { address: "127.0.0.1", family: "IPv4", port: 9876 },
      clients: [
        { ...client, connectedForMs: 62_000, bytesReceived: 40, linesReceived: 1, pendingBytes: 7 },
      ],
      totals,
    };
    expect(formatStatus(status).split("\n")).toEqual([
      "status: listening on 127.0.0.1:9876",
      "1 client connected:",
      "  #3 127.0.0.1:50000  connected for 1m 02s  40 bytes, 1 line (+7 bytes of an unfinished line)",
      "received in total: 100 bytes, 1 line",
      "connections in total: 4 accepted, 3 closed",
    ]);
  });

  it("says where a stopped server will listen again", () => {
    const status: TestServerStatus = {
      listening: false,
      host: "127.0.0.1",
      port: 9876,
      address: null,
      clients: [],
      totals,
    };
    expect(formatStatus(status)).toMatch(
      /^status: not listening \(stopped\); "start" listens on 127\.0\.0\.1:9876 again\n0 clients connected\n/,
    );
  });
});

describe("describeDisconnect", () => {
  const base = { client, disconnectedAt: new Date(13_500), bytesReceived: 5, linesReceived: 2 };

  it.each([
    ["closed-by-client", undefined, "closed by client"],
    ["kicked", undefined, "kicked"],
    ["server-stopped", undefined, "server stopped"],
    ["reset", errno("ECONNRESET"), "reset (ECONNRESET)"],
    ["error", errno("ETIMEDOUT", "read ETIMEDOUT"), "error: read ETIMEDOUT"],
  ] as const)("describes %s", (reason, error, text) => {
    expect(describeDisconnect({ ...base, reason, ...(error ? { error } : {}) })).toBe(
      `#3 127.0.0.1:50000 disconnected: ${text} (after 3.5s; 5 bytes, 2 lines)`,
    );
  });
});

describe("describeLine", () => {
  const base = {
    seq: 1,
    clientId: 3,
    clientLabel: client.label,
    receivedAt: new Date(),
    terminated: true,
  };
  const cases: [ReceivedLine, string][] = [
    [{ ...base, kind: "text", text: '{"a":1}', byteLength: 7 }, '#3 127.0.0.1:50000 > {"a":1}'],
    [
      { ...base, kind: "binary", byteLength: 9 },
      "#3 127.0.0.1:50000 > [9 bytes of binary or non-printable data, not shown]",
    ],
    [
      { ...base, kind: "too-long", byteLength: 5000 },
      "#3 127.0.0.1:50000 > [5000 bytes, over the 4096-byte line limit, not shown]",
    ],
    [
      { ...base, kind: "text", text: "par", byteLength: 3, terminated: false },
      "#3 127.0.0.1:50000 > [no newline before disconnect] par",
    ],
  ];
  it.each(cases)("describes %o", (line, text) => {
    expect(describeLine(line, 4096)).toBe(text);
  });
});

describe("formatSessions", () => {
  it("shows why a session ended and whether its recording is open", async () => {
    const { formatSessions } = await import("../../receiver/session/sessionReport.ts");
    const { Session } = await import("../../receiver/session/session.ts");
    const hello = JSON.parse(
      readFileSync(
        new URL("../../protocol/fixtures/session.ndjson", import.meta.url),
        "utf8",
      ).split("\n")[0]!,
    ) as HelloMessage;
    const session = new Session(hello, 0);
    session.status = "ended";
    session.endReason = "replaced by session 0123456789abcdef, which began on its connection";
    const text = formatSessions([
      {
        ...session.summary(0),
        recording: { path: "r.ndjson", open: false, lines: 3, bytes: 9, error: null },
      },
    ]);
    expect(text).toContain(
      `${hello.session} ended (replaced by session 0123456789abcdef, which began on its connection)`,
    );
    expect(text).toContain("recording r.ndjson (3 lines; closed until the widget reconnects)");
  });
});
