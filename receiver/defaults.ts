// Defaults shared by the CLI and the module API, so both behave the same out of the box.

/** Loopback only: the game and this server normally run on the same machine. */
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 9876;
/** Longer lines are summarised by size; this is also the per-client buffer bound. */
export const DEFAULT_MAX_LINE_BYTES = 4096;
