// Invalid lines counted per reason, with the first and latest sample of each for the log.
export interface InvalidEntry {
  count: number;
  firstSample: string;
  lastSample: string;
}

export class InvalidCounts {
  readonly byReason: Record<string, InvalidEntry> = {};
  total = 0;

  /** Returns true for the first line of this reason, which the caller logs. */
  add(reason: string, detail: string): boolean {
    this.total++;
    const entry = this.byReason[reason];
    if (entry) {
      entry.count++;
      entry.lastSample = detail;
      return false;
    }
    this.byReason[reason] = { count: 1, firstSample: detail, lastSample: detail };
    return true;
  }
}
