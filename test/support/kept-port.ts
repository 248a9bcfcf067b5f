/**
 * Ports for test receivers that are stopped and started again on the same port (a
 * receiver that went away). A port the OS handed out for bind(0) is not safe for that:
 * while the receiver is down, another test's bind(0) can be given the same port, and the
 * restart then fails with EADDRINUSE (or the other receiver takes this widget's
 * session). The OS picks bind(0) ports from its ephemeral range, so these are chosen at
 * random below it; a port some other program holds is met with EADDRINUSE at the first
 * start, which then tries another.
 */
import { readFileSync } from "node:fs";

const RANGE_FILE = "/proc/sys/net/ipv4/ip_local_port_range";
/** Linux's default start of the ephemeral range, and below the BSD/Windows one (49152). */
const DEFAULT_EPHEMERAL_LOW = 32768;
const LOWEST = 10_000;

/** The first port of the OS's ephemeral range (where bind(0) picks from). */
export function ephemeralLow(rangeFile = RANGE_FILE): number {
  try {
    const low = Number(readFileSync(rangeFile, "utf8").trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 0 && low <= 65535) return low;
  } catch {
    // not Linux, or no /proc
  }
  return DEFAULT_EPHEMERAL_LOW;
}

/** Ports handed out by this process, so that two receivers here never get the same one. */
const handedOut = new Set<number>();

/**
 * A random port below the ephemeral range that this process has not handed out yet, or 0
 * (bind(0), as before) on a system whose ephemeral range leaves no room below it.
 */
export function keptPort(random: () => number = Math.random, low = ephemeralLow()): number {
  // Ports below 1024 need root.
  const from = Math.max(1024, Math.min(LOWEST, Math.floor(low / 2)));
  const to = low - 1;
  if (to - from < 100) return 0;
  let port = 0;
  // Bounded: a `random` that repeats itself must not hang the test.
  for (let i = 0; i < 100 && (port === 0 || handedOut.has(port)); i++) {
    port = from + Math.floor(random() * (to - from + 1));
  }
  handedOut.add(port);
  return port;
}

/**
 * Whether `error` says that one of `ports` is in use. Both a raw net error and the
 * receiver's ListenError (receiver/listenErrors.ts) carry `code` and `port`; the cause is
 * looked at too in case a wrapper keeps only that.
 */
export function isPortInUse(error: unknown, ports: readonly number[]): boolean {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 4; depth++) {
    const { code, port } = e as NodeJS.ErrnoException & { port?: unknown };
    if (code === "EADDRINUSE") return typeof port !== "number" || ports.includes(port);
    e = e.cause;
  }
  return false;
}

export const KEPT_PORT_ATTEMPTS = 8;

/**
 * Calls `listen` with `wanted`, each 0 replaced by a kept port, and again with other
 * kept ports when one of those was in use (up to `attempts` calls). Ports given (not 0)
 * stay as given, and their EADDRINUSE is thrown at once: trying again cannot help.
 * For the first start only; a restart must use the ports the first start got.
 */
export async function listenOnKeptPorts<T>(
  wanted: readonly number[],
  listen: (ports: number[]) => Promise<T>,
  attempts = KEPT_PORT_ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports = wanted.map((p) => (p === 0 ? keptPort() : p));
    const chosen = ports.filter((p, i) => wanted[i] === 0 && p !== 0);
    try {
      return await listen(ports);
    } catch (error) {
      // The chosen ports stay handed out: a retry must not pick one of them again.
      if (attempt >= attempts || chosen.length === 0 || !isPortInUse(error, chosen)) throw error;
    }
  }
}
