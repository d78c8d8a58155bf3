// An adopted realm's brute-force block: the provider never reads it back on import and fills
// what it is not given with its own defaults, so the program sends the live headers and skips
// the block when Keycloak already has the spec's values.
import * as pulumi from "@pulumi/pulumi";
import type RealmRepresentation from "@keycloak/keycloak-admin-client/lib/defs/realmRepresentation";
import { beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { RealmSpec } from "../../src/config/spec/realm";
import { declareRealm } from "../../src/realm/settings";
import { unitConfig } from "./fixtures";
import { allRegistered, recordRegistrations } from "./mocks";

const registrations = recordRegistrations();

const LIVE: RealmRepresentation = {
  realm: "handmade",
  bruteForceProtected: true,
  failureFactor: 5,
  waitIncrementSeconds: 60,
  maxFailureWaitSeconds: 900,
  maxDeltaTimeSeconds: 43200,
  permanentLockout: false,
  quickLoginCheckMilliSeconds: 1000,
  minimumQuickLoginWaitSeconds: 60,
  browserSecurityHeaders: { contentSecurityPolicy: "frame-src 'self'", xFrameOptions: "SAMEORIGIN", xContentTypeOptions: "nosniff", xRobotsTag: "none", referrerPolicy: "no-referrer", strictTransportSecurity: "max-age=31536000" },
};

async function declared(yaml: string, live?: RealmRepresentation) {
  registrations.length = 0;
  const spec = RealmSpec.parse(parse(yaml));
  const config = unitConfig({ platform: "local", realms: ["realms/valid.yaml"], local: { port: 18080 } }, { adminPassword: "pw", adminClientSecret: "cs", secretSeed: "seed" });
  const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
  declareRealm("handmade", spec, config.secretStore, parent, ["realm", "existing", "bruteForce", "bruteForce.maxFailures"], live);
  await allRegistered(registrations);
  return registrations.find((r) => r.type === "keycloak:index/realm:Realm")!;
}

describe("the brute-force settings of an adopted realm", () => {
  beforeEach(() => void (registrations.length = 0));

  it("are left alone when Keycloak already has them, so adoption writes nothing back", async () => {
    const realm = await declared("realm: handmade\nexisting: true\nbruteForce: { maxFailures: 5 }\n", LIVE);
    expect(realm.options.ignoreChanges).toContain("securityDefenses");
  });

  it("are sent with the live headers and quick-login checks when they differ, not the provider's defaults", async () => {
    const realm = await declared("realm: handmade\nexisting: true\nbruteForce: { maxFailures: 10 }\n", LIVE);
    expect(realm.options.ignoreChanges).not.toContain("securityDefenses");
    expect(realm.inputs.securityDefenses.bruteForceDetection).toMatchObject({ maxLoginFailures: 10, quickLoginCheckMilliSeconds: 1000, minimumQuickLoginWaitSeconds: 60 });
    // Keycloak 26 sets no X-XSS-Protection header; the provider's default would add one.
    expect(realm.inputs.securityDefenses.headers).toMatchObject({ contentSecurityPolicy: "frame-src 'self'", xXssProtection: "" });
  });

  it("of a realm this stack creates are the spec's, with the provider's defaults for the rest", async () => {
    const realm = await declared("realm: handmade\nbruteForce: { maxFailures: 5 }\n", LIVE);
    expect(realm.options.ignoreChanges).not.toContain("securityDefenses");
    expect(realm.inputs.securityDefenses.headers).toBeUndefined();
  });
});
