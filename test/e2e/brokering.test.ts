// Identity brokering, end to end: realm `upstream` plays an external OpenID Connect provider,
// realm `downstream` offers it as a login option, and a real browser logs a user in to the
// downstream realm through the broker. Checked through the browser, the downstream token and
// the Admin REST API: the brokered user, its link to the upstream account, its mapped group.
import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exchangeCode, launchBrowser, type LoginFlow } from "./browser";
import { adminClient, claims, createTestStack, keycloak, type TestStack } from "./harness";

const BROKER_SECRET = `broker-secret-${randomUUID()}`;
const APP_CALLBACK = "https://app.example.com/callback";
/**
 * The upstream client the downstream realm logs in with. Not "broker": Keycloak creates a
 * built-in client of that name in every realm, and declaring it fails with 409 Conflict.
 */
const BROKER_CLIENT = "downstream-broker";

/** Upstream: the provider, with the broker's client and a user to log in as. */
function upstreamYaml(url: string): string {
  return `
realm: upstream
displayName: Upstream Provider
clients:
  - clientId: ${BROKER_CLIENT}
    secret: { config: brokerSecret }
    redirectUris: [${url}/realms/downstream/broker/upstream/endpoint]
groups:
  - name: partners
users:
  - username: uma
    email: uma@example.com
    emailVerified: true
    firstName: Uma
    lastName: Upstream
    password: { generate: true, temporary: false }
    groups: [partners]
`;
}

/** Downstream: offers upstream as a login option, puts everyone who comes that way in partners. */
function downstreamYaml(url: string): string {
  const oidc = `${url}/realms/upstream/protocol/openid-connect`;
  return `
realm: downstream
displayName: Downstream App Realm
clients:
  - clientId: app
    redirectUris: [${APP_CALLBACK}]
groups:
  - name: partners
identityProviders:
  - alias: upstream
    type: oidc
    displayName: Upstream Partner Login
    clientId: ${BROKER_CLIENT}
    clientSecret: { config: brokerSecret }
    authorizationUrl: ${oidc}/auth
    tokenUrl: ${oidc}/token
    userInfoUrl: ${oidc}/userinfo
    jwksUrl: ${oidc}/certs
    logoutUrl: ${oidc}/logout
    issuer: ${url}/realms/upstream
    trustEmail: true
    syncMode: FORCE
    mappers:
      - name: partner-group
        type: hardcodedGroup
        group: partners
`;
}

