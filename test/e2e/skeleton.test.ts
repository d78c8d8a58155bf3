// The walking skeleton, end to end: the real program, deployed by the real Pulumi engine onto a
// real Keycloak, checked through Keycloak's Admin REST API and its token endpoint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, claims, clientCredentialsToken, createTestStack, keycloak, type TestStack } from "./harness";

const realmYaml = `
realm: skeleton
displayName: Skeleton Realm
clients:
  - clientId: jupyterhub
    redirectUris: [https://jupyter.example.com/hub/oauth_callback]
    serviceAccount: true
groups:
  - name: analyst
`;

describe("walking skeleton on a real Keycloak", () => {
  let test: TestStack;
  let clientSecret: string;

  beforeAll(async () => {
    test = await createTestStack("skeleton", { realms: { "skeleton.yaml": realmYaml } });
  });

  afterAll(async () => {
    const kc = await adminClient();
    if (await kc.realms.findOne({ realm: "skeleton" })) await test.destroy();
  });

  it("deploys the realm, a confidential client and a group", async () => {
    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges?.create).toBe(6); // stack, provider, component, realm, client, group

    const kc = await adminClient();
    const realm = await kc.realms.findOne({ realm: "skeleton" });
    expect(realm).toMatchObject({ realm: "skeleton", displayName: "Skeleton Realm", enabled: true });

    kc.setConfig({ realmName: "skeleton" });
    const [client] = await kc.clients.find({ clientId: "jupyterhub" });
    expect(client).toMatchObject({ publicClient: false, serviceAccountsEnabled: true, redirectUris: ["https://jupyter.example.com/hub/oauth_callback"] });
    const groups = await kc.groups.find();
    expect(groups.map((g) => g.name)).toEqual(["analyst"]);

    const outputs = result.outputs;
    expect(outputs.keycloakUrl.value).toBe(keycloak().url);
    expect(outputs.adminUsername.value).toBe("admin");
    expect(outputs.adminPassword.secret).toBe(true);
    const realmOutputs = outputs.realmOutputs;
    expect(realmOutputs.value.skeleton.url).toBe(`${keycloak().url}/realms/skeleton`);
    clientSecret = realmOutputs.value.skeleton.clients.jupyterhub.clientSecret;
    expect(clientSecret).toBe((await kc.clients.getClientSecret({ id: client.id! })).value);
  });

  it("lets the client obtain a token with the client-credentials grant", async () => {
    const token = await clientCredentialsToken("skeleton", "jupyterhub", clientSecret);
    expect(claims(token.access_token as string)).toMatchObject({
      iss: `${keycloak().url}/realms/skeleton`,
      azp: "jupyterhub",
    });
  });

  it("keeps every secret out of the state and the engine's output", async () => {
    const exported = test.exportState();
    const raw = test.rawState();
    expect(exported).toContain("ciphertext");
    const { admin } = keycloak();
    for (const secret of [admin.password, admin.clientSecret, clientSecret]) {
      expect(exported).not.toContain(secret);
      expect(raw).not.toContain(secret);
      expect(test.output.join("")).not.toContain(secret);
    }
  });

  it("changes nothing on a second up", async () => {
    const result = await test.up();
    expect(result.summary.resourceChanges).toEqual({ same: 6 });
  });

  it("finds no drift on refresh, and a refreshed preview plans nothing", async () => {
    const refresh = await test.stack.refresh({ onOutput: (line) => test.output.push(line) });
    expect(refresh.summary.resourceChanges).toEqual({ same: 6 });
    const preview = await test.stack.preview({ refresh: true, onOutput: (line) => test.output.push(line) });
    expect(preview.changeSummary).toEqual({ same: 6 });
  });

  it("keeps working after someone rotates the administrator's password in Keycloak", async () => {
    const kc = await adminClient();
    const [admin] = await kc.users.find({ realm: "master", username: keycloak().admin.username, exact: true });
    await kc.users.resetPassword({ realm: "master", id: admin.id!, credential: { type: "password", value: "rotated-by-a-person-1", temporary: false } });
    const result = await test.stack.up({ refresh: true, onOutput: (line) => test.output.push(line) });
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ same: 6 });
    // Put it back: other test files log in as nobody but the automation client, but be tidy.
    await kc.users.resetPassword({ realm: "master", id: admin.id!, credential: { type: "password", value: keycloak().admin.password, temporary: false } });
  });

  it("removes the realm on destroy", async () => {
    await test.destroy();
    const kc = await adminClient();
    expect(await kc.realms.findOne({ realm: "skeleton" })).toBeNull();
  });
});
