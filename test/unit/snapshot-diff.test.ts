// The parity report's lines from two realm snapshots: objects by name, sets as what only one
// side has, order where only the order differs, and secrets never shown.
import { describe, expect, it } from "vitest";
import { type ClientSnapshot, type RealmSnapshot, secretDigest, UNDISCLOSED } from "../../src/ops/realm-snapshot";
import { compareRealm, formatDifference } from "../../src/ops/snapshot-diff";

const refs = (realm: string[] = [], clients: Record<string, string[]> = {}) => ({ realm, clients });

function client(fields: Partial<ClientSnapshot> = {}): ClientSnapshot {
  return { redirectUris: ["https://a.example.com/*"], protocolMappers: {}, roles: {}, scopeMappings: refs(), ...fields };
}

function realm(changes: Partial<RealmSnapshot> = {}): RealmSnapshot {
  return {
    realm: "platform",
    settings: { accessTokenLifespan: 300, supportedLocales: ["de", "en"] },
    smtp: { host: "smtp.example.com", password: UNDISCLOSED },
    otpPolicy: { digits: 6 },
    flowBindings: { browserFlow: "browser" },
    defaultRoles: refs(["offline_access"]),
    defaultGroups: ["/analyst"],
    defaultClientScopes: { default: ["profile"], optional: [] },
    roles: { "otp-required": { description: null, attributes: {}, composites: refs() } },
    clients: { grafana: client({ secret: secretDigest("grafana-secret") }) },
    clientScopes: {},
    groups: { "/admin": { attributes: {}, realmRoleMappings: ["otp-required"], clientRoleMappings: { grafana: ["grafana_admin"] } } },
    identityProviders: {},
    userFederation: {},
    components: {},
    authenticationFlows: {
      browser: {
        executions: { "auth-cookie": { position: 0, requirement: "ALTERNATIVE" }, forms: { position: 1, requirement: "ALTERNATIVE", subflow: "forms" } },
      },
    },
    requiredActions: {},
    userProfile: { unmanagedAttributePolicy: null, attributes: {}, groups: {} },
    localization: {},
    ...changes,
  };
}

const report = (a: RealmSnapshot | undefined, b: RealmSnapshot | undefined) => compareRealm("platform", a, b).map(formatDifference);

describe("compareRealm", () => {
  it("finds nothing in equal snapshots, whatever the order of their keys", () => {
    const a = realm();
    const b = realm({ settings: { supportedLocales: ["de", "en"], accessTokenLifespan: 300 } });
    expect(report(a, b)).toEqual([]);
  });

  it("names objects by name and fields as Keycloak spells them", () => {
    const b = realm({
      settings: { accessTokenLifespan: 600, supportedLocales: ["de", "en"] },
      clients: { grafana: client({ secret: secretDigest("grafana-secret"), redirectUris: ["https://a.example.com/*", "https://b.example.com/*"] }) },
      groups: { "/admin": { attributes: {}, realmRoleMappings: [], clientRoleMappings: { grafana: ["grafana_admin", "grafana_editor"] } } },
    });
    expect(report(realm(), b)).toEqual([
      "realm platform: client grafana: redirectUris: only in B: https://b.example.com/*",
      "realm platform: group /admin: client role mappings: grafana: only in B: grafana_editor",
      "realm platform: group /admin: realm role mappings: only in A: otp-required",
      "realm platform: realm settings: accessTokenLifespan: A 300  B 600",
    ]);
  });

  it("reports an object one side lacks as one difference", () => {
    const b = realm({ clients: {}, roles: {} });
    expect(report(realm(), b)).toEqual(["realm platform: client grafana: only in A", "realm platform: realm role otp-required: only in A"]);
    expect(report(realm(), undefined)).toEqual(["realm platform: only in A"]);
  });

  it("reports a reordered list as an order difference (flow steps run in order)", () => {
    const b = realm({ settings: { accessTokenLifespan: 300, supportedLocales: ["en", "de"] } });
    expect(report(realm(), b)).toEqual(['realm platform: realm settings: supportedLocales: order: A ["de","en"]  B ["en","de"]']);
  });

  it("says that secrets differ without showing them or their digests", () => {
    const b = realm({ clients: { grafana: client({ secret: secretDigest("another-secret") }) }, smtp: { host: "smtp.example.com" } });
    const lines = report(realm(), b);
    expect(lines).toEqual([
      "realm platform: client grafana: secret: differs (secrets are compared by SHA-256 and not shown)",
      "realm platform: smtp: password: A (a secret)  B (none)",
    ]);
    const text = lines.join("\n");
    for (const hidden of ["grafana-secret", "another-secret", secretDigest("grafana-secret").slice(7), secretDigest("another-secret").slice(7)]) expect(text).not.toContain(hidden);
  });

  it("names flow executions by authenticator or subflow", () => {
    const a = realm();
    const b = realm({
      authenticationFlows: { browser: { executions: { "auth-cookie": { position: 0, requirement: "DISABLED" }, forms: { position: 1, requirement: "ALTERNATIVE", subflow: "forms" } } } },
    });
    expect(report(a, b)).toEqual(['realm platform: flow browser: execution auth-cookie: requirement: A "ALTERNATIVE"  B "DISABLED"']);
  });
});
