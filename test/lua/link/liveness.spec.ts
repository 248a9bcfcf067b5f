/** Liveness: when a connection whose receiver answers has gone silent for too long. */
import { describe, expect, it } from "../framework";
import { DEFAULT_SILENCE_TIMEOUT, Liveness } from "../../../src/link/liveness";

describe("liveness", () => {
  it("judges dead a receiver that answered, then owes an answer for the whole timeout", () => {
    const l = new Liveness(15);
    l.begin();
    l.sent(0);
    l.received(0.2);
    l.sent(10);
    expect(l.silentFor(24.9)).toBeUndefined();
    expect(l.silentFor(25)).toBe(15);
  });

  it("defaults to 15 s", () => {
    expect(DEFAULT_SILENCE_TIMEOUT).toBe(15);
    const l = new Liveness();
    l.received(0);
    l.sent(1);
    expect(l.silentFor(15.9)).toBeUndefined();
    expect(l.silentFor(16)).toBeDefined();
  });

  it("never judges a receiver that has not sent a byte on this connection", () => {
    const l = new Liveness(15);
    l.begin();
    l.sent(0);
    expect(l.silentFor(1000)).toBeUndefined();
  });

  it("forgets what the previous connection heard", () => {
    const l = new Liveness(15);
    l.received(0);
    l.begin();
    l.sent(1);
    expect(l.silentFor(100)).toBeUndefined();
  });

  it("owes nothing while the widget has sent nothing since the last answer", () => {
    const l = new Liveness(15);
    l.received(0);
    expect(l.silentFor(600)).toBeUndefined();
  });

  it("counts from the first unanswered send, not from the last answer", () => {
    const l = new Liveness(15);
    l.received(0);
    l.sent(100);
    l.sent(110);
    expect(l.silentFor(114.9)).toBeUndefined();
    expect(l.silentFor(115)).toBe(15);
  });

  it("is satisfied by any bytes that arrive", () => {
    const l = new Liveness(15);
    l.received(0);
    l.sent(1);
    l.received(15);
    expect(l.silentFor(30)).toBeUndefined();
  });

  it("is off with a timeout of 0, and follows a new timeout", () => {
    const l = new Liveness(0);
    l.received(0);
    l.sent(1);
    expect(l.silentFor(10000)).toBeUndefined();
    l.setTimeout(5);
    expect(l.silentFor(6)).toBe(5);
  });
});

describe("liveness: a socket that takes nothing", () => {
  it("is stalled once bytes have waited unwritten for the whole timeout", () => {
    const l = new Liveness(15);
    l.begin();
    l.blocked(10);
    l.blocked(20);
    expect(l.isBlocked()).toBe(true);
    expect(l.stalledFor(24.9)).toBeUndefined();
    expect(l.stalledFor(25)).toBe(15);
  });

  it("starts over when the socket takes bytes, when nothing waits, and on a new connection", () => {
    const l = new Liveness(15);
    l.blocked(0);
    l.sent(10);
    expect(l.stalledFor(100)).toBeUndefined();
    l.blocked(100);
    l.idle();
    expect(l.isBlocked()).toBe(false);
    expect(l.stalledFor(200)).toBeUndefined();
    l.blocked(200);
    l.begin();
    expect(l.stalledFor(300)).toBeUndefined();
  });

  it("judges a receiver that never sent a byte, unlike silence; off with 0", () => {
    const l = new Liveness(15);
    l.begin();
    l.blocked(0);
    expect(l.stalledFor(15)).toBe(15);
    l.setTimeout(0);
    expect(l.stalledFor(1000)).toBeUndefined();
  });
});
