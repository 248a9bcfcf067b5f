/**
 * A byte count that stays exact under the engine's single-precision floats, which
 * hold whole numbers exactly only up to 2^24 (16 MiB). The count is kept as whole
 * mebibytes plus a remainder below 1 MiB, both far from that limit.
 */
const MIB = 1048576;

export class ByteCounter {
  private mebibytes = 0;
  private remainder = 0;

  add(bytes: number): void {
    this.remainder += bytes;
    if (this.remainder >= MIB) {
      const whole = math.floor(this.remainder / MIB);
      this.mebibytes += whole;
      this.remainder -= whole * MIB;
    }
  }

  /** Human-readable total, e.g. "512 B", "3.4 KiB", "1.2 MiB". */
  format(): string {
    if (this.mebibytes > 0) {
      return string.format("%.1f MiB", this.mebibytes + this.remainder / MIB);
    }
    if (this.remainder >= 1024) {
      return string.format("%.1f KiB", this.remainder / 1024);
    }
    return `${this.remainder} B`;
  }

  /** The total in bytes; exact while below 2^24 bytes under float numbers. */
  approximate(): number {
    return this.mebibytes * MIB + this.remainder;
  }

  reset(): void {
    this.mebibytes = 0;
    this.remainder = 0;
  }
}
