// LDAP user federation, end to end: a real OpenLDAP slapd started by the test (slapd.ts), a realm
// that federates it, a directory user logging in through Keycloak with the password grant, her
// directory group showing up in Keycloak, and the bind password kept out of state and output.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { randomSecret } from "../../src/ops/workspace";
import { adminClient, claims, createTestStack, tokenRequest, type TestStack } from "./harness";
import { baseDn, startSlapd, type Slapd } from "./slapd";

const REALM = "ldap-fed";
const LENA = { uid: "lena", password: `lena-${randomSecret()}`, givenName: "Lena", sn: "Berg", mail: "lena@example.org" };
const CLIENT_SECRET = randomSecret();
const FEDERATION_TYPE = "keycloak:ldap/userFederation:UserFederation";

describe("LDAP federation against a real slapd", () => {
  let slapd: Slapd;
  let test: TestStack;
  let federationId: string;
  const previews: string[] = [];

  /** The realm spec; `federation` overrides or removes (undefined) fields of the LDAP entry. */
  const realmYaml = (federation: Record<string, unknown> = {}, withFederation = true) =>
    stringify({
      realm: REALM,
      clients: [{ clientId: "ldap-app", access: "confidential", standardFlow: false, directAccessGrants: true, secret: { config: "ldapAppSecret" } }],
      userFederation: withFederation
        ? [
            {
              name: "directory",
              connectionUrl: slapd.url,
              bindDn: slapd.bindDn,
              bindCredential: { config: "ldapBindPassword" },
              usersDn: `ou=people,${baseDn}`,
              vendor: "other",
              editMode: "READ_ONLY",
              protect: false,
              groupMapper: { groupsDn: `ou=groups,${baseDn}` },
              ...federation,
            },
          ]
        : [],
    });
  const writeSpec = (yaml: string) => fs.writeFileSync(path.join(test.projectDir, "stacks", `${REALM}.yaml`), yaml);
  const federationState = () => {
    const resources: { type: string; protect?: boolean }[] = JSON.parse(test.exportState()).deployment.resources;
    const federations = resources.filter((r) => r.type === FEDERATION_TYPE);
    expect(federations).toHaveLength(1);
    return federations[0];
  };
  const realmClient = async () => {
    const kc = await adminClient();
    kc.setConfig({ realmName: REALM });
    return kc;
  };
  const passwordGrant = (password: string) =>
    tokenRequest(REALM, { grant_type: "password", client_id: "ldap-app", client_secret: CLIENT_SECRET, username: "lena", password, scope: "openid" });

  beforeAll(async () => {
    slapd = await startSlapd({ users: [LENA], groups: [{ cn: "ldap-analysts", members: ["lena"] }] });
    test = await createTestStack("ldap", {
      realms: { [`${REALM}.yaml`]: realmYaml() },
      secrets: { ldapBindPassword: slapd.bindPassword, ldapAppSecret: CLIENT_SECRET },
    });
  });

  afterAll(async () => {
    try {
      if (test && (await (await adminClient()).realms.findOne({ realm: REALM }))) await test.destroy();
    } finally {
      await slapd?.stop();
    }
  });

  it("deploys the LDAP provider and its group mapper, without returning the bind password", async () => {
    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");

    const kc = await realmClient();
    const providers = await kc.components.find({ type: "org.keycloak.storage.UserStorageProvider" });
    expect(providers.map((p) => p.name)).toEqual(["directory"]);
    const [provider] = providers;
    federationId = provider.id!;
    expect(provider.providerId).toBe("ldap");
    expect(provider.config).toMatchObject({
      connectionUrl: [slapd.url],
      bindDn: [slapd.bindDn],
      usersDn: [`ou=people,${baseDn}`],
      vendor: ["other"],
      editMode: ["READ_ONLY"],
      usernameLDAPAttribute: ["uid"],
      uuidLDAPAttribute: ["entryUUID"],
      searchScope: ["1"],
    });
    // Set, but masked by Keycloak.
    expect(provider.config!.bindCredential).toHaveLength(1);
    expect(provider.config!.bindCredential[0]).not.toBe(slapd.bindPassword);
    expect(JSON.stringify(provider)).not.toContain(slapd.bindPassword);

    const mappers = await kc.components.find({ parent: federationId, type: "org.keycloak.storage.ldap.mappers.LDAPStorageMapper" });
    const groups = mappers.find((m) => m.name === "groups");
    expect(groups).toMatchObject({ providerId: "group-ldap-mapper", config: { "groups.dn": [`ou=groups,${baseDn}`], mode: ["READ_ONLY"] } });

    // This spec says protect: false; the default (true) is checked in the last test.
    expect(federationState().protect).toBeFalsy();
  });

  it("logs lena in with her directory password and imports her, linked to the provider, with her LDAP group", async () => {
    await expect(passwordGrant("not-her-password")).rejects.toThrow(/invalid_grant.*Invalid user credentials/);

    const token = await passwordGrant(LENA.password);
    expect(claims(token.access_token as string)).toMatchObject({ preferred_username: "lena", email: "lena@example.org", azp: "ldap-app" });
    // Keycloak's default first-name mapper reads cn when the username attribute is uid.
    expect(claims(token.id_token as string)).toMatchObject({ preferred_username: "lena", given_name: "Lena Berg", family_name: "Berg" });

    const kc = await realmClient();
    const [user] = await kc.users.find({ username: "lena", exact: true });
    expect(user).toMatchObject({ username: "lena", email: "lena@example.org", firstName: "Lena Berg", lastName: "Berg", federationLink: federationId });
    expect(user.attributes?.LDAP_ENTRY_DN).toEqual([`uid=lena,ou=people,${baseDn}`]);
    expect((await kc.users.listGroups({ id: user.id! })).map((g) => g.name)).toEqual(["ldap-analysts"]);
    // editMode READ_ONLY: Keycloak refuses to change a directory user.
    await expect(kc.users.update({ id: user.id! }, { ...user, lastName: "Changed" })).rejects.toThrow("error-user-attribute-read-only");
    expect((await kc.users.findOne({ id: user.id! }))?.lastName).toBe("Berg");
  });

  it("updates a provider setting in place, with one update and no replacement", async () => {
    writeSpec(realmYaml({ searchScope: "SUBTREE", fullSyncPeriod: "1h" }));
    const preview = await test.stack.preview({ diff: true });
    previews.push(preview.stdout, preview.stderr);
    expect(preview.changeSummary).toEqual({ same: expect.any(Number), update: 1 });
    expect(preview.stdout).toContain(FEDERATION_TYPE);
    expect(preview.stdout).toMatch(/searchScope\s*: "ONE_LEVEL" => "SUBTREE"/);
    expect(preview.stdout).not.toMatch(/replace/);

    const result = await test.up();
    expect(result.summary.resourceChanges).toEqual({ same: expect.any(Number), update: 1 });
    const [provider] = await (await realmClient()).components.find({ type: "org.keycloak.storage.UserStorageProvider" });
    expect(provider.id).toBe(federationId);
    expect(provider.config).toMatchObject({ searchScope: ["2"], fullSyncPeriod: ["3600"] });
    expect(claims((await passwordGrant(LENA.password)).access_token as string).preferred_username).toBe("lena");
  });

  it("protects the provider by default: removing it is refused until protect: false", async () => {
    const settings = { searchScope: "SUBTREE", fullSyncPeriod: "1h" };
    writeSpec(realmYaml({ ...settings, protect: undefined }));
    await test.up();
    expect(federationState().protect).toBe(true);

    writeSpec(realmYaml(settings, false));
    const refused = await test.stack.preview({ diff: true }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refused, "removing a protected provider should have been refused").toBeDefined();
    expect(refused!.message).toMatch(/UserFederation::ldap-fed\/ldap\/directory" cannot be deleted\s+because it is protected/);
    previews.push(refused!.message);

    writeSpec(realmYaml(settings));
    await test.up();
    expect(federationState().protect).toBeFalsy();
    const [provider] = await (await realmClient()).components.find({ type: "org.keycloak.storage.UserStorageProvider" });
    expect(provider.id).toBe(federationId);
  });

  it("keeps the bind password and the client secret out of the state and the engine's output", () => {
    const exported = test.exportState();
    const raw = test.rawState();
    expect(exported).toContain(FEDERATION_TYPE);
    expect(exported).toContain("ciphertext");
    for (const secret of [slapd.bindPassword, CLIENT_SECRET, LENA.password]) {
      expect(exported).not.toContain(secret);
      expect(raw).not.toContain(secret);
      expect(test.output.join("")).not.toContain(secret);
      expect(previews.join("")).not.toContain(secret);
    }
  });
});
