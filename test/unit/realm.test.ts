import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import type { FleetConfig } from "../../src/config/load";
import type { RealmSpec } from "../../src/config/spec/realm";
import { connectKeycloak } from "../../src/platform";
import { Realm } from "../../src/realm/realm";
import { unitConfig } from "./fixtures";
import { recordRegistrations, settled, valueOf, type Registration } from "./mocks";

const config: FleetConfig = unitConfig(
  { platform: "local", realms: ["realms/valid.yaml"], local: { port: 18080 } },
  { adminPassword: "pw", adminClientSecret: "cs", secretSeed: "seed" },
);
const spec = config.realms[0].spec;

const registrations: Registration[] = recordRegistrations();
beforeEach(() => {
  registrations.length = 0;
});

async function deploy(realmSpec: RealmSpec = spec) {
  const keycloak = connectKeycloak(config);
  const realm = new Realm(realmSpec.realm, { spec: realmSpec, keycloakUrl: keycloak.url, secrets: config.secretStore }, { provider: keycloak.provider });
  await settled(realm.url, ...Object.values(realm.clients).map((c) => c.clientId));
  return realm;
}

const named = (type: string) => registrations.filter((r) => r.type === type).map((r) => r.name);
const inputsOf = (name: string) => registrations.find((r) => r.name === name && r.type.startsWith("keycloak:"))!.inputs;

describe("Realm", () => {
  it("declares the realm, its clients and groups, named from spec keys", async () => {
    await deploy();
    expect(named("keycloak-fleet:realm:Realm")).toEqual(["fixture"]);
    expect(named("keycloak:index/realm:Realm")).toEqual(["fixture"]);
    expect(named("keycloak:openid/client:Client")).toEqual(["fixture/app", "fixture/spa"]);
    expect(named("keycloak:index/group:Group")).toEqual(["fixture/analyst", "fixture/viewer"]);
    expect(inputsOf("fixture")).toMatchObject({ realm: "fixture", displayName: "Fixture Realm", enabled: true });
  });

  it("makes confidential clients with a service account, and public clients with PKCE", async () => {
    await deploy();
    expect(inputsOf("fixture/app")).toMatchObject({
      realmId: "fixture",
      clientId: "app",
      accessType: "CONFIDENTIAL",
      standardFlowEnabled: true,
      serviceAccountsEnabled: true,
      validRedirectUris: ["https://app.example.com/callback"],
    });
    expect(inputsOf("fixture/app").pkceCodeChallengeMethod).toBeUndefined();
    expect(inputsOf("fixture/spa")).toMatchObject({ accessType: "PUBLIC", pkceCodeChallengeMethod: "S256", webOrigins: ["+"] });
  });

  it("administers Keycloak through the explicit provider, as the automation client", async () => {
    await deploy();
    const [provider] = registrations.filter((r) => r.type === "pulumi:providers:keycloak");
    expect(provider.inputs).toMatchObject({ url: "http://127.0.0.1:18080", realm: "master", clientId: "keycloak-fleet" });
    expect(provider.inputs.username).toBeUndefined();
    const keycloakResources = registrations.filter((r) => r.type.startsWith("keycloak:"));
    expect(keycloakResources.length).toBeGreaterThan(0);
    for (const resource of keycloakResources) expect(resource.provider).toContain("pulumi:providers:keycloak::keycloak::");
  });

  it("exports the realm URL and each confidential client's generated secret as a secret", async () => {
    const realm = await deploy();
    expect(await valueOf(realm.url)).toBe("http://127.0.0.1:18080/realms/fixture");
    expect(await pulumi.isSecret(realm.clients.app.clientSecret!)).toBe(true);
    const secret = await valueOf(realm.clients.app.clientSecret!);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(inputsOf("fixture/app").clientSecret).toBe(secret);
    expect(registrations.find((r) => r.name === "fixture/app" && r.type.startsWith("keycloak:"))!.secretInputs).toEqual(["clientSecret"]);
    expect(realm.clients.spa.clientSecret).toBeUndefined();
  });

  it("generates the same client secret again for the same stack seed (disaster recovery)", async () => {
    const first = await valueOf((await deploy()).clients.app.clientSecret!);
    registrations.length = 0;
    const second = await valueOf((await deploy()).clients.app.clientSecret!);
    expect(second).toBe(first);
  });

  it("declares the same resources when the spec's lists are reordered", async () => {
    await deploy();
    const snapshot = (rs: Registration[]) => rs.map((r) => JSON.stringify([r.type, r.name, r.inputs])).sort();
    const original = snapshot(registrations);
    registrations.length = 0;
    await deploy({ ...spec, clients: [...spec.clients].reverse(), groups: [...spec.groups].reverse() });
    expect(snapshot(registrations)).toEqual(original);
  });
});
