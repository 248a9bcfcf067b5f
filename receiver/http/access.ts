// Who may use the HTTP side. On loopback: only requests addressed to this machine by name,
// which stops a web page from reaching the receiver through DNS rebinding. Beyond loopback:
// the token too, as ?token= or "Authorization: Bearer <token>".
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

// The receiver never listens on IPv6 (receiver/net/host.ts), so "[::1]" is not among them.
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost"]);

function sameToken(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Null when allowed, else the HTTP status and reason. */
export function checkAccess(
  request: IncomingMessage,
  url: URL,
  loopbackOnly: boolean,
  token: string | null,
): { status: number; reason: string } | null {
  if (loopbackOnly) {
    const host = (request.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
    if (!LOOPBACK_HOSTS.has(host))
      return { status: 403, reason: "only requests to 127.0.0.1 or localhost" };
  }
  if (token !== null) {
    const header = request.headers.authorization;
    const given =
      url.searchParams.get("token") ?? (header?.startsWith("Bearer ") ? header.slice(7) : null);
    if (!sameToken(given, token))
      return { status: 401, reason: "token required (?token= or Authorization: Bearer)" };
  }
  return null;
}
