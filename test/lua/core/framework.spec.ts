/** The spec framework checks itself: each matcher passes and fails when it should. */
import { deepEqual, describe, expect, it, beforeEach, afterEach, repoFile } from "../framework";

function fails(this: void, fn: (this: void) => void): boolean {
  const [ok] = pcall(fn);
  return !ok;
}

describe("matchers", () => {
  it("toBe and toEqual compare by identity and by structure", () => {
    expect(1).toBe(1);
    expect(fails(() => expect(1).toBe(2))).toBe(true);
    expect({ a: [1, 2], b: "x" }).toEqual({ a: [1, 2], b: "x" });
    expect(fails(() => expect({ a: [1, 2] }).toEqual({ a: [1, 3] }))).toBe(true);
    expect(fails(() => expect({ a: 1 }).toEqual({ a: 1, b: 2 }))).toBe(true);
    expect(fails(() => expect({ a: 1, b: 2 }).toEqual({ a: 1 }))).toBe(true);
    expect(fails(() => expect({}).toBe({}))).toBe(true);
  });

  it("not negates", () => {
    expect(1).not.toBe(2);
    expect(fails(() => expect(1).not.toBe(1))).toBe(true);
  });

  it("compares numbers", () => {
    expect(2).toBeGreaterThan(1);
    expect(fails(() => expect(1).toBeGreaterThan(1))).toBe(true);
    expect(1).toBeGreaterThanOrEqual(1);
    expect(1).toBeLessThan(2);
    expect(fails(() => expect(2).toBeLessThanOrEqual(1))).toBe(true);
    expect(0.1 + 0.2).toBeCloseTo(0.3, 5);
    expect(fails(() => expect(0.31).toBeCloseTo(0.3, 5))).toBe(true);
    expect(fails(() => expect("1").toBeGreaterThan(0))).toBe(true);
  });

  it("checks presence, truth, containment, patterns and length", () => {
    expect(undefined).toBeUndefined();
    expect(fails(() => expect(0).toBeUndefined())).toBe(true);
    expect(false).toBeDefined();
    expect(0).toBeTruthy();
    expect(false).toBeFalsy();
    expect(fails(() => expect(undefined).toBeTruthy())).toBe(true);
    expect("a.b").toContain(".");
    expect(fails(() => expect("ab").toContain("."))).toBe(true);
    expect([1, { x: 2 }]).toContain({ x: 2 });
    expect("abc123").toMatch("^%a+%d+$");
    expect(fails(() => expect("abc").toMatch("%d"))).toBe(true);
    expect([1, 2, 3]).toHaveLength(3);
    expect("abcd").toHaveLength(4);
  });

  it("toThrow catches errors and checks their text", () => {
    expect(() => error("boom here")).toThrow("boom");
    expect(fails(() => expect(() => undefined).toThrow())).toBe(true);
    expect(fails(() => expect(() => error("other")).toThrow("boom"))).toBe(true);
  });

  it("deepEqual treats nan as equal to nan and tables by content", () => {
    expect(deepEqual(0 / 0, 0 / 0)).toBe(true);
    expect(deepEqual([1, [2]], [1, [2]])).toBe(true);
    expect(deepEqual([1, [2]], [1, [3]])).toBe(false);
  });
});

describe("hooks", () => {
  const order: string[] = [];
  beforeEach(() => order.push("before"));
  afterEach(() => order.push("after"));
  it("run around each test of their group", () => {
    expect(order).toEqual(["before"]);
  });
});

describe("repoFile", () => {
  it("gives the text of a file handed over, and refuses others", () => {
    expect(repoFile("README.md")).toMatch("^# Live Data Export");
    expect(() => repoFile("package.json")).toThrow("not in REPO_FILES");
  });
});
