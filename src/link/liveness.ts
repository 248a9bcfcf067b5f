/**
 * Notices a connection whose receiver has vanished without closing it (machine
 * frozen, cable pulled, router restarted) or stopped reading: no FIN or RST arrives,
 * so reads only ever answer "nothing yet", TCP keepalive first probes after two hours
 * (Linux default), and a write is retransmitted for about 15 minutes before it fails.
 *
 * Two signs, each judged over `timeout` seconds:
 * - **Silence.** A receiver that acknowledges (protocol `ack`, every few hundred
 *   milliseconds while lines arrive; the widget writes at least a heartbeat every few
 *   seconds) is dead when all of these hold: bytes have arrived on this connection (a
 *   receiver that never writes is never judged this way); the widget has sent since
 *   the last bytes arrived; `timeout` seconds have passed since the first of those
 *   sends with nothing arriving. Counting from that send, not from the last arrival,
 *   keeps a quiet spell in which neither side had anything to say from condemning the
 *   next line at once.
 * - **Stall.** Bytes have waited to be written and the socket has taken none of them
 *   for `timeout` seconds: its buffers are full because the receiver does not read.
 *   This catches a receiver that accepts and never reads, which the first sign cannot.
 */

/** Seconds of silence, while an answer is owed, after which a connection is dead. */
export const DEFAULT_SILENCE_TIMEOUT = 15;

export class Liveness {
  private heard = false;
  /** Clock time of the first send since bytes last arrived, if any. */
  private waitingSince: number | undefined;
  /** Clock time since which the socket has taken none of the bytes waiting, if so. */
  private blockedSince: number | undefined;

  /** `timeout`: seconds; 0 switches both checks off. */
  constructor(private timeout: number = DEFAULT_SILENCE_TIMEOUT) {}

  setTimeout(seconds: number): void {
    this.timeout = seconds;
  }

  /** A new connection: nothing heard, nothing owed, nothing blocked. */
  begin(): void {
    this.heard = false;
    this.waitingSince = undefined;
    this.blockedSince = undefined;
  }

  /** Bytes arrived from the receiver at clock time `now`. */
  received(_now: number): void {
    this.heard = true;
    this.waitingSince = undefined;
  }

  /** Bytes were handed to the socket at clock time `now` (it took some). */
  sent(now: number): void {
    if (this.waitingSince === undefined) {
      this.waitingSince = now;
    }
    this.blockedSince = undefined;
  }

  /** Bytes wait, and the socket took none of them at clock time `now`. */
  blocked(now: number): void {
    if (this.blockedSince === undefined) {
      this.blockedSince = now;
    }
  }

  /** Nothing waits to be written. */
  idle(): void {
    this.blockedSince = undefined;
  }

  /** Whether bytes are waiting that the socket does not take. */
  isBlocked(): boolean {
    return this.blockedSince !== undefined;
  }

  /**
   * Seconds the receiver has owed an answer at `now`, when that is `timeout` or more
   * and the receiver has proved it answers; otherwise undefined (alive, or not judged).
   */
  silentFor(now: number): number | undefined {
    const since = this.waitingSince;
    if (this.timeout <= 0 || !this.heard || since === undefined) {
      return undefined;
    }
    const silent = now - since;
    return silent >= this.timeout ? silent : undefined;
  }

  /** Seconds the socket has taken nothing while bytes waited, when that is `timeout` or more. */
  stalledFor(now: number): number | undefined {
    const since = this.blockedSince;
    if (this.timeout <= 0 || since === undefined) {
      return undefined;
    }
    const stalled = now - since;
    return stalled >= this.timeout ? stalled : undefined;
  }
}

/** The reason given when a connection is closed for silence (`seconds`: the timeout). */
export function silenceError(seconds: number): string {
  return `the receiver stopped answering (nothing for ${seconds} s while an answer was due); presumed gone`;
}

/** The reason given when a connection is closed because the receiver stopped reading. */
export function stallError(seconds: number): string {
  return `the receiver stopped reading (the socket took nothing for ${seconds} s); presumed stuck`;
}
