// The kubernetes platform's stack config: defaults, refusals (file, field, expectation, hint),
// and the CIDR check behind every allowlist.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError } from "../../src/config/errors";
import { loadFleetConfig, type ConfigSource } from "../../src/config/load";
import { cidrProblem } from "../../src/config/stack";

const SECRET = "s3cr3t-value-never-printed";
const SECTION = { hostname: "id.example.com", adminHostname: "id-admin.example.com", adminAllowlist: ["10.20.0.0/16"] };

/** A kubernetes stack as Pulumi hands it to the program; `kubernetes` is merged into a valid section. */
function source(kubernetes: Record<string, unknown>, values: Record<string, string | undefined> = {}, secretKeys = ["secretSeed"]): ConfigSource {
  const merged: Record<string, string | undefined> = {
    platform: "kubernetes",
    realms: JSON.stringify(["realms/valid.yaml"]),
    kubernetes: JSON.stringify({ ...SECTION, ...kubernetes }),
    secretSeed: SECRET,
    ...values,
  };
  return {
    stack: "prod-eu",
    projectDir: path.join(__dirname, "../fixtures"),
    values: Object.fromEntries(
      Object.entries(merged)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [`keycloak-fleet:${k}`, v!]),
    ),
    secretKeys: secretKeys.map((k) => `keycloak-fleet:${k}`),
  };
}

function problems(...args: Parameters<typeof source>) {
  try {
    loadFleetConfig(source(...args));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain(SECRET);
    const found = (error as ConfigError).problems;
    for (const problem of found) expect(problem.file).toBe("Pulumi.prod-eu.yaml");
    return found;
  }
  throw new Error("expected the configuration to be refused");
}

const field = (name: string) => `keycloak-fleet:kubernetes.${name}`;

