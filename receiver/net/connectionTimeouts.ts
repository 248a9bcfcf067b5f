// Which widget connections hold a slot without talking: no `hello` within the hello timeout
// of connecting (a port scanner, a program that says nothing or only garbage), or not one
// byte for the idle timeout (a widget frozen, or gone without a goodbye that the system has
// not noticed). A live widget is never that quiet: the protocol's heartbeat comes every 5 s
// when nothing else was sent. Bookkeeping only, with the clock passed in; the widget
// listener closes what it names, and the widget reconnects by itself.

export interface ConnectionLimits {
  /** From connecting to the `hello`, ms. */
  helloMs: number;
  /** Without a byte received, ms; null: never. */
  idleMs: number | null;
}

export const DEFAULT_HELLO_TIMEOUT_S = 10;
/** Four times the 15 s after which a session shows as stale, twelve missed heartbeats. */
export const DEFAULT_IDLE_TIMEOUT_S = 60;

export interface Expired {
  id: number;
  /** For the log: "no hello within 10 s of connecting". */
  why: string;
}

interface Watched {
  connectedAt: number;
  lastDataAt: number;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class ConnectionTimeouts {
  private readonly watched = new Map<number, Watched>();

  constructor(private readonly limits: ConnectionLimits) {}

  connected(id: number, now: number): void {
    this.watched.set(id, { connectedAt: now, lastDataAt: now });
  }

  data(id: number, now: number): void {
    const watched = this.watched.get(id);
    if (watched) watched.lastDataAt = now;
  }

  gone(id: number): void {
    this.watched.delete(id);
  }

  /** The connections past a limit, each named once; `greeted`: it has sent its hello. */
  expired(now: number, greeted: (id: number) => boolean): Expired[] {
    const { helloMs, idleMs } = this.limits;
    const expired: Expired[] = [];
    for (const [id, watched] of this.watched) {
      let why: string | null = null;
      if (now - watched.connectedAt >= helloMs && !greeted(id)) {
        why = `no hello within ${seconds(helloMs)} of connecting`;
      } else if (idleMs !== null && now - watched.lastDataAt >= idleMs) {
        why = `nothing received for ${seconds(idleMs)}`;
      }
      if (why === null) continue;
      expired.push({ id, why });
      this.watched.delete(id);
    }
    return expired;
  }
}
