// The data-science platform example (stacks/realms/platform.yaml) as the e2e tests deploy it,
// and the checks that it arrived whole, shared by every test that deploys it (dev mode,
// production mode on PostgreSQL).
import type KcAdminClient from "@keycloak/keycloak-admin-client";
import type { Browser } from "playwright-core";
import { expect } from "vitest";
import { parse, stringify } from "yaml";
import { exchangeCode, nextStep, startLogin, type LoginFlow } from "./browser";
import { claims, repoRealmSpec } from "./harness";

export const GITHUB_SECRET = "github-client-secret-for-the-test";

/** The example as shipped, plus an administrator to log in with (non-temporary password). */
export function exampleWithAdmin(change: (spec: any) => void = () => {}): string {
  const spec = parse(repoRealmSpec("platform.yaml"));
  spec.users.push({ username: "ada", email: "ada@example.com", emailVerified: true, password: { generate: true, temporary: false }, groups: ["admin"] });
  change(spec);
  return stringify(spec);
}

/** A browser login to Grafana in the platform realm (of this run's Keycloak, or the one at baseUrl). */
export const grafanaLogin = (username: string, password: string, baseUrl?: string): LoginFlow => ({
  realm: "platform",
  clientId: "grafana",
  redirectUri: "https://grafana.example.com/login/generic_oauth",
  username,
  password,
  baseUrl,
});

/** The realm with its clients, groups, role mappings and GitHub login, read back through the Admin REST API. */
export async function expectPlatformDeployed(kc: KcAdminClient, outputs: any): Promise<void> {
  kc.setConfig({ realmName: "platform" });
  const realm = await kc.realms.findOne({ realm: "platform" });
  expect(realm).toMatchObject({ displayName: "Data Platform", rememberMe: true, passwordPolicy: "length(12) and notUsername", browserFlow: "browser with otp" });

  const clients = await kc.clients.find();
  expect(clients.map((c) => c.clientId)).toEqual(expect.arrayContaining(["jupyterhub", "conda-store", "grafana"]));
  const grafana = clients.find((c) => c.clientId === "grafana")!;
  expect((await kc.clients.getClientSecret({ id: grafana.id! })).value).toBe(outputs.clients.grafana.clientSecret);

  const admin = (await kc.groups.find({ search: "admin" })).find((g) => g.name === "admin")!;
  const mappings = await kc.groups.listRoleMappings({ id: admin.id! });
  expect(mappings.clientMappings?.grafana.mappings.map((r: { name?: string }) => r.name)).toEqual(["grafana_admin"]);
  expect(mappings.realmMappings?.map((r) => r.name)).toContain("otp-required");

  const github = await kc.identityProviders.findOne({ alias: "github" });
  expect(github).toMatchObject({ providerId: "github", enabled: true, trustEmail: true });
  expect(JSON.stringify(github)).not.toContain(GITHUB_SECRET);
}

/**
 * alice's first login: Keycloak makes her replace the temporary password, then Grafana's code
 * exchange at the token endpoint gives a token with her group and client roles.
 */
export async function expectAliceFirstLogin(browser: Browser, outputs: any, newPassword: string, baseUrl?: string): Promise<void> {
  const { page, code } = await startLogin(browser, grafanaLogin("alice", outputs.users.alice.initialPassword, baseUrl));
  expect(await nextStep(page, code)).toBe("update-password");
  await page.fill("#password-new", newPassword);
  await page.fill("#password-confirm", newPassword);
  await page.click("[type=submit]");
  expect(await nextStep(page, code)).toBe("code");

  const token = claims((await exchangeCode(grafanaLogin("alice", "", baseUrl), outputs.clients.grafana.clientSecret, await code)).access_token as string);
  expect(token.groups).toEqual(["analyst"]);
  expect(token.resource_access).toMatchObject({ grafana: { roles: ["grafana_viewer"] }, "conda-store": { roles: ["conda_store_developer"] } });
  expect(token.resource_access).not.toHaveProperty("jupyterhub");
  await page.close();
}