describe("the kubernetes stack config", () => {
  it("fills in the defaults: namespace, pinned image, two replicas, Traefik, a bundled database, resources", () => {
    const { stack, secrets } = loadFleetConfig(source({}));
    expect(stack.kubernetes).toEqual({
      ...SECTION,
      namespace: "keycloak",
      image: "quay.io/keycloak/keycloak:26.7.3",
      replicas: 2,
      ingress: { controller: "traefik" },
      resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
      database: { type: "bundled", storageSize: "10Gi", image: "postgres:16.4" },
    });
    expect(secrets.clientSecret).toBeUndefined();
  });

  it("accepts the example stack Pulumi.prod-eu.yaml once its secrets are set", () => {
    const root = path.resolve(__dirname, "../..");
    const { config } = parse(fs.readFileSync(path.join(root, "Pulumi.prod-eu.yaml"), "utf8")) as { config: Record<string, unknown> };
    const secrets = ["secretSeed", "githubClientSecret", "backupSecretAccessKey"].map((k) => `keycloak-fleet:${k}`);
    const values = Object.fromEntries([
      ...Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
      ...secrets.map((k) => [k, SECRET]),
    ]);
    const { stack } = loadFleetConfig({ stack: "prod-eu", projectDir: root, values, secretKeys: secrets });
    expect(stack.kubernetes).toMatchObject({ replicas: 3, ingress: { controller: "traefik" }, backup: { target: { type: "s3" } } });
  });

  it("accepts an external database with its password secret, and S3 backups with theirs", () => {
    const database = { type: "external", url: "jdbc:postgresql://db.example.com:5432/keycloak?sslmode=require", username: "kc" };
    const values = { databasePassword: SECRET };
    expect(loadFleetConfig(source({ database }, values, ["secretSeed", "databasePassword"])).secrets.databasePassword).toBeDefined();
    const backup = { schedule: "0 3 * * *", target: { type: "s3", endpoint: "https://s3.example.com", bucket: "kc-backups", accessKeyId: "AKIA" } };
    const config = loadFleetConfig(source({ backup }, { backupSecretAccessKey: SECRET }, ["secretSeed", "backupSecretAccessKey"]));
    expect(config.stack.kubernetes!.backup!.target).toMatchObject({ type: "s3", region: "us-east-1" });
  });

  it("refuses an invalid CIDR in any allowlist, saying what is wrong with it", () => {
    const found = problems({ adminAllowlist: ["10.0.0.0/33", "300.1.2.3/8", "10.0.0.1"], realmAllowlists: { fixture: ["2001:db8::/129"] } });
    expect(found.map((p) => p.field)).toEqual([
      field("adminAllowlist[0]"),
      field("adminAllowlist[1]"),
      field("adminAllowlist[2]"),
      field("realmAllowlists.fixture[0]"),
    ]);
    expect(found[0].message).toBe('expected a CIDR block such as "10.20.0.0/16" or "2001:db8::/48", got "10.0.0.0/33": the prefix length of an IPv4 block is 0 to 32');
    expect(found[1].message).toContain('"300.1.2.3" is not an IPv4 or IPv6 address');
    expect(found[2].message).toContain('hint: write "10.0.0.1/32" for one address');
    expect(found[3].message).toContain("the prefix length of an IPv6 block is 0 to 128");
  });

  it("refuses an empty admin allowlist", () => {
    expect(problems({ adminAllowlist: [] })).toEqual([expect.objectContaining({ field: field("adminAllowlist"), message: expect.stringContaining("hint:") })]);
  });

  it("refuses fewer than one replica", () => {
    expect(problems({ replicas: 0 })).toEqual([
      { file: "Pulumi.prod-eu.yaml", field: field("replicas"), message: "expected at least 1 replica, got 0; hint: 2 or more keep Keycloak up through node drains" },
    ]);
  });

  it("refuses a missing hostname: production mode needs one", () => {
    const [problem] = problems({ hostname: undefined });
    expect(problem.field).toBe(field("hostname"));
    expect(problem.message).toMatch(/^required field is missing: production mode needs the public hostname; hint: .*id\.example\.com/);
  });

  it("refuses a hostname with a scheme, and an admin hostname equal to the public one", () => {
    expect(problems({ hostname: "https://id.example.com" })[0].message).toContain('(no scheme, port or path), got "https://id.example.com"');
    expect(problems({ adminHostname: "id.example.com" })[0]).toMatchObject({ field: field("adminHostname"), message: expect.stringContaining("must differ from hostname") });
  });

  it("refuses an external database without its username", () => {
    const [problem] = problems({ database: { type: "external", url: "jdbc:postgresql://db.example.com/keycloak" } }, { databasePassword: SECRET }, ["secretSeed", "databasePassword"]);
    expect(problem).toMatchObject({ field: field("database.username"), message: expect.stringMatching(/^required field is missing: .*hint: /) });
  });

  it("refuses an external database without its password secret, or with the password in plain text", () => {
    const database = { type: "external", url: "jdbc:postgresql://db.example.com/keycloak", username: "kc" };
    expect(problems({ database })).toEqual([
      {
        file: "Pulumi.prod-eu.yaml",
        field: "keycloak-fleet:databasePassword",
        missingSecret: "databasePassword",
        message: "required secret is missing; hint: pulumi config set --secret databasePassword <value> (the password of kubernetes.database.username on the external database)",
      },
    ]);
    expect(problems({ database }, { databasePassword: SECRET })[0]).toMatchObject({
      field: "keycloak-fleet:databasePassword",
      message: "must be a secret; hint: set it again with pulumi config set --secret databasePassword",
    });
  });

  it("refuses an unknown database type and a non-JDBC URL", () => {
    expect(problems({ database: { type: "mysql" } })[0]).toMatchObject({ field: field("database.type"), message: 'expected type "bundled" or "external", got "mysql"' });
    expect(problems({ database: { type: "external", url: "postgres://db/keycloak", username: "kc" } }, { databasePassword: SECRET }, ["secretSeed", "databasePassword"])[0]).toMatchObject({
      field: field("database.url"),
      message: expect.stringContaining('expected a JDBC URL such as "jdbc:postgresql://'),
    });
  });

  it("refuses S3 backups without their secret key, and backups of an external database", () => {
    const target = { type: "s3", endpoint: "https://s3.example.com", bucket: "kc-backups", accessKeyId: "AKIA" };
    expect(problems({ backup: { schedule: "0 3 * * *", target } })[0]).toMatchObject({
      field: "keycloak-fleet:backupSecretAccessKey",
      message: expect.stringContaining("pulumi config set --secret backupSecretAccessKey"),
    });
    const external = { type: "external", url: "jdbc:postgresql://db.example.com/keycloak", username: "kc" };
    const found = problems({ database: external, backup: { schedule: "0 3 * * *", target: { type: "volume" } } }, { databasePassword: SECRET }, ["secretSeed", "databasePassword"]);
    expect(found).toEqual([expect.objectContaining({ field: field("backup"), message: expect.stringContaining("bundled database only") })]);
  });

  it("refuses a schedule that is not five cron fields", () => {
    expect(problems({ backup: { schedule: "daily", target: { type: "volume" } } })[0]).toMatchObject({
      field: field("backup.schedule"),
      message: 'expected a cron schedule of 5 fields such as "0 3 * * *" (03:00 every day), got "daily"',
    });
  });

  it("refuses the Gateway API without its Gateway, its proxies' namespace and an allowlist policy", () => {
    expect(problems({ ingress: { controller: "gateway" } }).map((p) => p.field)).toEqual([field("ingress.gateway"), field("ingress.from")]);
    const [problem] = problems({ ingress: { controller: "gateway", from: { namespace: "gw" }, gateway: { name: "public", namespace: "gw" } } });
    expect(problem.field).toBe(field("ingress.gateway.allowlistPolicy"));
    expect(problem.message).toContain("the Gateway API cannot restrict source addresses");
  });

  it("refuses an allowlist for a realm no spec declares (master always exists)", () => {
    expect(problems({ realmAllowlists: { fixtrue: ["10.0.0.0/8"], master: ["10.0.0.0/8"] } })).toEqual([
      {
        file: "Pulumi.prod-eu.yaml",
        field: field("realmAllowlists.fixtrue"),
        message: 'no realm spec declares realm "fixtrue"; hint: use a realm name from the files in keycloak-fleet:realms (master, fixture)',
      },
    ]);
  });

  it("refuses an image that is not pinned", () => {
    for (const image of ["quay.io/keycloak/keycloak", "quay.io/keycloak/keycloak:latest"])
      expect(problems({ image })[0]).toMatchObject({ field: field("image"), message: expect.stringContaining("pinned to a version tag or digest") });
  });

  it("refuses admin secrets in config, which the kubernetes platform generates", () => {
    const found = problems({}, { adminClientSecret: SECRET, adminPassword: SECRET }, ["secretSeed", "adminClientSecret", "adminPassword"]);
    expect(found.map((p) => [p.field, p.message])).toEqual([
      ["keycloak-fleet:adminClientSecret", "not used on the kubernetes platform, which generates it; hint: pulumi config rm adminClientSecret"],
      ["keycloak-fleet:adminPassword", "not used on the kubernetes platform, which generates it; hint: pulumi config rm adminPassword"],
    ]);
  });

  it("refuses the platform without its section", () => {
    expect(problems({}, { kubernetes: undefined })).toEqual([
      expect.objectContaining({ field: "keycloak-fleet:kubernetes", message: expect.stringContaining('platform "kubernetes" needs its section') }),
    ]);
  });
});

