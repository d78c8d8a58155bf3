// What every end-to-end test needs: a stack of the real program in a project directory of its
// own (so tests never touch the checkout's stack files), run by the real Pulumi engine against
// the Keycloak that global-setup.ts started, and an Admin REST API client to check the result.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import KcAdminClient from "@keycloak/keycloak-admin-client";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { inject } from "vitest";
import { fileBackend, openStack, randomSecret } from "../../src/ops/workspace";

const repo = path.resolve(__dirname, "../..");

export const keycloak = () => inject("keycloak");

export interface TestStack {
  stack: Stack;
  projectDir: string;
  /** Everything the engine printed during this test's operations. */
  output: string[];
  up(): Promise<Awaited<ReturnType<Stack["up"]>>>;
  destroy(): Promise<void>;
  /** `pulumi stack export` as a user runs it (the Automation API's exportStack shows secrets). */
  exportState(): string;
  /** Every file the file backend wrote, concatenated: checkpoints, backups, history. */
  rawState(): string;
  /** Another stack of the same project and backend, as `stack new` or `clone` made it. */
  sibling(name: string): Promise<Stack>;
  /** Replaces a realm spec file under the project's stacks/ (a user editing the spec). */
  writeRealm(file: string, yaml: string): void;
  /** Runs `npm run fleet -- <args>` as a user would in this stack's project (same backend). */
  fleet(args: string[], options?: { stdin?: string }): Promise<FleetRun>;
}

export interface FleetRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The fleet CLI of this checkout, run in a project directory as `npm run fleet` runs it: it
 * finds the project and its stacks from its cwd, by the project's conventions alone.
 */
export function runFleet(projectDir: string, args: string[], stdin?: string): Promise<FleetRun> {
  const env = { ...process.env };
  for (const name of ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"]) delete env[name];
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--require", "tsx/cjs", path.join(repo, "src/ops/cli.ts"), ...args],
      { cwd: projectDir, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? "");
  });
}

export interface TestStackOptions {
  /** File names under stacks/ of the test project, and their YAML text. */
  realms: Record<string, string>;
  /** Plain config values to add or override (keys without the namespace). */
  config?: Record<string, string>;
  /** Secret config values (keys without the namespace). */
  secrets?: Record<string, string>;
  /** Another Keycloak than this run's local one: the stack uses the external platform. */
  external?: { url: string; adminClientSecret: string };
  /** A test stack whose project (directory, realm files, backend) this one joins, as `stack new` would. */
  sameProjectAs?: TestStack;
}

