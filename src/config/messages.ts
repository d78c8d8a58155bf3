import { z } from "zod";
import { received } from "./schema-helpers";

/**
 * Error messages in the product's voice: what was expected, what was found, a hint. Installed
 * once for every schema; fields with their own message (`error:` in the schema) keep it.
 */
export function installMessages(): void {
  z.config({
    customError: (issue) => {
      switch (issue.code) {
        case "invalid_type":
          return issue.input === undefined
            ? `required field is missing (expected ${issue.expected})`
            : `expected ${issue.expected}, got ${received(issue.input)}`;
        case "invalid_value":
          return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${received(issue.input)}`;
        case "unrecognized_keys":
          return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; hint: check the spelling against the annotated example in stacks/`;
        default:
          return undefined;
      }
    },
  });
}
