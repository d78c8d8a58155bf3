// `drift --stack NAME [--fix]` through the real CLI: the repository's platform realm deployed,
// then changed by hand through the Admin API as a person in the console would; the report must
// name every change by spec name with its value in code and live, role mappings by role name,
// and --fix must put Keycloak back as the code says.
import type KcAdminClient from "@keycloak/keycloak-admin-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { adminClient, createTestStack, type FleetRun, repoRealmSpec, type TestStack } from "./harness";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const NAME = "drift";
const CALLBACK = "https://jupyter.example.com/hub/oauth_callback";

/** The platform realm with a realm role mapped to a group (the example maps only client roles). */
function platformSpec(): string {
  const spec = parse(repoRealmSpec("platform.yaml"));
  spec.roles = [...(spec.roles ?? []), "notebook-user"];
  const analyst = spec.groups.find((group: { name: string }) => group.name === "analyst");
  analyst.roles = { ...analyst.roles, realm: ["notebook-user"] };
  return stringify(spec);
}

describe("drift on a real Keycloak", () => {
  let test: TestStack;
  let kc: KcAdminClient;
  /** The grafana client's secret as Keycloak made it after someone regenerated it by hand. */
  let handMadeSecret: string;

  const group = async (name: string) => (await kc.groups.find({ search: name, exact: true })).find((g) => g.name === name);
  const client = async (clientId: string) => (await kc.clients.find({ clientId }))[0];
  const drift = (...flags: string[]): Promise<FleetRun> => test.fleet(["drift", "--stack", NAME, ...flags]);

  beforeAll(async () => {
    test = await createTestStack(NAME, { realms: { "platform.yaml": platformSpec() }, secrets: { githubClientSecret: "drift-test-github-secret" } });
    expect((await test.up()).summary.result).toBe("succeeded");
    kc = await adminClient();
    kc.setConfig({ realmName: "platform" });
  });

  afterAll(async () => {
    const admin = await adminClient();
    if (await admin.realms.findOne({ realm: "platform" })) await test.destroy();
  });

  it("finds no drift right after up (exit 0)", async () => {
    const run = await drift();
    expect(run.stderr).toContain("==> reading stack drift's resources back from Keycloak");
    expect(run.stdout).toMatch(/^no drift: the Keycloak of stack drift matches the code \(\d+ resources compared\)/);
    expect(run.code).toBe(0);
  });

  it("reports changes made by hand by spec name, field, code and live value (exit 2)", async () => {
    kc = await adminClient();
    kc.setConfig({ realmName: "platform" });
    await kc.realms.update({ realm: "platform" }, { displayName: "Changed by hand" });
    const jupyterhub = await client("jupyterhub");
    await kc.clients.update({ id: jupyterhub.id! }, { ...jupyterhub, redirectUris: ["https://evil.example.com/callback"] });
    const grafana = await client("grafana");
    handMadeSecret = (await kc.clients.generateNewClientSecret({ id: grafana.id! })).value!;
    await kc.clients.delRole({ id: grafana.id!, roleName: "grafana_editor" });
    const notebookUser = (await kc.roles.findOneByName({ name: "notebook-user" }))!;
    await kc.groups.delRealmRoleMappings({ id: (await group("analyst"))!.id!, roles: [{ id: notebookUser.id!, name: notebookUser.name! }] });
    await kc.groups.del({ id: (await group("viewer"))!.id! });

    const run = await drift();
    const report = run.stdout;
    expect(report).toContain("drift: the Keycloak of stack drift differs from the code");
    expect(report).toContain('realm platform: changed live\n  displayName: in code "Data Platform", live "Changed by hand"');
    expect(report).toContain(`client jupyterhub in realm platform: changed live\n  validRedirectUris: in code ["${CALLBACK}"], live ["https://evil.example.com/callback"]`);
    expect(report).toContain("client grafana in realm platform: changed live\n  clientSecret: (secret) differs");
    expect(report).toContain("group /viewer in realm platform: missing live: will be recreated");
    expect(report).toContain("role mappings of group /viewer in realm platform: missing live: will be recreated");
    expect(report).toContain("role grafana_editor of client grafana in realm platform: missing live: will be recreated");
    // Role mappings by role name: the realm role removed by hand, the client role Keycloak lost with its role.
    expect(report).toContain("role mappings of group /analyst in realm platform: changed live\n  roles: in code [");
    expect(lineAfter(report, "role mappings of group /analyst in realm platform")).toMatch(/^ {2}roles: in code \[.*notebook-user.*\], live \[[^\]]*\] \(missing live: notebook-user\)$/);
    expect(lineAfter(report, "role mappings of group /developer in realm platform")).toContain("missing live: grafana/grafana_editor (recreated by the fix)");
    expect(report).toContain(`npm run fleet -- drift --stack drift --fix`);
    for (const output of [run.stdout, run.stderr]) {
      expect(output).not.toMatch(UUID);
      expect(output).not.toContain(handMadeSecret);
    }
    expect(run.code).toBe(2);
  });

  it("--fix applies the code and reports what it changed (exit 0)", async () => {
    const run = await drift("--fix");
    expect(run.stdout).toMatch(/^fixed: \d+ resources changed to match the code$/m);
    for (const line of [
      "updated realm platform (displayName)",
      "updated client jupyterhub in realm platform (validRedirectUris)",
      "recreated group /viewer in realm platform",
      "recreated role grafana_editor of client grafana in realm platform",
      "updated role mappings of group /analyst in realm platform (roles)",
    ])
      expect(run.stdout).toContain(`  ${line}\n`);
    expect(run.stderr).toContain("==> recreated group /viewer in realm platform");
    expect(run.stdout + run.stderr).not.toMatch(UUID);
    expect(run.code).toBe(0);

    kc = await adminClient();
    kc.setConfig({ realmName: "platform" });
    expect((await kc.realms.findOne({ realm: "platform" }))?.displayName).toBe("Data Platform");
    expect((await client("jupyterhub")).redirectUris).toEqual([CALLBACK]);
    const analyst = (await kc.groups.listRealmRoleMappings({ id: (await group("analyst"))!.id! })).map((role) => role.name);
    expect(analyst).toContain("notebook-user");
    const viewer = await group("viewer");
    expect(viewer).toBeDefined();
    const grafana = await client("grafana");
    const viewerGrafanaRoles = await kc.groups.listClientRoleMappings({ id: viewer!.id!, clientUniqueId: grafana.id! });
    expect(viewerGrafanaRoles.map((role) => role.name)).toEqual(["grafana_viewer"]);
    const developerGrafanaRoles = await kc.groups.listClientRoleMappings({ id: (await group("developer"))!.id!, clientUniqueId: grafana.id! });
    expect(developerGrafanaRoles.map((role) => role.name)).toEqual(["grafana_editor"]);
    const outputs = await test.stack.outputs();
    const codeSecret = outputs.realmOutputs.value.platform.clients.grafana.clientSecret;
    expect((await kc.clients.getClientSecret({ id: grafana.id! })).value).toBe(codeSecret);
    expect(codeSecret).not.toBe(handMadeSecret);
  });

  it("finds no drift after the fix", async () => {
    const run = await drift();
    expect(run.stdout).toMatch(/^no drift:/);
    expect(run.code).toBe(0);
  });

  it("refuses a stack that does not exist, or no stack at all (exit 1)", async () => {
    const unknown = await test.fleet(["drift", "--stack", "nope"]);
    expect(unknown.stderr).toContain('error: no stack named "nope"');
    expect(unknown.stderr).toContain(`hint: the stacks are ${NAME}`);
    expect(unknown.code).toBe(1);
    const missing = await test.fleet(["drift"]);
    expect(missing.stderr).toContain("error: drift needs the stack to check: --stack NAME");
    expect(missing.code).toBe(1);
  });
});

/** The line that follows the one starting with `start`. */
function lineAfter(text: string, start: string): string {
  const lines = text.split("\n");
  return lines[lines.findIndex((line) => line.startsWith(start)) + 1] ?? "";
}
