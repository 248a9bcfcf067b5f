/**
 * Numbers for people. Pure.
 *
 * The engine's numbers are single-precision floats, so 0.3 is 0.30000001192092896
 * and `tostring` prints `0.30000001`. Its `string.format` honours only the `.N`
 * precision (no `%g`), so values are printed with `%.3f` and their trailing zeros
 * dropped: 0.3, 1.7, 30 (settings have at most three meaningful decimals).
 */

/** `0.30000001192092896` → `"0.3"`, `30` → `"30"`, `0.125` → `"0.125"`. */
export function formatNumber(value: number): string {
  if (value !== value) {
    return "nan";
  }
  if (value === math.huge || value === -math.huge) {
    return value > 0 ? "inf" : "-inf";
  }
  let [text] = string.gsub(string.format("%.3f", value), "0+$", "");
  [text] = string.gsub(text, "%.$", "");
  return text === "-0" ? "0" : text;
}

/** A lead byte and any continuation bytes at the end (TypeScript strings cannot hold raw bytes). */
const UNFINISHED_UTF8 = `[${string.char(192)}-${string.char(255)}][${string.char(128)}-${string.char(191)}]*$`;

/** Characters of a player's input repeated in a message: enough to recognise it. */
export const QUOTED_INPUT_MAX = 40;

/**
 * A word the player typed, for a reply: control characters shown as `?`, and cut
 * to {@link QUOTED_INPUT_MAX} bytes (at a character boundary, with `...`) so that a
 * pasted page does not flood the console.
 */
export function shortInput(text: string): string {
  let [shown] = string.gsub(text, "%c", "?");
  if (shown.length > QUOTED_INPUT_MAX) {
    shown = string.sub(shown, 1, QUOTED_INPUT_MAX);
    // Drop a UTF-8 sequence the cut left unfinished: trailing continuation bytes and their lead.
    [shown] = string.gsub(shown, UNFINISHED_UTF8, "");
    shown = `${shown}...`;
  }
  return shown;
}

/**
 * A table key another widget handed us, as text for a message: a table or userdata as
 * `<table>`/`<userdata>`, since its `__tostring` is that widget's code and may raise.
 */
export function keyText(key: unknown): string {
  const kind = type(key);
  return kind === "table" || kind === "userdata" ? `<${kind}>` : tostring(key);
}

/** {@link shortInput} in double quotes. */
export function quoteInput(text: string): string {
  return `"${shortInput(text)}"`;
}

/** `connect timeout` → `Connect timeout`. */
export function capitalize(text: string): string {
  return string.upper(string.sub(text, 1, 1)) + string.sub(text, 2);
}
