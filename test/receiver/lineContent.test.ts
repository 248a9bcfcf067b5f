import { describe, expect, it } from "vitest";
import { decodeLine } from "../../receiver/lineContent.ts";

describe("decodeLine", () => {
  it("decodes UTF-8 text, tabs included", () => {
    expect(decodeLine(Buffer.from('{"name":"Ärmel ✓ 🚀"}\tx'))).toEqual({
      kind: "text",
      text: '{"name":"Ärmel ✓ 🚀"}\tx',
    });
    expect(decodeLine(Buffer.alloc(0))).toEqual({ kind: "text", text: "" });
  });

  it.each([
    ["invalid byte", [0xff]],
    ["truncated sequence", [0xe2, 0x9c]],
    ["overlong encoding", [0xc0, 0xaf]],
    ["NUL", [0x61, 0x00]],
    ["escape sequence", [0x1b, 0x5b, 0x32, 0x4a]],
    ["bare CR", [0x61, 0x0d, 0x62]],
    ["DEL", [0x7f]],
    ["C1 control", [0xc2, 0x9b]],
  ])("treats %s as binary", (_name, bytes) => {
    expect(decodeLine(Buffer.from(bytes))).toEqual({ kind: "binary" });
  });

  it("honours the view of a Uint8Array into a larger buffer", () => {
    const backing = Buffer.from("xxhixx");
    expect(decodeLine(backing.subarray(2, 4))).toEqual({ kind: "text", text: "hi" });
  });
});
