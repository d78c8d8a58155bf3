import * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import type RealmRepresentation from "@keycloak/keycloak-admin-client/lib/defs/realmRepresentation";
import type { SecretStore } from "../config/secrets";
import { goDuration, seconds } from "../config/spec/common";
import type { RealmSpec } from "../config/spec/realm";
import type { RealmScope } from "./scope";

type BruteForceSpec = NonNullable<RealmSpec["bruteForce"]>;
type SecurityDefenses = { bruteForceDetection: Record<string, number | boolean | undefined>; headers?: Record<string, string | undefined> };

/**
 * Brute-force detection as the provider sends it. The provider writes brute force and the browser
 * security headers as one block, filling what is not given with its own defaults (among them an
 * X-XSS-Protection header Keycloak 26 no longer sets). For an adopted realm (`live`), what the
 * spec cannot state keeps its live value: the quick-login checks and every header.
 */
function securityDefenses(bruteForce: BruteForceSpec, live?: RealmRepresentation): SecurityDefenses {
  const headers = live?.browserSecurityHeaders;
  return {
    bruteForceDetection: {
      maxLoginFailures: bruteForce.maxFailures,
      waitIncrementSeconds: seconds(bruteForce.waitIncrement),
      maxFailureWaitSeconds: seconds(bruteForce.maxWait),
      failureResetTimeSeconds: seconds(bruteForce.failureReset),
      permanentLockout: bruteForce.permanentLockout,
      quickLoginCheckMilliSeconds: live?.quickLoginCheckMilliSeconds,
      minimumQuickLoginWaitSeconds: live?.minimumQuickLoginWaitSeconds,
    },
    headers: headers && {
      contentSecurityPolicy: headers.contentSecurityPolicy ?? "",
      contentSecurityPolicyReportOnly: headers.contentSecurityPolicyReportOnly ?? "",
      referrerPolicy: headers.referrerPolicy ?? "",
      strictTransportSecurity: headers.strictTransportSecurity ?? "",
      xContentTypeOptions: headers.xContentTypeOptions ?? "",
      xFrameOptions: headers.xFrameOptions ?? "",
      xRobotsTag: headers.xRobotsTag ?? "",
      xXssProtection: headers.xXSSProtection ?? "",
    },
  };
}

/**
 * Whether the live realm already has the spec's brute-force settings. The provider never reads
 * them back into an imported realm's state, so without this an adopted realm would be written
 * back in full on every `up` (and the provider's write sets fields it models, such as an empty
 * HTML display name, over ones Keycloak left unset).
 */
function liveBruteForceMatches(bruteForce: BruteForceSpec, live: RealmRepresentation): boolean {
  const wanted = securityDefenses(bruteForce, live).bruteForceDetection;
  const actual: Record<string, unknown> = {
    maxLoginFailures: live.failureFactor,
    waitIncrementSeconds: live.waitIncrementSeconds,
    maxFailureWaitSeconds: live.maxFailureWaitSeconds,
    failureResetTimeSeconds: live.maxDeltaTimeSeconds,
    permanentLockout: live.permanentLockout,
    quickLoginCheckMilliSeconds: live.quickLoginCheckMilliSeconds,
    minimumQuickLoginWaitSeconds: live.minimumQuickLoginWaitSeconds,
  };
  return live.bruteForceProtected === true && Object.entries(wanted).every(([key, value]) => actual[key] === value);
}

/** The realm resource: login options, security, lifespans, email, themes, locales, OTP policy. */
function realmSettings(spec: RealmSpec, secrets: SecretStore, live?: RealmRepresentation): keycloak.RealmArgs {
  const { login, tokens, bruteForce, smtp, themes, locales } = spec;
  const otp = spec.authentication.otp;
  return {
    realm: spec.realm,
    displayName: spec.displayName,
    enabled: spec.enabled,
    registrationAllowed: login.userRegistration,
    registrationEmailAsUsername: login.registrationEmailAsUsername,
    rememberMe: login.rememberMe,
    resetPasswordAllowed: login.forgotPassword,
    verifyEmail: login.verifyEmail,
    loginWithEmailAllowed: login.loginWithEmail,
    sslRequired: spec.sslRequired,
    passwordPolicy: spec.passwordPolicy,
    accessTokenLifespan: tokens?.accessTokenLifespan && goDuration(tokens.accessTokenLifespan),
    accessCodeLifespan: tokens?.accessCodeLifespan && goDuration(tokens.accessCodeLifespan),
    ssoSessionIdleTimeout: tokens?.ssoSessionIdleTimeout && goDuration(tokens.ssoSessionIdleTimeout),
    ssoSessionMaxLifespan: tokens?.ssoSessionMaxLifespan && goDuration(tokens.ssoSessionMaxLifespan),
    offlineSessionIdleTimeout: tokens?.offlineSessionIdleTimeout && goDuration(tokens.offlineSessionIdleTimeout),
    securityDefenses: bruteForce && securityDefenses(bruteForce, live),
    smtpServer: smtp && {
      host: smtp.host,
      port: String(smtp.port),
      from: smtp.from,
      fromDisplayName: smtp.fromDisplayName,
      replyTo: smtp.replyTo,
      ssl: smtp.ssl,
      starttls: smtp.starttls,
      auth: smtp.auth && { username: smtp.auth.username, password: secrets.get(smtp.auth.password.config) },
    },
    loginTheme: themes?.login,
    accountTheme: themes?.account,
    adminTheme: themes?.admin,
    emailTheme: themes?.email,
    internationalization: locales && { supportedLocales: locales.supported, defaultLocale: locales.default },
    otpPolicy: otp && { type: otp.type, algorithm: otp.algorithm, digits: otp.digits, period: otp.period, lookAheadWindow: otp.lookAhead },
  };
}

