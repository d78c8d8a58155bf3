import { z } from "zod";
import { received } from "../schema-helpers";
import { SecretRef } from "./common";

const REQUIRED_ACTIONS = ["UPDATE_PASSWORD", "CONFIGURE_TOTP", "VERIFY_EMAIL", "UPDATE_PROFILE", "TERMS_AND_CONDITIONS"] as const;

const RequiredAction = z.enum(REQUIRED_ACTIONS, {
  error: (iss) => `expected a required action: ${REQUIRED_ACTIONS.join(", ")}; got ${received(iss.input)}`,
});

export const UserSpec = z
  .object({
    username: z.string().regex(/^[a-z0-9][a-z0-9._@+-]{0,254}$/, {
      error: (iss) => `expected a lower-case username of letters, digits, ".", "_", "@", "+" or "-", got ${received(iss.input)}`,
    }),
    email: z.email({ error: (iss) => `expected an email address, got ${received(iss.input)}` }).optional(),
    emailVerified: z.boolean().default(false),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    enabled: z.boolean().default(true),
    /** Initial password: from stack config or generated; temporary ones must be changed at first login. */
    password: z
      .union(
        [
          SecretRef.extend({ temporary: z.boolean().default(true) }).strict(),
          z.object({ generate: z.literal(true), temporary: z.boolean().default(true) }).strict(),
        ],
        { error: () => "expected {config: <stack config key>} or {generate: true}, and optionally temporary: false" },
      )
      .optional(),
    /** Group paths, e.g. analyst or /admin/platform. */
    groups: z.array(z.string()).default([]),
    requiredActions: z.array(RequiredAction).default([]),
    /** Values of attributes the realm's userProfile declares. */
    attributes: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type UserSpec = z.output<typeof UserSpec>;
