// A realm snapshot (realm-snapshot.ts, read live or converted from an export) written back as a
// realm spec of this project: what differs from a new realm's defaults, in the spec's own terms.
// Whatever the spec format cannot say is listed in the report, object by object; secrets become
// {config: key} references whose values the user sets in stack config (the spec never holds one).
import { isSecretDigest, type ClientSnapshot, type ComponentSnapshot, type Fields, type Json, type RealmSnapshot, type RoleRefs, type RoleSnapshot } from "./realm-snapshot";

/** A realm spec as plain data, ready for YAML. */
export type SpecObject = { [key: string]: unknown };

export interface ImportResult {
  spec: SpecObject;
  /** "client X: attribute Y=... not expressible", one line per thing the spec cannot hold. */
  report: string[];
  /** The stack config secrets the spec names, with what each is for. */
  secrets: { key: string; purpose: string }[];
  /** How many objects of each kind were written. */
  counts: { [kind: string]: number };
}

// Keycloak's own objects in every realm: never written into a spec (references.ts allows naming them).
const BUILT_IN_CLIENTS = new Set(["realm-management", "account", "account-console", "broker", "admin-cli", "security-admin-console"]);
const BUILT_IN_REALM_ROLES = new Set(["offline_access", "uma_authorization", "admin", "create-realm"]);
const BUILT_IN_SCOPES = new Set([
  "acr", "address", "basic", "email", "microprofile-jwt", "offline_access", "organization", "phone", "profile", "role_list", "roles", "saml_organization", "web-origins", "service_account",
  // Keycloak 26.7's SAML scope for the requested authentication context.
  "AuthnContextClassRef",
]);
const BUILT_IN_FLOWS = new Set(["browser", "direct grant", "registration", "reset credentials", "clients", "first broker login", "docker auth", "http challenge", "saml ecp"]);
const BUILT_IN_USER_ATTRIBUTES = new Set(["username", "email", "firstName", "lastName"]);
/** The role the product's requireOtp {groups} gives those groups (authentication.ts). */
const OTP_ROLE = "otp-required";
/** The flow the product's requireOtp builds and binds as the browser flow. */
const OTP_FLOW = "browser with otp";

/**
 * Realm fields with the value a new realm has (Keycloak 26): a setting that still has it was
 * never changed, so neither the spec nor the report mentions it.
 */
const REALM_DEFAULTS: Fields = {
  enabled: true, registrationAllowed: false, registrationEmailAsUsername: false, rememberMe: false, resetPasswordAllowed: false, verifyEmail: false,
  loginWithEmailAllowed: true, duplicateEmailsAllowed: false, editUsernameAllowed: false, sslRequired: "external", bruteForceProtected: false,
  permanentLockout: false, failureFactor: 30, waitIncrementSeconds: 60, maxFailureWaitSeconds: 900, maxDeltaTimeSeconds: 43200,
  minimumQuickLoginWaitSeconds: 60, quickLoginCheckMilliSeconds: 1000, maxTemporaryLockouts: 0, bruteForceStrategy: "MULTIPLE",
  accessTokenLifespan: 300, accessTokenLifespanForImplicitFlow: 900, accessCodeLifespan: 60, accessCodeLifespanUserAction: 300, accessCodeLifespanLogin: 1800,
  ssoSessionIdleTimeout: 1800, ssoSessionMaxLifespan: 36000, ssoSessionIdleTimeoutRememberMe: 0, ssoSessionMaxLifespanRememberMe: 0,
  offlineSessionIdleTimeout: 2592000, offlineSessionMaxLifespanEnabled: false, offlineSessionMaxLifespan: 5184000, clientSessionIdleTimeout: 0,
  clientSessionMaxLifespan: 0, clientOfflineSessionIdleTimeout: 0, clientOfflineSessionMaxLifespan: 0, actionTokenGeneratedByAdminLifespan: 43200,
  actionTokenGeneratedByUserLifespan: 300, oauth2DeviceCodeLifespan: 600, oauth2DevicePollingInterval: 5, revokeRefreshToken: false, refreshTokenMaxReuse: 0,
  eventsEnabled: false, adminEventsEnabled: false, adminEventsDetailsEnabled: false, eventsListeners: ["jboss-logging"], enabledEventTypes: [],
  internationalizationEnabled: false, supportedLocales: [], userManagedAccessAllowed: false, organizationsEnabled: false, adminPermissionsEnabled: false,
  verifiableCredentialsEnabled: false, defaultSignatureAlgorithm: "RS256", webAuthnPolicyPasswordlessPasskeysEnabled: false, maxSecondaryAuthFailures: 0,
};

/** Realm fields the writer turns into spec keys (or reads as a section of their own). */
const WRITTEN_REALM_FIELDS = new Set([
  "displayName", "enabled", "registrationAllowed", "registrationEmailAsUsername", "rememberMe", "resetPasswordAllowed", "verifyEmail", "loginWithEmailAllowed",
  "sslRequired", "passwordPolicy", "bruteForceProtected", "failureFactor", "waitIncrementSeconds", "maxFailureWaitSeconds", "maxDeltaTimeSeconds", "permanentLockout",
  "accessTokenLifespan", "accessCodeLifespan", "ssoSessionIdleTimeout", "ssoSessionMaxLifespan", "offlineSessionIdleTimeout",
  "eventsEnabled", "eventsExpiration", "enabledEventTypes", "adminEventsEnabled", "adminEventsDetailsEnabled", "loginTheme", "accountTheme", "adminTheme", "emailTheme",
  "internationalizationEnabled", "supportedLocales", "defaultLocale",
]);

/**
 * Realm fields that are not settings a person makes: derived, read-only, or policies whose
 * defaults Keycloak fills in as objects (WebAuthn, client policies). Changes in the policies
 * are reported through their own sections when they matter; these are left out.
 */
const NOT_REPORTED_REALM_FIELDS = new Set([
  "attributes", "browserSecurityHeaders", "clientPolicies", "clientProfiles", "parRequestUriLifespan", "cibaBackchannelTokenDeliveryMode", "cibaExpiresIn",
  "cibaInterval", "cibaAuthRequestedUserHint", "keycloakVersion", "social", "updateProfileOnInitialSocialLogin", "bruteForceStrategy", "federatedUsers",
  "clientTemplates", "applications", "oauthClients", "defaultLocale", "userFederationProviders", "userFederationMappers", "requiredCredentials",
  "shortVerificationUri", "firstBrokerLoginFlow", "adminUrl", "localizationTexts", "users", "eventsExpiration", "identityProviderMappers",
]);

const WEBAUTHN = /^webAuthnPolicy/;

/** A value in a report line: never a secret (digests and secret-looking keys are not shown). */
function shown(key: string, value: unknown): string {
  const plain = typeof value === "boolean" || typeof value === "number";
  if (isSecretDigest(value) || (!plain && /secret|password|credential|token|private|key$/i.test(key))) return "(value not shown)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sortedCopy = (values: string[]) => [...values].sort();

/** Seconds as the spec's durations: the largest unit that divides them. */
export function duration(secondsValue: number): string {
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]] as const) if (secondsValue > 0 && secondsValue % size === 0) return `${secondsValue / size}${unit}`;
  return `${secondsValue}s`;
}

