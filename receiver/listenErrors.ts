// Turns the errors net.Server.listen() can report into one plain sentence for the user.
import { formatEndpoint } from "./format.ts";

/** Which listener failed, for a program with more than one (the receiver: widgets and HTTP). */
export interface ListenRole {
  /** Named after the address, e.g. "HTTP: API and overlay". */
  what?: string;
  /** The option that chooses another port. Default "--port". */
  flag?: string;
}

function hintForPermissionDenied(port: number, flag: string): string {
  if (port < 1024)
    return `ports below 1024 need administrator (root) rights; choose a higher port with ${flag}`;
  // Hyper-V, WSL and Docker reserve port ranges on Windows; binding inside one gives EACCES.
  return `on Windows the port may be reserved (see "netsh interface ipv4 show excludedportrange protocol=tcp"); choose another port with ${flag}`;
}

export function describeListenError(
  error: NodeJS.ErrnoException,
  host: string,
  port: number,
  role: ListenRole = {},
): string {
  const flag = role.flag ?? "--port";
  const where = `${formatEndpoint(host, port)}${role.what ? ` (${role.what})` : ""}`;
  switch (error.code) {
    case "EADDRINUSE":
      return `cannot listen on ${where}: the port is already in use (EADDRINUSE); is another server running? Choose another port with ${flag}`;
    case "EACCES":
      return `cannot listen on ${where}: permission denied (EACCES); ${hintForPermissionDenied(port, flag)}`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where}: the address does not belong to this machine (EADDRNOTAVAIL)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return `cannot listen on ${where}: unknown host "${host}" (${error.code})`;
    case "EAFNOSUPPORT":
      return `cannot listen on ${where}: this address family is not available here, e.g. IPv6 is disabled (EAFNOSUPPORT)`;
    default:
      // Keep it on one line whatever the platform put in the message.
      return `cannot listen on ${where}: ${error.message.replace(/\s+/g, " ")}`;
  }
}

/** start() rejects with this, so callers can tell "could not listen" from programming errors. */
export class ListenError extends Error {
  override name = "ListenError";
  readonly code: string | undefined;
  readonly host: string;
  readonly port: number;

  constructor(
    override readonly cause: NodeJS.ErrnoException,
    host: string,
    port: number,
    role: ListenRole = {},
  ) {
    super(describeListenError(cause, host, port, role), { cause });
    this.code = cause.code;
    this.host = host;
    this.port = port;
  }

  /** The same failure described for a given listener. */
  as(role: ListenRole): ListenError {
    return new ListenError(this.cause, this.host, this.port, role);
  }
}
