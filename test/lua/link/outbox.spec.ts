/** The outbox on its own: chunks, partial writes, the byte bound and connection ends. */
import { describe, expect, it } from "../framework";
import { Outbox } from "../../../src/link/outbox";

/** Sends everything queued, `perCall` bytes per call at most; returns what went out. */
function drain(this: void, outbox: Outbox, maxChunk: number, perCall = math.huge): string {
  let out = "";
  for (let guard = 0; guard < 10000; guard++) {
    const [chunk, first] = outbox.chunk(maxChunk);
    if (chunk === undefined) return out;
    const last = math.min(chunk.length, first + perCall - 1);
    out += string.sub(chunk, first, last);
    outbox.advance(last);
  }
  error("the outbox never emptied");
}

describe("Outbox chunks", () => {
  it("joins the oldest whole messages up to the byte cap into one chunk", () => {
    const outbox = new Outbox(1000);
    for (const m of ["aaaa\n", "bbbb\n", "cccc\n"]) outbox.push(m);
    const [chunk, first] = outbox.chunk(10);
    expect(chunk).toBe("aaaa\nbbbb\n");
    expect(first).toBe(1);
    expect(outbox.advance(10)).toBe(2);
    expect(outbox.chunk(10)[0]).toBe("cccc\n");
    expect(outbox.advance(5)).toBe(1);
    expect(outbox.isEmpty()).toBe(true);
    expect(outbox.chunk(10)[0]).toBeUndefined();
  });

  it("sends a message larger than the cap alone, whole", () => {
    const outbox = new Outbox(1000);
    outbox.push("x".repeat(30));
    outbox.push("y\n");
    expect(outbox.chunk(10)[0]).toBe("x".repeat(30));
  });

  it("resumes a partial write inside the same chunk and counts completed messages", () => {
    const outbox = new Outbox(1000);
    for (const m of ["first\n", "second\n", "third\n"]) outbox.push(m);
    expect(outbox.chunk(100)[0]).toBe("first\nsecond\nthird\n");
    expect(outbox.advance(4)).toBe(0);
    expect(outbox.bytes()).toBe(19 - 4);
    // A message pushed meanwhile waits for the next chunk.
    outbox.push("fourth\n");
    const [chunk, first] = outbox.chunk(100);
    expect(chunk).toBe("first\nsecond\nthird\n");
    expect(first).toBe(5);
    expect(outbox.advance(13)).toBe(2);
    expect(outbox.count()).toBe(2);
    expect(drain(outbox, 100)).toBe("third\nfourth\n");
    expect(outbox.bytes()).toBe(0);
  });

  it("ignores an empty message", () => {
    const outbox = new Outbox(10);
    expect(outbox.push("")).toBe(0);
    expect(outbox.isEmpty()).toBe(true);
  });
});

describe("Outbox bound", () => {
  it("drops the oldest messages when full and counts them", () => {
    const outbox = new Outbox(10);
    let dropped = 0;
    for (let i = 1; i <= 5; i++) dropped += outbox.push(`m${i}\n`);
    expect(dropped).toBe(2);
    expect(outbox.droppedCount()).toBe(2);
    expect(outbox.bytes()).toBe(9);
    expect(drain(outbox, 100)).toBe("m3\nm4\nm5\n");
  });

  it("never drops a message that has started to go out: the receiver gets whole lines", () => {
    const outbox = new Outbox(20);
    outbox.push("0123456789\n");
    outbox.chunk(100);
    outbox.advance(3);
    for (let i = 0; i < 10; i++) outbox.push(`line${i}\n`);
    expect(outbox.droppedCount()).toBeGreaterThan(0);
    const out = "012" + drain(outbox, 100);
    expect(string.sub(out, 1, 11)).toBe("0123456789\n");
    for (const [line] of string.gmatch(string.sub(out, 12), "([^\n]*)\n")) {
      expect(line).toMatch("^line%d$");
    }
    expect(outbox.bytes()).toBe(0);
  });

  it("keeps the newest message even when it alone is larger than the bound", () => {
    const outbox = new Outbox(4);
    outbox.push("ab\n");
    outbox.push("0123456789\n");
    expect(outbox.count()).toBe(1);
    expect(drain(outbox, 100)).toBe("0123456789\n");
  });
});

describe("Outbox across connections", () => {
  it("queues a message cut off by a lost connection again whole, ahead of the rest", () => {
    const outbox = new Outbox(1000);
    for (const m of ["one\n", "two\n", "three\n"]) outbox.push(m);
    outbox.chunk(100);
    outbox.advance(6); // "one\n" and "tw"
    outbox.rewind();
    expect(outbox.count()).toBe(2);
    expect(outbox.bytes()).toBe(10);
    expect(drain(outbox, 100)).toBe("two\nthree\n");
  });

  it("puts a message in front of the queue and sends it once on its connection", () => {
    const outbox = new Outbox(1000);
    outbox.push("data\n");
    outbox.pushFront("hello\n");
    expect(drain(outbox, 100)).toBe("hello\ndata\n");
  });

  it("drops a front message its connection could not send, whole or in part", () => {
    const outbox = new Outbox(1000);
    outbox.push("data\n");
    // Three connections end before their greeting went out; the third sent part of it.
    outbox.pushFront("hello\n");
    outbox.rewind();
    outbox.pushFront("hello\n");
    outbox.rewind();
    expect(outbox.count()).toBe(1);
    outbox.pushFront("hello\n");
    outbox.chunk(100);
    outbox.advance(2);
    outbox.rewind();
    expect(outbox.count()).toBe(1);
    expect(outbox.bytes()).toBe(5);
    outbox.pushFront("hello\n");
    expect(drain(outbox, 100, 3)).toBe("hello\ndata\n");
  });

  it("keeps order over many front and back pushes without shifting the queue", () => {
    const outbox = new Outbox(100000);
    for (let i = 1; i <= 500; i++) outbox.push(`b${i}\n`);
    for (let i = 1; i <= 3; i++) {
      outbox.pushFront(`f${i}\n`);
    }
    const out = drain(outbox, 64);
    expect(string.sub(out, 1, 9)).toBe("f3\nf2\nf1\n");
    expect(string.sub(out, 10, 15)).toBe("b1\nb2\n");
    expect(string.sub(out, -5)).toBe("b500\n");
    expect(out.length).toBe(9 + 9 * 3 + 90 * 4 + 401 * 5);
  });
});
