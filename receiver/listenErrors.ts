// Turns the errors net.Server.listen() can report into one plain sentence for the user.
import { formatEndpoint } from "./format.ts";

function hintForPermissionDenied(port: number): string {
  if (port < 1024) return "ports below 1024 need administrator (root) rights; use a higher port";
  // Hyper-V, WSL and Docker reserve port ranges on Windows; binding inside one gives EACCES.
  return 'on Windows the port may be reserved (see "netsh interface ipv4 show excludedportrange protocol=tcp"); try another port';
}

export function describeListenError(
  error: NodeJS.ErrnoException,
  host: string,
  port: number,
): string {
  const where = formatEndpoint(host, port);
  switch (error.code) {
    case "EADDRINUSE":
      return `cannot listen on ${where}: the port is already in use (EADDRINUSE); is another server running? Choose another port with --port`;
    case "EACCES":
      return `cannot listen on ${where}: permission denied (EACCES); ${hintForPermissionDenied(port)}`;
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

  constructor(cause: NodeJS.ErrnoException, host: string, port: number) {
    super(describeListenError(cause, host, port), { cause });
    this.code = cause.code;
    this.host = host;
    this.port = port;
  }
}
