// Validates widget lines against the published JSON Schemas (protocol/schema/). ajv compiles
// them once per process; a validation is then a plain function call.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { OUTBOUND_TYPES } from "../../protocol/messages.ts";

export const SCHEMA_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../protocol/schema",
);
const SCHEMA_ID_BASE = "https://live-data-export.invalid/protocol/2/";

export interface SchemaError {
  /** Where in the message, e.g. "/teams/0/metal/income" ("" for the message itself). */
  path: string;
  message: string;
}

/** Returns null for a valid message, else the first error (enough for a count and a sample). */
export type MessageValidator = (message: unknown) => SchemaError | null;

interface Compiled {
  outbound: ValidateFunction;
  inbound: ValidateFunction;
  /** Each outbound type's own schema, which outbound.schema.json selects by `type`. */
  byType: Map<string, ValidateFunction>;
}

let compiled: Compiled | null = null;

function compile(): Compiled {
  // allErrors stays off: stopping at the first error is several times faster on bad input.
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  for (const name of readdirSync(SCHEMA_DIR).filter((n) => n.endsWith(".schema.json"))) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, name), "utf8")));
  }
  const get = (name: string): ValidateFunction => {
    const validate = ajv.getSchema(`${SCHEMA_ID_BASE}${name}`);
    if (!validate) throw new Error(`protocol schema ${name} is missing in ${SCHEMA_DIR}`);
    return validate;
  };
  return {
    outbound: get("outbound.schema.json"),
    inbound: get("inbound.schema.json"),
    byType: new Map(OUTBOUND_TYPES.map((type) => [type, get(`${type}.schema.json`)])),
  };
}

function firstError(validate: ValidateFunction): SchemaError {
  const error = validate.errors?.[0];
  return { path: error?.instancePath ?? "", message: error?.message ?? "invalid" };
}

function wrap(validate: ValidateFunction): MessageValidator {
  return (message) => (validate(message) ? null : firstError(validate));
}

/**
 * outbound.schema.json is an allOf of one if/then per type: every line would test all 25
 * branches. Going straight to the schema its `type` names gives the same verdict (a test
 * compares them) at a fraction of the cost; anything else takes the full schema.
 */
function byTypeOrFull(c: Compiled): MessageValidator {
  return (message) => {
    const type = (message as { type?: unknown } | null)?.type;
    const family = typeof type === "string" && type.startsWith("ext.") ? "ext" : type;
    const validate = (typeof family === "string" && c.byType.get(family)) || c.outbound;
    return validate(message) ? null : firstError(validate);
  };
}

/** Validators of widget → receiver and receiver → widget lines, compiled on first use. */
export function protocolValidators(): {
  outbound: MessageValidator;
  inbound: MessageValidator;
  /** The outbound schema as published, without the dispatch by type: for comparison. */
  outboundFull: MessageValidator;
} {
  compiled ??= compile();
  return {
    outbound: byTypeOrFull(compiled),
    inbound: wrap(compiled.inbound),
    outboundFull: wrap(compiled.outbound),
  };
}
