/**
 * The transport over the engine's LuaSocket 2.0.2. Every socket is switched to
 * timeout 0 right after creation, so no call here ever waits.
 *
 * A non-blocking connect answers "timeout": in progress, not connected. Completion
 * is confirmed by `select` reporting the socket writable AND `getpeername` returning
 * an address; a failed attempt also shows as writable, without a peer. Not on
 * Windows: there a failure is only reported in select's "except" set, which
 * LuaSocket does not offer. So where select may not tell (Windows, or a system we
 * do not know), a second `connect` on a numeric address is used as a probe: it
 * answers "already connected" or the failure; anything else means still pending.
 * The connection's own deadline catches whatever neither detects.
 *
 * `select` takes only descriptors below FD_SETSIZE (1024) where it is a bit set
 * (everywhere but Windows), and the engine's LuaSocket 2.0.2 does not check: a
 * larger one is written past the end of the set, corrupting the engine's memory. A
 * game holding many files can hand us such a descriptor, so a socket whose `getfd()`
 * is at or above the limit never goes to `select`: `getpeername` says when it is
 * connected and a second `connect` when it failed. Reading and writing never use
 * `select` (non-blocking `receive`/`send` answer for themselves).
 *
 * Once connected, the local and peer addresses are compared: equal means the socket
 * connected to itself (see `selfConnectError`), a failed attempt.
 *
 * Creating a socket and issuing its connect are the two dearest system calls we
 * make, so they go to different frames: `open` creates the socket, the first
 * `checkConnect` connects it. The probe runs a few times a second, not every
 * frame: Windows itself retries a refused connect for a second or two before it
 * reports the refusal.
 */
import type { Clock } from "../core/clock";
import { isIPv4Address } from "../link/resolver";
import { selfConnectError, type ConnectStatus, type Transport } from "../link/transport";

/** Seconds between two connect probes of a pending attempt. */
export const CONNECT_PROBE_INTERVAL = 0.2;

export type SocketLibrary = typeof socket;

/** FD_SETSIZE of Linux and macOS: `select` must not see a descriptor at or above it. */
export const SELECT_FD_LIMIT = 1024;

/**
 * The descriptor limit for `select` on the system `osFamily` (the engine's
 * `Platform.osFamily`): none on Windows, where an fd_set is a list of handles.
 */
export function selectFdLimit(osFamily: string | undefined): number | undefined {
  return osFamily === "Windows" ? undefined : SELECT_FD_LIMIT;
}

/** Answers to a repeated connect that only mean "not finished yet". */
function meansStillPending(message: string): boolean {
  const lower = string.lower(message);
  return (
    lower === "timeout" ||
    string.find(lower, "in progress", 1, true)[0] !== undefined ||
    string.find(lower, "invalid argument", 1, true)[0] !== undefined ||
    string.find(lower, "would block", 1, true)[0] !== undefined
  );
}

/**
 * Whether `select` reports a failed connect as writable on this system (BSD
 * sockets do; Windows does not). `osFamily` is the engine's `Platform.osFamily`.
 */
export function selectReportsFailedConnects(osFamily: string | undefined): boolean {
  return osFamily === "Linux" || osFamily === "MacOSX" || osFamily === "FreeBSD";
}

export class LuaSocketTransport implements Transport {
  private sock: TcpSocket | undefined;
  /** A socket let go of by `release`, to be closed by `finishClosing`. */
  private released: TcpSocket | undefined;
  /** The one-socket list handed to `select`, kept to avoid a table per frame. */
  private readonly watched: TcpSocket[] = [];
  private host = "";
  private port = 0;
  private probeWhilePending = false;
  private connectIssued = false;
  private nextProbeAt = 0;
  /** Whether the current socket's descriptor may be handed to `select`. */
  private selectable = true;

  /**
   * `probePending`: probe a pending connect with a second `connect` (see above);
   * leave it on unless {@link selectReportsFailedConnects} says it is not needed.
   * `fdLimit`: descriptors at or above it never go to `select` (see
   * {@link selectFdLimit}); undefined: no limit.
   */
  constructor(
    private readonly lib: SocketLibrary | undefined,
    private readonly clock: Clock,
    private readonly probePending = true,
    private readonly fdLimit: number | undefined = undefined,
  ) {}

  open(host: string, port: number): LuaMultiReturn<[ConnectStatus, string | undefined]> {
    this.close();
    const lib = this.lib;
    if (lib === undefined) {
      return $multi("failed", "LuaSocket is not available");
    }
    const [sock, createError] = lib.tcp();
    if (sock === undefined) {
      return $multi("failed", `cannot create a socket: ${createError ?? "unknown error"}`);
    }
    sock.settimeout(0);
    this.sock = sock;
    this.watched[0] = sock;
    this.host = host;
    this.port = port;
    const limit = this.fdLimit;
    if (limit === undefined) {
      this.selectable = true;
    } else {
      const fd = sock.getfd();
      this.selectable = fd >= 0 && fd < limit;
    }
    // Probing by a second connect is only cheap for a numeric address: a name would
    // be looked up again, blocking, on every probe. Without select it is the only way
    // to learn of a failure.
    this.probeWhilePending = (this.probePending || !this.selectable) && isIPv4Address(host);
    this.connectIssued = false;
    return $multi("pending", undefined);
  }

