/**
 * An imitation of the engine's LuaSocket for specs: each socket is a small model of
 * a TCP endpoint that the test steers by setting fields, answering as the kernel and
 * LuaSocket 2.0.2 would (see types/luasocket.d.ts for the real answers).
 */
import type { SocketLibrary } from "../../../src/engine/luasocket-transport";

export type Phase = "pending" | "connected" | "failed";

/** What every new socket starts with; tests set it before the socket is made. */
export interface SocketPlan {
  /** `tcp()` fails with this message. */
  tcpError?: string;
  /** The first connect's answer: "timeout" (pending, the default), "ok", or an error. */
  firstConnect?: string;
  /** A failed connect never shows as writable, as on Windows. */
  windows?: boolean;
  sendCapacity?: number;
}

export class ScriptedSocket implements TcpSocket {
  phase: Phase = "pending";
  failError?: string;
  probeError?: string;
  pendingProbe?: string;
  connectCalls = 0;
  host?: string;
  port?: number;
  timeout?: number;
  /** Bytes the peer sent that the widget has not read yet. */
  inbox = "";
  peerClosed = false;
  closeError?: string;
  /** Everything the widget sent, in order. */
  sent = "";
  sendCalls = 0;
  /** Bytes the kernel accepts before a send would block (`math.huge`: no limit). */
  sendCapacity = math.huge;
  /** The next sends fail with this message. */
  sendError?: string;
  readonly options = new LuaTable<string, boolean>();
  closed = false;
  firstConnect = "timeout";
  windows = false;

  constructor(private readonly lib: ScriptedSocketLib) {}

  settimeout(seconds: number): number {
    this.timeout = seconds;
    return 1;
  }

  connect(host: string, port: number): LuaMultiReturn<[1, undefined] | [undefined, string]> {
    assert(this.timeout === 0, "connect on a blocking socket");
    this.connectCalls += 1;
    this.host = host;
    this.port = port;
    if (this.closed) return $multi(undefined, "closed");
    if (this.connectCalls === 1) {
      const first = this.firstConnect;
      if (first === "ok") {
        this.phase = "connected";
        return $multi(1, undefined);
      }
      if (first !== "timeout") {
        this.phase = "failed";
        this.failError = first;
      }
      return $multi(undefined, first);
    }
    if (this.phase === "connected") return $multi(undefined, "already connected");
    if (this.phase === "failed") {
      return $multi(undefined, this.probeError ?? this.failError ?? "connection refused");
    }
    return $multi(undefined, this.pendingProbe ?? "Operation already in progress");
  }

  getpeername(): LuaMultiReturn<[string, number] | [undefined, string]> {
    if (this.phase === "connected" && !this.closed) return $multi("127.0.0.1", this.port ?? 0);
    return $multi(undefined, "getpeername failed");
  }

  receive(
    count: number,
  ): LuaMultiReturn<[string, undefined, undefined] | [undefined, string, string]> {
    assert(this.timeout === 0, "receive on a blocking socket");
    if (this.closed) return $multi(undefined, "closed", "");
    const data = string.sub(this.inbox, 1, count);
    this.inbox = string.sub(this.inbox, count + 1);
    if (data.length === count) return $multi(data, undefined, undefined);
    if (this.peerClosed) return $multi(undefined, this.closeError ?? "closed", data);
    return $multi(undefined, "timeout", data);
  }

  send(
    data: string,
    i = 1,
    j = data.length,
  ): LuaMultiReturn<[number, undefined, undefined] | [undefined, string, number]> {
    assert(this.timeout === 0, "send on a blocking socket");
    this.sendCalls += 1;
    if (this.closed) return $multi(undefined, "closed", i - 1);
    if (this.sendError !== undefined) return $multi(undefined, this.sendError, i - 1);
    const room = math.min(this.sendCapacity, j - i + 1);
    this.sent += string.sub(data, i, i + room - 1);
    if (this.sendCapacity !== math.huge) this.sendCapacity -= room;
    if (i + room - 1 >= j) return $multi(j, undefined, undefined);
    return $multi(undefined, "timeout", i + room - 1);
  }

  setoption(name: "tcp-nodelay" | "keepalive", value: boolean): LuaMultiReturn<[1, undefined]> {
    this.options.set(name, value);
    return $multi(1, undefined);
  }

  close(): number {
    if (!this.closed) {
      this.closed = true;
      this.lib.closed += 1;
    }
    return 1;
  }
}

/**
 * The `socket` library: `tcp()` makes a ScriptedSocket from `plan`; `select` reports
 * connected (and, except on Windows, failed) sockets writable, and sockets with data
 * or a closed peer readable. Counts what was created and closed.
 */
export class ScriptedSocketLib {
  created = 0;
  closed = 0;
  readonly sockets: ScriptedSocket[] = [];
  last?: ScriptedSocket;
  plan: SocketPlan = {};
  selectCalls = 0;

  /** This object as the widget sees the engine's `socket` table. */
  asLibrary(): SocketLibrary {
    const tcp = (): LuaMultiReturn<[TcpSocket, undefined] | [undefined, string]> => {
      if (this.plan.tcpError !== undefined) return $multi(undefined, this.plan.tcpError);
      const s = new ScriptedSocket(this);
      if (this.plan.firstConnect !== undefined) s.firstConnect = this.plan.firstConnect;
      if (this.plan.windows !== undefined) s.windows = this.plan.windows;
      if (this.plan.sendCapacity !== undefined) s.sendCapacity = this.plan.sendCapacity;
      this.created += 1;
      this.sockets.push(s);
      this.last = s;
      return $multi(s, undefined);
    };
    const select = (
      recvt: TcpSocket[] | undefined,
      sendt: TcpSocket[] | undefined,
      timeout: number,
    ): LuaMultiReturn<[TcpSocket[], TcpSocket[], string | undefined]> => {
      assert(timeout === 0, "select must not wait");
      this.selectCalls += 1;
      const readable: TcpSocket[] = [];
      const writable: TcpSocket[] = [];
      const keyed = (list: TcpSocket[], s: TcpSocket): void => {
        list.push(s);
        (list as unknown as LuaTable<TcpSocket, boolean>).set(s, true);
      };
      for (const t of sendt ?? []) {
        const s = t as ScriptedSocket;
        if (!s.closed && (s.phase === "connected" || (s.phase === "failed" && !s.windows))) {
          keyed(writable, s);
        }
      }
      for (const t of recvt ?? []) {
        const s = t as ScriptedSocket;
        if (s.inbox !== "" || s.peerClosed) keyed(readable, s);
      }
      const none = readable.length === 0 && writable.length === 0;
      return $multi(readable, writable, none ? "timeout" : undefined);
    };
    return { tcp, select } as unknown as SocketLibrary;
  }
}
