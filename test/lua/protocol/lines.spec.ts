/** The receiver's bytes split into bounded lines. */
import { describe, expect, it } from "../framework";
import { LineReader } from "../../../src/protocol/lines";

function read(this: void, reader: LineReader, ...chunks: string[]): string[] {
  const out: string[] = [];
  for (const chunk of chunks) reader.push(chunk, (line) => out.push(line));
  return out;
}

describe("line reader", () => {
  it("joins a line split across reads and skips empty lines", () => {
    const r = new LineReader(100, 1000);
    expect(read(r, '{"type":', '"resync"}\n\n{"a"', ":1}\n{")).toEqual([
      '{"type":"resync"}',
      '{"a":1}',
    ]);
    expect(read(r, "}\n")).toEqual(["{}"]);
  });

  it("discards a line over the limit up to its newline, across reads, counting it once", () => {
    const r = new LineReader(10, 1000);
    expect(read(r, "12345", "67890", "x", "yyyy\nok\n")).toEqual(["ok"]);
    expect(r.tooLong).toBe(1);
    // Exactly at the limit is kept.
    expect(read(r, "1234567890\n")).toEqual(["1234567890"]);
    expect(r.tooLong).toBe(1);
  });

  it("offers its per-frame allowance once per frame", () => {
    const r = new LineReader(10, 16);
    expect(r.newFrame()).toBe(16);
    read(r, "abc\n");
    expect(r.room()).toBe(12);
    expect(r.newFrame()).toBe(16);
    expect(r.room()).toBe(16);
  });

  it("forgets a partial line when reset (a new connection)", () => {
    const r = new LineReader(100, 1000);
    expect(read(r, "half")).toEqual([]);
    r.reset();
    expect(read(r, "whole\n")).toEqual(["whole"]);
  });
});
