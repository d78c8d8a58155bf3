// Realm specs that must be refused before anything is deployed: each names the file, the line,
// the field path and gives a hint.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ConfigError, type Problem } from "../../src/config/errors";
import { loadFleetConfig } from "../../src/config/load";

const base = {
  realm: "checks",
  clients: [{ clientId: "grafana", redirectUris: ["https://grafana.example.com/login"], roles: ["grafana_viewer"] }],
  groups: [{ name: "analyst", roles: { clients: { grafana: ["grafana_viewer"] } } }],
};

/** Loads one realm spec file through the real loader; returns its problems (none when accepted). */
function problemsOf(spec: object, secrets: Record<string, string> = {}): Problem[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-spec-"));
  fs.writeFileSync(path.join(dir, "realm.yaml"), stringify(spec));
  const values: Record<string, string> = {
    "keycloak-fleet:platform": "external",
    "keycloak-fleet:external": JSON.stringify({ url: "https://id.example.com" }),
    "keycloak-fleet:realms": JSON.stringify(["realm.yaml"]),
    "keycloak-fleet:adminClientSecret": "x",
    "keycloak-fleet:secretSeed": "x",
    ...Object.fromEntries(Object.entries(secrets).map(([k, v]) => [`keycloak-fleet:${k}`, v])),
  };
  try {
    loadFleetConfig({ stack: "checks", projectDir: dir, values, secretKeys: Object.keys(values).filter((k) => !/platform|external|realms/.test(k)) });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("realm spec validation", () => {
  it("accepts the base spec", () => {
    expect(problemsOf(base)).toEqual([]);
  });

  it("refuses a duplicate clientId", () => {
    const problems = problemsOf({ ...base, clients: [...base.clients, { clientId: "grafana", standardFlow: false }] });
    expect(problems).toEqual([
      { file: "realm.yaml:8", field: "clients[1] (grafana)", message: expect.stringMatching(/duplicate clientId "grafana" .*hint: each clientId may appear once/) },
    ]);
  });

  it("refuses a group mapped to a client role that does not exist", () => {
    const problems = problemsOf({ ...base, groups: [{ name: "analyst", roles: { clients: { grafana: ["grafana_admin"] } } }] });
    expect(problems).toEqual([
      {
        file: expect.stringMatching(/^realm\.yaml:\d+$/),
        field: "groups[0] (analyst).roles.clients.grafana[0]",
        message: 'client "grafana" has no role "grafana_admin"; hint: declare it under that client\'s roles (declared: "grafana_viewer")',
      },
    ]);
  });

  it("refuses a group mapped to a realm role that does not exist, and a role of an undeclared client", () => {
    const problems = problemsOf({ ...base, groups: [{ name: "analyst", roles: { realm: ["data-reader"], clients: { jupyterhub: ["user"] } } }] });
    expect(problems.map((p) => [p.field, p.message.split(";")[0]])).toEqual([
      ["groups[0] (analyst).roles.realm[0]", 'realm role "data-reader" does not exist'],
      ["groups[0] (analyst).roles.clients.jupyterhub", 'client "jupyterhub" is not declared in this realm'],
    ]);
  });

  it("refuses an identity provider without its secret, in the spec and in the stack config", () => {
    const idp = { alias: "github", type: "github", clientId: "abc" };
    expect(problemsOf({ ...base, identityProviders: [idp] })).toEqual([
      expect.objectContaining({
        field: "identityProviders[0] (github).clientSecret",
        message: expect.stringMatching(/^required: a secret reference \{config: <stack config key>\}; hint: write \{config: githubClientSecret\} and set the secret with pulumi config set --secret githubClientSecret <value>$/),
      }),
    ]);
    expect(problemsOf({ ...base, identityProviders: [{ ...idp, clientSecret: { config: "githubClientSecret" } }] })).toEqual([
      {
        file: "realm.yaml",
        field: "identityProviders[0] (github).clientSecret",
        missingSecret: "githubClientSecret",
        message: "takes its secret from stack config keycloak-fleet:githubClientSecret, which is not set; hint: pulumi config set --secret githubClientSecret <value>",
      },
    ]);
    expect(problemsOf({ ...base, identityProviders: [{ ...idp, clientSecret: { config: "githubClientSecret" } }] }, { githubClientSecret: "s" })).toEqual([]);
  });

  it("refuses an invalid redirect URI", () => {
    const problems = problemsOf({ ...base, clients: [{ ...base.clients[0], redirectUris: ["https://grafana.example.com/login#frag"] }] });
    expect(problems).toEqual([
      expect.objectContaining({ field: "clients[0] (grafana).redirectUris[0]", message: expect.stringContaining("(no fragment") }),
    ]);
  });

  it("refuses an unknown required action", () => {
    const problems = problemsOf({ ...base, users: [{ username: "alice", requiredActions: ["UPDATE_PASWORD"] }] });
    expect(problems).toEqual([
      expect.objectContaining({
        field: "users[0] (alice).requiredActions[0]",
        message: expect.stringMatching(/^expected a required action: UPDATE_PASSWORD, CONFIGURE_TOTP, .*got "UPDATE_PASWORD"$/),
      }),
    ]);
  });

  it("refuses OTP required for a group that does not exist", () => {
    const problems = problemsOf({ ...base, authentication: { requireOtp: { groups: ["admin"] } } });
    expect(problems).toEqual([
      expect.objectContaining({
        field: "authentication.requireOtp.groups[0]",
        message: 'group "admin" does not exist; hint: declared groups are "/analyst"',
      }),
    ]);
  });

  it("refuses users in undeclared groups and default groups that do not exist", () => {
    const problems = problemsOf({ ...base, users: [{ username: "bob", groups: ["/analyst/sub"] }], defaultGroups: ["viewer"] });
    expect(problems.map((p) => p.field)).toEqual(["defaultGroups[0]", "users[0] (bob).groups[0]"]);
  });

  it("refuses user attributes the user profile does not declare", () => {
    const problems = problemsOf({ ...base, userProfile: { attributes: [{ name: "team" }] }, users: [{ username: "alice", attributes: { team: "a", cost: "1" } }] });
    expect(problems).toEqual([
      expect.objectContaining({ field: "users[0] (alice).attributes.cost", message: expect.stringContaining("add it to userProfile.attributes") }),
    ]);
  });

  it("refuses declaring a client Keycloak builds into every realm", () => {
    const problems = problemsOf({ ...base, clients: [...base.clients, { clientId: "broker", standardFlow: false }] });
    expect(problems).toEqual([expect.objectContaining({ field: "clients[1] (broker).clientId", message: expect.stringContaining("built into every Keycloak realm") })]);
  });

  it("refuses a service-account role on a client without a service account", () => {
    const problems = problemsOf({ ...base, clients: [{ ...base.clients[0], serviceAccountRoles: { realm: ["offline_access"] } }] });
    expect(problems).toEqual([expect.objectContaining({ field: "clients[0] (grafana).serviceAccountRoles", message: "roles for a service account need serviceAccount: true" })]);
  });
});
