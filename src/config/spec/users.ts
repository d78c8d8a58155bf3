import { z } from "zod";
import { received } from "../schema-helpers";
import { secretSource } from "./secret-ref";
import { article, characters, COLUMN, inColumn, text, USER_ATTRIBUTE_MAX } from "./text";

const REQUIRED_ACTIONS = ["UPDATE_PASSWORD", "CONFIGURE_TOTP", "VERIFY_EMAIL", "UPDATE_PROFILE", "TERMS_AND_CONDITIONS"] as const;

const RequiredAction = z.enum(REQUIRED_ACTIONS, {
  error: (iss) => `expected a required action: ${REQUIRED_ACTIONS.join(", ")}; got ${received(iss.input)}`,
});

/**
 * First and last names as Keycloak's user profile takes them: its person-name-prohibited-characters
 * validator refuses these characters (and control characters), and its length validator more
 * than 255 (the USER_ENTITY column).
 */
const PERSON_NAME_PROHIBITED = /[<>&"\v$%!#?§;*~/\\|^=[\]{}()]/;
const PersonName = (what: string) =>
  text(what).refine((value) => !PERSON_NAME_PROHIBITED.test(value), {
    error: (iss) => `expected ${article(what)} without any of < > & " $ % ! # ? § ; * ~ / \\ | ^ = [ ] { } ( ) (Keycloak's person-name validator refuses them), got ${received(iss.input)}`,
  });

export const UserSpec = z
  .object({
    /** 3 to 255 characters: the length Keycloak's user profile allows usernames. */
    username: z.string().regex(/^[a-z0-9][a-z0-9._@+-]{2,254}$/, {
      error: (iss) => `expected a lower-case username of 3 to 255 letters, digits, ".", "_", "@", "+" or "-", got ${received(iss.input)}`,
    }),
    email: z
      .email({ error: (iss) => `expected an email address, got ${received(iss.input)}` })
      .refine((value) => characters(value) <= COLUMN, { error: `expected an email address of at most ${COLUMN} characters (${inColumn(COLUMN)}); hint: shorten it` })
      .optional(),
    emailVerified: z.boolean().default(false),
    firstName: PersonName("first name").optional(),
    lastName: PersonName("last name").optional(),
    enabled: z.boolean().default(true),
    /** Initial password: from stack config or generated; temporary ones must be changed at first login. */
    password: secretSource({ temporary: z.boolean().default(true) }).optional(),
    /** Group paths, e.g. analyst or /admin/platform. */
    groups: z.array(z.string()).default([]),
    requiredActions: z.array(RequiredAction).default([]),
    /** Values of attributes the realm's userProfile declares. */
    attributes: z
      .record(z.string(), text("attribute value", USER_ATTRIBUTE_MAX, `Keycloak's user profile allows ${USER_ATTRIBUTE_MAX} to attributes without a length validator`))
      .optional(),
  })
  .strict();
export type UserSpec = z.output<typeof UserSpec>;