describe("cidrProblem", () => {
  it.each([
    "10.0.0.0/8",
    "0.0.0.0/0",
    "192.168.1.1/32",
    "2001:db8::/32",
    "2001:0db8:0000:0000:0000:0000:0000:0000/64",
    "::/0",
    "::1/128",
    "::ffff:10.0.0.0/104",
    "fe80::/10",
  ])("accepts %s", (cidr) => expect(cidrProblem(cidr)).toBeUndefined());

  it.each([
    ["10.0.0.0/33", "the prefix length of an IPv4 block is 0 to 32"],
    ["10.0.0.0/-1", "the prefix length of an IPv4 block is 0 to 32"],
    ["10.0.0.0/08", "the prefix length of an IPv4 block is 0 to 32"],
    ["10.0.0.0/", "the prefix length of an IPv4 block is 0 to 32"],
    ["2001:db8::/129", "the prefix length of an IPv6 block is 0 to 128"],
    ["10.0.0/8", '"10.0.0" is not an IPv4 or IPv6 address'],
    ["256.0.0.0/8", '"256.0.0.0" is not an IPv4 or IPv6 address'],
    ["010.0.0.0/8", '"010.0.0.0" is not an IPv4 or IPv6 address'],
    ["2001:db8:::/32", '"2001:db8:::" is not an IPv4 or IPv6 address'],
    ["2001:db8::g/32", '"2001:db8::g" is not an IPv4 or IPv6 address'],
    ["1:2:3:4:5:6:7:8:9/64", '"1:2:3:4:5:6:7:8:9" is not an IPv4 or IPv6 address'],
    ["fe80::1%eth0/64", '"fe80::1%eth0" is not an IPv4 or IPv6 address'],
    ["10.0.0.0/8/8", 'more than one "/"'],
    ["10.0.0.1", 'no /prefix; hint: write "10.0.0.1/32" for one address'],
    ["2001:db8::1", 'no /prefix; hint: write "2001:db8::1/128" for one address'],
    ["any", "not an address with a /prefix"],
    ["", "not an address with a /prefix"],
  ])("refuses %s: %s", (cidr, problem) => expect(cidrProblem(cidr)).toBe(problem));
});
