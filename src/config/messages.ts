import { z, type core } from "zod";
import { received } from "./schema-helpers";
import { isSecretIssueParams, type SecretIssueParams } from "./spec/secret-ref";

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
            : `expected ${issue.expected}, got ${received(issue.input)}${unquotedHint(issue.expected, issue.input)}`;
        case "invalid_value":
          return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${received(issue.input)}`;
        case "unrecognized_keys":
          return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; hint: check the spelling against the annotated example in stacks/`;
        case "too_small":
          return `expected ${bound(issue.origin, "at least", issue.minimum, issue.inclusive)}, got ${sizeOf(issue.input)}`;
        case "too_big":
          return `expected ${bound(issue.origin, "at most", issue.maximum, issue.inclusive)}, got ${sizeOf(issue.input)}`;
        case "invalid_format":
          return `expected ${issue.format === "regex" ? "a value matching the field's pattern" : `a valid ${issue.format}`}, got ${received(issue.input)}`;
        case "invalid_union":
          return `expected one of the forms this field takes, got ${received(issue.input)}; hint: see the annotated example in stacks/`;
        default:
          return undefined;
      }
    },
  });
}

/** YAML reads unquoted 5, true or 2024-01-01 as other types than text: the usual cause. */
function unquotedHint(expected: string, input: unknown): string {
  return expected === "string" && (typeof input === "number" || typeof input === "boolean" || input instanceof Date)
    ? `; hint: write it in quotes ("${input instanceof Date ? input.toISOString().slice(0, 10) : String(input)}"), as YAML reads it unquoted as a ${input instanceof Date ? "date" : typeof input}`
    : "";
}

/** "at least 1 entry", "at most 255 characters", "at least 15". */
function bound(origin: string, which: string, limit: number | bigint, inclusive: boolean | undefined): string {
  const value = inclusive === false ? (which === "at least" ? `more than ${limit}` : `less than ${limit}`) : `${which} ${limit}`;
  const one = Number(limit) === 1 && inclusive !== false;
  if (origin === "string") return `${value} character${one ? "" : "s"}`;
  if (origin === "array" || origin === "set") return `${value} entr${one ? "y" : "ies"}`;
  return value;
}

/** What the input measures, in the unit the bound used. */
function sizeOf(input: unknown): string {
  if (typeof input === "string") return `${[...input].length} characters`;
  if (Array.isArray(input)) return `${input.length} entries`;
  return received(input);
}

/**
 * The message of one issue of a realm spec. Secret fields mark their issues instead of
 * wording them (spec/secret-ref.ts), since what they got may be the secret: the message is
 * written here, from the field's place in `input`, and never quotes the value.
 */
export function messageOf(issue: core.$ZodIssue, input: unknown): string {
  const params = (issue as { params?: unknown }).params;
  return isSecretIssueParams(params) ? secretFieldMessage(params, suggestedSecretKey(issue.path, input)) : issue.message;
}

function secretFieldMessage({ secretField, generate }: SecretIssueParams, key: string): string {
  const hint = `hint: write {config: ${key}} and set the secret with pulumi config set --secret ${key} <value>${generate ? ", or write {generate: true} to have one generated" : ""}`;
  const expected = `a secret reference {config: <stack config key>}${generate ? " or {generate: true}" : ""}`;
  switch (secretField) {
    case "plain-text":
      return `a plain-text value where ${expected} belongs: secrets never live in realm specs (if it is a real secret, it is now written down: change it); ${hint}`;
    case "missing":
      return `required: ${expected}; ${hint}`;
    case "key":
      return `{config: ...} takes the name of a stack config key (letters, digits, ".", "_" or "-", starting with a letter), not the secret itself; what is there is not a key name (not shown, as it may be the secret); ${hint}`;
    case "shape":
      return `expected ${expected}; what is there has other fields (not shown, as they may hold the secret); ${hint}`;
  }
}

/** Keys that name a list entry (as errors.ts renders them): the entry's name starts the key. */
const ENTRY_KEYS = ["alias", "clientId", "username", "name"];

/**
 * A stack config key for the secret at `path`: the entry's name and the field, camel-cased
 * ("grafanaClientSecret", "alicePassword", "smtpAuthPassword").
 */
export function suggestedSecretKey(path: readonly PropertyKey[], input: unknown): string {
  let node: unknown = input;
  let owner: string | undefined;
  const segments: string[] = [];
  for (const segment of path.slice(0, -1)) {
    node = (node as Record<PropertyKey, unknown> | undefined)?.[segment as string];
    if (typeof segment === "number") {
      const key = ENTRY_KEYS.find((k) => typeof (node as Record<string, unknown> | undefined)?.[k] === "string");
      owner = key ? (node as Record<string, string>)[key] : undefined;
    } else segments.push(String(segment));
  }
  const field = String(path.at(-1) ?? "secret");
  const words = [...(owner ? [owner] : segments), field === "secret" ? "clientSecret" : field];
  const key = camelCase(words.join(" "));
  return /^[A-Za-z][A-Za-z0-9]*$/.test(key) ? key : camelCase(field === "secret" ? "client secret" : field);
}

function camelCase(words: string): string {
  const parts = words.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean);
  return parts.map((part, i) => (i === 0 ? part.toLowerCase() : part[0].toUpperCase() + part.slice(1).toLowerCase())).join("");
}
