import { z } from "zod";
import { received, uniqueBy } from "../schema-helpers";
import { AuthenticationSpec } from "./authentication";
import { ClientSpec, RoleSpec } from "./clients";
import { Duration, RoleRefs, SecretRef } from "./common";
import { LdapFederationSpec } from "./federation";
import { GroupSpec } from "./groups";
import { IdentityProviderSpec } from "./identity-providers";
import { checkReferences } from "./references";
import { ClientScopeSpec } from "./scopes";
import { UserProfileSpec } from "./user-profile";
import { UserSpec } from "./users";

/** Realm names become URL path segments (/realms/<name>) and Pulumi resource names. */
const RealmName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  error: (iss) =>
    `expected a realm name of letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit), got ${received(iss.input)}; hint: it becomes the URL path /realms/<name>`,
});

const Login = z
  .object({
    userRegistration: z.boolean().default(false),
    rememberMe: z.boolean().default(false),
    forgotPassword: z.boolean().default(false),
    verifyEmail: z.boolean().default(false),
    loginWithEmail: z.boolean().default(true),
    registrationEmailAsUsername: z.boolean().default(false),
  })
  .strict();

const BruteForce = z
  .object({
    maxFailures: z.number().int().min(1).default(30),
    waitIncrement: Duration.default("1m"),
    maxWait: Duration.default("15m"),
    failureReset: Duration.default("12h"),
    permanentLockout: z.boolean().default(false),
  })
  .strict();

const Tokens = z
  .object({
    accessTokenLifespan: Duration.optional(),
    accessCodeLifespan: Duration.optional(),
    ssoSessionIdleTimeout: Duration.optional(),
    ssoSessionMaxLifespan: Duration.optional(),
    offlineSessionIdleTimeout: Duration.optional(),
  })
  .strict();

const Events = z
  .object({
    login: z.object({ enabled: z.boolean().default(true), expiration: Duration.optional(), types: z.array(z.string()).optional() }).strict().optional(),
    admin: z.object({ enabled: z.boolean().default(true), details: z.boolean().default(false) }).strict().optional(),
  })
  .strict();

const Smtp = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    from: z.email(),
    fromDisplayName: z.string().optional(),
    replyTo: z.email().optional(),
    ssl: z.boolean().default(false),
    starttls: z.boolean().default(true),
    auth: z.object({ username: z.string(), password: SecretRef }).strict().optional(),
  })
  .strict();

const Themes = z.object({ login: z.string().optional(), account: z.string().optional(), admin: z.string().optional(), email: z.string().optional() }).strict();

const Locales = z
  .object({ supported: z.array(z.string()).min(1), default: z.string() })
  .strict()
  .refine((l) => l.supported.includes(l.default), { error: "the default locale must be one of the supported locales", path: ["default"] });

const RealmSpecObject = z
  .object({
    realm: RealmName,
    /** Adopt a realm that already exists (such as master) instead of creating it; never deleted. */
    existing: z.boolean().default(false),
    displayName: z.string().optional(),
    enabled: z.boolean().default(true),
    login: Login.default(Login.parse({})),
    sslRequired: z.enum(["all", "external", "none"]).default("external"),
    bruteForce: BruteForce.optional(),
    /** Keycloak's policy syntax, e.g. "length(12) and notUsername". */
    passwordPolicy: z.string().optional(),
    tokens: Tokens.optional(),
    events: Events.optional(),
    smtp: Smtp.optional(),
    themes: Themes.optional(),
    locales: Locales.optional(),
    clients: uniqueBy(ClientSpec, (c) => c.clientId, "clientId").default([]),
    clientScopes: uniqueBy(ClientScopeSpec, (s) => s.name, "client scope").default([]),
    roles: uniqueBy(RoleSpec, (r) => r.name, "role").default([]),
    /** Roles every user of the realm gets. */
    defaultRoles: RoleRefs.optional(),
    groups: uniqueBy(GroupSpec, (g) => g.name, "group name").default([]),
    /** Group paths every new user joins. */
    defaultGroups: z.array(z.string()).default([]),
    userProfile: UserProfileSpec.optional(),
    users: uniqueBy(UserSpec, (u) => u.username, "username").default([]),
    identityProviders: uniqueBy(IdentityProviderSpec, (p) => p.alias, "identity provider alias").default([]),
    userFederation: uniqueBy(LdapFederationSpec, (f) => f.name, "user federation name").default([]),
    authentication: AuthenticationSpec.default(AuthenticationSpec.parse({})),
  })
  .strict();
export type RealmSpecFields = z.output<typeof RealmSpecObject>;

/** One realm, as written in a YAML file under stacks/; references between its parts are checked. */
export const RealmSpec = RealmSpecObject.superRefine(checkReferences);
export type RealmSpec = z.output<typeof RealmSpec>;
export type { ClientSpec } from "./clients";
export type { GroupSpec } from "./groups";
