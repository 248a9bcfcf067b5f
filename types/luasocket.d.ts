/**
 * LuaSocket 2.0.2 as embedded in Recoil (rts/lib/luasocket), opened as the global
 * `socket`: there is no `require`. IPv4 only. Every call here must be made on a
 * socket whose timeout is 0, or it blocks the whole game.
 *
 * Error strings the engine's LuaSocket produces: `"timeout"` (the call would block;
 * for a first connect: still in progress; but ETIMEDOUT also reads `"timeout"`),
 * `"closed"` (also reset and aborted connections, and a send on a broken pipe),
 * `"connection refused"`, `"already connected"`, `"host not found"`,
 * `"connect denied"` (the engine's `TCPAllowConnect` allow-list, Recoil:
 * rts/lib/luasocket/src/restrictions.cpp), otherwise the operating system's own
 * text, which differs between Windows and Linux.
 */
declare namespace socket {
  /**
   * Creates a TCP master object. Returns `nil, message` when the system cannot
   * create a socket (out of descriptors, networking unavailable).
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/lib/luasocket/src/tcp.c
   */
  function tcp(this: void): LuaMultiReturn<[TcpSocket, undefined] | [undefined, string]>;

  /**
   * Waits at most `timeout` seconds (0: just looks) for sockets to become readable
   * or writable. Returns the ready sockets as arrays (each also keyed by the socket
   * object) and `"timeout"` when none is ready. Either list may be nil.
   * On Windows a failed non-blocking connect is reported in select's "except" set,
   * which LuaSocket does not expose: such a socket never shows as writable.
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/lib/luasocket/src/select.c
   */
  function select(
    this: void,
    recvt: TcpSocket[] | undefined,
    sendt: TcpSocket[] | undefined,
    timeout: number,
  ): LuaMultiReturn<[readable: TcpSocket[], writable: TcpSocket[], error: string | undefined]>;
}

/**
 * A LuaSocket TCP object (master, client or server). Methods are called with `:`.
 * Objects close themselves when garbage-collected, but only then: always `close()`.
 */
declare interface TcpSocket {
  /** 0 makes every later call return at once (`"timeout"` instead of waiting). * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/lib/luasocket/src/tcp.c
  /** 0 makes every later call return at once (`"timeout"` instead of waiting). */
  settimeout(this: TcpSocket, seconds: number, mode?: "b" | "t"): number;

  /**
   * Starts connecting. With timeout 0 the usual answer is `nil, "timeout"`: the
   * attempt is in progress, NOT established. A hostname (not a dotted IPv4 address)
   * is resolved first by a blocking system lookup. A second call reports
   * `"already connected"` once the connection is up; other answers while pending
   * differ between operating systems.
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/lib/luasocket/src/tcp.c
   */
  connect(
    this: TcpSocket,
    host: string,
    port: number,
  ): LuaMultiReturn<[1, undefined] | [undefined, string]>;

  /** The peer's address once connected; `nil` while pending or after a failed attempt. * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/lib/luasocket/src/tcp.c
  /** The peer's address once connected; `nil` while pending or after a failed attempt. */
  getpeername(this: TcpSocket): LuaMultiReturn<[string, number] | [undefined, string]>;

  /**
   * Sends `data` from byte `i` (default 1) to `j` (default end). Returns the index of
   * the last byte sent; on failure or a partial send (buffer full: `"timeout"`)
   * returns `nil, error, lastIndexSent`: resume with `send(data, lastIndexSent + 1)`.
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/lib/luasocket/src/buffer.c
   */
  send(
    this: TcpSocket,
    data: string,
    i?: number,
    j?: number,
  ): LuaMultiReturn<[number, undefined, undefined] | [undefined, string, number]>;

  /**
   * Reads `count` bytes. With timeout 0 and fewer bytes available: `nil, "timeout",
   * partial` (the bytes read so far are consumed and returned in `partial`). When the
   * peer has closed or reset the connection: `nil, "closed", partial`.
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/lib/luasocket/src/buffer.c
   */
  receive(
    this: TcpSocket,
    count: number,
  ): LuaMultiReturn<[string, undefined, undefined] | [undefined, string, string]>;

  /**
   * Sets a socket option; `"tcp-nodelay"` and `"keepalive"` take a boolean. Returns
   * `nil, "setsockopt failed"` on failure; an unknown name raises an error.
   * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/lib/luasocket/src/tcp.c
   */
  setoption(
    this: TcpSocket,
    name: "tcp-nodelay" | "keepalive",
    value: boolean,
  ): LuaMultiReturn<[1, undefined] | [undefined, string]>;

  /** Closes the socket; safe to call more than once. * @see https://github.com/beyond-all-reason/RecoilEngine/blob/c936b71/rts/lib/luasocket/src/tcp.c
  /** Closes the socket; safe to call more than once. */
  close(this: TcpSocket): number;
}
