import { z } from "zod";
import { received, uniqueBy } from "../schema-helpers";
import { secretRef } from "./secret-ref";
import { COLUMN, name, text } from "./text";
import { httpUrl } from "./urls";

/** The provider's endpoints live in its config (a text column): no length limit of Keycloak's. */
const HttpsUrl = httpUrl("https://sso.example.com/protocol/openid-connect/auth", undefined);
/** Values of the provider's config (claims, client ids): identifiers in an unbounded text column. */
const configName = (what: string) => name(what, undefined).min(1);

/** IDENTITY_PROVIDER_MAPPER.NAME is a column of 255. */
const mapperName = name("mapper name").min(1);

/** What a login through the provider brings along: a claim into an attribute, a group or a role. */
export const IdentityProviderMapper = z.discriminatedUnion(
  "type",
  [
    z.object({ name: mapperName, type: z.literal("attribute"), claim: configName("claim name"), userAttribute: configName("user attribute name") }).strict(),
    z.object({ name: mapperName, type: z.literal("claimToGroup"), claim: configName("claim name"), value: text("claim value", undefined), group: z.string() }).strict(),
    z.object({ name: mapperName, type: z.literal("claimToRole"), claim: configName("claim name"), value: text("claim value", undefined), role: z.string() }).strict(),
    z.object({ name: mapperName, type: z.literal("hardcodedGroup"), group: z.string() }).strict(),
  ],
  { error: () => 'expected a mapper type: "attribute", "claimToGroup", "claimToRole" or "hardcodedGroup"' },
);
export type IdentityProviderMapper = z.output<typeof IdentityProviderMapper>;

const common = {
  /** Part of the broker's URLs (/realms/<realm>/broker/<alias>/endpoint); PROVIDER_ALIAS is a column of 255. */
  alias: z.string().regex(new RegExp(`^[a-z0-9][a-z0-9_-]{0,${COLUMN - 1}}$`), {
    error: (iss) => `expected an alias of at most ${COLUMN} lower-case letters, digits, "_" or "-", got ${received(iss.input)}; hint: it becomes part of the broker's redirect URI`,
  }),
  displayName: text("display name").optional(),
  enabled: z.boolean().default(true),
  /** import: copy the profile at first login only; force: on every login. */
  syncMode: z.enum(["IMPORT", "FORCE", "LEGACY"]).default("IMPORT"),
  /** Trust the provider's email as verified. */
  trustEmail: z.boolean().default(false),
  /** An authentication flow's alias (AUTHENTICATION_FLOW.ALIAS, 255). */
  firstBrokerLoginFlow: name("flow alias").min(1).default("first broker login"),
  mappers: uniqueBy(IdentityProviderMapper, (m) => m.name, "mapper name").default([]),
};
const oauth = { clientId: configName("client id"), clientSecret: secretRef(), defaultScopes: text("scope list", undefined).optional() };

export const IdentityProviderSpec = z.discriminatedUnion(
  "type",
  [
    z.object({ ...common, ...oauth, type: z.literal("github") }).strict(),
    z
      .object({ ...common, ...oauth, type: z.literal("google"), hostedDomain: configName("hosted domain").optional() })
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
        issuer: configName("issuer").optional(),
      })
      .strict(),
    z
      .object({
        ...common,
        type: z.literal("saml"),
        entityId: configName("entity id"),
        singleSignOnServiceUrl: HttpsUrl,
        singleLogoutServiceUrl: HttpsUrl.optional(),
        nameIdPolicyFormat: z.enum(["Persistent", "Transient", "Email", "Kerberos", "X.509 Subject Name", "Windows Domain Qualified Name", "Unspecified"]).default("Persistent"),
      })
      .strict(),
  ],
  { error: () => 'expected an identity provider type: "github", "google", "oidc" or "saml"' },
);
export type IdentityProviderSpec = z.output<typeof IdentityProviderSpec>;
