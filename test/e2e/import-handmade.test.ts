// Bringing a hand-made Keycloak under code: a realm built through the Admin API as an admin
// would in the console (LDAP federation against a real slapd with synced users, an identity
// provider with mappers, a custom flow), imported into a spec with `fleet import`, then adopted
// by a stack's first `up` without creating, replacing or deleting anything in Keycloak.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readRealmSnapshot } from "../../src/ops/realm-snapshot";
import { randomSecret } from "../../src/ops/workspace";
import { SETTINGS_ONLY_TYPES } from "../../src/realm/adoption";
import { adminClient, createTestStack, tokenRequest, type TestStack, upWithSteps } from "./harness";
import { baseDn, startSlapd, type Slapd } from "./slapd";

const REALM = "handmade";
const PEOPLE = ["lena", "omar", "ines"].map((uid) => ({ uid, password: `${uid}-${randomSecret()}`, givenName: uid, sn: "Directory", mail: `${uid}@example.org` }));
const PORTAL_SECRET = randomSecret();

async function realmClient() {
  const kc = await adminClient();
  kc.setConfig({ realmName: REALM });
  return kc;
}

/** The realm as an administrator builds it by hand. */
async function buildByHand(slapd: Slapd): Promise<void> {
  const kc = await adminClient();
  await kc.realms.create({ realm: REALM, enabled: true, displayName: "Built by hand", sslRequired: "external", bruteForceProtected: true, failureFactor: 5 });
  kc.setConfig({ realmName: REALM });
  await kc.roles.create({ name: "analyst", description: "Reads reports" });
  await kc.clients.create({
    clientId: "portal",
    protocol: "openid-connect",
    publicClient: false,
    secret: PORTAL_SECRET,
    standardFlowEnabled: false,
    directAccessGrantsEnabled: true,
    redirectUris: ["https://portal.example.org/*"],
  });
  const { id: groupId } = await kc.groups.create({ name: "analysts", attributes: { site: ["berlin"] } });
  const analyst = await kc.roles.findOneByName({ name: "analyst" });
  await kc.groups.addRealmRoleMappings({ id: groupId, roles: [{ id: analyst!.id!, name: "analyst" }] });

  await kc.identityProviders.create({
    alias: "corp",
    providerId: "oidc",
    enabled: true,
    config: { clientId: "corp-client", clientSecret: "corp-secret", authorizationUrl: "https://sso.example.org/auth", tokenUrl: "https://sso.example.org/token", clientAuthMethod: "client_secret_post", syncMode: "IMPORT" },
  });
  await kc.identityProviders.createMapper({
    alias: "corp",
    identityProviderMapper: { name: "analysts", identityProviderAlias: "corp", identityProviderMapper: "oidc-hardcoded-group-idp-mapper", config: { group: "/analysts", syncMode: "INHERIT" } },
  });

  const realm = await kc.realms.findOne({ realm: REALM });
  const { id: ldapId } = await kc.components.create({
    name: "directory",
    providerId: "ldap",
    providerType: "org.keycloak.storage.UserStorageProvider",
    parentId: realm!.id,
    config: {
      enabled: ["true"],
      vendor: ["other"],
      connectionUrl: [slapd.url],
      bindDn: [slapd.bindDn],
      bindCredential: [slapd.bindPassword],
      usersDn: [`ou=people,${baseDn}`],
      editMode: ["READ_ONLY"],
      usernameLDAPAttribute: ["uid"],
      rdnLDAPAttribute: ["uid"],
      uuidLDAPAttribute: ["entryUUID"],
      userObjectClasses: ["inetOrgPerson, organizationalPerson"],
      searchScope: ["1"],
      importEnabled: ["true"],
      syncRegistrations: ["false"],
      authType: ["simple"],
    },
  });
  await kc.components.create({
    name: "groups",
    providerId: "group-ldap-mapper",
    providerType: "org.keycloak.storage.ldap.mappers.LDAPStorageMapper",
    parentId: ldapId,
    config: {
      "groups.dn": [`ou=groups,${baseDn}`],
      "group.name.ldap.attribute": ["cn"],
      "group.object.classes": ["groupOfNames"],
      "membership.ldap.attribute": ["member"],
      "membership.attribute.type": ["DN"],
      "membership.user.ldap.attribute": ["uid"],
      mode: ["READ_ONLY"],
      "user.roles.retrieve.strategy": ["LOAD_GROUPS_BY_MEMBER_ATTRIBUTE"],
      "preserve.group.inheritance": ["true"],
      "ignore.missing.groups": ["false"],
      "drop.non.existing.groups.during.sync": ["false"],
      "memberof.ldap.attribute": ["memberOf"],
    },
  });
  await kc.userStorageProvider.sync({ id: ldapId!, action: "triggerFullSync" });

  await kc.authenticationManagement.copyFlow({ flow: "browser", newName: "browser by hand" });
}

