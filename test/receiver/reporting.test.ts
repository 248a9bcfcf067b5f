// The texts shown to the operator: listen errors, status, and event descriptions.
import { describe, expect, it } from "vitest";
import type { HelloMessage } from "../../protocol/messages.ts";
import { describeDisconnect, describeLine } from "../../receiver/consoleReporter.ts";
import { describeListenError, ListenError } from "../../receiver/listenErrors.ts";
import { formatStatus } from "../../receiver/statusReport.ts";
import type { ClientInfo, ReceivedLine, TestServerStatus } from "../../receiver/testServer.ts";
import { FIXTURE } from "./helpers.ts";

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

  const many = (count: number): TestServerStatus => ({
    listening: true,
    host: "127.0.0.1",
    port: 9876,
    address: { address: "127.0.0.1", family: "IPv4", port: 9876 },
    clients: Array.from({ length: count }, (_, i) => ({
      ...client,
      id: i + 1,
      label: `#${i + 1} 127.0.0.1:${50_000 + i}`,
      connectedForMs: 1_000,
      bytesReceived: 0,
      linesReceived: 0,
      pendingBytes: 0,
    })),
    totals,
  });

  it("lists the first 10 clients with their sessions and counts the rest", () => {
    // Every third client has not said hello.
    const sessionOf = (id: number) => (id % 3 === 0 ? null : `session${id}`);
    const lines = formatStatus(many(200), {
      sessionOf,
      allClientsAt: "GET /api/connections",
    }).split("\n");
    expect(lines).toHaveLength(2 + 10 + 1 + 2);
    expect(lines[1]).toBe("200 clients connected:");
    expect(lines[2]).toBe(
      "  #1 127.0.0.1:50000  connected for 1.0s  0 bytes, 0 lines  session session1",
    );
    expect(lines[4]).toMatch(/^  #3 127\.0\.0\.1:50002 .*  no hello yet$/);
    expect(lines[11]).toMatch(/^  #10 /);
    // Of #11..#200, the multiples of 3 (#12..#198) have no hello: 63 of 190.
    expect(lines[12]).toBe(
      "  … and 190 more (127 in a session, 63 without hello); GET /api/connections lists them all",
    );
  });

  it("lists up to the bound in full, and counts the rest without a receiver too", () => {
    expect(formatStatus(many(10)).split("\n")).toHaveLength(2 + 10 + 2);
    const lines = formatStatus(many(12), { maxClients: 5 }).split("\n");
    expect(lines).toHaveLength(2 + 5 + 1 + 2);
    expect(lines[7]).toBe("  … and 7 more");
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
    const hello = JSON.parse(FIXTURE[0]!) as HelloMessage;
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

  it("shows the first 10 sessions, live ones first and the latest heard first, and counts the rest", async () => {
    const { formatSessions } = await import("../../receiver/session/sessionReport.ts");
    const { Session } = await import("../../receiver/session/session.ts");
    const hello = JSON.parse(FIXTURE[0]!) as HelloMessage;
    const statuses = ["ended", "disconnected", "stale", "live"] as const;
    const summaries = Array.from({ length: 200 }, (_, i) => {
      const session = new Session({ ...hello, session: `s${String(i).padStart(3, "0")}` }, 0);
      session.status = statuses[i % 4]!;
      session.lastLineAt = i * 1000;
      return session.summary(200_000);
    });
    const text = formatSessions(summaries);
    const heads = text.split("\n").filter((line) => /^  s\d{3} /.test(line));
    // The 50 live ones are i = 3, 7, ..., 199: the latest heard first.
    expect(heads.map((line) => line.slice(2, 6))).toEqual(
      [199, 195, 191, 187, 183, 179, 175, 171, 167, 163].map((i) => `s${i}`),
    );
    expect(text.split("\n")[0]).toBe("200 sessions:");
    expect(text.split("\n").at(-1)).toBe(
      "  … and 190 more (40 live, 50 stale, 50 disconnected, 50 ended); GET /api/sessions lists them all",
    );
    expect(formatSessions(summaries.slice(0, 10))).not.toContain("more");
  });

  it("counts the invalid lines outside any session, which a widget of another protocol makes", async () => {
    const { formatUnattributed } = await import("../../receiver/session/sessionReport.ts");
    const { InvalidCounts } = await import("../../receiver/session/invalidCounts.ts");
    const counts = new InvalidCounts();
    expect(formatUnattributed(counts)).toBe("");
    counts.add("schema:hello", "/ must have required property 'session'");
    counts.add("not-json", "first");
    counts.add("not-json", "second");
    expect(formatUnattributed(counts).split("\n")).toEqual([
      "3 invalid lines outside any session (before a hello, or refused):",
      "    invalid schema:hello ×1, latest: / must have required property 'session'",
      "    invalid not-json ×2, latest: second",
    ]);
  });
});
