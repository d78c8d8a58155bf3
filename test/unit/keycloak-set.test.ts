// Set-valued inputs: spec order in a preview (ids the update will make stay visible entry by
// entry), sorted as the provider reads them back in an update.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { connectKeycloak } from "../../src/platform";
import { Realm } from "../../src/realm/realm";
import { finder, unitConfig } from "./fixtures";
import { allRegistered, recordRegistrations, settled } from "./mocks";

const registrations = recordRegistrations({ preview: true });
const { one } = finder(registrations);
const id = (name: string) => `${name}-id`;

beforeAll(async () => {
  const config = unitConfig(
    { platform: "local", realms: ["stacks/realms/platform.yaml"], local: { port: 18080 } },
    { adminPassword: "pw", adminClientSecret: "cs", secretSeed: "seed", githubClientSecret: "gh" },
    path.resolve(__dirname, "../.."),
  );
  const keycloak = connectKeycloak(config);
  const [{ spec }] = config.realms;
  const realm = new Realm(spec.realm, { spec, keycloakUrl: keycloak.url, secrets: config.secretStore }, { provider: keycloak.provider });
  await settled(realm.url);
  await allRegistered(registrations);
});

describe("set-valued inputs in a preview", () => {
  it("keep the spec's order (platform-graph.test.ts checks the update's sorted order)", () => {
    expect(one("keycloak:index/groupRoles:GroupRoles", "platform/admin/roles").inputs.roleIds).toEqual([
      id("platform/otp-required"),
      id("platform/jupyterhub/jupyterhub_admin"),
      id("platform/conda-store/conda_store_admin"),
      id("platform/grafana/grafana_admin"),
    ]);
    expect(one("keycloak:openid/clientDefaultScopes:ClientDefaultScopes", "platform/grafana/default-scopes").inputs.defaultScopes).toEqual([
      "basic", "acr", "web-origins", "profile", "email", "roles", "groups",
    ]);
  });
});
