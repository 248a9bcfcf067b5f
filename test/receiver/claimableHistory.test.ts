import { afterEach, describe, expect, it, vi } from "vitest";
import { ClaimableHistory } from "../support/claimableHistory.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("ClaimableHistory", () => {
  it("resolves a wait with an event that happened before it", async () => {
    const history = new ClaimableHistory<number>(10, "a number", 1000);
    history.add(1);
    await expect(history.waitFor()).resolves.toBe(1);
  });

  it("resolves a wait with a later event", async () => {
    const history = new ClaimableHistory<number>(10, "a number", 1000);
    const waiting = history.waitFor((n) => n > 5);
    history.add(3);
    history.add(7);
    await expect(waiting).resolves.toBe(7);
  });

  it("hands each event to one wait only, oldest first", async () => {
    const history = new ClaimableHistory<number>(10, "a number", 1000);
    history.add(1);
    history.add(2);
    const waits = [history.waitFor(), history.waitFor(), history.waitFor()];
    history.add(3);
    await expect(Promise.all(waits)).resolves.toEqual([1, 2, 3]);
  });

  it("leaves events a predicate skipped for later waits", async () => {
    const history = new ClaimableHistory<number>(10, "a number", 1000);
    history.add(1);
    history.add(2);
    await expect(history.waitFor((n) => n === 2)).resolves.toBe(2);
    await expect(history.waitFor()).resolves.toBe(1);
    expect(history.values()).toEqual([1, 2]);
  });

  it("forgets the oldest events beyond its capacity", async () => {
    const history = new ClaimableHistory<number>(2, "a number", 1000);
    [1, 2, 3].forEach((n) => history.add(n));
    expect(history.values()).toEqual([2, 3]);
    await expect(history.waitFor()).resolves.toBe(2);
  });

  it("times out with a message naming what it waited for", async () => {
    vi.useFakeTimers();
    const history = new ClaimableHistory<number>(10, "a number", 1000);
    const waiting = history.waitFor();
    const assertion = expect(waiting).rejects.toThrow(
      "timed out after 1000 ms waiting for a number",
    );
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
    history.add(1); // the timed-out wait must not claim it
    await expect(history.waitFor(undefined, { timeoutMs: 5 })).resolves.toBe(1);
  });

  it("fails only the wait whose predicate throws", async () => {
    const history = new ClaimableHistory<number>(10, "a number", 1000);
    const broken = history.waitFor(() => {
      throw new Error("bad predicate");
    });
    const fine = history.waitFor();
    history.add(1);
    await expect(broken).rejects.toThrow("bad predicate");
    await expect(fine).resolves.toBe(1);
    history.add(2); // unclaimed, so the next predicate runs on it straight away
    await expect(
      history.waitFor(() => {
        throw new Error("bad on the past too");
      }),
    ).rejects.toThrow("bad on the past too");
  });

  it("rejects pending and later waits once closed", async () => {
    const history = new ClaimableHistory<number>(10, "a number", Infinity);
    const waiting = history.waitFor();
    history.close(new Error("closed"));
    await expect(waiting).rejects.toThrow("closed");
    await expect(history.waitFor()).rejects.toThrow("closed");
  });
});
