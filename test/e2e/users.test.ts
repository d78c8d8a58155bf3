// Day-2 users, end to end: the real fleet CLI (users add, list, disable, enable, reset-password,
// remove, export, import) on a deployed realm, checked through Keycloak itself: the Admin API,
// the token endpoint (a printed password really is the user's), a mail server that receives the
// update-password e-mail, a real slapd behind a federated user, and a second Keycloak (another
// region's stack) that the users are imported into.
import * as fs from "node:fs";
import * as path from "node:path";
import KcAdminClient from "@keycloak/keycloak-admin-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { randomSecret } from "../../src/ops/workspace";
import { createTestStack, keycloak, tokenRequest, type FleetRun, type TestStack } from "./harness";
import { startTestKeycloak, type KeycloakUnderTest, type TestKeycloak } from "./keycloak-server";
import { baseDn, startSlapd, type Slapd } from "./slapd";
import { startSmtpSink, type SmtpSink } from "./smtp-sink";

const REALM = "people";
const SOURCE = "users-eu";
const TARGET = "users-us";
const LENA = { uid: "lena", password: `lena-${randomSecret()}`, givenName: "Lena", sn: "Berg", mail: "lena@example.org" };

/** The realm both stacks deploy, sending its e-mail to the test's mail server. */
function realmYaml(slapd: Slapd, smtpPort: number): string {
  return stringify({
    realm: REALM,
    smtp: { host: "127.0.0.1", port: smtpPort, from: "keycloak@example.org", starttls: false },
    clients: [{ clientId: "cli", access: "public", standardFlow: false, directAccessGrants: true }],
    roles: ["auditor"],
    groups: [{ name: "platform-admins" }, { name: "research", subGroups: [{ name: "ml" }] }],
    userProfile: { attributes: [{ name: "team" }] },
    users: [{ username: "alice", email: "alice@example.org", groups: ["/platform-admins"] }],
    identityProviders: [{ alias: "github", type: "github", clientId: "people", clientSecret: { config: "githubSecret" } }],
    userFederation: [
      {
        name: "directory",
        connectionUrl: slapd.url,
        bindDn: slapd.bindDn,
        bindCredential: { config: "ldapBindPassword" },
        usersDn: `ou=people,${baseDn}`,
        editMode: "READ_ONLY",
        protect: false,
      },
    ],
  });
}

async function realmAdmin(server: KeycloakUnderTest): Promise<KcAdminClient> {
  const kc = new KcAdminClient({ baseUrl: server.url, realmName: "master" });
  await kc.auth({ grantType: "client_credentials", clientId: server.admin.clientId, clientSecret: server.admin.clientSecret });
  kc.setConfig({ realmName: REALM });
  return kc;
}

async function findUser(kc: KcAdminClient, username: string) {
  const [user] = await kc.users.find({ username, exact: true });
  return user;
}

async function groupPaths(kc: KcAdminClient, username: string): Promise<string[]> {
  const user = await findUser(kc, username);
  return (await kc.users.listGroups({ id: user.id! })).map((g) => g.path!).sort();
}

/** A password grant of the realm's public client: resolves with tokens, or rejects with Keycloak's answer. */
const passwordGrant = (username: string, password: string, baseUrl = keycloak().url) =>
  tokenRequest(REALM, { grant_type: "password", client_id: "cli", username, password, scope: "openid" }, baseUrl);

/** The link of Keycloak's execute-actions e-mail (quoted-printable undone). */
function actionLink(mail: string): string {
  const text = mail.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const link = text.match(/https?:\/\/[^\s"<>]+\/login-actions\/action-token\?key=[^\s"<>]+/)?.[0];
  if (!link) throw new Error(`no action-token link in the e-mail:\n${text}`);
  return link.replace(/&amp;/g, "&");
}

/** `users list` as rows of cells (columns are separated by two or more spaces). */
const tableRows = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((line) => line.split(/\s{2,}/));

