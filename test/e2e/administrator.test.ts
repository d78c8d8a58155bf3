// The permanent administrator on the local platform: a Keycloak bootstrapped with Keycloak's
// temporary admin user (as every Keycloak 26 was before this product declared its own) gets the
// stack's permanent administrator and loses the temporary one; the console would show no banner;
// a password rotated by a person survives later updates; a rebuild on an empty database, whose
// bootstrap creates a temporary user again, ends the same way.
import type KcAdminClient from "@keycloak/keycloak-admin-client";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClientFor } from "../../src/platform/admin-client";
import { TEMPORARY_ADMIN_ATTRIBUTE } from "../../src/platform/administrator";
import { randomSecret } from "../../src/ops/workspace";
import { launchBrowser } from "./browser";
import { createTestStack, tokenRequest, type TestStack } from "./harness";
import { startTestKeycloak, type TestKeycloak } from "./keycloak-server";

const ADMINISTRATOR = "platform-admin";
const realmYaml = `
realm: administered
groups:
  - name: staff
`;

describe("the permanent administrator replaces Keycloak's temporary admin", () => {
  let server: TestKeycloak;
  let test: TestStack;
  let browser: Browser;
  const initialPassword = randomSecret();

  const admin = (): Promise<KcAdminClient> => adminClientFor({ url: server.url, clientId: server.admin.clientId, clientSecret: server.admin.clientSecret });
  const temporaryUsers = async () =>
    (await (await admin()).users.find({ realm: "master", q: `${TEMPORARY_ADMIN_ATTRIBUTE}:true`, briefRepresentation: false })).map((u) => u.username);
  const logIn = (username: string, password: string) =>
    tokenRequest("master", { grant_type: "password", client_id: "admin-cli", username, password }, server.url);
  /**
   * A real login to the admin console in Chromium, and the console's own call to whoami, whose
   * `temporary` decides the temporary-admin banner (whoami answers only the console's tokens).
   */
  const consoleLogin = async (username: string, password: string) => {
    const page = await browser.newPage();
    try {
      const whoami = page.waitForResponse((r) => r.url().includes("/admin/master/console/whoami"), { timeout: 120_000 });
      await page.goto(`${server.url}/admin/master/console/`);
      await page.fill("#username", username);
      await page.fill("#password", password);
      await page.click("#kc-login");
      const response = await whoami;
      expect(response.status()).toBe(200);
      const me = (await response.json()) as { displayName: string; temporary: boolean };
      // The console's banner component shows "loggedInAsTempAdminUser" exactly when this is true.
      return me;
    } finally {
      await page.close();
    }
  };

  beforeAll(async () => {
    // Its own Keycloak: the shared one's temporary admin belongs to the other test files.
    server = await startTestKeycloak("administrator");
    browser = await launchBrowser();
    test = await createTestStack("administrator", {
      realms: { "administered.yaml": realmYaml },
      config: { permanentAdministrator: "true", adminUsername: ADMINISTRATOR },
      secrets: { adminPassword: initialPassword, adminClientSecret: server.admin.clientSecret },
    });
    await test.stack.setConfig("keycloak-fleet:local.port", { value: String(server.port) }, true);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.remove();
  });

  it("starts from a Keycloak whose bootstrap admin is temporary, as its console says", async () => {
    expect(await temporaryUsers()).toEqual([server.admin.username]);
    expect(await consoleLogin(server.admin.username, server.admin.password)).toMatchObject({ temporary: true });
  });

  it("declares the permanent administrator with the admin role and deletes the temporary user", async () => {
    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.outputs.adminUsername.value).toBe(ADMINISTRATOR);
    expect(result.outputs.adminPassword).toMatchObject({ value: initialPassword, secret: true });

    expect(await temporaryUsers()).toEqual([]);
    const kc = await admin();
    const [administrator] = await kc.users.find({ realm: "master", username: ADMINISTRATOR, exact: true });
    expect(administrator).toMatchObject({ username: ADMINISTRATOR, enabled: true });
    const roles = await kc.users.listRealmRoleMappings({ realm: "master", id: administrator.id! });
    expect(roles.map((r) => r.name)).toContain("admin");
    expect(await kc.users.find({ realm: "master", username: server.admin.username, exact: true })).toEqual([]);
  });

  it("logs the administrator in with the stack's secret, and the console sees a permanent admin", async () => {
    expect(await consoleLogin(ADMINISTRATOR, initialPassword)).toMatchObject({ displayName: ADMINISTRATOR, temporary: false });
    // The token endpoint as a script logs in (admin-cli, password grant); the admin role works.
    const token = await logIn(ADMINISTRATOR, initialPassword);
    const realms = await fetch(`${server.url}/admin/realms`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(realms.status).toBe(200);
  });

  it("keeps the administrator's password out of the state and the engine's output", () => {
    expect(test.exportState()).not.toContain(initialPassword);
    expect(test.rawState()).not.toContain(initialPassword);
    expect(test.output.join("")).not.toContain(initialPassword);
  });

  it("leaves a password rotated by a person alone on the next up", async () => {
    const kc = await admin();
    const [administrator] = await kc.users.find({ realm: "master", username: ADMINISTRATOR, exact: true });
    const rotated = `rotated-by-a-person-${randomSecret()}`;
    await kc.users.resetPassword({ realm: "master", id: administrator.id!, credential: { type: "password", value: rotated, temporary: false } });

    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
    expect(Object.keys(result.summary.resourceChanges ?? {})).toEqual(["same"]);
    await logIn(ADMINISTRATOR, rotated);
    await expect(logIn(ADMINISTRATOR, initialPassword)).rejects.toThrow(/invalid_grant/);
  });

  it("rebuilds on an empty Keycloak: the bootstrap's new temporary user goes, the administrator comes back", async () => {
    await server.wipe();
    await server.start();
    expect(await temporaryUsers()).toEqual([server.admin.username]);

    const result = await test.up();
    expect(result.summary.result).toBe("succeeded");
    expect(await temporaryUsers()).toEqual([]);
    expect(await consoleLogin(ADMINISTRATOR, initialPassword)).toMatchObject({ temporary: false });
  });

  it("keeps the administrator when the stack is destroyed: nobody is locked out", async () => {
    await test.destroy();
    const kc = await admin();
    expect(await kc.realms.findOne({ realm: "administered" })).toBeNull();
    expect((await kc.users.find({ realm: "master", username: ADMINISTRATOR, exact: true })).length).toBe(1);
  });
});
