// The import writer: a realm snapshot as a realm spec that the project's own schema accepts,
// only what differs from a new realm's defaults, secrets as {config: key} references, and a
// report that names every object the spec format cannot hold, without any secret in it.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { RealmSpec } from "../../src/config/spec/realm";
import { configKey, duration, specFromSnapshot } from "../../src/ops/import-spec";
import { type ClientSnapshot, type RealmSnapshot, secretDigest, UNDISCLOSED } from "../../src/ops/realm-snapshot";

const refs = (realm: string[] = [], clients: Record<string, string[]> = {}) => ({ realm, clients });
const CLIENT_SECRET = "the-live-client-secret";

function client(fields: Partial<ClientSnapshot> = {}): ClientSnapshot {
  return {
    protocol: "openid-connect",
    publicClient: false,
    standardFlowEnabled: true,
    redirectUris: ["https://app.example.com/*"],
    defaultClientScopes: ["basic", "profile"],
    optionalClientScopes: ["offline_access"],
    attributes: {},
    protocolMappers: {},
    roles: {},
    scopeMappings: refs(),
    ...fields,
  };
}

function snapshot(changes: Partial<RealmSnapshot> = {}): RealmSnapshot {
  return {
    realm: "legacy",
    settings: { displayName: "Legacy", enabled: true, registrationAllowed: true, loginWithEmailAllowed: true, sslRequired: "external", accessTokenLifespan: 600, offlineSessionIdleTimeout: 2592000, eventsListeners: ["jboss-logging"] },
    smtp: { host: "smtp.example.com", port: "465", from: "kc@example.com", ssl: "true", starttls: "false", auth: "true", user: "mailer", password: UNDISCLOSED },
    otpPolicy: { type: "totp", algorithm: "HmacSHA1", digits: 6, period: 30, lookAheadWindow: 1, supportedApplications: [] },
    flowBindings: { browserFlow: "browser", directGrantFlow: "direct grant" },
    defaultRoles: refs(["offline_access", "uma_authorization"], { account: ["manage-account", "view-profile"] }),
    defaultGroups: ["/staff"],
    defaultClientScopes: { default: ["basic", "profile"], optional: ["offline_access"] },
    roles: {
      offline_access: { description: null, attributes: {}, composites: refs() },
      reader: { description: null, attributes: {}, composites: refs() },
      editor: { description: "Edits", attributes: { tier: ["gold"] }, composites: refs(["reader"]) },
    },
    clients: {
      account: client(),
      portal: client({
        secret: secretDigest(CLIENT_SECRET),
        serviceAccountsEnabled: true,
        serviceAccountRoles: refs(["default-roles-legacy", "reader"]),
        roles: { admin: { description: null, attributes: {}, composites: refs() } },
        protocolMappers: {
          groups: { protocol: "openid-connect", protocolMapper: "oidc-group-membership-mapper", config: { "claim.name": "groups", "full.path": "true", "access.token.claim": "true" } },
          script: { protocol: "openid-connect", protocolMapper: "oidc-script-based-protocol-mapper", config: { script: "x" } },
        },
        attributes: { "pkce.code.challenge.method": "plain", "backchannel.logout.session.required": "true" },
        consentRequired: true,
      }),
      spa: client({ publicClient: true, attributes: { "pkce.code.challenge.method": "S256" }, defaultClientScopes: ["basic"] }),
    },
    clientScopes: { basic: { protocol: "openid-connect", protocolMappers: {}, scopeMappings: refs() } },
    groups: {
      "/staff": { attributes: { site: ["lab"] }, realmRoleMappings: ["reader"], clientRoleMappings: {} },
      "/staff/editors": { attributes: {}, realmRoleMappings: ["editor"], clientRoleMappings: { portal: ["admin"] } },
    },
    identityProviders: {
      corp: {
        providerId: "oidc",
        enabled: true,
        trustEmail: true,
        firstBrokerLoginFlowAlias: "first broker login",
        config: { clientId: "kc", clientSecret: UNDISCLOSED, authorizationUrl: "https://sso.example.com/auth", tokenUrl: "https://sso.example.com/token", syncMode: "FORCE", pkceEnabled: "true" },
        mappers: {
          dept: { identityProviderMapper: "oidc-advanced-group-idp-mapper", config: { claims: '[{"key":"dept","value":"staff"}]', group: "/staff", syncMode: "INHERIT" } },
          js: { identityProviderMapper: "oidc-username-idp-mapper", config: { template: "${CLAIM.email}" } },
        },
      },
      kerb: { providerId: "keycloak-oidc", enabled: true, config: {}, mappers: {} },
    },
    userFederation: {
      directory: {
        providerId: "ldap",
        subType: null,
        config: {
          vendor: ["other"], connectionUrl: ["ldap://127.0.0.1:389"], bindDn: ["cn=admin,dc=example,dc=org"], bindCredential: [UNDISCLOSED], usersDn: ["ou=people,dc=example,dc=org"],
          editMode: ["WRITABLE"], usernameLDAPAttribute: ["uid"], rdnLDAPAttribute: ["uid"], uuidLDAPAttribute: ["entryUUID"], userObjectClasses: ["inetOrgPerson, organizationalPerson"],
          searchScope: ["2"], importEnabled: ["true"], fullSyncPeriod: ["86400"], changedSyncPeriod: ["-1"], customUserSearchFilter: ["(mail=*)"], enabled: ["true"],
        },
        mappers: {
          email: { providerId: "user-attribute-ldap-mapper", subType: null, config: {}, mappers: {} },
          groups: { providerId: "group-ldap-mapper", subType: null, config: { "groups.dn": ["ou=groups,dc=example,dc=org"], mode: ["READ_ONLY"], "membership.ldap.attribute": ["member"] }, mappers: {} },
          "employee number": { providerId: "user-attribute-ldap-mapper", subType: null, config: { "ldap.attribute": ["employeeNumber"] }, mappers: {} },
        },
      },
    },
    components: {},
    authenticationFlows: {
      browser: { topLevel: true, builtIn: true, executions: {} },
      "browser with webauthn": { topLevel: true, builtIn: false, executions: { "auth-cookie": { position: 0, authenticator: "auth-cookie", requirement: "ALTERNATIVE" } } },
    },
    requiredActions: {
      CONFIGURE_TOTP: { enabled: true, defaultAction: true },
      UPDATE_PASSWORD: { enabled: true, defaultAction: false },
      delete_account: { enabled: true, defaultAction: false },
    },
    userProfile: {
      unmanagedAttributePolicy: null,
      attributes: { username: { position: 0 }, department: { position: 4, displayName: "Department", permissions: { view: ["admin", "user"], edit: ["admin", "user"] } } },
      groups: { "user-metadata": { position: 0 } },
    },
    localization: { de: { welcome: "Willkommen" } },
    ...changes,
  };
}

