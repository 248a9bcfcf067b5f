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
