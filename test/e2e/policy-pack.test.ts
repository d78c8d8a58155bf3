// The security baseline (policy/) run by the real engine, as `pulumi up --policy-pack policy`
// runs it: through this toolchain's language host, with the stack's own config. A realm that
// breaks a mandatory rule is refused before Keycloak sees it; the repository's example passes
// and deploys.
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { adminClient, createTestStack, keycloak, repoRealmSpec, type TestStack } from "./harness";

const POLICY_PACK = path.resolve(__dirname, "../../policy");
const GITHUB_SECRET = "github-secret-of-the-policy-pack-test";

/** `pulumi up --policy-pack policy` on the test stack; everything the engine printed lands in test.output. */
const upWithPolicies = (test: TestStack) => test.stack.up({ policyPacks: [POLICY_PACK], onOutput: (line) => test.output.push(line) });

/** Keeps every rule but one: plain HTTP, which only the local platform may have. */
const PLAIN_HTTP_REALM = `realm: policy-refused
sslRequired: none
bruteForce: {}
passwordPolicy: length(14) and notUsername
clients:
  - clientId: app
    redirectUris: [https://app.example.com/callback]
`;

describe("the policy pack with the real engine", () => {
  let refused: TestStack | undefined;
  let example: TestStack | undefined;
  afterAll(async () => {
    const kc = await adminClient();
    if (refused && (await kc.realms.findOne({ realm: "policy-refused" }))) await refused.destroy();
    if (example && (await kc.realms.findOne({ realm: "platform" }))) await example.destroy();
  });

  it("refuses sslRequired none on an external Keycloak before anything reaches it, naming the realm and a hint", async () => {
    const { url, admin } = keycloak();
    // The same Keycloak, declared as the external platform: the rule reads the platform from the stack's config.
    const test = (refused = await createTestStack("policy-refused", { realms: { "refused.yaml": PLAIN_HTTP_REALM }, external: { url, adminClientSecret: admin.clientSecret } }));

    const error = await upWithPolicies(test).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error, "the update should have been refused").toBeDefined();
    const printed = test.output.join("");
    expect(printed).toMatch(/❌ keycloak-fleet-baseline@v0\.1\.0 \(local: .*policy\)/);
    expect(printed).toMatch(/\[mandatory\] \[severity: high\]\s+realm-ssl-required\s+\(keycloak:index(\/realm)?:Realm: policy-refused\)/);
    expect(printed).toContain(
      'realm "policy-refused": sslRequired is "none" on the external platform, so Keycloak takes passwords and issues tokens over plain HTTP from any network; hint: set sslRequired: external (TLS except from private addresses) or all in the realm spec; "none" is for the local platform only',
    );
    // Only that rule: the realm keeps the others, and its client every client rule.
    expect(printed).not.toMatch(/realm-brute-force-protection|realm-password-length|client-redirect|public-client-pkce/);

    expect(await (await adminClient()).realms.findOne({ realm: "policy-refused" })).toBeNull();
    const state = JSON.parse(test.exportState());
    const keycloakObjects = (state.deployment.resources ?? []).filter((r: { type: string }) => r.type.startsWith("keycloak:"));
    expect(keycloakObjects).toEqual([]);
  });

  it("passes the repository's example realm (stacks/realms/platform.yaml) and deploys it", async () => {
    const test = (example = await createTestStack("policy-platform", { realms: { "platform.yaml": repoRealmSpec("platform.yaml") }, secrets: { githubClientSecret: GITHUB_SECRET } }));

    const result = await upWithPolicies(test);
    expect(result.summary.result).toBe("succeeded");
    const printed = test.output.join("");
    expect(printed).toMatch(/✅ keycloak-fleet-baseline@v0\.1\.0 \(local: .*policy\)/);
    expect(printed).not.toContain("[mandatory]");
    expect(printed).not.toContain("[advisory]");
    expect(printed).not.toContain(GITHUB_SECRET);

    const realm = await (await adminClient()).realms.findOne({ realm: "platform" });
    expect(realm).toMatchObject({ sslRequired: "external", bruteForceProtected: true, passwordPolicy: "length(12) and notUsername", otpPolicyDigits: 6, otpPolicyPeriod: 30 });
  });
});