/** A stack of this project on the Keycloak of this test run (local platform), or on `external`. */
export async function createTestStack(name: string, { realms, config = {}, secrets = {}, external, sameProjectAs }: TestStackOptions): Promise<TestStack> {
  const projectDir = sameProjectAs?.projectDir ?? newTestProject(name);
  for (const [file, yaml] of Object.entries(realms)) fs.writeFileSync(path.join(projectDir, "stacks", file), yaml);

  // The project's conventional place (.fleet/ in the project), so the CLI finds it from its cwd.
  const location = (stackName: string) => ({
    projectDir,
    stack: stackName,
    backendUrl: fileBackend(path.join(projectDir, ".fleet", "state")),
    passphraseFile: path.join(projectDir, ".fleet", "passphrase"),
  });
  const stack = await openStack(location(name));
  await stack.setConfig("keycloak-fleet:secretSeed", { value: randomSecret(), secret: true });
  if (external) {
    await stack.setConfig("keycloak-fleet:platform", { value: "external" });
    await stack.setConfig("keycloak-fleet:adminClientSecret", { value: external.adminClientSecret, secret: true });
    await stack.setConfig("keycloak-fleet:external.url", { value: external.url }, true);
  } else {
    const { port, admin } = keycloak();
    await stack.setAllConfig({
      "keycloak-fleet:platform": { value: "local" },
      "keycloak-fleet:adminPassword": { value: admin.password, secret: true },
      "keycloak-fleet:adminClientSecret": { value: admin.clientSecret, secret: true },
    });
    await stack.setConfig("keycloak-fleet:local.port", { value: String(port) }, true);
  }
  for (const [i, file] of Object.keys(realms).entries())
    await stack.setConfig(`keycloak-fleet:realms[${i}]`, { value: `stacks/${file}` }, true);
  // Many test stacks share one Keycloak: only a test that says so declares its administrator.
  await stack.setConfig("keycloak-fleet:permanentAdministrator", { value: "false" });
  for (const [key, value] of Object.entries(config)) await stack.setConfig(`keycloak-fleet:${key}`, { value });
  for (const [key, value] of Object.entries(secrets)) await stack.setConfig(`keycloak-fleet:${key}`, { value, secret: true });

  const output: string[] = [];
  const onOutput = (line: string) => output.push(line);
  return {
    stack,
    projectDir,
    output,
    up: () => stack.up({ onOutput }),
    destroy: async () => {
      await stack.destroy({ onOutput });
    },
    exportState: () =>
      execFileSync("pulumi", ["stack", "export", "--stack", name], {
        cwd: projectDir,
        env: { ...process.env, ...stack.workspace.envVars },
        encoding: "utf8",
      }),
    rawState: () => readTree(path.join(projectDir, ".fleet", "state")),
    sibling: (stackName) => openStack(location(stackName)),
    writeRealm: (file, yaml) => fs.writeFileSync(path.join(projectDir, "stacks", file), yaml),
    fleet: (args, options) => runFleet(projectDir, args, options?.stdin),
  };
}

/** A project directory of its own: this checkout's program, an empty stacks/. */
function newTestProject(name: string): string {
  const projectDir = fs.mkdtempSync(path.join(inject("workDir"), `${name}-`));
  for (const entry of ["Pulumi.yaml", "package.json", "tsconfig.json", "node_modules", "src"])
    fs.symlinkSync(path.join(repo, entry), path.join(projectDir, entry));
  fs.mkdirSync(path.join(projectDir, "stacks"));
  return projectDir;
}

function readTree(dir: string): string {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8"))
    .join("\n");
}

/** One resource step of an update, as the engine reports it (op: create, import, update, same, refresh, ...). */
export interface ResourceStep {
  op: string;
  type: string;
  name: string;
}

/** `up`, recording each Keycloak resource's step. */
export async function upWithSteps(stack: Stack): Promise<{ steps: ResourceStep[]; result: UpResult }> {
  const steps: ResourceStep[] = [];
  const result = await stack.up({
    onEvent: ({ resOutputsEvent }) => {
      const meta = resOutputsEvent?.metadata;
      if (meta?.type.startsWith("keycloak:")) steps.push({ op: meta.op, type: meta.type, name: meta.urn.split("::").pop()! });
    },
  });
  return { steps, result };
}

/** An Admin REST API client, logged in as the automation client. */
export async function adminClient(): Promise<KcAdminClient> {
  const { url, admin } = keycloak();
  const client = new KcAdminClient({ baseUrl: url, realmName: "master" });
  await client.auth({ grantType: "client_credentials", clientId: admin.clientId, clientSecret: admin.clientSecret });
  return client;
}

/** A response of the realm's token endpoint (of this run's Keycloak, or the one at `baseUrl`) for the given grant. */
export async function tokenRequest(realm: string, grant: Record<string, string>, baseUrl = keycloak().url): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/realms/${realm}/protocol/openid-connect/token`, { method: "POST", body: new URLSearchParams(grant) });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** A token with the client-credentials grant. */
export function clientCredentialsToken(realm: string, clientId: string, clientSecret: string, baseUrl?: string): Promise<Record<string, unknown>> {
  return tokenRequest(realm, { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }, baseUrl);
}

/** The realm spec files of this repository's stacks/, by file name. */
export function repoRealmSpec(file: string): string {
  return fs.readFileSync(path.join(repo, "stacks", "realms", file), "utf8");
}

/** The claims of a JWT (not verified: Keycloak just issued it to us). */
export function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
}
