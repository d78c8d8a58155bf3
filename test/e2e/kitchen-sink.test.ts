// Every kind of thing a realm spec can declare, deployed at once on a real Keycloak: each must
// be created as written, and a second up must find nothing to change (no perpetual diffs).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, clientCredentialsToken, claims, createTestStack, type TestStack } from "./harness";
import { kitchenSinkSecrets, kitchenSinkSpec } from "./kitchen-sink";

const spec = kitchenSinkSpec;
const secrets = kitchenSinkSecrets;

describe("every kind of realm content on a real Keycloak", () => {
  let test: TestStack;

  beforeAll(async () => {
    test = await createTestStack("sink", { realms: { "sink.yaml": spec }, secrets });
  });

  afterAll(async () => {
    if (await (await adminClient()).realms.findOne({ realm: "sink" })) await test.destroy();
  });

  it("deploys it all", async () => {
    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
  });

  it("applies the realm settings", async () => {
    const realm = await (await adminClient()).realms.findOne({ realm: "sink" });
    expect(realm).toMatchObject({
      displayName: "Kitchen Sink",
      registrationAllowed: true,
      verifyEmail: true,
      loginWithEmailAllowed: false,
      sslRequired: "none",
      bruteForceProtected: true,
      failureFactor: 7,
      waitIncrementSeconds: 120,
      maxFailureWaitSeconds: 1200,
      maxDeltaTimeSeconds: 21600,
      passwordPolicy: "length(10)",
      accessTokenLifespan: 600,
      accessCodeLifespan: 120,
      ssoSessionIdleTimeout: 3600,
      ssoSessionMaxLifespan: 43200,
      offlineSessionIdleTimeout: 2592000,
      smtpServer: expect.objectContaining({ host: "smtp.example.com", from: "keycloak@example.com", user: "mailer", auth: "true" }),
      loginTheme: "keycloak",
      internationalizationEnabled: true,
      supportedLocales: expect.arrayContaining(["en", "de"]),
      defaultLocale: "en",
      otpPolicyAlgorithm: "HmacSHA256",
      otpPolicyDigits: 8,
      otpPolicyPeriod: 60,
      otpPolicyLookAheadWindow: 2,
      browserFlow: "browser with otp",
    });
    expect(JSON.stringify(realm)).not.toContain(secrets.smtpPassword);
    const kc = await adminClient();
    const events = await kc.realms.getConfigEvents({ realm: "sink" });
    expect(events).toMatchObject({ eventsEnabled: true, eventsExpiration: 259200, adminEventsEnabled: true, adminEventsDetailsEnabled: true });
  });

  it("gives the service account its roles and the token its audience, roles and attributes", async () => {
    const token = claims((await clientCredentialsToken("sink", "worker", secrets.workerSecret)).access_token as string);
    expect(token.realm_roles).toEqual(expect.arrayContaining(["data-reader", "offline_access"]));
    expect([token.aud].flat()).toContain("api");
    expect(token.api_roles).toEqual(["read"]);
  });

  it("creates roles, groups, the user, identity providers and their mappers as declared", async () => {
    const kc = await adminClient();
    kc.setConfig({ realmName: "sink" });
    const [api] = await kc.clients.find({ clientId: "api" });
    const write = await kc.clients.findRole({ id: api.id!, roleName: "write" });
    expect(write).toMatchObject({ description: "Change data", composite: true });
    expect((await kc.roles.findOneByName({ name: "data-admin" }))?.composite).toBe(true);
    const [spa] = await kc.clients.find({ clientId: "spa" });
    expect(spa).toMatchObject({ publicClient: true, attributes: expect.objectContaining({ "pkce.code.challenge.method": "S256" }) });
    expect((await kc.clients.find({ clientId: "https://saml.example.com/metadata" }))[0]).toMatchObject({ protocol: "saml" });

    const [found] = await kc.groups.find({ search: "research" });
    const research = (await kc.groups.findOne({ id: found.id! }))!;
    expect(research.attributes).toMatchObject({ "cost-center": ["42"], sites: ["lab-a", "lab-b"] });
    expect((await kc.groups.listSubGroups({ parentId: research.id! })).map((g) => g.path)).toEqual(["/research/ml"]);
    expect((await kc.realms.getDefaultGroups({ realm: "sink" })).map((g) => g.path)).toEqual(["/research"]);

    const [carol] = await kc.users.find({ username: "carol", exact: true });
    expect(carol).toMatchObject({ email: "carol@example.com", firstName: "Carol", requiredActions: expect.arrayContaining(["VERIFY_EMAIL"]), attributes: { team: ["vision"] } });
    const profile = await kc.users.getProfile({ realm: "sink" });
    expect(profile.attributes?.map((a) => a.name)).toEqual(["username", "email", "firstName", "lastName", "team", "badge"]);
    expect((await kc.users.listGroups({ id: carol.id! })).map((g) => g.path)).toEqual(["/research/ml"]);

    const providers = await kc.identityProviders.find();
    expect(providers.map((p) => [p.alias, p.providerId]).sort()).toEqual([["adfs", "saml"], ["corp", "oidc"], ["google", "google"]]);
    expect(JSON.stringify(providers)).not.toContain(secrets.googleSecret);
    const corpMappers = await kc.identityProviders.findMappers({ alias: "corp" });
    expect(corpMappers.map((m) => [m.name, m.identityProviderMapper]).sort()).toEqual([
      ["admins", "oidc-role-idp-mapper"],
      ["everyone", "oidc-hardcoded-group-idp-mapper"],
      ["researchers", "oidc-advanced-group-idp-mapper"],
    ]);
    const actions = await kc.authenticationManagement.getRequiredActions();
    expect(actions.find((a) => a.alias === "CONFIGURE_TOTP")).toMatchObject({ enabled: true, defaultAction: true });
    expect(actions.find((a) => a.alias === "TERMS_AND_CONDITIONS")).toMatchObject({ enabled: false });
  });

  it("finds nothing to change on a second up", async () => {
    const preview = await test.stack.preview({ diff: true });
    expect(preview.changeSummary, preview.stdout).toEqual({ same: expect.any(Number) });
  });

  it("removes it all on destroy", async () => {
    await test.destroy();
    expect(await (await adminClient()).realms.findOne({ realm: "sink" })).toBeNull();
  });

  it("keeps every supplied secret out of the state and output", () => {
    const exported = test.exportState();
    for (const secret of Object.values(secrets)) {
      expect(exported).not.toContain(secret);
      expect(test.rawState()).not.toContain(secret);
      expect(test.output.join("")).not.toContain(secret);
    }
  });
});