/** A stack config key from a name: "my-app" -> "myApp". */
export function configKey(name: string, suffix: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const camel = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join("");
  const base = /^[A-Za-z]/.test(camel) ? camel : `x${camel}`;
  return `${base}${suffix}`;
}

/** Role references without empty parts, or undefined when there are none. */
function refs(roleRefs: RoleRefs | undefined): SpecObject | undefined {
  if (!roleRefs) return undefined;
  const clients = Object.fromEntries(Object.entries(roleRefs.clients).filter(([, names]) => names.length > 0));
  if (roleRefs.realm.length === 0 && Object.keys(clients).length === 0) return undefined;
  return { ...(roleRefs.realm.length ? { realm: roleRefs.realm } : {}), ...(Object.keys(clients).length ? { clients } : {}) };
}

const str = (value: Json | undefined) => (typeof value === "string" && value !== "" ? value : undefined);
const num = (value: Json | undefined) => (typeof value === "number" ? value : typeof value === "string" && value !== "" && !Number.isNaN(Number(value)) ? Number(value) : undefined);
const bool = (value: Json | undefined) => value === true || value === "true";
/** Leaves out the keys whose value is undefined (YAML would write them as null). */
const defined = (object: SpecObject): SpecObject => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));

/** Writes the spec of one snapshot. */
export function specFromSnapshot(snapshot: RealmSnapshot): ImportResult {
  return new SpecWriter(snapshot).write();
}

class SpecWriter {
  private readonly report: string[] = [];
  private readonly secrets: ImportResult["secrets"] = [];
  private readonly counts: { [kind: string]: number } = {};

  constructor(private readonly snap: RealmSnapshot) {}

  private notExpressible(object: string, what: string): void {
    this.report.push(`${object}: ${what} not expressible`);
  }

  private secret(base: string, purpose: string): { config: string } {
    let key = base;
    for (let n = 2; this.secrets.some((s) => s.key === key); n++) key = `${base}${n}`;
    this.secrets.push({ key, purpose });
    return { config: key };
  }

