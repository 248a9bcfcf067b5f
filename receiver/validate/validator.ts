// Validates widget lines against the published JSON Schemas (protocol/schema/). ajv compiles
// them once per process; a validation is then a plain function call.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SCHEMA_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../protocol/schema",
);
const SCHEMA_ID_BASE = "https://live-data-export.invalid/protocol/1/";

export interface SchemaError {
  /** Where in the message, e.g. "/teams/0/metal/income" ("" for the message itself). */
  path: string;
  message: string;
}

/** Returns null for a valid message, else the first error (enough for a count and a sample). */
export type MessageValidator = (message: unknown) => SchemaError | null;

let compiled: { outbound: ValidateFunction; inbound: ValidateFunction } | null = null;

function compile(): { outbound: ValidateFunction; inbound: ValidateFunction } {
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
  return { outbound: get("outbound.schema.json"), inbound: get("inbound.schema.json") };
}

function wrap(validate: ValidateFunction): MessageValidator {
  return (message) => {
    if (validate(message)) return null;
    const error = validate.errors?.[0];
    return { path: error?.instancePath ?? "", message: error?.message ?? "invalid" };
  };
}

/** Validators of widget → receiver and receiver → widget lines, compiled on first use. */
export function protocolValidators(): { outbound: MessageValidator; inbound: MessageValidator } {
  compiled ??= compile();
  return { outbound: wrap(compiled.outbound), inbound: wrap(compiled.inbound) };
}
