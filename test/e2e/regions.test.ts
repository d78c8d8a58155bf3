// Regions, the way a platform team runs them: `stack new` for the first region, `clone` for the
// second (another Keycloak, the same realms, the same client secrets), `parity` to show the two
// deploy the same configuration, and plain `pulumi` from the environment `env` prints. Every
// command is the real CLI, run in the test project like a user runs it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientCredentialsToken, createTestStack, keycloak, type TestStack } from "./harness";
import { startTestKeycloak, type TestKeycloak } from "./keycloak-server";

const realmYaml = `
realm: orders
displayName: Orders
clients:
  - clientId: order-service
    serviceAccount: true
    redirectUris: [https://orders.example.com/callback]
    roles: [reader, writer]
  - clientId: partner-gateway
    serviceAccount: true
    redirectUris: [https://partners.example.com/callback]
    secret: { config: partnerSecret }
groups:
  - name: clerks
    roles: { clients: { order-service: [reader] } }
`;

describe("regions: stack new, clone to a second Keycloak, parity", () => {
  let project: TestStack;
  let region2: TestKeycloak;
  const stacks: Stack[] = [];

  beforeAll(async () => {
    // The project (its stacks/ and backend) comes from the harness; its own stack stays unused.
    project = await createTestStack("regions-scratch", { realms: { "orders.yaml": realmYaml } });
    region2 = await startTestKeycloak("region2");
  });

  afterAll(async () => {
    for (const stack of stacks) await stack.destroy().catch(() => undefined);
    await region2?.remove();
  });

  it("stack new makes a stack that deploys, and says which secrets the specs still need", async () => {
    const run = await project.fleet(
      ["stack", "new", "eu", "--platform", "external", "--url", keycloak().url, "--admin-client-secret-file", "-", "--realm", "stacks/orders.yaml"],
      { stdin: keycloak().admin.clientSecret },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("pulumi config set --stack eu --secret partnerSecret");
    expect(run.stderr).toContain("Next: pulumi up --stack eu");
    const stackFile = fs.readFileSync(path.join(project.projectDir, "Pulumi.eu.yaml"), "utf8");
    expect(stackFile).toContain("keycloak-fleet:platform: external");
    expect(stackFile).not.toContain(keycloak().admin.clientSecret);

    const eu = await project.sibling("eu");
    stacks.push(eu);
    await eu.setConfig("keycloak-fleet:partnerSecret", { value: "partner-secret-eu-and-us", secret: true });
    expect((await eu.up()).summary.result).toBe("succeeded");
  });

  it("plain pulumi sees the same stacks with the environment env prints", async () => {
    const run = await project.fleet(["env"]);
    expect(run.code).toBe(0);
    const script = `${run.stdout}\npulumi stack ls --json`;
    const { stdout } = await promisify(execFile)("bash", ["-c", script], { cwd: project.projectDir });
    expect(JSON.parse(stdout).map((s: { name: string }) => s.name)).toContain("eu");
  });

  it("clone refuses bad arguments and changes nothing", async () => {
    const unknown = await project.fleet(["clone", "nowhere", "us"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no stack named "nowhere"');
    const onto = await project.fleet(["clone", "eu", "regions-scratch", "--url", region2.url, "--admin-client-secret-file", "-"], { stdin: "x" });
    expect(onto.code).toBe(1);
    expect(onto.stderr).toContain('stack "regions-scratch" already exists');
    const same = await project.fleet(["clone", "eu", "us", "--url", keycloak().url, "--admin-client-secret-file", "-"], { stdin: "x" });
    expect(same.code).toBe(1);
    expect(same.stderr).toContain("would manage the same Keycloak as eu");
    expect(fs.existsSync(path.join(project.projectDir, "Pulumi.us.yaml"))).toBe(false);
  });

  it("clone gives the second region the same realms and client secrets, and parity finds no difference", async () => {
    const run = await project.fleet(["clone", "eu", "us", "--url", region2.url, "--admin-client-secret-file", "-"], { stdin: region2.admin.clientSecret });
    expect(run.code, run.stderr).toBe(0);
    const us = await project.sibling("us");
    stacks.push(us);
    expect((await us.up()).summary.result).toBe("succeeded");

    // An app configured for eu works against us unchanged: generated and referenced secrets alike.
    const eu = await project.sibling("eu");
    const euClients = (await eu.outputs()).realmOutputs.value.orders.clients;
    const usClients = (await us.outputs()).realmOutputs.value.orders.clients;
    expect(usClients["order-service"].clientSecret).toBe(euClients["order-service"].clientSecret);
    await clientCredentialsToken("orders", "order-service", euClients["order-service"].clientSecret, region2.url);
    await clientCredentialsToken("orders", "partner-gateway", "partner-secret-eu-and-us", region2.url);

    const parity = await project.fleet(["parity", "eu", "us"]);
    expect(parity.code, parity.stdout + parity.stderr).toBe(0);
    expect(parity.stdout).toContain("no differences");
  });

  it("clone --new-secrets gives a region its own secrets", async () => {
    const run = await project.fleet(["clone", "eu", "ap", "--new-secrets", "--url", "http://127.0.0.1:9", "--admin-client-secret-file", "-"], { stdin: "unused" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("--secret partnerSecret");
    const ap = await project.sibling("ap");
    const config = await ap.getAllConfig();
    const eu = await (await project.sibling("eu")).getAllConfig();
    expect(config["keycloak-fleet:secretSeed"].value).not.toBe(eu["keycloak-fleet:secretSeed"].value);
    expect(config["keycloak-fleet:partnerSecret"]).toBeUndefined();
    await ap.workspace.removeStack("ap");
  });
});