  private count(kind: string, n = 1): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + n;
  }

  write(): ImportResult {
    const { snap } = this;
    const settings = snap.settings;
    const otpFlow = this.otpRequirement();
    const spec: SpecObject = defined({
      realm: snap.realm,
      existing: true,
      displayName: str(settings.displayName),
      enabled: settings.enabled === false ? false : undefined,
      login: this.login(),
      sslRequired: settings.sslRequired !== "external" ? settings.sslRequired : undefined,
      bruteForce: this.bruteForce(),
      passwordPolicy: str(settings.passwordPolicy),
      tokens: this.tokens(),
      events: this.events(),
      smtp: this.smtp(),
      themes: this.themes(),
      locales: this.locales(),
      clients: this.clients(),
      clientScopes: this.clientScopes(),
      roles: this.realmRoles(otpFlow),
      defaultRoles: this.defaultRoles(),
      groups: this.groups(otpFlow),
      defaultGroups: snap.defaultGroups.length ? snap.defaultGroups : undefined,
      userProfile: this.userProfile(),
      identityProviders: this.identityProviders(),
      userFederation: this.userFederation(),
      authentication: this.authentication(otpFlow),
    });
    for (const key of ["clients", "clientScopes", "roles", "groups", "identityProviders", "userFederation"]) if (Array.isArray(spec[key]) && (spec[key] as unknown[]).length === 0) delete spec[key];
    this.otherRealmSettings();
    this.flows(otpFlow);
    this.leftovers();
    return { spec, report: this.report, secrets: this.secrets, counts: this.counts };
  }

  // Realm settings --------------------------------------------------------------------------

  private login(): SpecObject | undefined {
    const s = this.snap.settings;
    const fields: [string, string, boolean][] = [
      ["userRegistration", "registrationAllowed", false], ["rememberMe", "rememberMe", false], ["forgotPassword", "resetPasswordAllowed", false],
      ["verifyEmail", "verifyEmail", false], ["loginWithEmail", "loginWithEmailAllowed", true], ["registrationEmailAsUsername", "registrationEmailAsUsername", false],
    ];
    const login = Object.fromEntries(fields.filter(([, field, fallback]) => (s[field] ?? fallback) !== fallback).map(([key, field]) => [key, s[field]]));
    return Object.keys(login).length ? login : undefined;
  }

  private bruteForce(): SpecObject | undefined {
    const s = this.snap.settings;
    if (s.bruteForceProtected !== true) return undefined;
    return {
      maxFailures: num(s.failureFactor) ?? 30,
      waitIncrement: duration(num(s.waitIncrementSeconds) ?? 60),
      maxWait: duration(num(s.maxFailureWaitSeconds) ?? 900),
      failureReset: duration(num(s.maxDeltaTimeSeconds) ?? 43200),
      ...(s.permanentLockout === true ? { permanentLockout: true } : {}),
    };
  }

  private tokens(): SpecObject | undefined {
    const s = this.snap.settings;
    const names = ["accessTokenLifespan", "accessCodeLifespan", "ssoSessionIdleTimeout", "ssoSessionMaxLifespan", "offlineSessionIdleTimeout"];
    const tokens = Object.fromEntries(names.flatMap((name) => (num(s[name]) !== undefined && s[name] !== REALM_DEFAULTS[name] ? [[name, duration(num(s[name])!)]] : [])));
    return Object.keys(tokens).length ? tokens : undefined;
  }

  private events(): SpecObject | undefined {
    const s = this.snap.settings;
    const types = Array.isArray(s.enabledEventTypes) ? (s.enabledEventTypes as string[]) : [];
    const login = s.eventsEnabled === true ? defined({ enabled: true, expiration: num(s.eventsExpiration) ? duration(num(s.eventsExpiration)!) : undefined, types: types.length ? types : undefined }) : undefined;
    const admin = s.adminEventsEnabled === true ? { enabled: true, details: s.adminEventsDetailsEnabled === true } : undefined;
    const listeners = Array.isArray(s.eventsListeners) ? (s.eventsListeners as string[]) : [];
    if (!same(sortedCopy(listeners), ["jboss-logging"]) && listeners.length) this.notExpressible("realm", `eventsListeners=${shown("eventsListeners", listeners)}`);
    if (!login && !admin) return undefined;
    return defined({ login, admin });
  }

  private smtp(): SpecObject | undefined {
    const smtp = this.snap.smtp;
    if (!str(smtp.host) || !str(smtp.from)) {
      if (Object.keys(smtp).length) this.notExpressible("smtp", "a server without host or from address");
      return undefined;
    }
    const auth = bool(smtp.auth) && str(smtp.user) ? { username: smtp.user, password: this.secret("smtpPassword", "the SMTP server's password (smtp.auth.password)") } : undefined;
    for (const key of Object.keys(smtp)) if (!["host", "port", "from", "fromDisplayName", "replyTo", "ssl", "starttls", "auth", "user", "password", "replyToDisplayName", "envelopeFrom", "authType"].includes(key)) this.notExpressible("smtp", `${key}=${shown(key, smtp[key])}`);
    for (const key of ["replyToDisplayName", "envelopeFrom"]) if (str(smtp[key])) this.notExpressible("smtp", `${key}=${shown(key, smtp[key])}`);
    if (str(smtp.authType) && smtp.authType !== "basic") this.notExpressible("smtp", `authType=${shown("authType", smtp.authType)}`);
    return defined({
      host: smtp.host,
      port: num(smtp.port) ?? 25,
      from: smtp.from,
      fromDisplayName: str(smtp.fromDisplayName),
      replyTo: str(smtp.replyTo),
      ssl: bool(smtp.ssl),
      starttls: bool(smtp.starttls),
      auth,
    });
  }

  private themes(): SpecObject | undefined {
    const s = this.snap.settings;
    const themes = defined({ login: str(s.loginTheme), account: str(s.accountTheme), admin: str(s.adminTheme), email: str(s.emailTheme) });
    return Object.keys(themes).length ? themes : undefined;
  }

  private locales(): SpecObject | undefined {
    const s = this.snap.settings;
    if (s.internationalizationEnabled !== true) return undefined;
    const supported = (s.supportedLocales as string[] | undefined) ?? [];
    const fallback = str(s.defaultLocale) ?? supported[0];
    if (!supported.length || !fallback) return undefined;
    return { supported, default: fallback };
  }

  /** Realm fields that differ from a new realm's and that no spec key holds. */
  private otherRealmSettings(): void {
    for (const [field, value] of Object.entries(this.snap.settings)) {
      if (WRITTEN_REALM_FIELDS.has(field) || NOT_REPORTED_REALM_FIELDS.has(field) || WEBAUTHN.test(field)) continue;
      if (field in REALM_DEFAULTS && same(value, REALM_DEFAULTS[field])) continue;
      if (value === null || value === "" || (Array.isArray(value) && value.length === 0) || (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0)) continue;
      if (!(field in REALM_DEFAULTS) && value === false) continue;
      this.notExpressible("realm", `${field}=${shown(field, value)}`);
    }
    if (this.snap.settings.eventsEnabled !== true && num(this.snap.settings.eventsExpiration)) this.notExpressible("realm", `eventsExpiration=${this.snap.settings.eventsExpiration} (events disabled)`);
  }

  // Clients ---------------------------------------------------------------------------------

  private isBuiltInClient(clientId: string): boolean {
    return BUILT_IN_CLIENTS.has(clientId) || (this.snap.realm === "master" && clientId.endsWith("-realm"));
  }

  private clients(): SpecObject[] {
    return Object.entries(this.snap.clients)
      .filter(([clientId]) => !this.isBuiltInClient(clientId))
      .map(([clientId, client]) => {
        this.count("clients");
        return this.client(clientId, client);
      });
  }

  private client(clientId: string, c: ClientSnapshot): SpecObject {
    const object = `client ${clientId}`;
    const saml = c.protocol === "saml";
    const isPublic = c.publicClient === true;
    if (c.bearerOnly === true) this.notExpressible(object, "bearerOnly=true");
    const confidential = !saml && !isPublic;
    const secret = confidential ? this.secret(configKey(clientId, "Secret"), `the secret of client ${clientId}`) : undefined;
    const scopes = saml ? {} : this.clientScopeLists(object, c);
    if (saml && (c.defaultClientScopes as string[] | undefined)?.length) {
      /* SAML clients get the realm's SAML scopes; the spec has no field for them. */
    }
    const roles = Object.entries(c.roles).map(([name, role]) => this.role(`${object} role ${name}`, name, role));
    const mappers = Object.entries(c.protocolMappers).flatMap(([name, mapper]) => this.protocolMapper(`${object} mapper ${name}`, name, mapper));
    this.count("client roles", roles.length);
    this.count("protocol mappers", mappers.length);
    this.otherClientFields(object, c);
    return defined({
      clientId,
      protocol: saml ? "saml" : undefined,
      name: str(c.name),
      description: str(c.description),
      enabled: c.enabled === false ? false : undefined,
      access: isPublic && !saml ? "public" : undefined,
      secret,
      redirectUris: this.redirectUris(object, c, saml),
      webOrigins: !saml && (c.webOrigins as string[] | undefined)?.length ? c.webOrigins : undefined,
      rootUrl: str(c.rootUrl),
      baseUrl: str(c.baseUrl),
      standardFlow: !saml && c.standardFlowEnabled === false ? false : undefined,
      directAccessGrants: !saml && c.directAccessGrantsEnabled === true ? true : undefined,
      serviceAccount: !saml && c.serviceAccountsEnabled === true ? true : undefined,
      serviceAccountRoles: c.serviceAccountsEnabled === true ? refs(this.withoutDefaultRole(c.serviceAccountRoles)) : undefined,
      roles: roles.length ? roles : undefined,
      ...scopes,
      mappers: mappers.length ? mappers : undefined,
    });
  }

  /**
   * Keycloak keeps redirect URIs on an OpenID Connect client whose browser flows are off (the
   * console hides them); the provider refuses to write them there, so they are reported instead.
   */
  private redirectUris(object: string, c: ClientSnapshot, saml: boolean): string[] | undefined {
    const uris = c.redirectUris as string[] | undefined;
    if (!uris?.length) return undefined;
    if (saml || c.standardFlowEnabled !== false || c.implicitFlowEnabled === true) return uris;
    this.notExpressible(object, `redirectUris ${uris.join(", ")} (unused: standard and implicit flow are off)`);
    return undefined;
  }

  /** Keycloak gives every user, service accounts too, the realm's default role: not a grant of the spec's. */
  private withoutDefaultRole(roleRefs: RoleRefs | undefined): RoleRefs | undefined {
    const defaultRole = `default-roles-${this.snap.realm.toLowerCase()}`;
    return roleRefs && { ...roleRefs, realm: roleRefs.realm.filter((role) => role !== defaultRole) };
  }

  /** Default and optional scopes, when they are not what the realm gives every new client. */
  private clientScopeLists(object: string, c: ClientSnapshot): SpecObject {
    const protocol = (c.protocol as string | undefined) ?? "openid-connect";
    const ofProtocol = (names: string[]) => names.filter((n) => ((this.snap.clientScopes[n]?.protocol as string | undefined) ?? "openid-connect") === protocol);
    const realmDefault = sortedCopy(ofProtocol(this.snap.defaultClientScopes.default));
    const realmOptional = sortedCopy(ofProtocol(this.snap.defaultClientScopes.optional));
    const own = sortedCopy((c.defaultClientScopes as string[] | undefined) ?? []);
    const optional = sortedCopy((c.optionalClientScopes as string[] | undefined) ?? []);
    void object;
    return defined({ defaultScopes: same(own, realmDefault) ? undefined : own, optionalScopes: same(optional, realmOptional) ? undefined : optional });
  }

  private otherClientFields(object: string, c: ClientSnapshot): void {
    const saml = c.protocol === "saml";
    const defaults: Fields = {
      surrogateAuthRequired: false, alwaysDisplayInConsole: false, clientAuthenticatorType: "client-secret", consentRequired: false, implicitFlowEnabled: false,
      frontchannelLogout: true, fullScopeAllowed: true, nodeReRegistrationTimeout: -1, authorizationServicesEnabled: false, bearerOnly: false,
    };
    const handled = new Set([
      "clientId", "protocol", "name", "description", "enabled", "publicClient", "redirectUris", "webOrigins", "rootUrl", "baseUrl", "standardFlowEnabled",
      "directAccessGrantsEnabled", "serviceAccountsEnabled", "defaultClientScopes", "optionalClientScopes", "attributes", "authenticationFlowBindingOverrides",
      "protocolMappers", "roles", "scopeMappings", "serviceAccountRoles", "secret", "bearerOnly", "access", "origin", "registeredNodes",
    ]);
    for (const [field, value] of Object.entries(c)) {
      if (handled.has(field) || value === null || value === undefined || value === "") continue;
      if (field in defaults && same(value, defaults[field])) continue;
      if (saml && ["frontchannelLogout", "fullScopeAllowed", "implicitFlowEnabled", "standardFlowEnabled", "directAccessGrantsEnabled", "consentRequired", "clientAuthenticatorType"].includes(field)) continue;
      if (field === "adminUrl" && value === c.rootUrl) continue;
      if (field === "frontchannelLogout" && !saml) continue;
      this.notExpressible(object, `${field}=${shown(field, value)}`);
    }
    for (const [binding, flow] of Object.entries((c.authenticationFlowBindingOverrides as Fields | undefined) ?? {})) this.notExpressible(object, `authentication flow override ${binding}=${shown(binding, flow)}`);
    if (c.fullScopeAllowed === false || c.scopeMappings.realm.length || Object.keys(c.scopeMappings.clients).length) {
      if (c.scopeMappings.realm.length || Object.keys(c.scopeMappings.clients).length) this.notExpressible(object, `scope mappings ${shown("scopeMappings", c.scopeMappings)}`);
    }
    const attributes = (c.attributes as Fields | undefined) ?? {};
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === "" || isDefaultClientAttribute(name, value, c)) continue;
      this.notExpressible(object, `attribute ${name}=${shown(name, value)}`);
    }
  }

  private role(object: string, name: string, role: RoleSnapshot): string | SpecObject {
    for (const [key, values] of Object.entries(role.attributes)) this.notExpressible(object, `attribute ${key}=${shown(key, values)}`);
    const composites = refs(role.composites);
    if (!role.description && !composites) return name;
    return defined({ name, description: role.description ?? undefined, composites });
  }

  // Protocol mappers ------------------------------------------------------------------------

  private protocolMapper(object: string, name: string, mapper: Fields): SpecObject[] {
    const config = (mapper.config as { [key: string]: string } | undefined) ?? {};
    const type = mapper.protocolMapper as string;
    const written = mapperSpec(type, config);
    if (!written) {
      this.notExpressible(object, `protocol mapper type ${type}`);
      return [];
    }
    const [spec, used] = written;
    // Role lists are multi-valued claims; one attribute is a single value unless chosen otherwise.
    const multivalued = type === "oidc-usermodel-attribute-mapper" ? "false" : "true";
    for (const [key, value] of Object.entries(config)) {
      if (used.includes(key) || (key === "multivalued" ? value === multivalued : MAPPER_CONFIG_DEFAULTS[key] === value)) continue;
      this.notExpressible(object, `config ${key}=${shown(key, value)}`);
    }
    return [{ name, ...spec }];
  }

  // Client scopes ---------------------------------------------------------------------------

  private clientScopes(): SpecObject[] {
    return Object.entries(this.snap.clientScopes)
      .filter(([name]) => !BUILT_IN_SCOPES.has(name))
      .map(([name, scope]) => {
        const object = `client scope ${name}`;
        this.count("client scopes");
        if (scope.protocol === "saml") this.notExpressible(object, "protocol=saml");
        const attributes = (scope.attributes as { [key: string]: string } | undefined) ?? {};
        for (const [key, value] of Object.entries(attributes))
          if (key !== "include.in.token.scope" && !(key === "display.on.consent.screen" && value === "true") && value !== "") this.notExpressible(object, `attribute ${key}=${shown(key, value)}`);
        if (scope.scopeMappings.realm.length || Object.keys(scope.scopeMappings.clients).length) this.notExpressible(object, `scope mappings ${shown("scopeMappings", scope.scopeMappings)}`);
        const mappers = Object.entries(scope.protocolMappers).flatMap(([mapperName, mapper]) => this.protocolMapper(`${object} mapper ${mapperName}`, mapperName, mapper));
        this.count("protocol mappers", mappers.length);
        return defined({
          name,
          description: str(scope.description),
          includeInToken: attributes["include.in.token.scope"] === "false" ? false : undefined,
          mappers: mappers.length ? mappers : undefined,
        });
      });
  }

  // Roles, default roles, groups -------------------------------------------------------------

  private realmRoles(otp: OtpRequirement | undefined): (string | SpecObject)[] {
    return Object.entries(this.snap.roles)
      .filter(([name]) => !BUILT_IN_REALM_ROLES.has(name) && !(otp && "groups" in otp && name === OTP_ROLE))
      .map(([name, role]) => {
        this.count("realm roles");
        return this.role(`realm role ${name}`, name, role);
      });
  }

  /** Realm roles only, as the spec holds them; client default roles other than Keycloak's own are reported. */
  private defaultRoles(): SpecObject | undefined {
    const keycloakDefault = { realm: ["offline_access", "uma_authorization"], clients: { account: ["manage-account", "view-profile"] } };
    const { realm, clients } = this.snap.defaultRoles;
    if (!same({ realm: [], clients }, { realm: [], clients: keycloakDefault.clients }))
      for (const [clientId, names] of Object.entries(clients)) this.notExpressible("default roles", `client roles ${clientId}: ${names.join(", ")} (a spec lists realm roles only; the live ones stay)`);
    return same(realm, keycloakDefault.realm) ? undefined : { realm };
  }

  private groups(otp: OtpRequirement | undefined): SpecObject[] {
    const byPath = new Map<string, SpecObject & { subGroups: SpecObject[] }>();
    const top: SpecObject[] = [];
    for (const [path, group] of Object.entries(this.snap.groups).sort(([a], [b]) => a.split("/").length - b.split("/").length)) {
      this.count("groups");
      const name = path.slice(path.lastIndexOf("/") + 1);
      const parentPath = path.slice(0, path.lastIndexOf("/"));
      const realmRoles = group.realmRoleMappings.filter((r) => !(otp && "groups" in otp && r === OTP_ROLE));
      const attributes = Object.fromEntries(Object.entries(group.attributes).map(([key, values]) => [key, values.length === 1 ? values[0] : values]));
      const spec = defined({
        name,
        attributes: Object.keys(attributes).length ? attributes : undefined,
        roles: refs({ realm: realmRoles, clients: group.clientRoleMappings }),
        subGroups: [] as SpecObject[],
      }) as SpecObject & { subGroups: SpecObject[] };
      byPath.set(path, spec);
      if (parentPath && byPath.has(parentPath)) byPath.get(parentPath)!.subGroups.push(spec);
      else top.push(spec);
    }
    for (const group of byPath.values()) if (group.subGroups.length === 0) delete (group as SpecObject).subGroups;
    return top;
  }

  private userProfile(): SpecObject | undefined {
    const profile = this.snap.userProfile;
    const custom = Object.entries(profile.attributes).filter(([name]) => !BUILT_IN_USER_ATTRIBUTES.has(name));
    if (profile.unmanagedAttributePolicy) this.notExpressible("user profile", `unmanagedAttributePolicy=${profile.unmanagedAttributePolicy}`);
    for (const name of Object.keys(profile.groups)) if (name !== "user-metadata") this.notExpressible("user profile", `attribute group ${name}`);
    if (!custom.length) return undefined;
    const attributes = custom.map(([name, attribute]) => {
      const object = `user profile attribute ${name}`;
      this.count("user profile attributes");
      const permissions = (attribute.permissions as { edit?: string[]; view?: string[] } | undefined) ?? {};
      for (const key of Object.keys(attribute)) if (!["position", "displayName", "permissions", "multivalued", "annotations", "validations", "group"].includes(key)) this.notExpressible(object, `${key}=${shown(key, attribute[key])}`);
      if (attribute.multivalued === true) this.notExpressible(object, "multivalued=true");
      if (attribute.annotations && Object.keys(attribute.annotations).length) this.notExpressible(object, `annotations=${shown("annotations", attribute.annotations)}`);
      if (attribute.validations && Object.keys(attribute.validations).length) this.notExpressible(object, `validations=${shown("validations", attribute.validations)}`);
      const displayName = str(attribute.displayName);
      return defined({ name, displayName: displayName && displayName !== name ? displayName : undefined, userEditable: permissions.edit?.includes("user") ? true : undefined });
    });
    return { attributes };
  }

  // Identity providers ----------------------------------------------------------------------

  private identityProviders(): SpecObject[] {
    return Object.entries(this.snap.identityProviders).flatMap(([alias, idp]) => {
      const object = `identity provider ${alias}`;
      const type = idp.providerId as string;
      if (!["github", "google", "oidc", "saml"].includes(type)) {
        this.notExpressible(object, `provider type ${type} (the whole provider and its mappers)`);
        return [];
      }
      this.count("identity providers");
      const config = (idp.config as { [key: string]: string } | undefined) ?? {};
      const used: string[] = ["syncMode", "clientSecret", "clientId", "defaultScope", "hostedDomain", "authorizationUrl", "tokenUrl", "userInfoUrl", "jwksUrl", "logoutUrl", "issuer", "validateSignature", "useJwksUrl", "entityId", "singleSignOnServiceUrl", "singleLogoutServiceUrl", "nameIDPolicyFormat"];
      for (const [key, value] of Object.entries(config)) if (!used.includes(key) && !IDP_CONFIG_DEFAULTS[key]?.split("|").includes(value) && value !== "") this.notExpressible(object, `config ${key}=${shown(key, value)}`);
      for (const [field, value] of Object.entries(idp)) {
        // types: what Keycloak 26.7 says the provider can do, derived from its kind.
        if (["providerId", "displayName", "enabled", "trustEmail", "firstBrokerLoginFlowAlias", "config", "mappers", "types"].includes(field)) continue;
        if (IDP_FIELD_DEFAULTS[field] !== undefined && same(IDP_FIELD_DEFAULTS[field], value)) continue;
        if (value === null || value === "") continue;
        this.notExpressible(object, `${field}=${shown(field, value)}`);
      }
      // The scopes the provider sends when a spec names none (the Pulumi provider's default): not written.
      const providerScopes = type === "google" ? "openid profile email" : "openid";
      const defaultScopes = str(config.defaultScope) !== providerScopes ? str(config.defaultScope) : undefined;
      const oauth = type !== "saml" ? { clientId: config.clientId, clientSecret: this.secret(configKey(alias, "Secret"), `the client secret of identity provider ${alias}`), defaultScopes } : {};
      const specific: SpecObject =
        type === "google"
          ? { hostedDomain: str(config.hostedDomain) }
          : type === "oidc"
            ? { authorizationUrl: config.authorizationUrl, tokenUrl: config.tokenUrl, userInfoUrl: str(config.userInfoUrl), jwksUrl: str(config.jwksUrl), logoutUrl: str(config.logoutUrl), issuer: str(config.issuer) }
            : type === "saml"
              ? { entityId: config.entityId, singleSignOnServiceUrl: config.singleSignOnServiceUrl, singleLogoutServiceUrl: str(config.singleLogoutServiceUrl), nameIdPolicyFormat: nameIdFormat(config.nameIDPolicyFormat) }
              : {};
      if (type === "github") for (const key of ["authorizationUrl", "tokenUrl"]) if (str(config[key]) && !config[key].startsWith("https://github.com/")) this.notExpressible(object, `config ${key}=${shown(key, config[key])}`);
      const mappers = Object.entries(idp.mappers).flatMap(([name, mapper]) => this.idpMapper(`${object} mapper ${name}`, name, mapper));
      this.count("identity provider mappers", mappers.length);
      return [
        defined({
          alias,
          type,
          displayName: str(idp.displayName),
          enabled: idp.enabled === false ? false : undefined,
          syncMode: config.syncMode && config.syncMode !== "IMPORT" ? config.syncMode : undefined,
          trustEmail: idp.trustEmail === true ? true : undefined,
          firstBrokerLoginFlow: str(idp.firstBrokerLoginFlowAlias) !== "first broker login" ? str(idp.firstBrokerLoginFlowAlias) : undefined,
          ...defined(oauth),
          ...defined(specific),
          mappers: mappers.length ? mappers : undefined,
        }),
      ];
    });
  }

  private idpMapper(object: string, name: string, mapper: Fields): SpecObject[] {
    const config = (mapper.config as { [key: string]: string } | undefined) ?? {};
    const type = mapper.identityProviderMapper as string;
    const written = idpMapperSpec(type, config);
    if (!written) {
      this.notExpressible(object, `mapper type ${type}${type.includes("advanced-group") ? " with several claims or regular expressions" : ""}`);
      return [];
    }
    const [spec, used] = written;
    for (const [key, value] of Object.entries(config)) if (!used.includes(key) && !(key === "syncMode" && value === "INHERIT") && value !== "") this.notExpressible(object, `config ${key}=${shown(key, value)}`);
    return [{ name, ...spec }];
  }

  // User federation -------------------------------------------------------------------------

  private userFederation(): SpecObject[] {
    return Object.entries(this.snap.userFederation).flatMap(([name, component]) => {
      const object = `user federation ${name}`;
      if (component.providerId !== "ldap") {
        this.notExpressible(object, `provider ${component.providerId} (the whole provider)`);
        return [];
      }
      this.count("user federation providers");
      return [this.ldap(object, name, component)];
    });
  }

  private ldap(object: string, name: string, c: ComponentSnapshot): SpecObject {
    const one = (key: string) => {
      const value = c.config[key];
      return Array.isArray(value) ? (value[0] as string | undefined) : (value as string | undefined);
    };
    const vendor = (one("vendor") ?? "other").toLowerCase();
    const ad = vendor === "ad";
    const defaults = { usernameAttribute: ad ? "sAMAccountName" : "uid", rdnAttribute: ad ? "cn" : "uid", uuidAttribute: ad ? "objectGUID" : "entryUUID", userObjectClasses: ad ? ["person", "organizationalPerson", "user"] : ["inetOrgPerson", "organizationalPerson"] };
    const classes = (one("userObjectClasses") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const period = (key: string) => {
      const value = Number(one(key) ?? "-1");
      return value > 0 ? duration(value) : undefined;
    };
    const written = [
      "enabled", "vendor", "connectionUrl", "bindDn", "bindCredential", "usersDn", "editMode", "usernameLDAPAttribute", "rdnLDAPAttribute", "uuidLDAPAttribute",
      "userObjectClasses", "searchScope", "importEnabled", "fullSyncPeriod", "changedSyncPeriod", "lastSync",
    ];
    // Config as a new provider has it, whoever made it (console, provider): not a decision to report.
    const benign: { [key: string]: string[] } = {
      priority: ["0"], cachePolicy: ["DEFAULT"], authType: ["simple"], batchSizeForSync: ["1000"], syncRegistrations: ["false", "true"], pagination: ["true", "false"],
      connectionPooling: ["true"], useTruststoreSpi: ["always", "ldapsOnly"], trustEmail: ["false"], validatePasswordPolicy: ["false"], useKerberosForPasswordAuthentication: ["false"],
      allowKerberosAuthentication: ["false"], startTls: ["false"], usePasswordModifyExtendedOp: ["false"], debug: ["false"], removeInvalidUsersEnabled: ["true"],
      krbPrincipalAttribute: [""], connectionTimeout: [""], readTimeout: [""], customUserSearchFilter: [""], referral: [""], connectionTrace: ["false"],
      enableLdapPasswordPolicy: ["false"],
    };
    for (const [key, values] of Object.entries(c.config)) {
      const value = Array.isArray(values) ? (values as string[]).join(",") : String(values);
      if (written.includes(key) || benign[key]?.includes(value) || value === "") continue;
      this.notExpressible(object, `config ${key}=${shown(key, value)}`);
    }
    let groupMapper: SpecObject | undefined;
    for (const [mapperName, mapper] of Object.entries(c.mappers)) {
      if (mapper.providerId === "group-ldap-mapper" && !groupMapper) {
        groupMapper = this.ldapGroupMapper(`${object} mapper ${mapperName}`, mapper);
        continue;
      }
      if (isDefaultLdapMapper(mapperName, mapper)) continue;
      this.notExpressible(`${object} mapper ${mapperName}`, `mapper ${mapper.providerId} ${shown("config", mapper.config)}`);
    }
    return defined({
      name,
      enabled: one("enabled") === "false" ? false : undefined,
      vendor: vendor !== "other" ? vendor : undefined,
      connectionUrl: one("connectionUrl"),
      bindDn: one("bindDn"),
      bindCredential: this.secret(configKey(name, "BindCredential"), `the bind credential of LDAP federation ${name}`),
      usersDn: one("usersDn"),
      editMode: one("editMode") && one("editMode") !== "READ_ONLY" ? one("editMode") : undefined,
      usernameAttribute: one("usernameLDAPAttribute") !== defaults.usernameAttribute ? one("usernameLDAPAttribute") : undefined,
      rdnAttribute: one("rdnLDAPAttribute") !== defaults.rdnAttribute ? one("rdnLDAPAttribute") : undefined,
      uuidAttribute: one("uuidLDAPAttribute") !== defaults.uuidAttribute ? one("uuidLDAPAttribute") : undefined,
      userObjectClasses: classes.length && !same(classes, defaults.userObjectClasses) ? classes : undefined,
      searchScope: one("searchScope") === "2" ? "SUBTREE" : undefined,
      importUsers: one("importEnabled") === "false" ? false : undefined,
      fullSyncPeriod: period("fullSyncPeriod"),
      changedSyncPeriod: period("changedSyncPeriod"),
      groupMapper,
    });
  }

  private ldapGroupMapper(object: string, mapper: ComponentSnapshot): SpecObject {
    const one = (key: string) => {
      const value = mapper.config[key];
      return Array.isArray(value) ? (value[0] as string | undefined) : (value as string | undefined);
    };
    const used = ["groups.dn", "group.name.ldap.attribute", "group.object.classes", "membership.ldap.attribute", "membership.attribute.type", "mode", "membership.user.ldap.attribute"];
    const benign: { [key: string]: string } = {
      "preserve.group.inheritance": "true", "ignore.missing.groups": "false", "user.roles.retrieve.strategy": "LOAD_GROUPS_BY_MEMBER_ATTRIBUTE",
      "memberof.ldap.attribute": "memberOf", "drop.non.existing.groups.during.sync": "false", "groups.path": "/", "groups.ldap.filter": "",
    };
    for (const [key, values] of Object.entries(mapper.config)) {
      const value = Array.isArray(values) ? (values as string[]).join(",") : String(values);
      if (used.includes(key) || benign[key] === value || value === "") continue;
      this.notExpressible(object, `config ${key}=${shown(key, value)}`);
    }
    const classes = (one("group.object.classes") ?? "groupOfNames").split(",").map((s) => s.trim()).filter(Boolean);
    return defined({
      groupsDn: one("groups.dn"),
      nameAttribute: one("group.name.ldap.attribute") !== "cn" ? one("group.name.ldap.attribute") : undefined,
      objectClasses: same(classes, ["groupOfNames"]) ? undefined : classes,
      membershipAttribute: one("membership.ldap.attribute") !== "member" ? one("membership.ldap.attribute") : undefined,
      membershipAttributeType: one("membership.attribute.type") === "UID" ? "UID" : undefined,
      mode: one("mode") && one("mode") !== "READ_ONLY" ? one("mode") : undefined,
    });
  }

  // Authentication --------------------------------------------------------------------------

  /** The product's own OTP browser flow, when it is the bound browser flow. */
  private otpRequirement(): OtpRequirement | undefined {
    const { snap } = this;
    if (snap.flowBindings.browserFlow !== OTP_FLOW || !snap.authenticationFlows[OTP_FLOW]) return undefined;
    const forms = snap.authenticationFlows[`${OTP_FLOW} forms`];
    if (!forms) return undefined;
    if (forms.executions["auth-otp-form"]?.requirement === "REQUIRED") return { everyone: true };
    const conditional = snap.authenticationFlows[`${OTP_FLOW} conditional`];
    if (!conditional?.executions["conditional-user-role"]) return undefined;
    const groups = Object.entries(snap.groups)
      .filter(([, group]) => group.realmRoleMappings.includes(OTP_ROLE))
      .map(([path]) => path);
    return groups.length ? { groups } : undefined;
  }

  private authentication(otp: OtpRequirement | undefined): SpecObject | undefined {
    const policy = this.snap.otpPolicy;
    const keycloakDefault = { type: "totp", algorithm: "HmacSHA1", digits: 6, period: 30, lookAhead: 1 };
    const written = { type: policy.type ?? "totp", algorithm: policy.algorithm ?? "HmacSHA1", digits: num(policy.digits) ?? 6, period: num(policy.period) ?? 30, lookAhead: num(policy.lookAheadWindow) ?? 1 };
    for (const [key, value] of Object.entries(policy))
      if (!["type", "algorithm", "digits", "period", "lookAheadWindow", "supportedApplications", "initialCounter", "codeReusable"].includes(key)) this.notExpressible("OTP policy", `${key}=${shown(key, value)}`);
    if (policy.codeReusable === true) this.notExpressible("OTP policy", "codeReusable=true");
    if (num(policy.initialCounter) && num(policy.initialCounter) !== 0 && written.type === "hotp") this.notExpressible("OTP policy", `initialCounter=${policy.initialCounter}`);
    const otpPolicy = same(written, keycloakDefault) ? undefined : written;
    const requiredActions = this.requiredActions();
    const auth = defined({ otp: otpPolicy, requireOtp: otp, requiredActions: requiredActions.length ? requiredActions : undefined });
    return Object.keys(auth).length ? auth : undefined;
  }

  private requiredActions(): SpecObject[] {
    const actions: SpecObject[] = [];
    for (const [alias, action] of Object.entries(this.snap.requiredActions)) {
      const keycloakDefault = REQUIRED_ACTION_DEFAULTS[alias];
      const enabled = action.enabled !== false;
      const isDefault = action.defaultAction === true;
      if (keycloakDefault && keycloakDefault.enabled === enabled && !isDefault) continue;
      if (EXPRESSIBLE_ACTIONS.includes(alias)) {
        actions.push(defined({ alias, enabled: enabled ? undefined : false, default: isDefault ? true : undefined }));
        this.count("required actions");
      } else this.notExpressible(`required action ${alias}`, `enabled=${enabled}, default=${isDefault}`);
    }
    return actions;
  }

  /** Flows and bindings beyond the product's OTP flow cannot be written as a spec. */
  private flows(otp: OtpRequirement | undefined): void {
    const { snap } = this;
    const own = otp ? new Set([OTP_FLOW, `${OTP_FLOW} forms`, `${OTP_FLOW} conditional`]) : new Set<string>();
    const topLevel = Object.entries(snap.authenticationFlows).filter(([, flow]) => flow.topLevel === true);
    for (const [alias, flow] of topLevel) {
      if (BUILT_IN_FLOWS.has(alias) || own.has(alias)) continue;
      const steps = Object.values(flow.executions).map((e) => `${(e.subflow as string | undefined) ?? (e.authenticator as string | undefined)} ${e.requirement}`);
      this.notExpressible(`authentication flow ${alias}`, `the flow (${steps.join(", ")})`);
    }
    for (const [binding, alias] of Object.entries(snap.flowBindings)) {
      if (alias === null || alias === undefined) continue;
      if (binding === "browserFlow" && otp) continue;
      if (DEFAULT_BINDINGS[binding] !== alias) this.notExpressible("realm", `${binding}=${shown(binding, alias)}`);
    }
  }

  /** Sections the spec has no place for at all. */
  private leftovers(): void {
    const { snap } = this;
    for (const [locale, texts] of Object.entries(snap.localization)) if (Object.keys(texts).length) this.notExpressible("localization", `${Object.keys(texts).length} message override(s) for locale ${locale}`);
  }
}