describe("the spec written from a snapshot", () => {
  const result = specFromSnapshot(snapshot());
  const spec = result.spec as Record<string, any>;

  it("passes the project's schema and adopts the realm", () => {
    const parsed = RealmSpec.safeParse(spec);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(spec.existing).toBe(true);
  });

  it("writes settings that differ from a new realm's only", () => {
    expect(spec).toMatchObject({ realm: "legacy", displayName: "Legacy", login: { userRegistration: true }, tokens: { accessTokenLifespan: "10m" } });
    expect(spec.tokens.offlineSessionIdleTimeout).toBeUndefined();
    expect(spec.sslRequired).toBeUndefined();
    expect(spec.defaultRoles).toBeUndefined();
    expect(spec.smtp).toEqual({ host: "smtp.example.com", port: 465, from: "kc@example.com", ssl: true, starttls: false, auth: { username: "mailer", password: { config: "smtpPassword" } } });
  });

  it("writes clients with their roles, mappers, scopes and service account roles, and leaves out built-in clients", () => {
    expect(spec.clients.map((c: { clientId: string }) => c.clientId)).toEqual(["portal", "spa"]);
    const [portal, spa] = spec.clients;
    expect(portal).toMatchObject({ secret: { config: "portalSecret" }, serviceAccount: true, serviceAccountRoles: { realm: ["reader"] }, roles: ["admin"], mappers: [{ name: "groups", type: "groups", claim: "groups", fullPath: true }] });
    expect(portal.defaultScopes).toBeUndefined();
    expect(spa).toMatchObject({ access: "public", defaultScopes: ["basic"] });
    expect(spa.secret).toBeUndefined();
  });

  it("writes realm roles with composites, groups as a tree with attributes and roles, default groups", () => {
    expect(spec.roles).toEqual(["reader", { name: "editor", description: "Edits", composites: { realm: ["reader"] } }]);
    expect(spec.groups).toEqual([{ name: "staff", attributes: { site: "lab" }, roles: { realm: ["reader"] }, subGroups: [{ name: "editors", roles: { realm: ["editor"], clients: { portal: ["admin"] } } }] }]);
    expect(spec.defaultGroups).toEqual(["/staff"]);
  });

  it("writes identity providers and LDAP federation with their expressible mappers", () => {
    expect(spec.identityProviders).toEqual([
      { alias: "corp", type: "oidc", syncMode: "FORCE", trustEmail: true, clientId: "kc", clientSecret: { config: "corpSecret" }, authorizationUrl: "https://sso.example.com/auth", tokenUrl: "https://sso.example.com/token", mappers: [{ name: "dept", type: "claimToGroup", claim: "dept", value: "staff", group: "/staff" }] },
    ]);
    expect(spec.userFederation).toEqual([
      { name: "directory", connectionUrl: "ldap://127.0.0.1:389", bindDn: "cn=admin,dc=example,dc=org", bindCredential: { config: "directoryBindCredential" }, usersDn: "ou=people,dc=example,dc=org", editMode: "WRITABLE", searchScope: "SUBTREE", fullSyncPeriod: "1d", groupMapper: { groupsDn: "ou=groups,dc=example,dc=org" } },
    ]);
  });

  it("writes the OTP default action and the user profile's own attributes", () => {
    expect(spec.authentication).toEqual({ requiredActions: [{ alias: "CONFIGURE_TOTP", default: true }] });
    expect(spec.userProfile).toEqual({ attributes: [{ name: "department", displayName: "Department", userEditable: true }] });
  });

  it("lists every secret it names, and the report names every object it could not write", () => {
    expect(result.secrets.map((s) => s.key)).toEqual(["smtpPassword", "portalSecret", "corpSecret", "directoryBindCredential"]);
    expect(result.report).toEqual(
      expect.arrayContaining([
        "client portal: consentRequired=true not expressible",
        "client portal: attribute pkce.code.challenge.method=plain not expressible",
        "client portal mapper script: protocol mapper type oidc-script-based-protocol-mapper not expressible",
        "realm role editor: attribute tier=[\"gold\"] not expressible",
        "identity provider corp: config pkceEnabled=true not expressible",
        "identity provider corp mapper js: mapper type oidc-username-idp-mapper not expressible",
        "identity provider kerb: provider type keycloak-oidc (the whole provider and its mappers) not expressible",
        "user federation directory: config customUserSearchFilter=(mail=*) not expressible",
        "user federation directory mapper employee number: mapper user-attribute-ldap-mapper {\"ldap.attribute\":[\"employeeNumber\"]} not expressible",
        "authentication flow browser with webauthn: the flow (auth-cookie ALTERNATIVE) not expressible",
        "required action delete_account: enabled=true, default=false not expressible",
        "localization: 1 message override(s) for locale de not expressible",
      ]),
    );
    expect(result.counts).toMatchObject({ clients: 2, groups: 2, "realm roles": 2, "identity providers": 1, "user federation providers": 1 });
  });

  it("never writes or reports a secret, nor its digest", () => {
    const text = stringify(spec) + result.report.join("\n");
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(secretDigest(CLIENT_SECRET));
    expect(text).not.toContain("sha256:");
  });

  it("shows no value of a secret-looking config key in the report", () => {
    const leaky = specFromSnapshot(
      snapshot({ identityProviders: { corp: { providerId: "oidc", enabled: true, config: { clientId: "kc", clientSecret: UNDISCLOSED, authorizationUrl: "https://a.example.com/a", tokenUrl: "https://a.example.com/t", "jwt.signing.private.key": "BEGIN-PRIVATE" }, mappers: {} } } }),
    );
    expect(leaky.report.join("\n")).toContain("config jwt.signing.private.key=(value not shown) not expressible");
    expect(leaky.report.join("\n")).not.toContain("BEGIN-PRIVATE");
  });
});

describe("the helpers of the writer", () => {
  it("writes durations in their largest exact unit", () => {
    expect([duration(600), duration(3600), duration(259200), duration(90)]).toEqual(["10m", "1h", "3d", "90s"]);
  });
  it("makes stack config keys of client ids and aliases", () => {
    expect([configKey("my-app", "Secret"), configKey("https://saml.example.com/x", "Secret"), configKey("9lives", "Secret")]).toEqual(["myAppSecret", "httpsSamlExampleComXSecret", "x9livesSecret"]);
  });
});
