/**
 * What the connection state machine needs from a socket. The LuaSocket
 * implementation lives in luasocket-transport.ts; tests substitute their own.
 *
 * Every method returns at once: none may wait for the network.
 */

/** Progress of a connection attempt. */
export type ConnectStatus = "connected" | "pending" | "failed";

export interface Transport {
  /**
   * Creates a socket and starts connecting, or prepares to on the next `checkConnect`
   * (answering `pending`). `failed` carries the error text (including a socket that
   * could not be created and an engine allow-list denial). `host` is what to hand
   * the socket: the connection resolves names first (see resolver.ts), so it is a
   * dotted IPv4 address unless no resolver was given.
   */
  open(host: string, port: number): LuaMultiReturn<[ConnectStatus, string | undefined]>;

  /**
   * Advances the attempt started by `open` and says whether it has completed; any
   * failure of the connect itself (refused, denied, host not found) arrives here.
   * A socket connected to itself (see {@link selfConnectError}) is a failure too.
   */
  checkConnect(): LuaMultiReturn<[ConnectStatus, string | undefined]>;

  /**
   * Reads what has arrived on a connected socket, at most `maxBytes`. Returns the
   * bytes (possibly "") and, when the connection is gone, the error text.
   */
  receive(maxBytes: number): LuaMultiReturn<[string, string | undefined]>;

  /**
   * Sends `data` from byte `first` to byte `last` (default: its end). Returns the index
   * of the last byte written (which may be short of `last` when the send buffer is
   * full) and, when the connection is gone, the error text.
   */
  send(data: string, first: number, last?: number): LuaMultiReturn<[number, string | undefined]>;

  /** Closes the socket, if any. Safe to call at any time, more than once. */
  close(): void;

  /**
   * Lets go of the socket at once, but leaves the system call that closes it to
   * `finishClosing` in a later frame: noticing a failure and closing the socket are
   * each dear enough to deserve a frame of their own. `close` and `open` finish it too.
   */
  release(): void;

  /** Closes the socket let go of by `release`, if any; costs nothing otherwise. */
  finishClosing(): void;
}

/**
 * The error text of an attempt that connected to its own socket: with nothing
 * listening on a port inside the system's ephemeral range, the system may pick that
 * very port as the local one, and the SYN meets itself (a TCP simultaneous open).
 * The result looks connected but talks to itself and holds the port the receiver
 * needs, so it counts as a failed attempt.
 */
export function selfConnectError(address: string, port: number): string {
  return `connected to itself (${address}:${port} is both ends): nothing is listening on that port`;
}
