import * as fs from "node:fs";
import * as path from "node:path";
import { REALM_SPEC_SCHEMA_FILE, realmSpecJsonSchema } from "../config/json-schema";

/** The schema file's text, exactly as committed (the unit tests compare it). */
export function schemaText(): string {
  return `${JSON.stringify(realmSpecJsonSchema(), null, 2)}\n`;
}

export async function writeSchema(): Promise<void> {
  const file = path.resolve(__dirname, "../..", REALM_SPEC_SCHEMA_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, schemaText());
  process.stderr.write(`==> wrote ${REALM_SPEC_SCHEMA_FILE}\n`);
}
