// Recovery without folklore, on a Keycloak of this file's own: after Keycloak refused part of an
// update, after Keycloak was killed in the middle of one, and after its data was lost entirely,
// the next plain `up` (which refreshes first, Pulumi.yaml options.refresh) converges. Proven
// through the Admin REST API and the token endpoint; the disaster rebuild is timed.
import KcAdminClient from "@keycloak/keycloak-admin-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientCredentialsToken, createTestStack, type TestStack } from "./harness";
import { startTestKeycloak, type TestKeycloak } from "./keycloak-server";

/** A realm of some twenty resources: enough that a kill lands in the middle of creating it. */
const realmYaml = (extraGroup = "") => `
realm: recovery
displayName: Recovery Realm
roles:
  - name: analyst
  - name: operator
    composites: { realm: [analyst] }
clients:
  - clientId: reporting
    serviceAccount: true
    redirectUris: [https://reports.example.com/callback]
    roles: [viewer, editor]
  - clientId: billing
    serviceAccount: true
    redirectUris: [https://billing.example.com/callback]
    roles: [payer]
  - clientId: portal
    access: public
    redirectUris: [https://portal.example.com/*]
groups:
  - name: analysts
    roles: { realm: [analyst], clients: { reporting: [viewer] } }
  - name: operators
    roles: { realm: [operator], clients: { reporting: [editor], billing: [payer] } }
    subGroups:
      - name: night-shift
${extraGroup}
users:
  - username: olga
    email: olga@example.com
    groups: [operators]
`;

describe("recovery: a plain up converges after refusals, a killed Keycloak and a lost one", () => {
  let server: TestKeycloak;
  let test: TestStack;

  const admin = async (): Promise<KcAdminClient> => {
    const kc = new KcAdminClient({ baseUrl: server.url, realmName: "master" });
    await kc.auth({ grantType: "client_credentials", clientId: server.admin.clientId, clientSecret: server.admin.clientSecret });
    kc.setConfig({ realmName: "recovery" });
    return kc;
  };

  const writeSpec = (yaml: string) => test.writeRealm("recovery.yaml", yaml);

  /** What the spec declares, read back from Keycloak. */
  const liveShape = async () => {
    const kc = await admin();
    const groups = await kc.groups.find({ briefRepresentation: false });
    const operators = groups.find((g) => g.name === "operators");
    return {
      realm: (await kc.realms.findOne({ realm: "recovery" }))?.displayName,
      clients: (await kc.clients.find()).map((c) => c.clientId).filter((id) => ["reporting", "billing", "portal"].includes(id!)).sort(),
      groups: groups.map((g) => g.name).sort(),
      operatorRoles: operators?.realmRoles,
      users: (await kc.users.find({ username: "olga", exact: true })).map((u) => u.email),
    };
  };
  const declaredShape = {
    realm: "Recovery Realm",
    clients: ["billing", "portal", "reporting"],
    groups: ["analysts", "operators"],
    operatorRoles: ["operator"],
    users: ["olga@example.com"],
  };

  const expectNoChanges = async () => {
    const preview = await test.stack.preview();
    const { same, ...changes } = preview.changeSummary;
    expect(same).toBeGreaterThan(15);
    expect(changes).toEqual({});
  };

  beforeAll(async () => {
    server = await startTestKeycloak("recovery");
    test = await createTestStack("recovery", {
      realms: { "recovery.yaml": realmYaml() },
      external: { url: server.url, adminClientSecret: server.admin.clientSecret },
    });
  });

  afterAll(async () => {
    await test?.destroy().catch(() => undefined);
    await server?.remove();
  });

  it("converges with a plain up after Keycloak was killed in the middle of the first one", async () => {
    const up = test.up();
    // Kill once the engine has created a few of the realm's resources, before it is done.
    const created = () => test.output.join("").split("\n").filter((line) => /keycloak:.*created/.test(line)).length;
    for (let waited = 0; created() < 4 && waited < 300_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
    expect(created()).toBeGreaterThanOrEqual(4);
    server.kill();
    await expect(up).rejects.toThrow();
    await server.start();

    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
    expect(await liveShape()).toEqual(declaredShape);
    await expectNoChanges();
  });

  it("converges after Keycloak refused an update, once the spec is restored", async () => {
    // Someone made a group by hand; the spec now declares one of the same name: Keycloak answers 409.
    const kc = await admin();
    await kc.groups.create({ name: "auditors" });
    writeSpec(realmYaml("  - name: auditors\n    roles: { realm: [analyst] }"));
    await expect(test.up()).rejects.toThrow(/409|Conflict|exists/i);

    writeSpec(realmYaml());
    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
    const live = await liveShape();
    // The hand-made group stays (nothing of the stack's), everything declared is as declared.
    expect(live).toEqual({ ...declaredShape, groups: ["analysts", "auditors", "operators"] });
    await expectNoChanges();
  });

  it("rebuilds every object on an empty Keycloak with the same client secrets (disaster recovery)", async () => {
    const before = await test.stack.outputs();
    const secret = before.realmOutputs.value.recovery.clients.reporting.clientSecret as string;
    await clientCredentialsToken("recovery", "reporting", secret, server.url);

    await server.wipe();
    await server.start();
    expect(await (await admin()).realms.findOne({ realm: "recovery" })).toBeFalsy();

    const started = Date.now();
    const result = await test.up();
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`recovery: a plain up rebuilt the realm on an empty Keycloak in ${seconds}s (${result.summary.resourceChanges?.create} created)`);
    expect(result.summary.result).toBe("succeeded");
    expect(await liveShape()).toEqual(declaredShape);
    // The application's old secret still gets a token: derived from the stack's secretSeed.
    const token = await clientCredentialsToken("recovery", "reporting", secret, server.url);
    expect(token.access_token).toEqual(expect.any(String));
    await expectNoChanges();
  });
});
