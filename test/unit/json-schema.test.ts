import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REALM_SPEC_SCHEMA_FILE } from "../../src/config/json-schema";
import { schemaText } from "../../src/ops/schema";

const repo = path.resolve(__dirname, "../..");
const committed = fs.readFileSync(path.join(repo, REALM_SPEC_SCHEMA_FILE), "utf8");
// Formats are zod's job; the schema is for editors.
const validate = new Ajv2020({ allErrors: true, formats: { uri: true, email: true } }).compile(JSON.parse(committed));

const stackYamls = fs
  .readdirSync(path.join(repo, "stacks"), { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => path.join("stacks", f));

describe("the published JSON Schema of realm specs", () => {
  it("is generated from the zod schema (run npm run fleet -- schema after changing it)", () => {
    expect(committed).toBe(schemaText());
  });

  it.each(stackYamls)("accepts %s", (file) => {
    const valid = validate(parse(fs.readFileSync(path.join(repo, file), "utf8")));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("rejects what zod rejects: a misspelt field and a bad mapper type", () => {
    expect(validate({ realm: "x", clients: [{ clientId: "a", redirectUri: "https://a.example.com" }] })).toBe(false);
    expect(validate({ realm: "x", clientScopes: [{ name: "s", mappers: [{ type: "group" }] }] })).toBe(false);
  });
});
