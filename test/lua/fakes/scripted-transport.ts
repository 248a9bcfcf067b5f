/**
 * A Transport for specs of the link layer, answering as the kernel would through
 * LuaSocket: a send takes what fits in the send buffer (`sendCapacity`) and reports
 * the last byte taken; a receive returns what the peer sent, then the peer's close.
 * The test steers it by setting fields, and reads back what each connection carried.
 */
import type { ConnectStatus, Transport } from "../../../src/link/transport";

/** What every new connection starts with. */
export interface PeerPlan {
  /** The peer closes at once (a receiver that crashes on each client): this error. */
  closesWith?: string;
  /** Bytes the send buffer takes on a new connection; math.huge: no limit. */
  sendCapacity?: number;
}

export class ScriptedTransport implements Transport {
  /** Answer of `open`: "connected" (at once), "pending" (then `checkConnect`) or "failed". */
  openStatus: ConnectStatus = "connected";
  /** Answer of `checkConnect` while an attempt is pending. */
  connectStatus: ConnectStatus = "pending";
  /** Error text of a failed `open` or `checkConnect`. */
  connectError = "connection refused";
  plan: PeerPlan = {};

  /** Whether a socket is open (between `open` and `close`/`release`). */
  isOpen = false;
  opens = 0;
  closes = 0;
  /** Sockets let go of by `release` and then closed by `finishClosing`. */
  finished = 0;
  /** A socket was let go of by `release` and `finishClosing` has not closed it yet. */
  awaitingFinish = false;
  sendCalls = 0;
  /** Bytes the peer sent that have not been read. */
  inbox = "";
  /** Set when the peer has closed: `receive` reports it once the inbox is read. */
  peerError?: string;
  /** Bytes the send buffer still takes; the test refills it. */
  sendCapacity = math.huge;
  /** The next sends fail with this error (the connection is gone). */
  sendError?: string;
  /** What each connection carried, oldest first; the last is the current one. */
  readonly carried: string[] = [];
  private pending = false;

  open(_host: string, _port: number): LuaMultiReturn<[ConnectStatus, string | undefined]> {
    this.opens += 1;
    this.isOpen = true;
    this.pending = false;
    if (this.openStatus === "failed") {
      return $multi("failed", this.connectError);
    }
    if (this.openStatus === "pending") {
      this.pending = true;
      return $multi("pending", undefined);
    }
    this.startConnection();
    return $multi("connected", undefined);
  }

  checkConnect(): LuaMultiReturn<[ConnectStatus, string | undefined]> {
    if (!this.pending) {
      return $multi("failed", "not connecting");
    }
    if (this.connectStatus === "connected") {
      this.pending = false;
      this.startConnection();
      return $multi("connected", undefined);
    }
    if (this.connectStatus === "failed") {
      this.pending = false;
      return $multi("failed", this.connectError);
    }
    return $multi("pending", undefined);
  }

  receive(maxBytes: number): LuaMultiReturn<[string, string | undefined]> {
    const data = string.sub(this.inbox, 1, maxBytes);
    this.inbox = string.sub(this.inbox, maxBytes + 1);
    if (data.length < maxBytes && this.peerError !== undefined) {
      return $multi(data, this.peerError);
    }
    return $multi(data, undefined);
  }

  send(data: string, first: number, last?: number): LuaMultiReturn<[number, string | undefined]> {
    this.sendCalls += 1;
    if (this.sendError !== undefined) {
      return $multi(first - 1, this.sendError);
    }
    const room = math.min(this.sendCapacity, (last ?? data.length) - first + 1);
    const end = first + room - 1;
    const index = this.carried.length - 1;
    this.carried[index] = this.carried[index] + string.sub(data, first, end);
    this.sendCapacity -= room;
    return $multi(end, undefined);
  }

  close(): void {
    this.release();
    this.awaitingFinish = false;
  }

  release(): void {
    if (this.isOpen) {
      this.isOpen = false;
      this.closes += 1;
      this.awaitingFinish = true;
    }
  }

  finishClosing(): void {
    if (!this.awaitingFinish) return;
    this.awaitingFinish = false;
    this.finished += 1;
  }

  /** What the current (last) connection carried. */
  current(): string {
    return this.carried[this.carried.length - 1] ?? "";
  }

  private startConnection(): void {
    this.carried.push("");
    this.inbox = "";
    this.peerError = this.plan.closesWith;
    this.sendError = undefined;
    this.sendCapacity = this.plan.sendCapacity ?? math.huge;
  }
}
