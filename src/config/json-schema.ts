import { z } from "zod";
import { RealmSpec } from "./spec/realm";

/** Where the published schema lives; stacks/ YAML files point editors at it. */
export const REALM_SPEC_SCHEMA_FILE = "schema/realm-spec.schema.json";

/**
 * The realm spec as JSON Schema, generated from the zod schema (its input side: what people
 * write, before defaults). Cross-references are checked by the loader, not by the schema.
 */
export function realmSpecJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(RealmSpec, { io: "input", unrepresentable: "any", target: "draft-2020-12" }),
    $id: "https://keycloak-fleet.invalid/realm-spec.schema.json",
    title: "keycloak-fleet realm spec",
  };
}
