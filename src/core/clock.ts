/** A monotonic time source; the engine adapter and the tests each provide one. */
export interface Clock {
  /** Seconds, monotonic, from an arbitrary origin. */
  now(): number;
}