type OtpRequirement = { everyone: true } | { groups: string[] };

const DEFAULT_BINDINGS: { [binding: string]: string } = {
  browserFlow: "browser", registrationFlow: "registration", directGrantFlow: "direct grant", resetCredentialsFlow: "reset credentials",
  clientAuthenticationFlow: "clients", dockerAuthenticationFlow: "docker auth", firstBrokerLoginFlow: "first broker login",
};

const EXPRESSIBLE_ACTIONS = ["CONFIGURE_TOTP", "UPDATE_PASSWORD", "VERIFY_EMAIL", "UPDATE_PROFILE", "TERMS_AND_CONDITIONS"];
/** Required actions as a new realm has them (none is a default action). */
const REQUIRED_ACTION_DEFAULTS: { [alias: string]: { enabled: boolean } } = {
  CONFIGURE_TOTP: { enabled: true }, TERMS_AND_CONDITIONS: { enabled: false }, UPDATE_PASSWORD: { enabled: true }, UPDATE_PROFILE: { enabled: true },
  VERIFY_EMAIL: { enabled: true }, delete_account: { enabled: false }, "webauthn-register": { enabled: true }, "webauthn-register-passwordless": { enabled: true },
  VERIFY_PROFILE: { enabled: true }, delete_credential: { enabled: true }, update_user_locale: { enabled: true }, CONFIGURE_RECOVERY_AUTHN_CODES: { enabled: true },
  UPDATE_EMAIL: { enabled: false },
  idp_link: { enabled: true },
};

