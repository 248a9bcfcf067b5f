/**
 * Notices a connection whose receiver has vanished without closing it (machine
 * frozen, cable pulled, router restarted): no FIN or RST arrives, so reads only ever
 * answer "nothing yet", TCP keepalive first probes after two hours (Linux default),
 * and a write is retransmitted for about 15 minutes before it fails.
 *
 * The receiver of the later phases acknowledges what it gets within a few hundred
 * milliseconds and answers heartbeats. So a connection is dead when all of these hold:
 * - the receiver has proved it talks back: bytes have arrived on this connection
 *   (a receiver that never writes, like phase 1's, is never judged);
 * - the widget is waiting for an answer: it has sent since the last bytes arrived;
 * - `timeout` seconds have passed since the first of those sends with nothing arriving.
 * Counting from that send, not from the last arrival, keeps a quiet spell in which
 * neither side had anything to say from condemning the next line at once.
 */

/** Seconds of silence, while an answer is owed, after which a connection is dead. */
export const DEFAULT_SILENCE_TIMEOUT = 15;

export class Liveness {
  private heard = false;
  /** Clock time of the first send since bytes last arrived, if any. */
  private waitingSince: number | undefined;

  /** `timeout`: seconds; 0 switches the check off. */
  constructor(private timeout: number = DEFAULT_SILENCE_TIMEOUT) {}

  setTimeout(seconds: number): void {
    this.timeout = seconds;
  }

  /** A new connection: nothing heard, nothing owed. */
  begin(): void {
    this.heard = false;
    this.waitingSince = undefined;
  }

  /** Bytes arrived from the receiver at clock time `now`. */
  received(_now: number): void {
    this.heard = true;
    this.waitingSince = undefined;
  }

  /** Bytes were handed to the socket at clock time `now`. */
  sent(now: number): void {
    if (this.waitingSince === undefined) {
      this.waitingSince = now;
    }
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
}

/** The reason given when a connection is closed for silence (`seconds`: the timeout). */
export function silenceError(seconds: number): string {
  return `the receiver stopped answering (nothing for ${seconds} s while an answer was due); presumed gone`;
}
