// Where a realm spec takes a secret from: {config: key} names a stack config secret, {generate:
// true} derives one from the stack's secretSeed. The value a person wrote in such a field may be
// the secret itself, so no message about it ever quotes it: the field checks its own shape first
// and only marks what is wrong; messages.ts words the message from the field's place.
import { z } from "zod";

/** A stack config key name (namespace keycloak-fleet), as `pulumi config set` takes it. */
export const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** What is wrong with a secret field, without saying what it holds. */
export type SecretProblem = "plain-text" | "missing" | "shape" | "key";

/** The params of the issue a secret field raises; messages.ts turns them into the message. */
export interface SecretIssueParams {
  secretField: SecretProblem;
  /** Whether {generate: true} is allowed here, for the hint. */
  generate: boolean;
}

export const isSecretIssueParams = (params: unknown): params is SecretIssueParams =>
  typeof (params as SecretIssueParams | undefined)?.secretField === "string";

function secretProblem(value: unknown, generate: boolean, extraKeys: string[]): SecretProblem | undefined {
  if (value === undefined || value === null) return "missing";
  if (typeof value !== "object" || Array.isArray(value)) return "plain-text";
  const fields = value as Record<string, unknown>;
  const allowed = ["config", ...(generate ? ["generate"] : []), ...extraKeys];
  if (Object.keys(fields).some((key) => !allowed.includes(key)) || ("config" in fields && "generate" in fields)) return "shape";
  if ("config" in fields) return typeof fields.config === "string" && CONFIG_KEY.test(fields.config) ? undefined : "key";
  return generate && fields.generate === true ? undefined : "shape";
}

/** Checks the shape before zod sees the value, so zod's own messages (which quote it) never run. */
function guarded<T extends z.ZodType>(generate: boolean, extraKeys: string[], shape: T) {
  return z.preprocess((value, ctx) => {
    const problem = secretProblem(value, generate, extraKeys);
    if (!problem) return value;
    const params: SecretIssueParams = { secretField: problem, generate };
    // The message here is a fallback for callers that do not go through messages.ts.
    ctx.addIssue({ code: "custom", message: "expected a secret reference {config: <stack config key>} (the value given is not shown)", params });
    return z.NEVER;
  }, shape);
}

const reference = <E extends z.ZodRawShape>(extra: E) => z.object({ config: z.string().regex(CONFIG_KEY), ...extra }).strict();

/** A secret from stack config only: {config: key}, plus `extra` fields that are not secret. */
export function secretRef<E extends z.ZodRawShape = Record<never, never>>(extra: E = {} as E) {
  return guarded(false, Object.keys(extra), reference(extra));
}

/** A secret from stack config or generated: {config: key} or {generate: true}, plus `extra` fields. */
export function secretSource<E extends z.ZodRawShape = Record<never, never>>(extra: E = {} as E) {
  return guarded(true, Object.keys(extra), z.union([reference(extra), z.object({ generate: z.literal(true), ...extra }).strict()]));
}
