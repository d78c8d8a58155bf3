// The resource graph of the shipped example, stacks/realms/platform.yaml, under Pulumi mocks.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { connectKeycloak } from "../../src/platform";
import { Realm } from "../../src/realm/realm";
import { finder, unitConfig } from "./fixtures";
import { allRegistered, recordRegistrations, settled, type Registration } from "./mocks";

const registrations: Registration[] = recordRegistrations();
const config = unitConfig(
  { platform: "local", realms: ["stacks/realms/platform.yaml"], local: { port: 18080 } },
  { adminPassword: "pw", adminClientSecret: "cs", secretSeed: "seed", githubClientSecret: "gh" },
  path.resolve(__dirname, "../.."),
);
const { ofType, one } = finder(registrations);
const id = (name: string) => `${name}-id`;

beforeAll(async () => {
  const keycloak = connectKeycloak(config);
  const [{ spec }] = config.realms;
  const realm = new Realm(spec.realm, { spec, keycloakUrl: keycloak.url, secrets: config.secretStore }, { provider: keycloak.provider });
  await settled(realm.url, ...Object.values(realm.clients).map((c) => c.clientSecret!), realm.users.alice.initialPassword);
  await allRegistered(registrations);
});

describe("the platform example's resource graph", () => {
  it("has a confidential client per app, with generated secrets and the groups scope", () => {
    expect(ofType("keycloak:openid/client:Client").map((r) => r.name).sort()).toEqual(["platform/conda-store", "platform/grafana", "platform/jupyterhub"]);
    for (const client of ofType("keycloak:openid/client:Client")) {
      expect(client.inputs).toMatchObject({ accessType: "CONFIDENTIAL", standardFlowEnabled: true, directAccessGrantsEnabled: false });
      expect(client.secretInputs).toEqual(["clientSecret"]);
    }
    expect(one("keycloak:openid/clientScope:ClientScope", "platform/scope/groups").inputs).toMatchObject({ name: "groups" });
    expect(one("keycloak:openid/groupMembershipProtocolMapper:GroupMembershipProtocolMapper", "platform/scope/groups/groups").inputs).toMatchObject({
      claimName: "groups",
      fullPath: false,
      clientScopeId: id("platform/scope/groups"),
    });
    expect(one("keycloak:openid/clientDefaultScopes:ClientDefaultScopes", "platform/grafana/default-scopes").inputs).toMatchObject({
      clientId: id("platform/grafana"),
      // Set-valued inputs are sorted, as the provider reads them back (src/realm/keycloak-set.ts).
      defaultScopes: ["acr", "basic", "email", "groups", "profile", "roles", "web-origins"],
    });
  });

  it("maps each group to its apps' client roles", () => {
    const roleIds = (group: string) => one("keycloak:index/groupRoles:GroupRoles", `platform/${group}/roles`).inputs.roleIds;
    // Sorted, as the provider reads them back.
    expect(roleIds("admin")).toEqual([id("platform/conda-store/conda_store_admin"), id("platform/grafana/grafana_admin"), id("platform/jupyterhub/jupyterhub_admin"), id("platform/otp-required")]);
    expect(roleIds("analyst")).toEqual([id("platform/conda-store/conda_store_developer"), id("platform/grafana/grafana_viewer")]);
    expect(roleIds("viewer")).toEqual([id("platform/conda-store/conda_store_viewer"), id("platform/grafana/grafana_viewer")]);
    expect(one("keycloak:index/role:Role", "platform/grafana/grafana_viewer").inputs).toMatchObject({ clientId: id("platform/grafana"), name: "grafana_viewer" });
  });

  it("offers GitHub login with its secret from stack config, as a secret", () => {
    const github = one("keycloak:oidc/identityProvider:IdentityProvider", "platform/idp/github");
    expect(github.inputs).toMatchObject({ alias: "github", providerId: "github", clientSecret: "gh", trustEmail: true, syncMode: "IMPORT" });
    expect(github.secretInputs).toContain("clientSecret");
  });

  it("seeds alice in analyst with a generated temporary password", () => {
    const alice = one("keycloak:index/user:User", "platform/user/alice");
    expect(alice.inputs).toMatchObject({ username: "alice", emailVerified: true, initialPassword: { temporary: true } });
    expect(alice.inputs.initialPassword.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(alice.secretInputs).toContain("initialPassword");
    expect(one("keycloak:index/userGroups:UserGroups", "platform/user/alice/groups").inputs.groupIds).toEqual([id("platform/analyst")]);
  });

  it("requires OTP for admins through a role condition in a bound copy of the browser flow", () => {
    expect(one("keycloak:index/role:Role", "platform/otp-required").inputs.name).toBe("otp-required");
    const executions = ofType("keycloak:authentication/execution:Execution").map((r) => [r.inputs.authenticator, r.inputs.requirement]);
    expect(executions).toEqual([
      ["auth-cookie", "ALTERNATIVE"],
      ["identity-provider-redirector", "ALTERNATIVE"],
      ["auth-username-password-form", "REQUIRED"],
      ["conditional-user-role", "REQUIRED"],
      ["auth-otp-form", "REQUIRED"],
    ]);
    expect(one("keycloak:authentication/executionConfig:ExecutionConfig", "platform/flow/browser-otp/forms/conditional-otp/role/config").inputs.config).toEqual({
      condUserRole: "otp-required",
      negate: "false",
    });
    expect(one("keycloak:authentication/bindings:Bindings", "platform/flow-bindings").inputs).toMatchObject({ browserFlow: "browser with otp" });
    expect(one("keycloak:index/realm:Realm", "platform").inputs.otpPolicy).toEqual({ type: "totp", algorithm: "HmacSHA1", digits: 6, period: 30, lookAheadWindow: 1 });
  });
});
