import { decodeJson, readInbound } from "../../../src/protocol/inbound";
import { describe, expect, it } from "../framework";

describe("decodeJson", () => {
  it("decodes objects, arrays, strings with escapes, numbers, booleans and null", () => {
    const [v, err] = decodeJson(
      ' { "a": [1, -2.5, 3e2], "s": "q\\"\\\\\\/\\n\\u00e9\\u20ac", "t": true, "f": false, "n": null, "o": {} } ',
    );
    expect(err).toBeUndefined();
    expect(v).toEqual({ a: [1, -2.5, 300], s: 'q"\\/\n\u00e9\u20ac', t: true, f: false, o: {} });
  });

  it("rejects what is not JSON, saying why and where", () => {
    const cases: [string, string][] = [
      ["", "unexpected end"],
      ["{", "expected a key"],
      ['{"a" 1}', "expected ':'"],
      ['{"a":1,}', "expected a key"],
      ["[1 2]", "expected ','"],
      ['"abc', "unterminated string"],
      ['"a\tb"', "control character"],
      ['"\\x"', "bad escape"],
      ['"\\u12"', "bad \\u escape"],
      ["nul", "unexpected character"],
      ["{} x", "trailing characters"],
      [string.rep("[", 20) + string.rep("]", 20), "nested too deeply"],
    ];
    for (const [text, reason] of cases) {
      const [v, err] = decodeJson(text);
      expect(v).toBeUndefined();
      expect(err).toContain(reason);
    }
  });
});

describe("readInbound", () => {
  it("reads acks, resync, hello_reply and configure", () => {
    expect(readInbound('{"type":"ack","seq":42}', 4096)).toEqual({ type: "ack", seq: 42 });
    expect(readInbound('{"type":"ack","seq":7,"session":"s1"}', 4096)).toEqual({
      type: "ack",
      seq: 7,
      session: "s1",
    });
    expect(readInbound('{"type":"resync"}', 4096)).toEqual({ type: "resync" });
    expect(
      readInbound('{"type":"hello_reply","protocol":2,"receiver":"r","version":"2"}', 4096),
    ).toEqual({ type: "hello_reply", protocol: 2, receiver: "r", version: "2" });
    expect(
      readInbound(
        '{"type":"configure","categories":{"positions":true},"rates":{"economy":2}}',
        4096,
      ),
    ).toEqual({ type: "configure", categories: { positions: true }, rates: { economy: 2 } });
  });

  it("ignores what it cannot use, with the reason, and never raises", () => {
    const reasons: [string, string][] = [
      [`garbage${string.char(0, 255)}`, "not JSON"],
      ["[1]", "no type"],
      ["42", "not an object"],
      ['{"type":"dance"}', "unknown type dance"],
      ['{"type":"ack"}', "integer seq"],
      ['{"type":"ack","seq":1.5}', "integer seq"],
      ['{"type":"ack","seq":-1}', "integer seq"],
      ['{"type":"configure","categories":{"positions":1}}', "positions is not a boolean"],
      ['{"type":"configure","rates":[1]}', "1 is not a number"],
      ['{"type":"hello_reply"}', "protocol number"],
    ];
    for (const [line, reason] of reasons) {
      const r = readInbound(line, 4096);
      expect(r.type).toBe("ignored");
      if (r.type === "ignored") expect(r.reason).toContain(reason);
    }
    const long = readInbound(`{"type":"resync","pad":"${string.rep("x", 5000)}"}`, 4096);
    expect(long).toEqual({ type: "ignored", reason: "line too long" });
  });
});
