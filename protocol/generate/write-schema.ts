/** `npm run protocol:schema`: writes protocol/schema/*.schema.json from protocol/messages.ts. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SCHEMA_DIR, formatSchema, generateSchemas } from "./schema.ts";

const files = generateSchemas();
mkdirSync(SCHEMA_DIR, { recursive: true });
for (const name of readdirSync(SCHEMA_DIR)) {
  if (name.endsWith(".schema.json") && !files.has(name)) rmSync(path.join(SCHEMA_DIR, name));
}
for (const [name, schema] of files) {
  writeFileSync(path.join(SCHEMA_DIR, name), await formatSchema(schema));
}
console.log(`wrote ${files.size} schemas to ${path.relative(process.cwd(), SCHEMA_DIR) || "."}`);
