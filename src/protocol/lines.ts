/**
 * Splits what the receiver writes into lines, within bounds: at most `maxLineBytes`
 * per line (a longer one is discarded up to its newline, unread, and counted) and at
 * most `maxBytesPerFrame` taken per frame (the rest waits in the socket: TCP holds a
 * flooding receiver back, not the widget's memory). Pure: no engine calls.
 */
export class LineReader {
  /** Pieces of the line being read (not yet ended by a newline). */
  private pieces: string[] = [];
  private pieceBytes = 0;
  /** Inside a line that was too long: skip to its newline. */
  private discarding = false;
  private takenThisFrame = 0;
  /** Lines discarded for their length. */
  tooLong = 0;

  /**
   * @param maxLineBytes longest line read, without its newline (bytes)
   * @param maxBytesPerFrame bytes taken per frame at most
   */
  constructor(
    private readonly maxLineBytes: number,
    private readonly maxBytesPerFrame: number,
  ) {}

  /** A new frame starts: returns how many bytes the reader takes in it. */
  newFrame(): number {
    this.takenThisFrame = 0;
    return this.maxBytesPerFrame;
  }

  /** Bytes it still takes in this frame. */
  room(): number {
    return math.max(0, this.maxBytesPerFrame - this.takenThisFrame);
  }

  /**
   * Takes `data` (at most `room()` bytes are expected) and calls `onLine` with each
   * complete line, without its newline; empty lines are skipped.
   */
  push(data: string, onLine: (this: void, line: string) => void): void {
    this.takenThisFrame += data.length;
    let pos = 1;
    const len = data.length;
    while (pos <= len) {
      const [newline] = string.find(data, "\n", pos, true);
      const stop = newline ?? len + 1;
      const size = stop - pos;
      if (!this.discarding) {
        if (this.pieceBytes + size > this.maxLineBytes) {
          this.tooLong += 1;
          this.pieces = [];
          this.pieceBytes = 0;
          this.discarding = true;
        } else if (size > 0) {
          this.pieces.push(string.sub(data, pos, stop - 1));
          this.pieceBytes += size;
        }
      }
      if (newline === undefined) break;
      if (!this.discarding && this.pieceBytes > 0) {
        const line = this.pieces.length === 1 ? this.pieces[0] : this.pieces.join("");
        this.pieces = [];
        this.pieceBytes = 0;
        onLine(line);
      }
      this.discarding = false;
      pos = newline + 1;
    }
  }

  /** Forgets a partial line (the connection ended). */
  reset(): void {
    this.pieces = [];
    this.pieceBytes = 0;
    this.discarding = false;
  }
}
