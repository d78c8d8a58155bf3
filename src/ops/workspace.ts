// Pulumi stacks of this project through the Automation API, as the ops commands and the
// end-to-end tests drive them: a backend and a passphrase file, nothing shared with ~/.pulumi
// but the plugins.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { referencedSecretKeys } from "../config/load";
import { NAMESPACE } from "../config/stack";
import { freePort, type LocalServerOptions } from "../platform/local/server";
import { CommandError } from "./console";
import { PROJECT_DIR } from "./project-dir";

export interface StackLocation {
  /** Directory holding Pulumi.yaml. */
  projectDir: string;
  stack: string;
  /** Where state lives: file://<dir> or any Pulumi backend URL. */
  backendUrl: string;
  /** File holding the passphrase that encrypts the stack's secrets; created when missing. */
  passphraseFile: string;
}

/** The project the commands work on (project-dir.ts). */
export { PROJECT_DIR };

/**
 * Where the commands keep this project's stacks: by convention a file backend in .fleet/state
 * and a passphrase in .fleet/passphrase of the checkout (git ignores .fleet/). A team that
 * shares state sets PULUMI_BACKEND_URL (and PULUMI_CONFIG_PASSPHRASE_FILE) before running them.
 */
export function projectLocation(stack: string, projectDir = PROJECT_DIR): StackLocation {
  const fleetDir = path.join(projectDir, ".fleet");
  return {
    projectDir,
    stack,
    backendUrl: process.env.PULUMI_BACKEND_URL || fileBackend(path.join(fleetDir, "state")),
    passphraseFile: process.env.PULUMI_CONFIG_PASSPHRASE_FILE || path.join(fleetDir, "passphrase"),
  };
}

/**
 * A file backend in dir. `metadata=skip`: the storage library would otherwise write an attribute
 * file beside every state file, with an MD5 of the whole state, at every step of an update: a
 * tenth of the engine's CPU on a large stack, for attributes Pulumi never reads. The state file
 * itself is written as before (a temporary file renamed over it).
 */
export const fileBackend = (dir: string) => `file://${path.resolve(dir)}?metadata=skip`;

/** The directory of a file backend URL. */
export const fileBackendDir = (url: string) => decodeURIComponent(new URL(url).pathname);

/** The environment plain `pulumi` needs to see the same stacks as the commands. */
export function backendEnv(location: Omit<StackLocation, "stack">): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: location.backendUrl,
    PULUMI_CONFIG_PASSPHRASE_FILE: path.resolve(location.passphraseFile),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
  };
}

function workspaceOptions(location: StackLocation) {
  if (location.backendUrl.startsWith("file://")) fs.mkdirSync(fileBackendDir(location.backendUrl), { recursive: true });
  fs.mkdirSync(path.dirname(location.passphraseFile), { recursive: true });
  if (!fs.existsSync(location.passphraseFile)) fs.writeFileSync(location.passphraseFile, randomSecret(), { mode: 0o600 });
  return { workDir: location.projectDir, envVars: backendEnv(location) };
}

/** Selects the stack, creating it when it does not exist (dev up, the tests). */
export async function openStack(location: StackLocation): Promise<Stack> {
  return LocalWorkspace.createOrSelectStack({ stackName: location.stack, workDir: location.projectDir }, workspaceOptions(location));
}

/** The names of the stacks in the location's backend. */
export async function stackNames(location: Omit<StackLocation, "stack">): Promise<string[]> {
  const workspace = await LocalWorkspace.create(workspaceOptions({ ...location, stack: "" }));
  return (await workspace.listStacks()).map((summary) => summary.name);
}

/** Selects a stack that must exist: a typo names no stack, it does not create one. */
export async function existingStack(location: StackLocation): Promise<Stack> {
  const names = await stackNames(location);
  if (!names.includes(location.stack))
    throw new CommandError(`no stack named "${location.stack}"`, names.length ? `the stacks are ${names.join(", ")}` : "create one with npm run fleet -- stack new NAME");
  return LocalWorkspace.selectStack({ stackName: location.stack, workDir: location.projectDir }, workspaceOptions(location));
}

/** Creates a stack that must not exist yet, so nothing of another stack is overwritten. */
export async function newStack(location: StackLocation): Promise<Stack> {
  if ((await stackNames(location)).includes(location.stack))
    throw new CommandError(`stack "${location.stack}" already exists`, `pick another name, or remove it first with pulumi stack rm ${location.stack}`);
  if (fs.existsSync(path.join(location.projectDir, `Pulumi.${location.stack}.yaml`)))
    throw new CommandError(`Pulumi.${location.stack}.yaml already exists without a stack in ${location.backendUrl}`, `move the file away or pick another name`);
  return LocalWorkspace.createStack({ stackName: location.stack, workDir: location.projectDir }, workspaceOptions(location));
}

/** 32 characters from a cryptographic source, safe in URLs and shells. */
export function randomSecret(): string {
  return randomBytes(24).toString("base64url");
}

const key = (name: string) => `${NAMESPACE}:${name}`;

/**
 * Gives a local-platform stack what it needs before its first `up`: a free loopback port,
 * random admin secrets and secret seed, and a random placeholder for each secret its realm
 * specs refer to but the stack lacks (an identity provider's client secret, say), all stored
 * in the stack's config (the secrets encrypted). Returns the keys that got placeholders.
 */
export async function prepareLocalStack(stack: Stack, projectDir: string): Promise<string[]> {
  const config = await stack.getAllConfig();
  if (!config[key("local")]) await stack.setConfig(key("local.port"), { value: String(await freePort()) }, true);
  const realmFiles: string[] = JSON.parse(config[key("realms")]?.value ?? "[]");
  const placeholders = referencedSecretKeys(projectDir, realmFiles).filter((name) => !config[key(name)]);
  for (const name of ["adminPassword", "adminClientSecret", "secretSeed", ...placeholders]) {
    if (!config[key(name)]) await stack.setConfig(key(name), { value: randomSecret(), secret: true });
  }
  return placeholders;
}

/** How to start the Keycloak that a prepared local-platform stack expects. */
export async function localServerOptions(stack: Stack, dataDir: string): Promise<LocalServerOptions> {
  const config = await stack.getAllConfig();
  const value = (name: string, fallback?: string) =>
    config[key(name)]?.value ?? fallback ?? failMissing(name, stack.name);
  return {
    dataDir,
    port: JSON.parse(value("local")).port,
    admin: {
      // A stack that declares its permanent administrator bootstraps no temporary user.
      ...(value("permanentAdministrator", "true") === "false" ? { username: value("adminUsername", "admin"), password: value("adminPassword") } : {}),
      clientId: value("adminClientId", "keycloak-fleet"),
      clientSecret: value("adminClientSecret"),
    },
  };
}

function failMissing(name: string, stack: string): never {
  throw new CommandError(`stack ${stack} has no ${key(name)}`, "run npm run dev:up, which sets it");
}
