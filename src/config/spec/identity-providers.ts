import { z } from "zod";
import { received, uniqueBy } from "../schema-helpers";
import { SecretRef } from "./common";

const HttpsUrl = z.url({ protocol: /^https?$/, error: (iss) => `expected an absolute http(s) URL, got ${received(iss.input)}` });

/** What a login through the provider brings along: a claim into an attribute, a group or a role. */
export const IdentityProviderMapper = z.discriminatedUnion(
  "type",
  [
    z.object({ name: z.string(), type: z.literal("attribute"), claim: z.string(), userAttribute: z.string() }).strict(),
    z.object({ name: z.string(), type: z.literal("claimToGroup"), claim: z.string(), value: z.string(), group: z.string() }).strict(),
    z.object({ name: z.string(), type: z.literal("claimToRole"), claim: z.string(), value: z.string(), role: z.string() }).strict(),
    z.object({ name: z.string(), type: z.literal("hardcodedGroup"), group: z.string() }).strict(),
  ],
  { error: () => 'expected a mapper type: "attribute", "claimToGroup", "claimToRole" or "hardcodedGroup"' },
);
export type IdentityProviderMapper = z.output<typeof IdentityProviderMapper>;

const common = {
  alias: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { error: (iss) => `expected an alias of lower-case letters, digits, "_" or "-", got ${received(iss.input)}` }),
  displayName: z.string().optional(),
  enabled: z.boolean().default(true),
  /** import: copy the profile at first login only; force: on every login. */
  syncMode: z.enum(["IMPORT", "FORCE", "LEGACY"]).default("IMPORT"),
  /** Trust the provider's email as verified. */
  trustEmail: z.boolean().default(false),
  firstBrokerLoginFlow: z.string().default("first broker login"),
  mappers: uniqueBy(IdentityProviderMapper, (m) => m.name, "mapper name").default([]),
};
const oauth = { clientId: z.string().min(1), clientSecret: SecretRef, defaultScopes: z.string().optional() };

export const IdentityProviderSpec = z.discriminatedUnion(
  "type",
  [
    z.object({ ...common, ...oauth, type: z.literal("github") }).strict(),
    z
      .object({ ...common, ...oauth, type: z.literal("google"), hostedDomain: z.string().optional() })
      .strict()
      .refine((idp) => idp.alias === "google", { error: 'Keycloak names its Google provider "google"; hint: set alias: google', path: ["alias"] }),
    z
      .object({
        ...common,
        ...oauth,
        type: z.literal("oidc"),
        authorizationUrl: HttpsUrl,
        tokenUrl: HttpsUrl,
        userInfoUrl: HttpsUrl.optional(),
        jwksUrl: HttpsUrl.optional(),
        logoutUrl: HttpsUrl.optional(),
        issuer: z.string().optional(),
      })
      .strict(),
    z
      .object({
        ...common,
        type: z.literal("saml"),
        entityId: z.string(),
        singleSignOnServiceUrl: HttpsUrl,
        singleLogoutServiceUrl: HttpsUrl.optional(),
        nameIdPolicyFormat: z.enum(["Persistent", "Transient", "Email", "Kerberos", "X.509 Subject Name", "Windows Domain Qualified Name", "Unspecified"]).default("Persistent"),
      })
      .strict(),
  ],
  { error: () => 'expected an identity provider type: "github", "google", "oidc" or "saml"' },
);
export type IdentityProviderSpec = z.output<typeof IdentityProviderSpec>;
