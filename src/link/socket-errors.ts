/**
 * Sorts LuaSocket's error strings into the failures the widget reacts to. The
 * engine's LuaSocket uses a few fixed strings and otherwise the operating system's
 * text, which differs between Windows and Linux, so matching is by lowercase
 * fragments rather than exact equality.
 */
export type FailureKind =
  | "refused"
  | "denied"
  | "timed-out"
  | "closed"
  | "reset"
  | "host-not-found"
  | "unreachable"
  | "forbidden"
  | "unavailable"
  | "other";

const FRAGMENTS: ReadonlyArray<[string, FailureKind]> = [
  ["connect denied", "denied"],
  ["luasocket is not available", "unavailable"],
  ["refused", "refused"],
  ["host not found", "host-not-found"],
  ["name or service not known", "host-not-found"],
  ["no address", "host-not-found"],
  ["reset", "reset"],
  ["aborted", "reset"],
  ["broken pipe", "reset"],
  ["closed", "closed"],
  ["timed out", "timed-out"],
  ["timeout", "timed-out"],
  ["unreachable", "unreachable"],
  // The operating system's own refusal (a firewall, a privileged address), not the engine's.
  ["permission denied", "forbidden"],
  ["access permissions", "forbidden"],
];

export function classifySocketError(message: string): FailureKind {
  const lower = string.lower(message);
  for (const [fragment, kind] of FRAGMENTS) {
    if (string.find(lower, fragment, 1, true)[0] !== undefined) {
      return kind;
    }
  }
  return "other";
}

/** Whether retrying the same address later can help (an allow-list denial cannot). */
export function isRetryable(kind: FailureKind): boolean {
  return kind !== "denied" && kind !== "unavailable";
}

/** Short human wording for the console and the status line. */
export function describeFailure(kind: FailureKind, message: string): string {
  switch (kind) {
    case "refused":
      return "connection refused (is the receiving program running?)";
    case "denied":
      return "connection denied by the engine's TCPAllowConnect setting";
    case "timed-out":
      return "connection attempt timed out";
    case "closed":
      return "connection closed by the other side";
    case "reset":
      return "connection reset";
    case "host-not-found":
      return "host not found";
    case "unreachable":
      return "network unreachable";
    case "unavailable":
      return "LuaSocket is not available in this engine (LuaSocketEnabled is off in springsettings.cfg)";
    case "forbidden":
      return `the operating system refused access (${message}); check the firewall`;
    default:
      return message;
  }
}
