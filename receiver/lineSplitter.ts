// Turns a TCP byte stream into lines. TCP has no message boundaries, so a line can arrive
// split across chunks and one chunk can hold many lines; this is the only place that cares.

export type SplitLine =
  /** A complete line without its "\n" or "\r\n" ending. */
  | { kind: "line"; bytes: Buffer }
  /** A line longer than the limit: only its length is kept, so memory stays bounded. */
  | { kind: "too-long"; byteLength: number };

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  readonly maxLineBytes: number;
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Set once the line in progress exceeded the limit: its bytes are counted, not stored. */
  private discarding = false;
  private discardedLength = 0;
  private discardedEndsWithCR = false;

  constructor(maxLineBytes: number) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
    }
    this.maxLineBytes = maxLineBytes;
  }

  /** Bytes held for the unfinished line; never more than maxLineBytes + 1. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  /**
   * Feeds one chunk and returns the lines it completed, in order. A line that lies whole in
   * the chunk is a view of it, not a copy: copy it to keep it.
   */
  push(chunk: Buffer): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(LF, start);
      if (newline === -1) {
        this.append(chunk.subarray(start));
        break;
      }
      if (this.pendingLength === 0 && !this.discarding) {
        lines.push(this.line(chunk.subarray(start, newline)));
      } else {
        this.append(chunk.subarray(start, newline));
        lines.push(this.finishLine());
      }
      start = newline + 1;
    }
    return lines;
  }

  /** Ends the unfinished line, e.g. when the client disconnects; null if there is none. */
  flush(): SplitLine | null {
    if (!this.discarding && this.pendingLength === 0) return null;
    return this.finishLine();
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    // The +1 leaves room for the CR of a CRLF ending, which does not count towards the limit.
    if (!this.discarding && this.pendingLength + part.length > this.maxLineBytes + 1) {
      this.discarding = true;
      this.discardedLength = this.pendingLength;
      this.pending = [];
      this.pendingLength = 0;
    }
    if (this.discarding) {
      this.discardedLength += part.length;
      this.discardedEndsWithCR = part[part.length - 1] === CR;
    } else {
      // Copy, so a few kept bytes do not pin the whole socket read buffer they came in.
      this.pending.push(Buffer.from(part));
      this.pendingLength += part.length;
    }
  }

  private finishLine(): SplitLine {
    if (this.discarding) {
      const byteLength = this.discardedLength - (this.discardedEndsWithCR ? 1 : 0);
      this.discarding = false;
      this.discardedLength = 0;
      this.discardedEndsWithCR = false;
      return { kind: "too-long", byteLength };
    }
    const line = Buffer.concat(this.pending, this.pendingLength);
    this.pending = [];
    this.pendingLength = 0;
    return this.line(line);
  }

  /** A whole line with its "\n" removed: drops a CR before it and applies the limit. */
  private line(bytes: Buffer): SplitLine {
    const line = bytes[bytes.length - 1] === CR ? bytes.subarray(0, bytes.length - 1) : bytes;
    if (line.length > this.maxLineBytes) return { kind: "too-long", byteLength: line.length };
    return { kind: "line", bytes: line };
  }
}
