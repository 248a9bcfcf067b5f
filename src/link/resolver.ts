/**
 * Turns the receiver's host into the IPv4 address handed to the socket.
 *
 * A name lookup is a blocking system call: with a resolver that does not answer it
 * holds the game for the resolver's whole timeout (5 s per server and try with
 * glibc's defaults). Handing a name to `connect` would look it up on every attempt,
 * and once more for every repeated connect. So names are looked up here, at most
 * once per request of the player (start-up, `/livedata connect`, a new host), each
 * lookup announced; the answer, an address or a failure, is kept until the next
 * request, and retries reuse it. Dotted IPv4 addresses and `localhost` need no
 * lookup.
 */

/** A blocking name lookup (in the engine: `socket.dns.toip`). */
export interface Resolver {
  /** The first IPv4 address of `name`, or `undefined` and why not. */
  lookup(name: string): LuaMultiReturn<[string, undefined] | [undefined, string]>;
}

/** Hears about lookups, so that the player knows why a frame may stall. */
export interface LookupListener {
  /** Called just before the (blocking) lookup of `host`. */
  onLookupStart?(host: string): void;
  /** The lookup of `host` ended: with an address, or with an error text. */
  onLookupDone?(host: string, address: string | undefined, error: string | undefined): void;
}

export function isIPv4Address(host: string): boolean {
  return string.find(host, "^%d+%.%d+%.%d+%.%d+$")[0] !== undefined;
}

/** The address of a host that needs no lookup: a dotted IPv4 address or `localhost`. */
export function literalAddress(host: string): string | undefined {
  if (isIPv4Address(host)) {
    return host;
  }
  return string.lower(host) === "localhost" ? "127.0.0.1" : undefined;
}

export class HostAddresses {
  private cachedHost: string | undefined;
  private cachedAddress: string | undefined;
  private cachedError: string | undefined;
  private lookups = 0;

  /** `resolver` undefined: hosts are passed on unchanged (the socket resolves them). */
  constructor(
    private readonly resolver: Resolver | undefined,
    private readonly listener: LookupListener,
  ) {}

  /**
   * The address to connect to for `host`: at once for a literal, the kept answer for
   * the name looked up last, otherwise a lookup now (blocking). Failures are kept too.
   */
  addressOf(host: string): LuaMultiReturn<[string, undefined] | [undefined, string]> {
    const resolver = this.resolver;
    if (resolver === undefined) {
      return $multi(host, undefined);
    }
    const literal = literalAddress(host);
    if (literal !== undefined) {
      return $multi(literal, undefined);
    }
    if (this.cachedHost !== host) {
      this.listener.onLookupStart?.(host);
      this.lookups += 1;
      const [address, err] = resolver.lookup(host);
      this.cachedHost = host;
      this.cachedAddress = address;
      this.cachedError = address === undefined ? (err ?? "lookup failed") : undefined;
      this.listener.onLookupDone?.(host, this.cachedAddress, this.cachedError);
    }
    const address = this.cachedAddress;
    if (address !== undefined) {
      return $multi(address, undefined);
    }
    return $multi(undefined, this.cachedError ?? "lookup failed");
  }

  /** Forgets the kept answer: the next `addressOf` a name looks it up again. */
  forget(): void {
    this.cachedHost = undefined;
    this.cachedAddress = undefined;
    this.cachedError = undefined;
  }

  /** Lookups made so far (for the status report and tests). */
  lookupCount(): number {
    return this.lookups;
  }
}
