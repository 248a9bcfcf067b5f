/**
 * Validates protocol lines against the committed JSON Schemas (protocol/schema/), with ajv
 * compiled once. Meant to be reused by the receiver and the end-to-end tests.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SCHEMA_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../protocol/schema",
);

export interface ProtocolValidator {
  /** Outbound (widget → receiver) message; returns the errors, empty when valid. */
  outbound(message: unknown): ErrorObject[];
  /** Inbound (receiver → widget) message; returns the errors, empty when valid. */
  inbound(message: unknown): ErrorObject[];
}

export function loadSchemas(dir = SCHEMA_DIR): Map<string, Record<string, unknown>> {
  const schemas = new Map<string, Record<string, unknown>>();
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".schema.json"))
    .sort()) {
    schemas.set(name, JSON.parse(readFileSync(path.join(dir, name), "utf8")));
  }
  return schemas;
}

export function createValidator(dir = SCHEMA_DIR): ProtocolValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  for (const schema of loadSchemas(dir).values()) ajv.addSchema(schema);
  const get = (name: string): ValidateFunction => {
    const validate = ajv.getSchema(`https://live-data-export.invalid/protocol/2/${name}`);
    if (!validate) throw new Error(`schema ${name} missing`);
    return validate;
  };
  const outbound = get("outbound.schema.json");
  const inbound = get("inbound.schema.json");
  const run = (validate: ValidateFunction, message: unknown): ErrorObject[] =>
    validate(message) ? [] : [...(validate.errors ?? [])];
  return {
    outbound: (message) => run(outbound, message),
    inbound: (message) => run(inbound, message),
  };
}