/** Protocol mapper config as Keycloak and the provider set it when nobody chose otherwise. */
const MAPPER_CONFIG_DEFAULTS: { [key: string]: string } = {
  "access.token.claim": "true", "id.token.claim": "true", "userinfo.token.claim": "true", "introspection.token.claim": "true", "lightweight.claim": "false",
  "jsonType.label": "String", multivalued: "true", "aggregate.attrs": "false", "usermodel.clientRoleMapping.rolePrefix": "", "usermodel.realmRoleMapping.rolePrefix": "",
};

/** A protocol mapper in the spec's terms and the config keys that say it; undefined when the spec has no such type. */
function mapperSpec(type: string, config: { [key: string]: string }): [SpecObject, string[]] | undefined {
  switch (type) {
    case "oidc-group-membership-mapper":
      return [{ type: "groups", claim: config["claim.name"], ...(config["full.path"] === "true" ? { fullPath: true } : {}) }, ["claim.name", "full.path"]];
    case "oidc-audience-mapper":
      if (!config["included.client.audience"]) return undefined;
      return [{ type: "audience", client: config["included.client.audience"] }, ["included.client.audience", "included.custom.audience"]];
    case "oidc-usermodel-realm-role-mapper":
      return [{ type: "realmRoles", claim: config["claim.name"] }, ["claim.name"]];
    case "oidc-usermodel-client-role-mapper":
      return [defined({ type: "clientRoles", client: str(config["usermodel.clientRoleMapping.clientId"]), claim: config["claim.name"] }), ["claim.name", "usermodel.clientRoleMapping.clientId"]];
    case "oidc-usermodel-attribute-mapper":
      return [{ type: "userAttribute", attribute: config["user.attribute"], claim: config["claim.name"] }, ["user.attribute", "claim.name"]];
    default:
      return undefined;
  }
}

