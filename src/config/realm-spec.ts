import { z } from "zod";
import { received, uniqueBy } from "./schema-helpers";

/** Realm names become URL path segments (/realms/<name>) and Pulumi resource names. */
const RealmName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  error: (iss) =>
    `expected a realm name of letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit), got ${received(iss.input)}; hint: it becomes the URL path /realms/<name>`,
});

const ClientId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/, {
  error: (iss) =>
    `expected a client id of letters, digits, ".", "_", ":" or "-", got ${received(iss.input)}; hint: apps send it as client_id`,
});

/**
 * An OAuth redirect URI: absolute, without a fragment (RFC 6749 3.1.2). Keycloak also accepts a
 * trailing `*` as a wildcard.
 */
export function isRedirectUri(value: string): boolean {
  if (/\s/.test(value) || value.includes("#")) return false;
  try {
    const url = new URL(value.endsWith("*") ? value.slice(0, -1) : value);
    return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) && (url.protocol !== "http:" && url.protocol !== "https:" || url.host !== "");
  } catch {
    return false;
  }
}

const RedirectUri = z.string().refine(isRedirectUri, {
  error: (iss) =>
    `expected an absolute redirect URI such as "https://app.example.com/oauth/callback" (no fragment; a trailing "*" is a wildcard), got ${received(iss.input)}`,
});

const WebOrigin = z.string().refine((v) => v === "+" || v === "*" || /^https?:\/\/[^/\s]+$/.test(v), {
  error: (iss) => `expected an origin such as "https://app.example.com", "+" (from redirect URIs) or "*", got ${received(iss.input)}`,
});

export const ClientSpec = z
  .object({
    /** The client_id apps send; also the client's name in the Pulumi graph. */
    clientId: ClientId,
    /** Shown on the consent and account pages. */
    name: z.string().optional(),
    description: z.string().optional(),
    /** confidential: has a secret (server-side apps); public: browser or native apps, PKCE. */
    access: z.enum(["confidential", "public"]).default("confidential"),
    redirectUris: z.array(RedirectUri).default([]),
    webOrigins: z.array(WebOrigin).default([]),
    rootUrl: z.url({ error: (iss) => `expected an absolute URL, got ${received(iss.input)}` }).optional(),
    /** Authorization code flow (browser logins). */
    standardFlow: z.boolean().default(true),
    /** Client-credentials grant: the client logs in as its own service account. */
    serviceAccount: z.boolean().default(false),
  })
  .strict()
  .superRefine((client, ctx) => {
    if (client.access === "public" && client.serviceAccount)
      ctx.addIssue({
        code: "custom",
        path: ["serviceAccount"],
        message: `a public client cannot have a service account; hint: set access: confidential`,
      });
    if (client.standardFlow && client.redirectUris.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["redirectUris"],
        message: `a client with standardFlow needs at least one redirect URI; hint: add the app's callback URL, or set standardFlow: false`,
      });
  });

const GroupName = z.string().regex(/^[^/\s][^/]{0,254}$/, {
  error: (iss) => `expected a group name without "/" (it separates group paths), got ${received(iss.input)}`,
});

export const GroupSpec = z.object({ name: GroupName }).strict();

/** One realm, as written in a YAML file under stacks/. */
export const RealmSpec = z
  .object({
    realm: RealmName,
    displayName: z.string().optional(),
    enabled: z.boolean().default(true),
    clients: uniqueBy(ClientSpec, (c) => c.clientId, "clientId").default([]),
    groups: uniqueBy(GroupSpec, (g) => g.name, "group name").default([]),
  })
  .strict();

export type RealmSpec = z.output<typeof RealmSpec>;
export type ClientSpec = z.output<typeof ClientSpec>;
export type GroupSpec = z.output<typeof GroupSpec>;
