import { z } from "zod";
import { received, uniqueBy } from "../schema-helpers";
import { Name, RoleRefs } from "./common";
import { ProtocolMapper } from "./scopes";
import { secretSource } from "./secret-ref";
import { characters, COLUMN, inColumn, lengthSchema, text } from "./text";
import { baseUrl, httpUrl } from "./urls";

const ClientId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}$/, {
  error: (iss) => `expected a client id of letters, digits, ".", "_", ":", "/" or "-", got ${received(iss.input)}; hint: apps send it as client_id`,
});

/**
 * An OAuth redirect URI: absolute, without a fragment (RFC 6749 3.1.2). Keycloak also accepts a
 * trailing `*` as a wildcard.
 */
function isRedirectUri(value: string): boolean {
  if (/[\s\p{Cc}\p{Cf}]/u.test(value) || value.includes("#")) return false;
  try {
    const url = new URL(value.endsWith("*") ? value.slice(0, -1) : value);
    const web = url.protocol === "http:" || url.protocol === "https:";
    return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) && (!web || url.host !== "");
  } catch {
    return false;
  }
}

/** Redirect URIs and web origins are rows of VARCHAR(255) (REDIRECT_URIS, WEB_ORIGINS). */
const fitsItsRow = (what: string) => (value: string, ctx: z.RefinementCtx) => {
  if (characters(value) > COLUMN)
    ctx.addIssue({ code: "custom", message: `expected ${what} of at most ${COLUMN} characters (${inColumn(COLUMN)}), got ${characters(value)} characters; hint: shorten it` });
};

const RedirectUri = z
  .string()
  .refine(isRedirectUri, {
    error: (iss) =>
      `expected an absolute redirect URI such as "https://app.example.com/oauth/callback" (no fragment, no spaces or control characters; a trailing "*" is a wildcard), got ${received(iss.input)}`,
  })
  .superRefine(fitsItsRow("a redirect URI"))
  .meta(lengthSchema(COLUMN));

const WebOrigin = z
  .string()
  .refine((v) => v === "+" || v === "*" || /^https?:\/\/[^/\s\p{Cc}\p{Cf}]+$/u.test(v), {
    error: (iss) => `expected an origin such as "https://app.example.com", "+" (from redirect URIs) or "*", got ${received(iss.input)}`,
  })
  .superRefine(fitsItsRow("an origin"))
  .meta(lengthSchema(COLUMN));

/**
 * A role: a name, or a name with a description and composites. The string form becomes the
 * object form after the union, so that a bad name in it is reported as such (zod reports a
 * failing transform inside a union only as "invalid input").
 */
export const RoleSpec = z
  .union([Name("role name"), z.object({ name: Name("role name"), description: text("role description").optional(), composites: RoleRefs.optional() }).strict()])
  .transform((role) => (typeof role === "string" ? { name: role, description: undefined, composites: undefined } : role));
export type RoleSpec = z.output<typeof RoleSpec>;

export const ClientSpec = z
  .object({
    /** The client_id apps send; also the client's name in the Pulumi graph. */
    clientId: ClientId,
    protocol: z.enum(["openid-connect", "saml"]).default("openid-connect"),
    /** Shown on the consent and account pages. */
    name: text("client name").optional(),
    description: text("client description").optional(),
    enabled: z.boolean().default(true),
    /** confidential: has a secret (server-side apps); public: browser or native apps, with PKCE. */
    access: z.enum(["confidential", "public"]).default("confidential"),
    /** Confidential OIDC clients: supplied from stack config, or generated (the default). */
    secret: secretSource().default({ generate: true }),
    redirectUris: z.array(RedirectUri).default([]),
    webOrigins: z.array(WebOrigin).default([]),
    /** The app's own URL; Keycloak resolves relative redirect URIs and baseUrl against it. */
    rootUrl: httpUrl("https://app.example.com").optional(),
    /** Where Keycloak links to the app (account console): absolute, or a path under rootUrl. */
    baseUrl: baseUrl().optional(),
    /** Authorization code flow (browser logins). */
    standardFlow: z.boolean().default(true),
    /** Resource-owner password grant; for scripts and tests, not for apps. */
    directAccessGrants: z.boolean().default(false),
    /** Client-credentials grant: the client logs in as its own service account. */
    serviceAccount: z.boolean().default(false),
    /** Roles granted to the service account. */
    serviceAccountRoles: RoleRefs.optional(),
    /** Roles this client defines (client roles). */
    roles: uniqueBy(RoleSpec, (r) => r.name, "role").default([]),
    /** Client scopes assigned as default (always in the token) and optional (on request). */
    defaultScopes: z.array(z.string()).optional(),
    optionalScopes: z.array(z.string()).optional(),
    /** Protocol mappers of this client alone, e.g. a groups claim. */
    mappers: uniqueBy(ProtocolMapper, (m) => m.name, "mapper name").default([]),
  })
  .strict()
  .superRefine((client, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (client.access === "public" && client.serviceAccount)
      issue("serviceAccount", "a public client cannot have a service account; hint: set access: confidential");
    if (client.serviceAccountRoles && !client.serviceAccount)
      issue("serviceAccountRoles", "roles for a service account need serviceAccount: true");
    if (client.protocol === "openid-connect" && client.standardFlow && client.redirectUris.length === 0)
      issue("redirectUris", "a client with standardFlow needs at least one redirect URI; hint: add the app's callback URL, or set standardFlow: false");
    if (client.protocol === "saml" && (client.serviceAccount || client.directAccessGrants || client.defaultScopes || client.optionalScopes))
      issue("protocol", "SAML clients have no service account, password grant or OIDC scopes");
  });
export type ClientSpec = z.output<typeof ClientSpec>;
