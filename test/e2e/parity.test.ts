// `parity A B` on two real Keycloaks: the repository's platform realm (and a realm with every other
// kind of object) deployed by two stacks of one project with the same secretSeed, A on this run's
// Keycloak and B on a second one, compared live through the real CLI. Identical deployments give
// no difference; changes made by hand on B's Keycloak come out as exactly those differences, named
// by clientId, group path and role name, with secrets compared but never shown.
import KcAdminClient from "@keycloak/keycloak-admin-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomSecret } from "../../src/ops/workspace";
import { createTestStack, type FleetRun, repoRealmSpec, type TestStack } from "./harness";
import { startTestKeycloak, type TestKeycloak } from "./keycloak-server";

/**
 * What platform.yaml does not have, so that "no difference" covers everything Keycloak generates
 * for it: a SAML client (its own key pair), a service account, composite and default roles, a
 * client scope with mappers, multi-valued group attributes, an identity provider with mappers, LDAP
 * federation with a group mapper (only configured: nothing connects to it), an OTP flow for
 * everyone, SMTP with a password, the user profile, locales.
 */
const EXTRAS = `
realm: parity-extras
smtp:
  host: smtp.example.com
  port: 587
  from: keycloak@example.com
  auth: { username: mailer, password: { config: smtpPassword } }
locales: { supported: [en, de], default: en }
clients:
  - clientId: worker
    standardFlow: false
    serviceAccount: true
    serviceAccountRoles:
      realm: [data-reader]
      clients: { realm-management: [view-users], api: [read] }
    defaultScopes: [basic, profile, api-audience]
    mappers:
      - { type: realmRoles, claim: realm_roles }
  - clientId: api
    standardFlow: false
    roles:
      - read
      - name: write
        composites: { clients: { api: [read] } }
  - clientId: https://saml.example.com/metadata
    protocol: saml
    redirectUris: [https://saml.example.com/acs]
clientScopes:
  - name: api-audience
    mappers:
      - { type: audience, client: api }
roles:
  - data-reader
  - name: data-admin
    composites: { realm: [data-reader] }
defaultRoles:
  realm: [offline_access, data-reader]
groups:
  - name: research
    attributes: { sites: [lab-a, lab-b, lab-c] }
    subGroups:
      - name: ml
        roles: { clients: { api: [write] } }
defaultGroups: [research]
userProfile:
  attributes:
    - { name: team, displayName: Team }
identityProviders:
  - alias: corp
    type: oidc
    clientId: corp-client
    clientSecret: { config: corpSecret }
    authorizationUrl: https://sso.example.com/auth
    tokenUrl: https://sso.example.com/token
    mappers:
      - { name: admins, type: claimToRole, claim: roles, value: admin, role: data-admin }
      - { name: everyone, type: hardcodedGroup, group: /research }
userFederation:
  - name: directory
    connectionUrl: ldap://127.0.0.1:1389
    bindDn: cn=admin,dc=example,dc=org
    bindCredential: { config: ldapBindPassword }
    usersDn: ou=people,dc=example,dc=org
    protect: false
    groupMapper: { groupsDn: "ou=groups,dc=example,dc=org" }
authentication:
  requireOtp: { everyone: true }
  requiredActions:
    - { alias: TERMS_AND_CONDITIONS, enabled: false }
`;

const secrets = {
  secretSeed: randomSecret(),
  githubClientSecret: randomSecret(),
  smtpPassword: randomSecret(),
  corpSecret: randomSecret(),
  ldapBindPassword: randomSecret(),
};
const realms = { "platform.yaml": repoRealmSpec("platform.yaml"), "extras.yaml": EXTRAS };
const NEW_REDIRECT = "https://grafana.example.org/login/generic_oauth";

/** The report's difference lines (the lines after the A = / B = legend, before the summary). */
const differenceLines = (run: FleetRun) => run.stdout.split("\n").filter((line) => line.startsWith("realm "));

/** Every string in a stack output value: client secrets, initial passwords. */
function outputStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(outputStrings);
  return [];
}

