// Which addresses the receiver listens on. The widget connects over IPv4 only (BAR's
// LuaSocket), so an IPv6 address (::1 included) would be unreachable for it and is refused,
// and a name is bound to its IPv4 address ("localhost" to 127.0.0.1, even where the system
// prefers ::1). Loopback is 127.0.0.0/8; anything else lets other machines in: token needed.
import { lookup } from "node:dns/promises";
import net from "node:net";

export function isLoopback(host: string): boolean {
  const address = host.toLowerCase() === "localhost" ? "127.0.0.1" : host;
  return net.isIPv4(address) && address.startsWith("127.");
}

/** Null when the receiver may listen on `host` with this token, else what to change. */
export function hostProblem(host: string, token: string | null): string | null {
  if (net.isIPv6(host.replace(/^\[(.*)\]$/, "$1"))) {
    return `--host ${host} is an IPv6 address, but the widget connects over IPv4 only: use 127.0.0.1 (this machine, the default) or 0.0.0.0 with --token (every network interface)`;
  }
  if (!isLoopback(host) && token === null) {
    return `--host ${host} lets other machines connect: give a --token too (the widget's token setting)`;
  }
  return null;
}

/**
 * The IPv4 address to bind: the literal itself, or the name's IPv4 address (127.0.0.1 for
 * localhost, where listening on the name could pick ::1).
 */
export async function listenAddress(host: string): Promise<string> {
  if (net.isIPv4(host)) return host;
  return (await lookup(host, { family: 4 })).address;
}
