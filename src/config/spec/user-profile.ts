import { z } from "zod";
import { received, uniqueBy } from "../schema-helpers";
import { text } from "./text";

/**
 * Attributes users may carry besides username, email and names. Keycloak 26 keeps only the
 * attributes its user profile declares (it drops the rest silently), so a spec declares them
 * here before any user uses them.
 */
export const UserProfileSpec = z
  .object({
    attributes: uniqueBy(
      z
        .object({
          name: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,62}$/, {
            error: (iss) => `expected an attribute name of letters, digits, "_", "." or "-", got ${received(iss.input)}`,
          }),
          /** Kept in the user profile's JSON (a text column): no length limit of Keycloak's. */
          displayName: text("display name", undefined).optional(),
          /** Users may change it on their account page; by default only administrators can. */
          userEditable: z.boolean().default(false),
        })
        .strict(),
      (a) => a.name,
      "attribute",
    ).min(1),
  })
  .strict();
export type UserProfileSpec = z.output<typeof UserProfileSpec>;

/** Attributes Keycloak's user profile always has; a spec cannot redeclare them. */
export const BUILT_IN_USER_ATTRIBUTES = ["username", "email", "firstName", "lastName"];
