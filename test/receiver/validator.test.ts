// The receiver validates each line with the schema its `type` names rather than the whole
// outbound schema (an allOf of one if/then per type). The verdicts must be the same.
import { describe, expect, it } from "vitest";
import { OUTBOUND_TYPES } from "../../protocol/messages.ts";
import { protocolValidators } from "../../receiver/validate/validator.ts";
import { FIXTURE } from "./helpers.ts";

/** Every fixture message, and variants of each that break it in the usual ways. */
function corpus(): unknown[] {
  const messages = FIXTURE.map((line) => JSON.parse(line) as Record<string, unknown>);
  const out: unknown[] = [...messages, null, 3, "economy", [], {}, { type: "nope" }];
  for (const message of messages) {
    for (const key of Object.keys(message)) {
      const { [key]: _removed, ...without } = message;
      out.push(without, { ...message, [key]: null }, { ...message, [key]: "x" });
    }
    out.push({ ...message, extra: 1 });
    // Another type's name on this body: must be judged by that type's schema.
    for (const type of OUTBOUND_TYPES) out.push({ ...message, type });
  }
  return out;
}

describe("validation by type", () => {
  it("gives the same verdict as the whole published outbound schema", () => {
    const { outbound, outboundFull } = protocolValidators();
    const samples = corpus();
    const verdicts = samples.map((m) => [outbound(m) === null, outboundFull(m) === null]);
    const disagreements = samples.filter((_, i) => verdicts[i]![0] !== verdicts[i]![1]);
    expect(disagreements).toEqual([]);
    // The corpus holds both kinds, in numbers.
    const valid = verdicts.filter(([v]) => v).length;
    expect(valid).toBeGreaterThanOrEqual(FIXTURE.length);
    expect(samples.length - valid).toBeGreaterThan(1000);
  });
});
