// The permanent administrator under preview mocks (a real update would also delete temporary admin
// users through the Admin API: test/e2e/administrator.test.ts proves that part on a real Keycloak).
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { connectKeycloak } from "../../src/platform";
import { finder, unitConfig } from "./fixtures";
import { allRegistered, generated, recordRegistrations, valueOf } from "./mocks";

const sent = recordRegistrations({ preview: true });
const { ofType, one } = finder(sent);
const USER = "keycloak:index/user:User";
const USER_ROLES = "keycloak:index/userRoles:UserRoles";

const kubernetes = (plain: Record<string, unknown> = {}) =>
  unitConfig(
    {
      platform: "kubernetes",
      realms: ["realms/valid.yaml"],
      kubernetes: { hostname: "id.example.com", adminHostname: "id-admin.example.com", adminAllowlist: ["10.20.0.0/16"] },
      permanentAdministrator: true,
      ...plain,
    },
    { secretSeed: "seed" },
  );

async function connect(config: ReturnType<typeof unitConfig>) {
  const connection = connectKeycloak(config);
  const username = await valueOf(pulumi.output(connection.adminUsername));
  await allRegistered(sent);
  return { connection, username };
}

const bootstrapVariables = () =>
  one("kubernetes:apps/v1:Deployment", "keycloak")
    .inputs.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name)
    .filter((name: string) => name.startsWith("KC_BOOTSTRAP_ADMIN_"));

beforeEach(() => {
  sent.length = 0;
});

describe("the permanent administrator", () => {
  it("on kubernetes: Keycloak bootstraps only the automation client, and the stack declares the administrator with the Secret's password", async () => {
    const { username } = await connect(kubernetes());
    expect(bootstrapVariables()).toEqual(["KC_BOOTSTRAP_ADMIN_CLIENT_ID", "KC_BOOTSTRAP_ADMIN_CLIENT_SECRET"]);

    const user = one(USER, "administrator");
    expect(user.inputs).toMatchObject({ realmId: "master", username: "admin", enabled: true, initialPassword: { value: generated("keycloak-admin-password"), temporary: false } });
    expect(user.secretInputs).toContain("initialPassword");
    expect(user.provider).toContain("pulumi:providers:keycloak::keycloak::");
    // Set once: a rotation in the console never shows as a change, and destroy never locks people out.
    expect(user.options).toMatchObject({ retainOnDelete: true, ignoreChanges: ["initialPassword"] });
    // Keycloak answers only once its Deployment is ready.
    expect(user.options.dependencies).toContain("urn:pulumi:unit::keycloak-fleet::keycloak-fleet:platform:KeycloakCluster$kubernetes:apps/v1:Deployment::keycloak");

    const roles = one(USER_ROLES, "administrator");
    expect(roles.inputs).toMatchObject({ realmId: "master", userId: "administrator-id", exhaustive: false });
    expect(roles.options.retainOnDelete).toBe(true);
    expect(username).toBe("admin");
  });

  it("on kubernetes without it: Keycloak keeps bootstrapping its temporary admin user, and nothing is declared", async () => {
    await connect(kubernetes({ permanentAdministrator: false }));
    expect(bootstrapVariables()).toEqual(["KC_BOOTSTRAP_ADMIN_USERNAME", "KC_BOOTSTRAP_ADMIN_PASSWORD", "KC_BOOTSTRAP_ADMIN_CLIENT_ID", "KC_BOOTSTRAP_ADMIN_CLIENT_SECRET"]);
    expect(ofType(USER)).toEqual([]);
    expect(ofType(USER_ROLES)).toEqual([]);
  });

  it("on kubernetes rendering manifests: nothing to administer yet", async () => {
    await connect(kubernetes({ kubernetes: { hostname: "id.example.com", adminHostname: "id-admin.example.com", adminAllowlist: ["10.20.0.0/16"], renderDirectory: "out" } }));
    expect(ofType(USER)).toEqual([]);
  });

  it("on local: the administrator gets the stack's adminPassword, under adminUsername", async () => {
    const config = unitConfig(
      { platform: "local", realms: ["realms/valid.yaml"], local: { port: 8080 }, permanentAdministrator: true, adminUsername: "ops" },
      { adminPassword: "LOCAL-ADMIN-PASSWORD", adminClientSecret: "cs", secretSeed: "seed" },
    );
    const { connection, username } = await connect(config);
    expect(one(USER, "administrator").inputs).toMatchObject({ username: "ops", initialPassword: { value: "LOCAL-ADMIN-PASSWORD", temporary: false } });
    expect(username).toBe("ops");
    expect(await valueOf(connection.adminPassword!)).toBe("LOCAL-ADMIN-PASSWORD");
  });

  it("on external without adminPassword: a stable password derived from secretSeed, output as a secret", async () => {
    const config = () =>
      unitConfig({ platform: "external", realms: ["realms/valid.yaml"], external: { url: "https://id.example.com" }, permanentAdministrator: true }, { adminClientSecret: "cs", secretSeed: "seed" });
    const first = await connect(config());
    const password = one(USER, "administrator").inputs.initialPassword.value;
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(password).not.toContain("seed");
    expect(await valueOf(first.connection.adminPassword!)).toBe(password);
    sent.length = 0;
    await connect(config());
    expect(one(USER, "administrator").inputs.initialPassword.value).toBe(password);
  });
});
