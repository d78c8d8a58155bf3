// Some platforms keep their users in the master realm: the spec adopts it (import, then its
// settings as declared) and manages what it declares there, without creating the realm or, on
// destroy, deleting it.
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

describe("users of the existing master realm", () => {
  let test: TestStack;

  beforeAll(async () => {
    test = await createTestStack("master", { realms: { "master.yaml": masterSpec } });
  });

  afterAll(async () => {
    const kc = await adminClient();
    if ((await kc.users.find({ username: "ml-engineer", exact: true })).length > 0) await test.destroy();
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
    expect((await kc.realms.findOne({ realm: "master" }))?.displayName).toBe("Fleet Master");
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
