import { describe, expect, it } from "vitest";
import { formatDuration, formatEndpoint, formatTimestamp, plural } from "../../receiver/format.ts";
import { createTimestampedLog } from "../../receiver/log.ts";

describe("formatTimestamp", () => {
  it("writes local time as YYYY-MM-DD HH:MM:SS.mmm", () => {
    expect(formatTimestamp(new Date(2025, 0, 2, 3, 4, 5, 6))).toBe("2025-01-02 03:04:05.006");
    expect(formatTimestamp(new Date(2025, 11, 31, 23, 59, 59, 999))).toBe(
      "2025-12-31 23:59:59.999",
    );
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0.0s"],
    [-5, "0.0s"],
    [1234, "1.2s"],
    [59_999, "59.9s"],
    [60_000, "1m 00s"],
    [5 * 60_000 + 3_000, "5m 03s"],
    [2 * 3_600_000 + 5 * 60_000 + 3_000, "2h 05m 03s"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("formatEndpoint", () => {
  it("brackets IPv6 addresses", () => {
    expect(formatEndpoint("127.0.0.1", 9876)).toBe("127.0.0.1:9876");
    expect(formatEndpoint("::1", 9876)).toBe("[::1]:9876");
  });
});

describe("plural", () => {
  it("uses the singular for one only", () => {
    expect([0, 1, 2].map((n) => plural(n, "line"))).toEqual(["0 lines", "1 line", "2 lines"]);
  });
});

describe("createTimestampedLog", () => {
  it("stamps each message and indents its continuation lines under the text", () => {
    const written: string[] = [];
    const log = createTimestampedLog(
      (text) => written.push(text),
      () => new Date(2025, 5, 7, 8, 9, 10, 11),
    );
    log("one");
    log("first\nsecond");
    expect(written).toEqual([
      "2025-06-07 08:09:10.011 one\n",
      "2025-06-07 08:09:10.011 first\n                        second\n",
    ]);
  });
});
