/**
 * The queue addressed by position (src/core/ring.ts): each item keeps its position while
 * the front is dropped, across the chunks it is stored in.
 */
import { describe, expect, it } from "../framework";
import { Ring } from "../../../src/core/ring";

/** The items at start()..end()-1. */
function kept(this: void, ring: Ring<string>): string[] {
  const out: string[] = [];
  for (let p = ring.start(); p < ring.end(); p++) out.push(ring.at(p));
  return out;
}

describe("Ring", () => {
  it("keeps each item at the position it was pushed at, across chunks started and let go", () => {
    const ring = new Ring<string>(4);
    let dropped = 0;
    // Push 3, drop 2, many times: chunks of 4 are started at the end and let go at the front.
    for (let round = 0; round < 50; round++) {
      for (let k = 0; k < 3; k++) ring.push(`item ${ring.end()}`);
      dropped += 2;
      ring.dropBefore(dropped);
      for (let p = ring.start(); p < ring.end(); p++) expect(ring.at(p)).toBe(`item ${p}`);
    }
    expect([ring.start(), ring.end()]).toEqual([100, 150]);
    for (let p = ring.start(); p < ring.end(); p++) expect(ring.at(p)).toBe(`item ${p}`);
    ring.dropBefore(148);
    expect(kept(ring)).toEqual(["item 148", "item 149"]);
  });

  it("lets go of what it drops: a slot no longer holds a dropped item", () => {
    const ring = new Ring<string>(2);
    ring.push("a");
    ring.push("b");
    ring.dropBefore(1);
    // Position 0's slot no longer holds "a" (its chunk is kept for "b").
    expect(ring.at(0)).toBe(undefined);
    ring.push("c");
    expect(kept(ring)).toEqual(["b", "c"]);
  });

  it("drops nothing past its end, and an empty ring stays usable", () => {
    const ring = new Ring<string>(1);
    ring.push("a");
    ring.dropBefore(10);
    expect([ring.start(), ring.end()]).toEqual([1, 1]);
    ring.push("b");
    expect(kept(ring)).toEqual(["b"]);
  });
});