/** The `pulumi config set --secret KEY` lines `import` printed, as KEY -> what it is for. */
function secretLines(stdout: string): Map<string, string> {
  return new Map([...stdout.matchAll(/pulumi config set --stack \S+ --secret (\S+) <value>\s+# (.*)/g)].map(([, key, purpose]) => [key, purpose]));
}

describe("importing and adopting a realm made by hand", () => {
  let slapd: Slapd;
  let test: TestStack;
  let usersBefore: string[];

  beforeAll(async () => {
    slapd = await startSlapd({ users: PEOPLE, groups: [{ cn: "ldap-analysts", members: ["lena", "omar"] }] });
    await buildByHand(slapd);
    usersBefore = (await (await realmClient()).users.find({ max: 1000 })).map((u) => `${u.username} ${u.federationLink ? "ldap" : "local"}`).sort();
    // A stack on the same Keycloak that manages nothing yet (master, adopted, with no setting
    // stated): `import` reads through it.
    test = await createTestStack("handmade", { realms: { "master.yaml": "realm: master\nexisting: true\n" } });
    expect((await test.up()).summary.result).toBe("succeeded");
  });

  afterAll(async () => {
    try {
      const kc = await adminClient();
      if (await kc.realms.findOne({ realm: REALM })) await kc.realms.del({ realm: REALM });
    } finally {
      await slapd?.stop();
    }
  });

  let spec: Record<string, any>;
  let secrets: Map<string, string>;

  it("writes a spec of the realm, names its secrets and reports what a spec cannot say", async () => {
    const run = await test.fleet(["import", "--stack", "handmade", "--realm", REALM, "--out", "stacks/handmade.yaml"]);
    expect(run.stderr).not.toContain(slapd.bindPassword);
    expect(run.stdout + run.stderr).not.toContain(PORTAL_SECRET);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/wrote stacks\/handmade.yaml/);
    // The custom flow is not something a spec can hold: it is reported, not dropped silently.
    expect(run.stderr).toContain("browser by hand");
    secrets = secretLines(run.stdout);
    expect([...secrets.values()].join("\n")).toMatch(/client portal[\s\S]*identity provider corp|identity provider corp[\s\S]*client portal/);
    expect([...secrets.values()].join("\n")).toMatch(/LDAP federation directory/);

    spec = parse(fs.readFileSync(path.join(test.projectDir, "stacks", "handmade.yaml"), "utf8"));
    expect(spec).toMatchObject({ realm: REALM, existing: true, displayName: "Built by hand" });
    expect(spec.clients.map((c: { clientId: string }) => c.clientId)).toContain("portal");
    expect(spec.userFederation).toMatchObject([{ name: "directory", connectionUrl: slapd.url, bindCredential: { config: expect.any(String) } }]);
    expect(spec.identityProviders).toMatchObject([{ alias: "corp", mappers: [expect.objectContaining({ name: "analysts" })] }]);
  });

  it("adopts it: every object imported, none created, replaced or deleted, the directory's users kept", async () => {
    const valueFor = (purpose: string) =>
      purpose.includes("client portal") ? PORTAL_SECRET : purpose.includes("LDAP federation") ? slapd.bindPassword : purpose.includes("identity provider corp") ? "corp-secret" : undefined;
    for (const [key, purpose] of secrets) {
      const value = valueFor(purpose);
      expect(value, `a value for ${key} (${purpose})`).toBeDefined();
      await test.stack.setConfig(`keycloak-fleet:${key}`, { value: value!, secret: true });
    }
    await test.stack.setConfig("keycloak-fleet:realms[1]", { value: "stacks/handmade.yaml" }, true);
    const before = await readRealmSnapshot(await adminClient(), REALM);

    const { steps, result } = await upWithSteps(test.stack);
    expect(result.summary.result).toBe("succeeded");
    expect(steps.filter(({ op }) => ["replace", "create-replacement", "delete", "delete-replaced"].includes(op))).toEqual([]);
    expect(steps.filter(({ op, type }) => op === "create" && !SETTINGS_ONLY_TYPES.includes(type))).toEqual([]);
    expect(steps.filter(({ op }) => op === "import").map(({ name }) => name)).toEqual(
      expect.arrayContaining([REALM, `${REALM}/portal`, `${REALM}/analyst`, `${REALM}/analysts`, `${REALM}/idp/corp`, `${REALM}/idp/corp/analysts`, `${REALM}/ldap/directory`, `${REALM}/ldap/directory/groups`]),
    );

    // The realm's settings, roles, groups and flows are as they were: no default written over a
    // setting the spec leaves unset. (Objects the first up writes back, for their write-only
    // secrets, get the provider's whole representation: see the README's adoption limits.)
    const after = await readRealmSnapshot(await adminClient(), REALM);
    for (const part of ["settings", "roles", "groups", "authenticationFlows", "flowBindings", "defaultRoles", "defaultGroups", "requiredActions"] as const) expect(after?.[part], part).toEqual(before?.[part]);
    const kc = await realmClient();
    const usersAfter = (await kc.users.find({ max: 1000 })).map((u) => `${u.username} ${u.federationLink ? "ldap" : "local"}`).sort();
    expect(usersAfter).toEqual(usersBefore);
    expect(usersAfter).toEqual(expect.arrayContaining(["lena ldap", "omar ldap", "ines ldap"]));
    // Still working as before: a directory user logs in through the adopted client and federation.
    const lena = PEOPLE[0];
    const token = await tokenRequest(REALM, { grant_type: "password", client_id: "portal", client_secret: PORTAL_SECRET, username: lena.uid, password: lena.password });
    expect(token.access_token).toEqual(expect.any(String));
    expect((await kc.authenticationManagement.getFlows()).map((f) => f.alias)).toContain("browser by hand");
  });

  it("has nothing left to change on the next preview", async () => {
    const preview = await test.stack.preview({ diff: true });
    expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
  });
});