/** An identity provider mapper in the spec's terms and the config keys that say it. */
function idpMapperSpec(type: string, config: { [key: string]: string }): [SpecObject, string[]] | undefined {
  switch (type) {
    case "oidc-user-attribute-idp-mapper":
      return [{ type: "attribute", claim: config.claim, userAttribute: config["user.attribute"] }, ["claim", "user.attribute"]];
    case "saml-user-attribute-idp-mapper":
      return [{ type: "attribute", claim: config["attribute.name"], userAttribute: config["user.attribute"] }, ["attribute.name", "user.attribute"]];
    case "oidc-role-idp-mapper":
      return [{ type: "claimToRole", claim: config.claim, value: config["claim.value"], role: config.role }, ["claim", "claim.value", "role"]];
    case "saml-role-idp-mapper":
      return [{ type: "claimToRole", claim: config["attribute.name"], value: config["attribute.value"], role: config.role }, ["attribute.name", "attribute.value", "role"]];
    case "oidc-hardcoded-group-idp-mapper":
      return [{ type: "hardcodedGroup", group: config.group }, ["group"]];
    case "oidc-advanced-group-idp-mapper":
    case "saml-advanced-group-idp-mapper": {
      let claims: { key?: string; value?: string }[] = [];
      try {
        claims = JSON.parse(config.claims ?? config.attributes ?? "[]");
      } catch {
        return undefined;
      }
      if (claims.length !== 1 || config["are.claim.values.regex"] === "true" || config["are.attribute.values.regex"] === "true") return undefined;
      return [{ type: "claimToGroup", claim: claims[0].key, value: claims[0].value, group: config.group }, ["claims", "attributes", "group", "are.claim.values.regex", "are.attribute.values.regex"]];
    }
    default:
      return undefined;
  }
}

