// Some platforms keep their users in the master realm: the spec adopts it (import, then the
// settings it states) and manages what it declares there, without creating the realm, changing
// a setting the spec does not state or, on destroy, deleting it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, createTestStack, type TestStack } from "./harness";

const masterSpec = `
realm: master
existing: true
displayName: Fleet Master
users:
  - username: ml-engineer
    email: ml-engineer@example.com
    emailVerified: true
    password: { generate: true, temporary: true }
    requiredActions: [UPDATE_PASSWORD]
`;

/** Master settings the spec does not state, set by hand beforehand to values no default has. */
const handMade = {
  displayNameHtml: "<b>Fleet</b> Master",
  defaultSignatureAlgorithm: "RS512",
  rememberMe: true,
  registrationAllowed: true,
  loginTheme: "keycloak",
  accessTokenLifespan: 420,
};

describe("users of the existing master realm", () => {
  let test: TestStack;
  let before: Record<string, unknown>;

  beforeAll(async () => {
    test = await createTestStack("master", { realms: { "master.yaml": masterSpec } });
    const kc = await adminClient();
    const master = (await kc.realms.findOne({ realm: "master" }))!;
    before = Object.fromEntries(["displayName", ...Object.keys(handMade)].map((key) => [key, master[key as keyof typeof master]]));
    await kc.realms.update({ realm: "master" }, handMade);
  });

  afterAll(async () => {
    const kc = await adminClient();
    if ((await kc.users.find({ username: "ml-engineer", exact: true })).length > 0) await test.destroy();
    await kc.realms.update({ realm: "master" }, before);
  });

  it("adopts master with its settings and adds a verified user who must change the password", async () => {
    const result = await test.up();
    expect(result.summary.resourceChanges).toMatchObject({ create: expect.any(Number) });
    expect(result.stdout).toMatch(/keycloak:index:Realm master +imported/);
    expect(result.stdout).not.toMatch(/keycloak:index:Realm master +creat/);
    const kc = await adminClient();
    const [user] = await kc.users.find({ username: "ml-engineer", exact: true });
    expect(user).toMatchObject({ email: "ml-engineer@example.com", emailVerified: true, requiredActions: ["UPDATE_PASSWORD"] });
    expect(result.outputs.realmOutputs.value.master.users["ml-engineer"].initialPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const master = await kc.realms.findOne({ realm: "master" });
    expect(master?.displayName).toBe("Fleet Master");
    // What the spec does not state keeps its live value: no default is written over it.
    expect(master).toMatchObject(handMade);
    const again = await test.stack.preview({ diff: true });
    expect(Object.keys(again.changeSummary)).toEqual(["same"]);
  });

  it("removes the user and leaves master in place on destroy", async () => {
    await test.destroy();
    const kc = await adminClient();
    expect(await kc.users.find({ username: "ml-engineer", exact: true })).toEqual([]);
    expect(await kc.realms.findOne({ realm: "master" })).toMatchObject({ realm: "master", enabled: true });
  });
});
