/**
 * Name lookups through the engine's LuaSocket (`socket.dns.toip`, a blocking
 * gethostbyname). Recoil lets a name through only if some allow-list has a bare `*`
 * entry (TCPAllowListen has one by default) and then adds the resolved address to
 * every entry naming the host, so `TCPAllowConnect = name:port` also admits the
 * address (Recoil: rts/lib/luasocket/src/inet.cpp inet_global_toip).
 */
import { isIPv4Address, type Resolver } from "../link/resolver";
import type { SocketLibrary } from "./luasocket-transport";

export function createDnsResolver(lib: SocketLibrary | undefined): Resolver {
  return {
    lookup(name: string) {
      const dns = lib !== undefined ? lib.dns : undefined;
      if (dns === undefined || dns.toip === undefined) {
        return $multi(undefined, "this LuaSocket cannot look up names");
      }
      const [ip, err] = dns.toip(name);
      if (typeof ip !== "string" || !isIPv4Address(ip)) {
        return $multi(undefined, typeof err === "string" ? err : "host not found");
      }
      return $multi(ip, undefined);
    },
  };
}