const NAME_ID_FORMATS: { [urn: string]: string } = {
  "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "Persistent",
  "urn:oasis:names:tc:SAML:2.0:nameid-format:transient": "Transient",
  "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress": "Email",
  "urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos": "Kerberos",
  "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName": "X.509 Subject Name",
  "urn:oasis:names:tc:SAML:1.1:nameid-format:WindowsDomainQualifiedName": "Windows Domain Qualified Name",
  "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified": "Unspecified",
};

function nameIdFormat(urn: string | undefined): string | undefined {
  const format = urn ? NAME_ID_FORMATS[urn] : undefined;
  return format === "Persistent" ? undefined : format;
}

/** Identity provider fields as a new provider has them. */
const IDP_FIELD_DEFAULTS: Fields = {
  storeToken: false, addReadTokenRoleOnCreate: false, authenticateByDefault: false, linkOnly: false, hideOnLogin: false, updateProfileFirstLoginMode: "on",
  postBrokerLoginFlowAlias: "", organizationId: null, types: [],
};

/** Identity provider config that nobody chose (Keycloak's and the provider's defaults; "a|b": either). */
const IDP_CONFIG_DEFAULTS: { [key: string]: string } = {
  hideOnLoginPage: "false", acceptsPromptNoneForwardFromClient: "false", disableUserInfo: "false", filteredByClaim: "false", backchannelSupported: "false|true",
  loginHint: "false", uiLocales: "false", offlineAccess: "false", userIp: "false", clientAuthMethod: "client_secret_post", guiOrder: "", pkceEnabled: "false", caseSensitiveOriginalUsername: "false",
  isAccessTokenJWT: "false", sendClientIdOnLogout: "false", sendIdTokenOnLogout: "true", disableNonce: "false", disableTypeClaimCheck: "false",
  postBindingResponse: "false", postBindingAuthnRequest: "false", postBindingLogout: "false", wantAuthnRequestsSigned: "false", wantAssertionsSigned: "false",
  wantAssertionsEncrypted: "false", forceAuthn: "false", validateSignature: "false", principalType: "SUBJECT", signatureAlgorithm: "RSA_SHA256",
  xmlSigKeyInfoKeyNameTransformer: "KEY_ID", allowCreate: "true", authnContextComparisonType: "exact", signSpMetadata: "false", loginHint_: "false",
  allowedClockSkew: "0", attributeConsumingServiceIndex: "0", useJwksUrl: "true", "prompt": "", acceptsPromptNoneForwardFromClient_: "false",
  metadataDescriptorUrl: "", encryptionAlgorithm: "", idpEntityId: "", sendClientId: "false", syncMode: "IMPORT", authnContextClassRefs: "", authnContextDeclRefs: "",
};

