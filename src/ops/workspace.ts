// Pulumi stacks of this project through the Automation API, as the ops commands and the
// end-to-end tests drive them: a file backend and a passphrase, nothing shared with ~/.pulumi
// but the plugins.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { referencedSecretKeys } from "../config/load";
import { NAMESPACE } from "../config/stack";
import { freePort, type LocalServerOptions } from "../platform/local/server";

export interface StackLocation {
  /** Directory holding Pulumi.yaml. */
  projectDir: string;
  stack: string;
  /** Directory of the file backend. */
  stateDir: string;
  /** File holding the passphrase that encrypts the stack's secrets; created when missing. */
  passphraseFile: string;
}

export async function openStack(location: StackLocation): Promise<Stack> {
  fs.mkdirSync(location.stateDir, { recursive: true });
  if (!fs.existsSync(location.passphraseFile)) fs.writeFileSync(location.passphraseFile, randomSecret(), { mode: 0o600 });
  return LocalWorkspace.createOrSelectStack(
    { stackName: location.stack, workDir: location.projectDir },
    {
      envVars: {
        PULUMI_BACKEND_URL: `file://${path.resolve(location.stateDir)}`,
        PULUMI_CONFIG_PASSPHRASE_FILE: path.resolve(location.passphraseFile),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
      },
    },
  );
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
      username: value("adminUsername", "admin"),
      password: value("adminPassword"),
      clientId: value("adminClientId", "keycloak-fleet"),
      clientSecret: value("adminClientSecret"),
    },
  };
}

function failMissing(name: string, stack: string): never {
  throw new Error(`stack ${stack} has no ${key(name)}; hint: run npm run dev:up, which sets it`);
}
