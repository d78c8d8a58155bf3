// `check` on a fresh clone: a local stack's port and secrets come from `npm run dev:up`, so their
// absence is not a problem there; on other platforms a missing secret is.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkStack } from "../../src/ops/check";

const repo = path.resolve(__dirname, "../..");
const project = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-check-"));
fs.mkdirSync(path.join(project, "stacks"));
fs.writeFileSync(path.join(project, "stacks", "app.yaml"), "realm: app\nidentityProviders:\n  - alias: gh\n    type: github\n    clientId: x\n    clientSecret: { config: ghSecret }\n");
const stackFile = (name: string, config: string) => fs.writeFileSync(path.join(project, `Pulumi.${name}.yaml`), `config:\n  keycloak-fleet:realms: [stacks/app.yaml]\n${config}`);

describe("check", () => {
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  it("accepts a local stack before dev:up has set its port and secrets", () => {
    stackFile("dev", "  keycloak-fleet:platform: local\n");
    expect(checkStack(project, "dev")).toBe(1);
  });

  it("still refuses what dev:up does not set, on a local stack", () => {
    stackFile("dev", "  keycloak-fleet:platform: local\n  keycloak-fleet:adminClientId: ''\n");
    expect(() => checkStack(project, "dev")).toThrow(/Pulumi\.dev\.yaml:\d+: keycloak-fleet:adminClientId/);
  });

  it("refuses an external stack without the secrets it needs", () => {
    stackFile("prod", "  keycloak-fleet:platform: external\n  keycloak-fleet:external: { url: https://id.example.com }\n");
    expect(() => checkStack(project, "prod")).toThrow(/keycloak-fleet:adminClientSecret: required secret is missing[\s\S]*ghSecret, which is not set/);
  });

  // Loading the Pulumi SDK or the admin client takes seconds; a refusal should not wait for them.
  it("runs through the CLI without loading the Pulumi SDK or the admin client", () => {
    const loaded = (args: string[]) =>
      execFileSync(process.execPath, ["--require", require.resolve("tsx/cjs"), "--require", path.join(__dirname, "loaded-packages.cjs"), path.join(repo, "src/ops/cli.ts"), ...args], {
        cwd: project,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: keycloak-fleet\nruntime: nodejs\n");
    stackFile("dev", "  keycloak-fleet:platform: local\n");
    const packages = loaded(["check"]).trim().split("\n").slice(1);
    expect(packages).toContain("zod");
    expect(packages.filter((name) => name.startsWith("@pulumi/") || name.startsWith("@keycloak/"))).toEqual([]);
  });
});
