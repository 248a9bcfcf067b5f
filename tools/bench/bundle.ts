/**
 * The built widget's bundle (TypeScriptToLua's luaBundle of src/main.ts), for the tools
 * that write a changed copy of it (tools/instrument-widget.ts, tools/bench/collection-alone.ts).
 */

/**
 * The bundle's line that runs src/main.ts. Code put before it runs first, with every
 * module already registered, so `require("src.protocol.session")` works there.
 */
export const BUNDLE_ENTRY = 'local ____entry = require("src.main", ...)';

/** Where BUNDLE_ENTRY starts in `source`, read from `file`; throws if it is not a widget bundle. */
export function bundleEntryAt(source: string, file: string): number {
  const at = source.lastIndexOf(BUNDLE_ENTRY);
  if (at < 0) throw new Error(`${file} is not a widget bundle (no ${BUNDLE_ENTRY})`);
  return at;
}