describe("identity brokering between two realms on a real Keycloak", () => {
  let test: TestStack;
  let browser: Browser;
  let upstream: any;
  let downstream: any;
  let url: string;
  const appFlow: LoginFlow = { realm: "downstream", clientId: "app", redirectUri: APP_CALLBACK, username: "", password: "" };

  beforeAll(async () => {
    url = keycloak().url;
    test = await createTestStack("brokering", {
      realms: { "upstream.yaml": upstreamYaml(url), "downstream.yaml": downstreamYaml(url) },
      secrets: { brokerSecret: BROKER_SECRET },
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    const kc = await adminClient();
    if ((await kc.realms.findOne({ realm: "upstream" })) || (await kc.realms.findOne({ realm: "downstream" }))) await test?.destroy();
  });

  it("deploys the upstream provider realm and the downstream realm that brokers to it", async () => {
    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
    upstream = result.outputs.realmOutputs.value.upstream;
    downstream = result.outputs.realmOutputs.value.downstream;
    expect(upstream.users.uma.initialPassword).toEqual(expect.any(String));
    expect(downstream.clients.app.clientSecret).toEqual(expect.any(String));

    const kc = await adminClient();
    kc.setConfig({ realmName: "upstream" });
    const [broker] = await kc.clients.find({ clientId: BROKER_CLIENT });
    expect(broker).toMatchObject({ publicClient: false, standardFlowEnabled: true, redirectUris: [`${url}/realms/downstream/broker/upstream/endpoint`] });
    expect((await kc.clients.getClientSecret({ id: broker.id! })).value).toBe(BROKER_SECRET);

    kc.setConfig({ realmName: "downstream" });
    const idp = await kc.identityProviders.findOne({ alias: "upstream" });
    const oidc = `${url}/realms/upstream/protocol/openid-connect`;
    expect(idp).toMatchObject({
      alias: "upstream",
      providerId: "oidc",
      displayName: "Upstream Partner Login",
      enabled: true,
      trustEmail: true,
      firstBrokerLoginFlowAlias: "first broker login",
      config: {
        clientId: BROKER_CLIENT,
        authorizationUrl: `${oidc}/auth`,
        tokenUrl: `${oidc}/token`,
        userInfoUrl: `${oidc}/userinfo`,
        jwksUrl: `${oidc}/certs`,
        logoutUrl: `${oidc}/logout`,
        issuer: `${url}/realms/upstream`,
        syncMode: "FORCE",
        validateSignature: "true",
      },
    });
    expect(JSON.stringify(idp)).not.toContain(BROKER_SECRET);

    const mappers = await kc.identityProviders.findMappers({ alias: "upstream" });
    expect(mappers).toHaveLength(1);
    expect(mappers[0]).toMatchObject({ name: "partner-group", identityProviderMapper: "oidc-hardcoded-group-idp-mapper", config: { group: "/partners" } });
  });

  it("logs uma in to the downstream app through the upstream provider in a real browser", async () => {
    const page = await browser.newPage();
    try {
      const code = new Promise<string>((resolve) =>
        page.route(`${new URL(APP_CALLBACK).origin}/**`, async (route) => {
          resolve(new URL(route.request().url()).searchParams.get("code") ?? "");
          await route.fulfill({ status: 200, contentType: "text/plain", body: "logged in" });
        }),
      );
      const auth = new URL(`${url}/realms/downstream/protocol/openid-connect/auth`);
      auth.search = new URLSearchParams({ client_id: "app", redirect_uri: APP_CALLBACK, response_type: "code", scope: "openid" }).toString();
      await page.goto(auth.toString());

      // The downstream login page offers the provider; its link leads to the upstream realm.
      expect(new URL(page.url()).pathname).toMatch(/^\/realms\/downstream\//);
      const idpLink = page.locator("#social-upstream");
      await expect.poll(() => idpLink.count()).toBe(1);
      expect(await idpLink.textContent()).toContain("Upstream Partner Login");
      await Promise.all([page.waitForURL(/\/realms\/upstream\/protocol\/openid-connect\/auth/), idpLink.click()]);
      const upstreamAuth = new URL(page.url());
      expect(upstreamAuth.searchParams.get("client_id")).toBe(BROKER_CLIENT);
      expect(upstreamAuth.searchParams.get("redirect_uri")).toBe(`${url}/realms/downstream/broker/upstream/endpoint`);

      await page.fill("#username", "uma");
      await page.fill("#password", upstream.users.uma.initialPassword);
      await Promise.all([page.waitForLoadState(), page.click("#kc-login")]);

      // First broker login: Keycloak asks to review the profile only if something is missing.
      const reviewed = await afterUpstreamLogin(page, code);
      expect(await code).toMatch(/.+/);

      const tokens = await exchangeCode(appFlow, downstream.clients.app.clientSecret, await code);
      const access = claims(tokens.access_token as string);
      const id = claims(tokens.id_token as string);
      for (const token of [access, id]) {
        expect(token).toMatchObject({ iss: `${url}/realms/downstream`, azp: "app", preferred_username: "uma", email: "uma@example.com", email_verified: true });
      }
      // The profile came from upstream (not typed into a review form).
      expect(reviewed).toEqual([]);
      expect(id).toMatchObject({ given_name: "Uma", family_name: "Upstream" });
    } finally {
      await page.close();
    }
  });

  it("links the brokered downstream user to the upstream account and puts it in partners", async () => {
    const kc = await adminClient();
    kc.setConfig({ realmName: "upstream" });
    const [upstreamUma] = await kc.users.find({ username: "uma", exact: true });
    expect(upstreamUma?.id).toEqual(expect.any(String));

    kc.setConfig({ realmName: "downstream" });
    const users = await kc.users.find({ username: "uma", exact: true });
    expect(users).toHaveLength(1);
    const [uma] = users;
    expect(uma.id).not.toBe(upstreamUma.id);
    expect(uma).toMatchObject({ username: "uma", email: "uma@example.com", emailVerified: true, firstName: "Uma", lastName: "Upstream", enabled: true });
    // A brokered user has no password of its own in the downstream realm.
    expect(await kc.users.getCredentials({ id: uma.id! })).toEqual([]);

    const links = await kc.users.listFederatedIdentities({ id: uma.id! });
    expect(links).toEqual([expect.objectContaining({ identityProvider: "upstream", userId: upstreamUma.id, userName: "uma" })]);

    const groups = await kc.users.listGroups({ id: uma.id! });
    expect(groups.map((g) => g.path)).toEqual(["/partners"]);
  });

  it("keeps the broker secret out of the state, the engine's output and the provider's representation", async () => {
    const exported = test.exportState();
    const raw = test.rawState();
    const output = test.output.join("");
    expect(exported).toContain("ciphertext");
    expect(output).toContain("downstream/idp/upstream");
    for (const text of [exported, raw, output]) expect(text).not.toContain(BROKER_SECRET);

    const kc = await adminClient();
    kc.setConfig({ realmName: "downstream" });
    const idp = await kc.identityProviders.findOne({ alias: "upstream" });
    expect(idp?.config?.clientSecret).toBeDefined();
    expect(JSON.stringify(idp)).not.toContain(BROKER_SECRET);
  });
});

/**
 * After the upstream password: either the app gets a code straight away, or Keycloak's
 * first-broker-login review page appears. On that page, fills the fields that are empty (never
 * the email, which must come from upstream) and submits. The names of the fields it filled.
 */
async function afterUpstreamLogin(page: Page, code: Promise<string>): Promise<string[]> {
  const step = await Promise.race([
    code.then(() => "code" as const),
    page.waitForSelector("#kc-idp-review-profile-form, #kc-update-profile-form", { timeout: 30_000 }).then(() => "review" as const),
  ]);
  if (step === "code") return [];
  const filled: string[] = [];
  for (const field of ["username", "firstName", "lastName"]) {
    const input = page.locator(`input#${field}`);
    if ((await input.count()) === 1 && (await input.inputValue()) === "") {
      await input.fill(field === "username" ? "uma" : `Reviewed ${field}`);
      filled.push(field);
    }
  }
  const email = page.locator("input#email");
  if ((await email.count()) === 1) expect(await email.inputValue()).toBe("uma@example.com");
  await page.click("[type=submit]");
  await Promise.race([code, page.waitForTimeout(30_000).then(() => Promise.reject(new Error(`no code after the review page; the page says: ${page.url()}`)))]);
  return filled;
}
