// The drift report from engine events shaped as a refreshed preview emits them (taken from a
// real run, ids replaced): resources by spec name, fields in code and live, role mappings by
// role name, secrets hidden, the order stable.
import type { EngineEvent, OpType, StepEventMetadata, StepEventStateMetadata } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { driftEntries, formatEntries, PreviewSteps } from "../../src/ops/drift-report";
import type { IdKind, KeycloakNames } from "../../src/ops/keycloak-names";
import { specName, UNKNOWN } from "../../src/ops/spec-names";

const REALM_URN = "urn:pulumi:dev::keycloak-fleet::keycloak-fleet:realm:Realm::platform";
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]" };

const urn = (type: string, name: string) => `urn:pulumi:dev::keycloak-fleet::keycloak-fleet:realm:Realm$${type}::${name}`;

function state(type: string, name: string, inputs: Record<string, unknown>, id = ""): StepEventStateMetadata {
  return { type, urn: urn(type, name), custom: true, id, parent: REALM_URN, inputs, outputs: { ...inputs, id }, provider: "" };
}

const pre = (metadata: Partial<StepEventMetadata> & { op: OpType }): EngineEvent =>
  ({ sequence: 0, timestamp: 0, resourcePreEvent: { metadata: { urn: (metadata.new ?? metadata.old)!.urn, type: (metadata.new ?? metadata.old)!.type, provider: "", ...metadata } } }) as EngineEvent;

const refresh = (old: StepEventStateMetadata) => pre({ op: "refresh", old });

/** Keycloak's objects by id, as the Admin API would answer. */
const ROLE_IDS: Record<string, string> = {
  "11111111-1111-4111-8111-111111111111": "otp-required",
  "22222222-2222-4222-8222-222222222222": "jupyterhub/jupyterhub_admin",
  "33333333-3333-4333-8333-333333333333": "grafana/grafana_admin",
};
const GRAFANA_ID = "44444444-4444-4444-8444-444444444444";
const DELETED_ROLE_ID = "55555555-5555-4555-8555-555555555555";
const GROUP_ID = "66666666-6666-4666-8666-666666666666";

const names: KeycloakNames = {
  async nameOf(kind: IdKind | undefined, realm: string, id: string) {
    expect(realm).toBe("platform");
    if (kind === "role" || kind === undefined) return ROLE_IDS[id];
    if (kind === "client") return id === GRAFANA_ID ? "grafana" : undefined;
    return undefined;
  },
};

async function report(events: EngineEvent[]): Promise<string> {
  const steps = new PreviewSteps();
  events.forEach((event) => steps.record(event));
  return formatEntries(await driftEntries(steps, names)).join("\n");
}