  checkConnect(): LuaMultiReturn<[ConnectStatus, string | undefined]> {
    const sock = this.sock;
    const lib = this.lib;
    if (sock === undefined || lib === undefined) {
      return $multi("failed", "closed");
    }
    if (!this.connectIssued) {
      return this.issueConnect(sock);
    }
    if (!this.selectable) {
      // No select for this descriptor: a peer address means connected; the probe
      // below learns of a failure.
      if (sock.getpeername()[0] !== undefined) {
        return this.established();
      }
    } else {
      const [, writable] = lib.select(undefined, this.watched, 0);
      if (writable[0] !== undefined) {
        if (sock.getpeername()[0] !== undefined) {
          return this.established();
        }
        // Writable without a peer: the attempt failed. Connecting again tells why.
        const [ok, err] = sock.connect(this.host, this.port);
        if (ok !== undefined || err === "already connected") {
          return this.established();
        }
        return $multi(
          "failed",
          err === undefined || meansStillPending(err) ? "connection failed" : err,
        );
      }
    }
    if (!this.probeWhilePending) {
      return $multi("pending", undefined);
    }
    const now = this.clock.now();
    if (now < this.nextProbeAt) {
      return $multi("pending", undefined);
    }
    this.nextProbeAt = now + CONNECT_PROBE_INTERVAL;
    const [ok, err] = sock.connect(this.host, this.port);
    if (ok !== undefined || err === "already connected") {
      return this.established();
    }
    if (err === undefined || meansStillPending(err)) {
      return $multi("pending", undefined);
    }
    return $multi("failed", err);
  }

  receive(maxBytes: number): LuaMultiReturn<[string, string | undefined]> {
    const sock = this.sock;
    if (sock === undefined) {
      return $multi("", "closed");
    }
    const [data, err, partial] = sock.receive(maxBytes);
    if (data !== undefined) {
      return $multi(data, undefined);
    }
    if (err === "timeout") {
      return $multi(partial ?? "", undefined);
    }
    return $multi(partial ?? "", err ?? "closed");
  }

  send(data: string, first: number, last?: number): LuaMultiReturn<[number, string | undefined]> {
    const sock = this.sock;
    if (sock === undefined) {
      return $multi(first - 1, "closed");
    }
    const [sentTo, err, lastSent] = sock.send(data, first, last);
    if (sentTo !== undefined) {
      return $multi(sentTo, undefined);
    }
    const reached = lastSent ?? first - 1;
    if (err === "timeout") {
      return $multi(reached, undefined);
    }
    return $multi(reached, err ?? "closed");
  }

  close(): void {
    this.finishClosing();
    const sock = this.detach();
    if (sock !== undefined) {
      sock.close();
    }
  }

  release(): void {
    const sock = this.detach();
    if (sock !== undefined) {
      this.finishClosing();
      this.released = sock;
    }
  }

  finishClosing(): void {
    const sock = this.released;
    if (sock !== undefined) {
      this.released = undefined;
      sock.close();
    }
  }

  /** Forgets the current socket and returns it. */
  private detach(): TcpSocket | undefined {
    const sock = this.sock;
    if (sock !== undefined) {
      this.sock = undefined;
      this.watched[0] = undefined as unknown as TcpSocket;
    }
    return sock;
  }

  private issueConnect(sock: TcpSocket): LuaMultiReturn<[ConnectStatus, string | undefined]> {
    this.connectIssued = true;
    this.nextProbeAt = this.clock.now() + CONNECT_PROBE_INTERVAL;
    const [ok, err] = sock.connect(this.host, this.port);
    if (ok !== undefined || err === "already connected") {
      return this.established();
    }
    if (err === "timeout" || (err !== undefined && meansStillPending(err))) {
      return $multi("pending", undefined);
    }
    return $multi("failed", err ?? "unknown error");
  }

  private established(): LuaMultiReturn<[ConnectStatus, string | undefined]> {
    const sock = this.sock;
    if (sock !== undefined) {
      const [peer, peerPort] = sock.getpeername();
      const [local, localPort] = sock.getsockname();
      if (peer !== undefined && peer === local && peerPort === localPort) {
        // Closed abortively: a TIME_WAIT would keep the receiver from binding the port
        // for a minute (it could not share it with our socket, which lacks reuseaddr).
        sock.setoption("linger", { on: true, timeout: 0 });
        return $multi("failed", selfConnectError(peer, this.port));
      }
      // Live data is many small lines: don't let Nagle's algorithm hold them back.
      // Keepalive only helps after about two hours of idle (the system default); the
      // connection's liveness check is what notices a vanished receiver in time.
      sock.setoption("tcp-nodelay", true);
      sock.setoption("keepalive", true);
    }
    return $multi("connected", undefined);
  }
}