describe("day-2 users through the fleet CLI", () => {
  let smtp: SmtpSink;
  let slapd: Slapd;
  let secondKeycloak: Promise<TestKeycloak> | undefined;
  let server: TestKeycloak;
  let source: TestStack;
  let target: TestStack;
  let bobPassword: string;
  const exportFile = () => path.join(source.projectDir, "people-users.json");

  /** `npm run fleet -- users <args> --stack <stack> --realm people` in the stack's project. */
  const users = (stack: TestStack, ...args: string[]): Promise<FleetRun> => stack.fleet(["users", ...args, "--stack", stack.stack.name, "--realm", REALM]);
  const sourceAdmin = () => realmAdmin(keycloak());
  const targetAdmin = () => realmAdmin(server);

  beforeAll(async () => {
    smtp = await startSmtpSink();
    slapd = await startSlapd({ users: [LENA], groups: [] });
    const secrets = { ldapBindPassword: slapd.bindPassword, githubSecret: randomSecret() };
    // The second region's Keycloak starts while the first region deploys.
    secondKeycloak = startTestKeycloak("users-region2");
    source = await createTestStack(SOURCE, { realms: { "people.yaml": realmYaml(slapd, smtp.port) }, secrets });
    expect((await source.up()).summary.result).toBe("succeeded");
    server = await secondKeycloak;
    target = await createTestStack(TARGET, {
      // A second realm without an SMTP server, for the refusal of --email-action.
      realms: { "people.yaml": realmYaml(slapd, smtp.port), "quiet.yaml": "realm: quiet\n" },
      secrets,
      external: { url: server.url, adminClientSecret: server.admin.clientSecret },
    });
    expect((await target.up()).summary.result).toBe("succeeded");
  });

  afterAll(async () => {
    try {
      const kc = await realmAdmin(keycloak());
      if (source && (await kc.realms.findOne({ realm: REALM }))) await source.destroy();
    } finally {
      await (await secondKeycloak?.catch(() => undefined))?.remove();
      await slapd?.stop();
      await smtp?.stop();
    }
  });

  it("adds a user to a group with a temporary password, printed once, that really is its password", async () => {
    const run = await users(source, "add", "bob", "--email", "bob@example.org", "--first-name", "Bob", "--last-name", "Stone", "--group", "/research/ml");
    expect(run.code, run.stderr).toBe(0);
    // The password and nothing else on stdout; nowhere on stderr.
    expect(run.stdout).toMatch(/^[A-Za-z0-9_-]{32}\n$/);
    bobPassword = run.stdout.trim();
    expect(run.stderr).not.toContain(bobPassword);
    expect(run.stderr).toContain("created bob in realm people");

    const kc = await sourceAdmin();
    expect(await findUser(kc, "bob")).toMatchObject({ email: "bob@example.org", firstName: "Bob", lastName: "Stone", enabled: true, requiredActions: ["UPDATE_PASSWORD"] });
    expect(await groupPaths(kc, "bob")).toEqual(["/research/ml"]);
    // Keycloak accepts the password and asks for a new one; a wrong one is simply invalid.
    await expect(passwordGrant("bob", bobPassword)).rejects.toThrow(/Account is not fully set up/);
    await expect(passwordGrant("bob", `x${bobPassword}`)).rejects.toThrow(/Invalid user credentials/);
  });

  it("adds a user with --email-action: Keycloak e-mails an update-password link, nothing is printed", async () => {
    const run = await users(source, "add", "carol", "--email", "carol@example.org", "--group", "research", "--email-action");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("e-mailed carol <carol@example.org> a link to choose a password");

    const mail = await smtp.mailTo("carol@example.org");
    const page = await fetch(actionLink(mail.data));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Update Password/);
    const kc = await sourceAdmin();
    const carol = await findUser(kc, "carol");
    expect(await kc.users.getCredentials({ id: carol.id! })).toEqual([]);
    expect(await groupPaths(kc, "carol")).toEqual(["/research"]);
  });

  it("refuses users declared in code, unknown groups, stacks, realms and users, and changes nothing", async () => {
    const aliceBefore = await findUser(await sourceAdmin(), "alice");

    const refusals: [string[], RegExp][] = [
      [["add", "alice"], /alice is declared in code \(stacks\/people\.yaml\)[\s\S]*hint: edit its entry under users: in stacks\/people\.yaml and run pulumi up --stack users-eu/],
      [["disable", "alice"], /alice is declared in code[\s\S]*hint: edit its entry/],
      [["reset-password", "alice"], /alice is declared in code[\s\S]*hint: edit its entry/],
      [["remove", "alice"], /alice is declared in code[\s\S]*hint: remove its entry from users: in stacks\/people\.yaml/],
      [["add", "dave", "--group", "/research/nope"], /realm people has no group \/research\/nope; nothing was created\nhint: its groups \(from stacks\/people\.yaml\) are \/platform-admins, \/research, \/research\/ml/],
      [["add", "erin", "--email-action"], /--email-action needs the user's e-mail address/],
      [["add", "bob"], /user bob already exists in realm people[\s\S]*hint: .*users reset-password bob/],
      [["disable", "nobody"], /realm people of stack users-eu has no user nobody/],
    ];
    const runs = await Promise.all([
      ...refusals.map(([args]) => users(source, ...args)),
      source.fleet(["users", "list", "--stack", "nope", "--realm", REALM]),
      source.fleet(["users", "list", "--stack", SOURCE, "--realm", "nope"]),
      source.fleet(["users", "list", "--stack", SOURCE]),
    ]);
    const expected = [...refusals.map(([, message]) => message), /no stack named "nope"/, /stack users-eu deploys no realm named "nope"[\s\S]*hint: its realms are people/, /--realm must be given/];
    for (const [i, run] of runs.entries()) {
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(expected[i]);
      expect(run.stdout).toBe("");
    }

    // alice is as the spec made her; dave and erin were never created.
    const kc = await sourceAdmin();
    const aliceAfter = await findUser(kc, "alice");
    expect(aliceAfter).toEqual(aliceBefore);
    expect(await groupPaths(kc, "alice")).toEqual(["/platform-admins"]);
    expect(await kc.users.getCredentials({ id: aliceAfter.id! })).toEqual([]);
    expect(await findUser(kc, "dave")).toBeUndefined();
    expect(await findUser(kc, "erin")).toBeUndefined();
  });

  it("lists every user with e-mail, enabled, groups and where it comes from", async () => {
    // lena logs in with her directory password, which brings her into Keycloak.
    await passwordGrant("lena", LENA.password);

    const run = await users(source, "list");
    expect(run.code, run.stderr).toBe(0);
    expect(tableRows(run.stdout)).toEqual([
      ["USERNAME", "EMAIL", "ENABLED", "GROUPS", "SOURCE"],
      ["alice", "alice@example.org", "yes", "/platform-admins", "code"],
      ["bob", "bob@example.org", "yes", "/research/ml", "day-2"],
      ["carol", "carol@example.org", "yes", "/research", "day-2"],
      ["lena", "lena@example.org", "yes", "-", "federation: directory"],
    ]);
  });

  it("disable refuses the user's logins; enable lets it in again", async () => {
    const disable = await users(source, "disable", "bob");
    expect(disable.code, disable.stderr).toBe(0);
    expect((await findUser(await sourceAdmin(), "bob")).enabled).toBe(false);
    await expect(passwordGrant("bob", bobPassword)).rejects.toThrow(/Account disabled/);

    const enable = await users(source, "enable", "bob");
    expect(enable.code, enable.stderr).toBe(0);
    await expect(passwordGrant("bob", bobPassword)).rejects.toThrow(/Account is not fully set up/);
  });

  it("reset-password prints a new temporary password once; the old one stops working", async () => {
    const run = await users(source, "reset-password", "bob");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^[A-Za-z0-9_-]{32}\n$/);
    const newPassword = run.stdout.trim();
    expect(newPassword).not.toBe(bobPassword);
    expect(run.stderr).not.toContain(newPassword);

    await expect(passwordGrant("bob", newPassword)).rejects.toThrow(/Account is not fully set up/);
    await expect(passwordGrant("bob", bobPassword)).rejects.toThrow(/Invalid user credentials/);
    bobPassword = newPassword;
  });

  it("exports the day-2 users by names: no ids, no passwords, no users declared in code", async () => {
    // What a person does in the console between two commands: an attribute, required actions, a
    // realm role, a GitHub account linked, a directory user put in a group.
    const kc = await sourceAdmin();
    const bob = await findUser(kc, "bob");
    await kc.users.update({ id: bob.id! }, { ...bob, attributes: { team: ["ml"] }, requiredActions: [...bob.requiredActions!, "CONFIGURE_TOTP"] });
    const auditor = await kc.roles.findOneByName({ name: "auditor" });
    await kc.users.addRealmRoleMappings({ id: bob.id!, roles: [{ id: auditor!.id!, name: "auditor" }] });
    const carol = await findUser(kc, "carol");
    await kc.users.addToFederatedIdentity({ id: carol.id!, federatedIdentityId: "github", federatedIdentity: { identityProvider: "github", userId: "4242", userName: "carol-gh" } });
    const lena = await findUser(kc, "lena");
    await kc.users.addToGroup({ id: lena.id!, groupId: (await kc.realms.getGroupByPath({ realm: REALM, path: "research" })).id! });
    await kc.users.update({ id: lena.id! }, { ...lena, requiredActions: ["CONFIGURE_TOTP"] });

    const run = await users(source, "export", "--out", exportFile());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/exported 3 users of realm people/);
    expect(run.stderr).toMatch(/left out 1 declared in code .*: alice/);
    expect(fs.statSync(exportFile()).mode & 0o777).toBe(0o600);

    const text = fs.readFileSync(exportFile(), "utf8");
    const exported = JSON.parse(text);
    expect(exported).toMatchObject({ format: "keycloak-fleet/users/v1", stack: SOURCE, realm: REALM, defaultRole: "default-roles-people" });
    expect(exported.passwords).toMatch(/Passwords are not included/);
    expect(exported.users.map((u: { username: string }) => u.username)).toEqual(["bob", "carol", "lena"]);
    const [bobOut, carolOut, lenaOut] = exported.users;
    expect(bobOut).toMatchObject({
      email: "bob@example.org",
      firstName: "Bob",
      enabled: true,
      groups: ["/research/ml"],
      attributes: { team: ["ml"] },
      realmRoles: ["auditor", "default-roles-people"],
      requiredActions: ["CONFIGURE_TOTP", "UPDATE_PASSWORD"],
      hadPassword: true,
    });
    expect(bobOut.federation).toBeUndefined();
    expect(carolOut).toMatchObject({ groups: ["/research"], identityProviderLinks: [{ identityProvider: "github", userId: "4242", userName: "carol-gh" }], hadPassword: false });
    expect(lenaOut).toMatchObject({ federation: "directory", email: "lena@example.org", groups: ["/research"], requiredActions: ["CONFIGURE_TOTP"] });

    // Names only: none of this Keycloak's ids, and no secret.
    const [provider] = await kc.components.find({ type: "org.keycloak.storage.UserStorageProvider" });
    const ids = [bob.id!, carol.id!, lena.id!, provider.id!, auditor!.id!];
    for (const id of ids) expect(text).not.toContain(id);
    expect(text).not.toContain(bobPassword);
    expect(text).not.toContain(LENA.password);
  });

  it("refuses an import that refers to what the target realm lacks, and imports nothing", async () => {
    const exported = JSON.parse(fs.readFileSync(exportFile(), "utf8"));
    exported.users[0].groups = ["/research/nope"];
    exported.users[2].federation = "other-directory";
    const broken = path.join(source.projectDir, "broken-users.json");
    fs.writeFileSync(broken, JSON.stringify(exported));

    const run = await users(target, "import", broken);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/realm people of stack users-us lacks what the users refer to; nothing was imported/);
    expect(run.stderr).toContain("group /research/nope (bob)");
    expect(run.stderr).toContain("federation provider other-directory (lena)");
    const kc = await targetAdmin();
    for (const username of ["bob", "carol"]) expect(await findUser(kc, username)).toBeUndefined();
    // lena is in the directory, so Keycloak brings her in as soon as she is looked up; but bare.
    expect(await groupPaths(kc, "lena")).toEqual([]);
    expect((await findUser(kc, "lena")).requiredActions).toEqual([]);

    const notAnExport = await users(target, "import", exportFile() + ".missing");
    expect(notAnExport.code).toBe(1);
    expect(notAnExport.stderr).toMatch(/cannot read .*people-users\.json\.missing/);
  });

  it("imports them into another stack on another Keycloak with groups, roles, attributes, required actions and links", async () => {
    const run = await users(target, "import", exportFile(), "--email-action");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("imported 2 of 3 users into realm people of stack users-us: bob, carol\n");
    expect(run.stdout).toContain("lena (directory): added group /research, required action CONFIGURE_TOTP\n");
    // bob had a password, which could not come along: the second region e-mailed him a link.
    expect(run.stdout).toContain("e-mailed bob a link to choose a new password");
    const link = actionLink((await smtp.mailTo("bob@example.org")).data);
    expect(link.startsWith(`${server.url}/realms/people/`)).toBe(true);
    expect(await (await fetch(link)).text()).toMatch(/Update Password/);

    const kc = await targetAdmin();
    const bob = await findUser(kc, "bob");
    expect(bob).toMatchObject({ email: "bob@example.org", firstName: "Bob", lastName: "Stone", enabled: true, attributes: { team: ["ml"] } });
    expect([...bob.requiredActions!].sort()).toEqual(["CONFIGURE_TOTP", "UPDATE_PASSWORD"]);
    expect(await groupPaths(kc, "bob")).toEqual(["/research/ml"]);
    expect((await kc.users.listRealmRoleMappings({ id: bob.id! })).map((r) => r.name).sort()).toEqual(["auditor", "default-roles-people"]);
    // No password came along: bob's old one means nothing here.
    await expect(passwordGrant("bob", bobPassword, server.url)).rejects.toThrow(/Invalid user credentials/);

    const carol = await findUser(kc, "carol");
    expect(await groupPaths(kc, "carol")).toEqual(["/research"]);
    expect(await kc.users.listFederatedIdentities({ id: carol.id! })).toEqual([{ identityProvider: "github", userId: "4242", userName: "carol-gh" }]);

    // lena is linked to this Keycloak's own directory provider, has what Keycloak kept beside the
    // directory, and her directory password is checked (then she must set up OTP).
    const [provider] = await kc.components.find({ type: "org.keycloak.storage.UserStorageProvider" });
    const [sourceProvider] = await (await sourceAdmin()).components.find({ type: "org.keycloak.storage.UserStorageProvider" });
    expect(provider.id).not.toBe(sourceProvider.id);
    const lena = await findUser(kc, "lena");
    expect(lena.federationLink).toBe(provider.id);
    expect(lena.requiredActions).toEqual(["CONFIGURE_TOTP"]);
    expect(await groupPaths(kc, "lena")).toEqual(["/research"]);
    await expect(passwordGrant("lena", LENA.password, server.url)).rejects.toThrow(/Account is not fully set up/);
    await expect(passwordGrant("lena", `x${LENA.password}`, server.url)).rejects.toThrow(/Invalid user credentials/);
  });

  it("skips users that exist or that code declares on the target, says why, and says who needs a password", async () => {
    const exported = JSON.parse(fs.readFileSync(exportFile(), "utf8"));
    const carol = exported.users[1];
    exported.users.push({ ...carol, username: "alice", email: "alice@example.org", identityProviderLinks: [] });
    exported.users.push({ ...carol, username: "frank", email: undefined, identityProviderLinks: [], hadPassword: true });
    const again = path.join(source.projectDir, "again.json");
    fs.writeFileSync(again, JSON.stringify(exported));

    const run = await users(target, "import", again);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("imported 1 of 5 users into realm people of stack users-us: frank\n");
    expect(run.stdout).toContain("skipped 4:\n  alice: declared in code (stacks/people.yaml): Pulumi creates it on this stack\n  bob: already exists\n  carol: already exists\n  lena: already exists\n");
    expect(run.stdout).toContain("no password came along (the Admin API cannot read them): frank must get a new one");
    const frank = await findUser(await targetAdmin(), "frank");
    expect(frank.requiredActions).toEqual(["UPDATE_PASSWORD"]);
    // alice is as the target's spec made her, not as the file says.
    expect(await groupPaths(await targetAdmin(), "alice")).toEqual(["/platform-admins"]);
  });

  it("refuses --email-action on a realm without SMTP before the user exists", async () => {
    const run = await target.fleet(["users", "add", "erin", "--email", "erin@example.org", "--email-action", "--stack", TARGET, "--realm", "quiet"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/realm quiet of stack users-us has no SMTP server, so Keycloak cannot send the e-mail; nothing was changed/);
    expect(run.stderr).toMatch(/hint: declare smtp: in stacks\/quiet\.yaml and run pulumi up --stack users-us/);
    const kc = await targetAdmin();
    expect(await kc.users.find({ realm: "quiet", username: "erin", exact: true })).toEqual([]);
  });

  it("remove deletes the user; removing it again finds no such user", async () => {
    const run = await users(source, "remove", "bob");
    expect(run.code, run.stderr).toBe(0);
    expect(await findUser(await sourceAdmin(), "bob")).toBeUndefined();
    await expect(passwordGrant("bob", bobPassword)).rejects.toThrow(/Invalid user credentials/);

    const again = await users(source, "remove", "bob");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/realm people of stack users-eu has no user bob/);
  });
});