describe("drift report", () => {
  it("names a changed field with its value in code and live", async () => {
    const live = state("keycloak:index/realm:Realm", "platform", { realm: "platform", displayName: "Changed by hand" }, "platform");
    const code = state("keycloak:index/realm:Realm", "platform", { realm: "platform", displayName: "Data Platform" });
    const text = await report([refresh(live), pre({ op: "update", old: live, new: code, diffs: ["displayName"], detailedDiff: { displayName: { diffKind: "update" as never, inputDiff: false } } })]);
    expect(text).toBe('realm platform: changed live\n  displayName: in code "Data Platform", live "Changed by hand"');
  });

  it("shows role mappings by role name, and a computed id as the role the fix recreates", async () => {
    const type = "keycloak:index/groupRoles:GroupRoles";
    const [otp, jupyter, grafana] = Object.keys(ROLE_IDS);
    const roleType = "keycloak:index/role:Role";
    const deletedRole = state(roleType, "platform/grafana/grafana_editor", { realmId: "platform", clientId: GRAFANA_ID, name: "grafana_editor" }, DELETED_ROLE_ID);
    const before = state(type, "platform/admin/roles", { groupId: GROUP_ID, roleIds: [otp, jupyter, grafana, DELETED_ROLE_ID] }, `platform/${GROUP_ID}`);
    const live = state(type, "platform/admin/roles", { groupId: GROUP_ID, roleIds: [jupyter, grafana] }, `platform/${GROUP_ID}`);
    const code = state(type, "platform/admin/roles", { groupId: GROUP_ID, roleIds: [otp, jupyter, grafana, UNKNOWN] });
    const text = await report([
      refresh(deletedRole),
      refresh(before),
      pre({ op: "create", new: { ...deletedRole, id: "" } }),
      pre({ op: "update", old: live, new: code, diffs: ["roleIds"], detailedDiff: { "roleIds[0]": { diffKind: "add" as never, inputDiff: false } } }),
    ]);
    expect(text).toContain("role grafana_editor of client grafana in realm platform: missing live: will be recreated");
    expect(text).toContain(
      "role mappings of group /admin in realm platform: changed live\n" +
        "  roles: in code [otp-required, jupyterhub/jupyterhub_admin, grafana/grafana_admin, grafana/grafana_editor (recreated by the fix)], " +
        "live [jupyterhub/jupyterhub_admin, grafana/grafana_admin] (missing live: otp-required, grafana/grafana_editor (recreated by the fix))",
    );
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it("says a secret differs without its value", async () => {
    const type = "keycloak:openid/client:Client";
    const live = state(type, "platform/grafana", { clientId: "grafana", clientSecret: SECRET }, GRAFANA_ID);
    const text = await report([refresh(live), pre({ op: "update", old: live, new: { ...live, id: "" }, diffs: ["clientSecret"] })]);
    expect(text).toBe("client grafana in realm platform: changed live\n  clientSecret: (secret) differs");
  });

  it("tells an object Keycloak lost from one never deployed, and one only Keycloak still has", async () => {
    const group = state("keycloak:index/group:Group", "platform/viewer", { name: "viewer" }, GROUP_ID);
    const scope = state("keycloak:openid/clientScope:ClientScope", "platform/scope/groups", { name: "groups" });
    const user = state("keycloak:index/user:User", "platform/user/bob", { username: "bob" }, "bob-id");
    const text = await report([refresh(group), refresh(user), pre({ op: "create", new: group }), pre({ op: "create", new: scope }), pre({ op: "delete", old: user })]);
    expect(text.split("\n")).toEqual([
      "client scope groups in realm platform: not deployed yet: will be created",
      "group /viewer in realm platform: missing live: will be recreated",
      "user bob in realm platform: in Keycloak but no longer in the code: will be deleted",
    ]);
  });

  it("reports nothing when every step is the same", async () => {
    const group = state("keycloak:index/group:Group", "platform/viewer", { name: "viewer" }, GROUP_ID);
    expect(await report([refresh(group), pre({ op: "same", old: group, new: group })])).toBe("");
  });
});

describe("spec names of resources", () => {
  const name = (type: string, resourceName: string, inputs: Record<string, unknown> = {}) => specName({ urn: urn(type, resourceName), type, parent: REALM_URN, inputs });

  it("reads back what src/realm/ names each resource", () => {
    expect(name("keycloak:index/realm:Realm", "platform", { realm: "platform" })).toBe("realm platform");
    expect(name("keycloak:saml/client:Client", "platform/https://saml.example.com/metadata", { clientId: "https://saml.example.com/metadata" })).toBe(
      "client https://saml.example.com/metadata in realm platform",
    );
    expect(name("keycloak:index/role:Role", "platform/otp-required", { name: "otp-required" })).toBe("realm role otp-required in realm platform");
    expect(name("keycloak:index/role:Role", "platform/grafana/grafana_admin", { name: "grafana_admin", clientId: GRAFANA_ID })).toBe(
      "role grafana_admin of client grafana in realm platform",
    );
    expect(name("keycloak:index/group:Group", "platform/admin/platform", { name: "platform" })).toBe("group /admin/platform in realm platform");
    expect(name("keycloak:index/groupRoles:GroupRoles", "platform/admin/platform/roles")).toBe("role mappings of group /admin/platform in realm platform");
    expect(name("keycloak:openid/userAttributeProtocolMapper:UserAttributeProtocolMapper", "platform/worker/team", { name: "team", clientId: GRAFANA_ID })).toBe(
      "mapper team of client worker in realm platform",
    );
    expect(name("keycloak:openid/audienceProtocolMapper:AudienceProtocolMapper", "platform/scope/api-audience/aud", { name: "aud", clientScopeId: "x" })).toBe(
      "mapper aud of client scope api-audience in realm platform",
    );
    expect(name("keycloak:openid/clientServiceAccountRole:ClientServiceAccountRole", "platform/worker/service-account/api/read", { role: "read" })).toBe(
      "service-account role api/read of client worker in realm platform",
    );
    expect(name("keycloak:oidc/identityProvider:IdentityProvider", "platform/idp/github", { alias: "github" })).toBe("identity provider github in realm platform");
    expect(name("keycloak:index/customIdentityProviderMapping:CustomIdentityProviderMapping", "platform/idp/github/team", { name: "team", identityProviderAlias: "github" })).toBe(
      "mapper team of identity provider github in realm platform",
    );
    expect(name("keycloak:ldap/userFederation:UserFederation", "platform/ldap/corp", { name: "corp" })).toBe("user federation corp in realm platform");
    expect(name("keycloak:authentication/flow:Flow", "platform/flow/browser-otp", { alias: "browser with otp" })).toBe('login flow "browser with otp" in realm platform');
    expect(name("keycloak:index/userGroups:UserGroups", "platform/user/alice/groups")).toBe("group memberships of user alice in realm platform");
  });
});