/** Client attributes as Keycloak and the provider set them on a client nobody tuned. */
function isDefaultClientAttribute(name: string, value: Json, c: ClientSnapshot): boolean {
  const benign: { [key: string]: string[] } = {
    "backchannel.logout.session.required": ["true"], "backchannel.logout.revoke.offline.tokens": ["false"], "oauth2.device.authorization.grant.enabled": ["false"],
    "oidc.ciba.grant.enabled": ["false"], "display.on.consent.screen": ["false"], "exclude.session.state.from.auth.response": ["false"],
    "use.refresh.tokens": ["true"], "client_credentials.use_refresh_token": ["false"], "token.response.type.bearer.lower-case": ["false"],
    "require.pushed.authorization.requests": ["false"], "tls.client.certificate.bound.access.tokens": ["false"], "acr.loa.map": ["{}"],
    "frontchannel.logout.session.required": ["true"], "post.logout.redirect.uris": ["+"], "exclude.issuer.from.auth.response": ["false"],
    "use.jwks.url": ["false", "true"], "login_theme": [""], "consent.screen.text": [""], "client.introspection.response.allow.jwt.claim.enabled": ["false"],
    "standard.token.exchange.enabled": ["false"], "dpop.bound.access.tokens": ["false"], "client.use.lightweight.access.token.enabled": ["false"],
    "realm_client": ["false"], "saml.assertion.signature": ["false"], "saml.force.post.binding": ["true"], "saml.encrypt": ["false"], "saml.server.signature": ["true"],
    "saml.server.signature.keyinfo.ext": ["false"], "saml.signature.algorithm": ["RSA_SHA256"], "saml.client.signature": ["true", "false"], "saml.authnstatement": ["true"],
    "saml.force.name.id.format": ["false"], "saml_force_name_id_format": ["false"], "saml.onetimeuse.condition": ["false"], "saml_name_id_format": ["username"],
    "saml_signature_canonicalization_method": ["http://www.w3.org/2001/10/xml-exc-c14n#"], "saml.server.signature.keyinfo.xmlSigKeyInfoKeyNameTransformer": ["KEY_ID"],
    "saml.artifact.binding": ["false"], "saml.allow.ecp.flow": ["false"], "saml.encryption.certificate": [], "saml_idp_initiated_sso_url_name": [""],
    "saml.artifact.binding.identifier": [], "oauth2.device.polling.interval": [], "standard.token.exchange.enableRefreshRequestedTokenType": [],
  };
  if (name === "pkce.code.challenge.method") return c.publicClient === true && value === "S256";
  if (name in benign) return benign[name].length === 0 || benign[name].includes(String(value));
  return false;
}

/** The user-attribute and date mappers Keycloak creates with every LDAP provider. */
function isDefaultLdapMapper(name: string, mapper: ComponentSnapshot): boolean {
  const defaults = ["username", "first name", "last name", "email", "creation date", "modify date", "Kerberos principal attribute mapper", "MSAD account controls", "MSAD lds account controls"];
  return defaults.includes(name) && ["user-attribute-ldap-mapper", "full-name-ldap-mapper", "msad-user-account-control-mapper", "msad-lds-user-account-control-mapper", "kerberos-principal-attribute-mapper"].includes(mapper.providerId);
}
