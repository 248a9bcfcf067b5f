import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../receiver/lineSplitter.ts";
import type { SplitLine } from "../../receiver/lineSplitter.ts";

/** Lines as strings, or "<too-long N>", for compact expectations. */
function show(lines: SplitLine[]): string[] {
  return lines.map((line) =>
    line.kind === "line" ? line.bytes.toString("latin1") : `<too-long ${line.byteLength}>`,
  );
}

function feed(splitter: LineSplitter, ...chunks: string[]): string[] {
  return chunks.flatMap((chunk) => show(splitter.push(Buffer.from(chunk, "latin1"))));
}

describe("LineSplitter", () => {
  it("splits one chunk into its lines and keeps the unfinished rest", () => {
    const splitter = new LineSplitter(100);
    expect(feed(splitter, "a\nbb\n\nccc")).toEqual(["a", "bb", ""]);
    expect(splitter.bufferedBytes).toBe(3);
    expect(feed(splitter, "\n")).toEqual(["ccc"]);
    expect(splitter.bufferedBytes).toBe(0);
  });

  it("gives the same lines wherever the stream is cut", () => {
    const stream = '{"a":1}\r\n{"b":[1,2]}\nlast\r\n';
    for (let cut = 0; cut <= stream.length; cut++) {
      const splitter = new LineSplitter(100);
      expect(feed(splitter, stream.slice(0, cut), stream.slice(cut))).toEqual([
        '{"a":1}',
        '{"b":[1,2]}',
        "last",
      ]);
    }
  });

  it("accepts one byte per chunk", () => {
    const splitter = new LineSplitter(100);
    expect(feed(splitter, ..."ab\r\ncd\n")).toEqual(["ab", "cd"]);
  });

  it("strips one CR before LF only", () => {
    const splitter = new LineSplitter(100);
    expect(feed(splitter, "a\r\r\n", "\rb\n")).toEqual(["a\r", "\rb"]);
  });

  it("allows exactly maxLineBytes, with or without CR, and summarises one more", () => {
    const splitter = new LineSplitter(4);
    expect(feed(splitter, "1234\n", "1234\r\n", "12345\n", "12345\r\n")).toEqual([
      "1234",
      "1234",
      "<too-long 5>",
      "<too-long 5>",
    ]);
  });

  it("counts an over-long line across chunks without storing it", () => {
    const splitter = new LineSplitter(4);
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) {
      lines.push(...feed(splitter, "xxxxxxxxxx"));
      expect(splitter.bufferedBytes).toBeLessThanOrEqual(5);
    }
    lines.push(...feed(splitter, "\r", "\nok\n"));
    expect(lines).toEqual(["<too-long 10000>", "ok"]);
  });

  it("flushes the unfinished line once, then has nothing", () => {
    const splitter = new LineSplitter(4);
    feed(splitter, "done\nab\r");
    expect(show([splitter.flush()!])).toEqual(["ab"]);
    expect(splitter.flush()).toBeNull();
    feed(splitter, "toolong");
    expect(show([splitter.flush()!])).toEqual(["<too-long 7>"]);
    expect(splitter.flush()).toBeNull();
  });

  it("does not share memory with the chunks it was fed", () => {
    const splitter = new LineSplitter(100);
    const chunk = Buffer.from("abc");
    splitter.push(chunk);
    chunk.fill("z");
    expect(show(splitter.push(Buffer.from("\n")))).toEqual(["abc"]);
  });

  it("rejects a limit that is not a positive integer", () => {
    expect(() => new LineSplitter(0)).toThrow(RangeError);
    expect(() => new LineSplitter(1.5)).toThrow(RangeError);
  });
});