/** Every input of the provider's Realm: the compiler keeps this list complete on upgrades. */
const REALM_INPUTS = {
  accessCodeLifespan: "tokens.accessCodeLifespan", accessCodeLifespanLogin: null, accessCodeLifespanUserAction: null,
  accessTokenLifespan: "tokens.accessTokenLifespan", accessTokenLifespanForImplicitFlow: null, accountTheme: "themes.account",
  actionTokenGeneratedByAdminLifespan: null, actionTokenGeneratedByUserLifespan: null, adminPermissionsEnabled: null,
  adminTheme: "themes.admin", attributes: null, browserFlow: null, clientAuthenticationFlow: null, clientSessionIdleTimeout: null,
  clientSessionMaxLifespan: null, defaultDefaultClientScopes: null, defaultOptionalClientScopes: null, defaultSignatureAlgorithm: null,
  directGrantFlow: null, displayName: "displayName", displayNameHtml: null, dockerAuthenticationFlow: null, duplicateEmailsAllowed: null,
  editUsernameAllowed: null, emailTheme: "themes.email", enabled: "enabled", firstBrokerLoginFlow: null, internalId: null,
  internationalization: "locales", loginTheme: "themes.login", loginWithEmailAllowed: "login.loginWithEmail",
  offlineSessionIdleTimeout: "tokens.offlineSessionIdleTimeout", offlineSessionMaxLifespan: null, offlineSessionMaxLifespanEnabled: null,
  organizationsEnabled: null, otpPolicy: "authentication.otp", passwordPolicy: "passwordPolicy", realm: "realm", refreshTokenMaxReuse: null,
  registrationAllowed: "login.userRegistration", registrationEmailAsUsername: "login.registrationEmailAsUsername",
  registrationFlow: null, rememberMe: "login.rememberMe", resetCredentialsFlow: null, resetPasswordAllowed: "login.forgotPassword",
  revokeRefreshToken: null, securityDefenses: "bruteForce", smtpServer: "smtp", sslRequired: "sslRequired",
  ssoSessionIdleTimeout: "tokens.ssoSessionIdleTimeout", ssoSessionIdleTimeoutRememberMe: null,
  ssoSessionMaxLifespan: "tokens.ssoSessionMaxLifespan", ssoSessionMaxLifespanRememberMe: null, terraformDeletionProtection: null,
  userManagedAccess: null, verifyEmail: "login.verifyEmail", webAuthnPasswordlessPolicy: null, webAuthnPolicy: null,
  oauth2DeviceCodeLifespan: null, oauth2DevicePollingInterval: null,
} satisfies Record<keyof keycloak.RealmArgs, string | null>;

/**
 * The Realm inputs an adopted realm leaves alone: those no spec key sets, and those whose spec
 * key the file does not state (a default is not a decision to overwrite a live value).
 */
export function unmanagedRealmInputs(declared: readonly string[]): string[] {
  return Object.entries(REALM_INPUTS)
    .filter(([, specPath]) => specPath === null || !declared.includes(specPath))
    .map(([input]) => input);
}

/**
 * The realm itself. An `existing` realm (such as master) is adopted, not created: the first
 * `up` imports it (adoption.ts gives the import id) and applies the settings its spec states
 * (with `declared`, only those; the rest keep their live values), and destroying the stack
 * leaves it in place. `live` is what Keycloak holds of it, when it could be read.
 */
export function declareRealm(
  name: string,
  spec: RealmSpec,
  secrets: SecretStore,
  parent: pulumi.Resource,
  declared?: readonly string[],
  live?: RealmRepresentation,
): keycloak.Realm {
  const unchangedLive = spec.bruteForce && live && liveBruteForceMatches(spec.bruteForce, live) ? ["securityDefenses"] : [];
  const adopt: pulumi.CustomResourceOptions = spec.existing
    ? { retainOnDelete: true, ignoreChanges: [...(declared ? unmanagedRealmInputs(declared) : []), ...unchangedLive] }
    : {};
  return new keycloak.Realm(name, realmSettings(spec, secrets, spec.existing ? live : undefined), { parent, ...adopt });
}

/** Login and admin events, with retention. */
export function declareEvents({ name, realm, parent }: RealmScope, spec: RealmSpec): keycloak.RealmEvents | undefined {
  const { events } = spec;
  if (!events) return undefined;
  return new keycloak.RealmEvents(
    `${name}/events`,
    {
      realmId: realm.id,
      eventsEnabled: events.login?.enabled ?? false,
      eventsExpiration: events.login?.expiration ? seconds(events.login.expiration) : undefined,
      enabledEventTypes: events.login?.types,
      adminEventsEnabled: events.admin?.enabled ?? false,
      adminEventsDetailsEnabled: events.admin?.details ?? false,
      eventsListeners: ["jboss-logging"],
    },
    { parent },
  );
}
