/** Numbers for people, including the engine's single-precision floats. */
import { describe, expect, it } from "../framework";
import { formatNumber, QUOTED_INPUT_MAX, quoteInput, shortInput } from "../../../src/app/format";

describe("formatNumber", () => {
  it("prints the floats the engine holds for 0.3, 1.7 and 0.7 as typed", () => {
    // These are the single-precision values of 0.3, 1.7 and 0.7, which the engine's
    // tostring prints as 0.30000001, 1.70000005 and 0.69999999.
    expect(formatNumber(0.30000001192092896)).toBe("0.3");
    expect(formatNumber(1.7000000476837158)).toBe("1.7");
    expect(formatNumber(0.699999988079071)).toBe("0.7");
    expect(formatNumber(0.10000000149011612)).toBe("0.1");
  });

  it("prints whole numbers without decimals", () => {
    expect(formatNumber(30)).toBe("30");
    expect(formatNumber(600)).toBe("600");
    expect(formatNumber(65535)).toBe("65535");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(100)).toBe("100");
  });

  it("keeps up to three decimals and drops trailing zeros", () => {
    expect(formatNumber(0.125)).toBe("0.125");
    expect(formatNumber(2.5)).toBe("2.5");
    expect(formatNumber(0.05)).toBe("0.05");
    expect(formatNumber(-1.5)).toBe("-1.5");
  });

  it("names values that are not finite", () => {
    expect(formatNumber(0 / 0)).toBe("nan");
    expect(formatNumber(math.huge)).toBe("inf");
    expect(formatNumber(-math.huge)).toBe("-inf");
  });
});

describe("quoteInput", () => {
  it("quotes short input as typed", () => {
    expect(quoteInput("abc")).toBe('"abc"');
    expect(shortInput("")).toBe("");
  });

  it("cuts long input to a bounded length with an ellipsis", () => {
    const long = string.rep("a", 5000);
    expect(shortInput(long)).toBe(`${string.rep("a", QUOTED_INPUT_MAX)}...`);
    expect(shortInput(string.rep("a", QUOTED_INPUT_MAX))).toBe(string.rep("a", QUOTED_INPUT_MAX));
  });

  it("never leaves half a UTF-8 character at the cut", () => {
    // 39 ASCII bytes, then é (2 bytes) across the 40-byte cut.
    const text = `${string.rep("a", QUOTED_INPUT_MAX - 1)}${string.char(195, 169)}zzz`;
    expect(shortInput(text)).toBe(`${string.rep("a", QUOTED_INPUT_MAX - 1)}...`);
  });

  it("shows control characters as ?", () => {
    expect(quoteInput(`a${string.char(10)}b${string.char(27)}`)).toBe('"a?b?"');
  });
});
