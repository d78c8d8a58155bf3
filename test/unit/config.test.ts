import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors";
import { loadFleetConfig, type ConfigSource } from "../../src/config/load";
import { configSource } from "./fixtures";

const SECRET = "s3cr3t-value-never-printed";

const DEFAULTS = { platform: "local", realms: ["realms/valid.yaml"], local: { port: 18080 } };
const SECRETS = { adminPassword: SECRET, adminClientSecret: SECRET, secretSeed: SECRET };

/** The default stack config with `values` overriding; `plain` lists secrets set without --secret. */
function source(values: Record<string, unknown>, plain: string[] = []): ConfigSource {
  const merged: Record<string, unknown> = { ...DEFAULTS, ...SECRETS, ...values };
  const secrets = Object.fromEntries(Object.keys(SECRETS).filter((k) => !plain.includes(k) && merged[k] !== undefined).map((k) => [k, String(merged[k])]));
  return configSource(Object.fromEntries(Object.entries(merged).filter(([k]) => !(k in secrets))), secrets);
}

function refusal(values: Record<string, unknown>, plain?: string[]): ConfigError {
  try {
    loadFleetConfig(source(values, plain));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain(SECRET);
    return error as ConfigError;
  }
  throw new Error("expected the configuration to be refused");
}

describe("loadFleetConfig", () => {
  it("accepts a valid stack and realm spec, with defaults filled in", () => {
    const config = loadFleetConfig(source({}));
    expect(config.stack).toMatchObject({ platform: "local", local: { port: 18080 }, adminClientId: "keycloak-fleet" });
    expect(config.realms).toHaveLength(1);
    const [{ file, spec }] = config.realms;
    expect(file).toBe("realms/valid.yaml");
    expect(spec.clients.map((c) => [c.clientId, c.access, c.standardFlow])).toEqual([
      ["app", "confidential", true],
      ["spa", "public", true],
    ]);
    expect(spec.groups.map((g) => g.name)).toEqual(["analyst", "viewer"]);
  });

  it("refuses an unknown platform, naming the stack file, the key and the choices", () => {
    const { problems } = refusal({ platform: "docker" });
    expect(problems).toEqual([
      {
        file: "Pulumi.unit.yaml",
        field: "keycloak-fleet:platform",
        message: expect.stringMatching(/^expected one of "local", "external", "kubernetes", got "docker"; hint: local runs Keycloak on this machine/),
      },
    ]);
  });

  it("refuses in a way the engine prints without a stack trace: the SDK takes a ConfigError for a RunError", () => {
    expect(pulumi.RunError.isInstance(refusal({ platform: "docker" }))).toBe(true);
  });

  it("refuses a platform without its section", () => {
    const { problems } = refusal({ local: undefined });
    expect(problems[0]).toMatchObject({ field: "keycloak-fleet:local", message: expect.stringContaining("needs its section") });
  });

  it("refuses a missing or plain-text admin secret without printing it", () => {
    expect(refusal({ adminClientSecret: undefined }).problems[0]).toMatchObject({
      field: "keycloak-fleet:adminClientSecret",
      message: expect.stringContaining("pulumi config set --secret adminClientSecret"),
    });
    expect(refusal({}, ["adminClientSecret"]).problems[0]).toMatchObject({
      field: "keycloak-fleet:adminClientSecret",
      message: expect.stringContaining("must be a secret"),
    });
  });

  it("refuses a malformed realm name, with file, line and field", () => {
    const { problems } = refusal({ realms: ["realms/bad-realm-name.yaml"] });
    expect(problems).toHaveLength(1);
    expect(problems[0].file).toBe("realms/bad-realm-name.yaml:1");
    expect(problems[0].field).toBe("realm");
    expect(problems[0].message).toMatch(/expected a realm name .* got "my realm!"/);
  });

  it("refuses an invalid redirect URI, naming the client by its clientId", () => {
    const { problems } = refusal({ realms: ["realms/bad-redirect.yaml"] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "realms/bad-redirect.yaml:6", field: "clients[0] (app).redirectUris[1]" });
    expect(problems[0].message).toContain('got "not a url"');
  });

  it("refuses a client without its required clientId", () => {
    const { problems } = refusal({ realms: ["realms/missing-field.yaml"] });
    expect(problems).toEqual([
      expect.objectContaining({ field: "clients[0] (An app without a clientId).clientId", message: "required field is missing (expected string)" }),
    ]);
  });

  it("refuses a duplicate clientId at the second entry", () => {
    const { problems } = refusal({ realms: ["realms/duplicate-client.yaml"] });
    expect(problems).toEqual([expect.objectContaining({ field: "clients[1] (app)", message: expect.stringContaining('duplicate clientId "app"') })]);
  });

  it("refuses a misspelt field with a hint", () => {
    const { problems } = refusal({ realms: ["realms/unknown-field.yaml"] });
    expect(problems).toEqual([expect.objectContaining({ field: "clients[0] (app)", message: expect.stringContaining('unknown field "redirectUri"') })]);
  });

  it("refuses YAML that does not parse, and a spec file that does not exist", () => {
    const { problems } = refusal({ realms: ["realms/not-yaml.yaml", "realms/missing.yaml"] });
    expect(problems.map((p) => [p.file, p.field])).toEqual([
      ["realms/not-yaml.yaml:3", "(yaml)"],
      ["realms/missing.yaml", "(file)"],
    ]);
  });

  it("refuses the same realm declared in two files", () => {
    const { problems } = refusal({ realms: ["realms/valid.yaml", "realms/valid.yaml"] });
    expect(problems[0].message).toContain('realm "fixture" is already declared in realms/valid.yaml');
  });

  it("collects every problem of a run into one message", () => {
    const error = refusal({ platform: "docker", realms: [] });
    expect(error.problems.map((p) => p.field)).toEqual(["keycloak-fleet:platform", "keycloak-fleet:realms"]);
    expect(error.message).toMatch(/refused the configuration \(2 problems\); nothing was deployed/);
  });
});
