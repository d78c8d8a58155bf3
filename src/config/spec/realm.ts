import { z } from "zod";
import { received, uniqueBy, wholeNumber } from "../schema-helpers";
import { AuthenticationSpec } from "./authentication";
import { ClientSpec, RoleSpec } from "./clients";
import { Duration, RoleRefs } from "./common";
import { LdapFederationSpec } from "./federation";
import { GroupSpec } from "./groups";
import { IdentityProviderSpec } from "./identity-providers";
import { checkReferences } from "./references";
import { ClientScopeSpec } from "./scopes";
import { secretRef } from "./secret-ref";
import { COLUMN, inColumn, name, PASSWORD_POLICY_COLUMN, text } from "./text";
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
    maxFailures: wholeNumber(1).default(30),
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
    login: z.object({ enabled: z.boolean().default(true), expiration: Duration.optional(), types: z.array(name("event type").min(1)).optional() }).strict().optional(),
    admin: z.object({ enabled: z.boolean().default(true), details: z.boolean().default(false) }).strict().optional(),
  })
  .strict();

/** Every SMTP setting is a row of REALM_SMTP_CONFIG, whose values are a column of 255. */
const email = (what: string) =>
  z.email({ error: (iss) => `expected ${what} address such as "keycloak@example.com", got ${received(iss.input)}` }).max(COLUMN, {
    error: `expected ${what} address of at most ${COLUMN} characters (${inColumn(COLUMN)}); hint: shorten it`,
  });

const Smtp = z
  .object({
    host: name("mail server host").min(1),
    port: wholeNumber(1, 65535, "(a TCP port)").default(587),
    from: email("a sender"),
    fromDisplayName: text("sender name").optional(),
    replyTo: email("a reply-to").optional(),
    ssl: z.boolean().default(false),
    starttls: z.boolean().default(true),
    auth: z.object({ username: name("mail server user").min(1), password: secretRef() }).strict().optional(),
  })
  .strict();

const theme = name("theme name").min(1).optional();
const Themes = z.object({ login: theme, account: theme, admin: theme, email: theme }).strict();

/**
 * A locale as Keycloak takes it (en, pt-BR, zh-TW): its own check refuses URL characters in
 * locales, since they become part of URLs (?kc_locale=) and message bundle names.
 */
const Locale = z.string().regex(/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/, {
  error: (iss) => `expected a locale such as "en", "de" or "pt-BR", got ${received(iss.input)}`,
});

const Locales = z
  .object({ supported: z.array(Locale).min(1), default: Locale })
  .strict()
  .refine((l) => l.supported.includes(l.default), { error: "the default locale must be one of the supported locales", path: ["default"] });

const RealmSpecObject = z
  .object({
    realm: RealmName,
    /** Adopt a realm that already exists (such as master) instead of creating it; never deleted. */
    existing: z.boolean().default(false),
    /** Keycloak 26.7 keeps it in the REALM table (NVARCHAR(255)); older 26.x in an unbounded attribute. */
    displayName: text("display name", COLUMN, "Keycloak stores it in a column of 255 since 26.7").optional(),
    enabled: z.boolean().default(true),
    login: Login.default(Login.parse({})),
    sslRequired: z.enum(["all", "external", "none"]).default("external"),
    bruteForce: BruteForce.optional(),
    /** Keycloak's policy syntax, e.g. "length(12) and notUsername". */
    passwordPolicy: text("password policy", PASSWORD_POLICY_COLUMN).optional(),
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

/** Realms Keycloak creates itself and that always exist: a spec can adopt them, not create them. */
const ALWAYS_EXISTING_REALMS = ["master"];

function checkExisting(spec: RealmSpecFields, ctx: z.RefinementCtx): void {
  if (ALWAYS_EXISTING_REALMS.includes(spec.realm) && !spec.existing)
    ctx.addIssue({
      code: "custom",
      path: ["realm"],
      message: `realm "${spec.realm}" always exists (Keycloak creates it at its first start), so it cannot be created; hint: add existing: true to adopt it (its settings are then managed, and it is never deleted)`,
    });
}

/** One realm, as written in a YAML file under stacks/; references between its parts are checked. */
export const RealmSpec = RealmSpecObject.superRefine(checkExisting).superRefine(checkReferences);
export type RealmSpec = z.output<typeof RealmSpec>;
export type { ClientSpec } from "./clients";
export type { GroupSpec } from "./groups";
