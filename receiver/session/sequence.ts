// Per-session sequence bookkeeping: duplicates (a reconnect resends what was not acknowledged),
// holes in seq, and which holes the widget explained with a `gap` or made harmless with a
// snapshot. Pure: the caller passes the time, so the resync decision is testable.

/** Holes remembered per session; a flood of holes past this counts but is not stored. */
const MAX_TRACKED_MISSING = 10_000;

export type SeqVerdict = "new" | "duplicate" | "late";

export class SeqTracker {
  /** Highest seq received (0: none); acknowledgements name it. */
  highest = 0;
  duplicates = 0;
  /** Seqs skipped over and not (yet) explained or filled. */
  private readonly missing = new Set<number>();
  /** Seqs the widget reported dropped in `gap` messages. */
  reportedDropped = 0;
  /** Holes never explained by a gap, but made harmless by a later snapshot. */
  unexplainedLost = 0;
  /** When the oldest unexplained hole appeared, or null when there is none. */
  private holeSince: number | null = null;

  get missingCount(): number {
    return this.missing.size;
  }

  accept(seq: number, now: number): SeqVerdict {
    if (seq > this.highest) {
      for (let s = this.highest + 1; s < seq && this.missing.size < MAX_TRACKED_MISSING; s++) {
        this.missing.add(s);
      }
      if (seq > this.highest + 1) this.holeSince ??= now;
      this.highest = seq;
      return "new";
    }
    if (this.missing.delete(seq)) {
      if (this.missing.size === 0) this.holeSince = null;
      return "late";
    }
    this.duplicates++;
    return "duplicate";
  }

  /** A message arrived but could not be used (invalid): the state now lacks it. */
  unusable(seq: number, now: number): void {
    if (seq > this.highest) this.accept(seq, now);
    this.missing.add(seq);
    this.holeSince ??= now;
  }

  /** The widget dropped firstSeq..lastSeq (those in between that were not dropped still come). */
  gap(firstSeq: number, lastSeq: number, dropped: number): void {
    this.reportedDropped += dropped;
    for (const seq of this.missing) if (seq >= firstSeq && seq <= lastSeq) this.missing.delete(seq);
    if (this.missing.size === 0) this.holeSince = null;
  }

  /** A snapshot replaces the state: holes before it no longer matter. */
  snapshot(seq: number): void {
    for (const s of this.missing) {
      if (s < seq) {
        this.missing.delete(s);
        this.unexplainedLost++;
      }
    }
    if (this.missing.size === 0) this.holeSince = null;
  }

  /** True when a hole has stayed unexplained for `afterMs`: time to ask for a snapshot. */
  needsResync(now: number, afterMs: number): boolean {
    return this.holeSince !== null && now - this.holeSince >= afterMs;
  }

  /** A resync was asked for: wait another `afterMs` before asking again. */
  resyncRequested(now: number): void {
    if (this.holeSince !== null) this.holeSince = now;
  }
}
