// Keeps the console readable when many clients come and go: per kind of message (a client
// connected, a session started, ...) the first few of each interval are logged one by one,
// the rest only counted and then summarised in one line. The details stay available on
// demand (the "status" command, /api/connections, /api/sessions). The clock is injected.
import { formatTimestamp } from "./format.ts";
import type { Log, LogKind } from "./log.ts";

export interface LogLimits {
  /** Messages of one kind logged one by one per interval. */
  perInterval: number;
  intervalMs: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = { perInterval: 5, intervalMs: 10_000 };

/** How a summary names the messages it counts, and where their details are, per kind. */
const SUMMARY: Record<LogKind, { counted: string; details: string }> = {
  connect: {
    counted: "clients connected",
    details: 'the "status" command and /api/connections list them',
  },
  disconnect: { counted: "clients disconnected", details: "/api/connections lists the latest" },
  session: {
    counted: "session messages (started, resumed, ended)",
    details: 'the "status" command and /api/sessions show every session',
  },
  recording: {
    counted: "recording messages",
    details: "/api/sessions shows each session's recording and its error",
  },
  invalid: {
    counted: "first invalid lines of a kind",
    details: "/api/sessions counts them per session and reason",
  },
  refused: {
    counted: "connections refused",
    details: "/api/sessions counts them under unattributedInvalid",
  },
  sync: {
    counted: "stale sessions and resync requests",
    details: "/api/sessions shows each session's status and resyncs",
  },
};

interface Window {
  start: number;
  shown: number;
  suppressed: number;
}

export class LogLimiter {
  private readonly windows = new Map<LogKind, Window>();

  constructor(
    private readonly log: Log,
    private readonly now: () => number,
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
  ) {}

  /** A Log that limits the messages that name a kind and passes the others on. */
  get limited(): Log {
    return (message, kind) => (kind === undefined ? this.log(message) : this.add(kind, message));
  }

  add(kind: LogKind, message: string): void {
    const now = this.now();
    let window = this.windows.get(kind);
    if (window && now - window.start >= this.limits.intervalMs) {
      this.summarise(kind, window);
      window = undefined;
    }
    if (!window) {
      window = { start: now, shown: 0, suppressed: 0 };
      this.windows.set(kind, window);
    }
    if (window.shown < this.limits.perInterval) {
      window.shown++;
      this.log(message);
    } else {
      window.suppressed++;
    }
  }

  /** Summarises the intervals that are over; the CLI calls it every second, tests at will. */
  flush(): void {
    const now = this.now();
    for (const [kind, window] of this.windows) {
      if (now - window.start >= this.limits.intervalMs) {
        this.summarise(kind, window);
        this.windows.delete(kind);
      }
    }
  }

  private summarise(kind: LogKind, window: Window): void {
    if (window.suppressed === 0) return;
    const seconds = Math.round(this.limits.intervalMs / 1000);
    const from = formatTimestamp(new Date(window.start)).slice(11, 19);
    this.log(
      `… and ${window.suppressed.toLocaleString("en")} more ${SUMMARY[kind].counted} in the ${seconds} s from ${from}, not logged one by one (${SUMMARY[kind].details})`,
    );
  }
}