describe("parity A B on two real Keycloaks", () => {
  let serverB: TestKeycloak;
  let a: TestStack;
  let b: TestStack;
  const runs: FleetRun[] = [];
  const parity = async (...stacks: string[]) => {
    const run = await a.fleet(["parity", ...stacks]);
    runs.push(run);
    return run;
  };

  /** B's Keycloak, logged in as its automation client, pointed at the platform realm. */
  const keycloakB = async () => {
    const kc = new KcAdminClient({ baseUrl: serverB.url, realmName: "master" });
    await kc.auth({ grantType: "client_credentials", clientId: serverB.admin.clientId, clientSecret: serverB.admin.clientSecret });
    kc.setConfig({ realmName: "platform" });
    return kc;
  };

  beforeAll(async () => {
    // The second Keycloak starts while A deploys onto this run's.
    const starting = startTestKeycloak("parity-b");
    a = await createTestStack("parity-a", { realms, secrets });
    const upA = a.up();
    serverB = await starting;
    b = await createTestStack("parity-b", { realms, secrets, external: { url: serverB.url, adminClientSecret: serverB.admin.clientSecret }, sameProjectAs: a });
    const results = await Promise.all([upA, b.up()]);
    expect(results.map((result) => result.summary.result)).toEqual(["succeeded", "succeeded"]);
  });

  afterAll(async () => {
    try {
      await Promise.all([a?.destroy(), b?.destroy()]);
    } finally {
      await serverB?.remove();
    }
  });

  it("finds no difference between the same spec deployed on two Keycloaks", async () => {
    const run = await parity("parity-a", "parity-b");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(differenceLines(run)).toEqual([]);
    expect(run.stdout.trim().split("\n").at(-1)).toBe("no differences");
  });

  it("reports exactly what was changed by hand on B, by name, with exit code 2", async () => {
    const kc = await keycloakB();
    const [grafana] = await kc.clients.find({ clientId: "grafana" });
    await kc.clients.update({ id: grafana.id! }, { ...grafana, redirectUris: [...grafana.redirectUris!, NEW_REDIRECT] });
    const admin = await kc.realms.getGroupByPath({ realm: "platform", path: "admin" });
    const otpRole = (await kc.roles.findOneByName({ name: "otp-required" }))!;
    expect(admin.realmRoles).toContain("otp-required");
    await kc.groups.delRealmRoleMappings({ id: admin.id!, roles: [{ id: otpRole.id!, name: otpRole.name! }] });
    const [condaStore] = await kc.clients.find({ clientId: "conda-store" });
    const newSecret = (await kc.clients.generateNewClientSecret({ id: condaStore.id! })).value!;

    const run = await parity("parity-a", "parity-b");
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(differenceLines(run)).toEqual([
      "realm platform: client conda-store: secret: differs (secrets are compared by SHA-256 and not shown)",
      `realm platform: client grafana: redirectUris: only in B: ${NEW_REDIRECT}`,
      "realm platform: group /admin: realm role mappings: only in A: otp-required",
    ]);
    expect(run.stdout.trim().split("\n").at(-1)).toBe("3 differences");
    expect(run.stdout + run.stderr).not.toContain(newSecret);
  });

  it("refuses stacks that deploy different realms, and compares nothing", async () => {
    await createTestStack("parity-c", { realms: { "other.yaml": "realm: other\n" }, sameProjectAs: a });
    const run = await parity("parity-a", "parity-c");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("stacks parity-a and parity-c deploy different realms (only parity-a deploys parity-extras, platform; only parity-c deploys other); nothing was compared");
    expect(run.stdout).toBe("");
  });

  it("refuses a stack that does not exist", async () => {
    const run = await parity("parity-a", "no-such-stack");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no stack named "no-such-stack"');
    expect(run.stdout).toBe("");
  });

  it("never prints a secret: not the stack secrets, not a client secret", async () => {
    const outputs = await a.stack.outputs();
    const hidden = [...Object.values(secrets), ...outputStrings(outputs.realmOutputs?.value).filter((value) => value.length >= 16 && !value.startsWith("http"))];
    expect(hidden.length).toBeGreaterThan(3);
    const printed = runs.map((run) => run.stdout + run.stderr).join("\n");
    for (const secret of hidden) expect(printed).not.toContain(secret);
  });
});
