// The program's configuration: validateFleetConfig's checks (validate.ts), then the secrets as
// Pulumi secrets. Only the Pulumi program and the commands that run it load this module.
import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { SecretStore } from "./secrets";
import { NAMESPACE, type StackConfig } from "./stack";
import { type ConfigSource, type RealmSource, validateFleetConfig } from "./validate";

// The validation's inputs and results, and its readers of realm specs, for the modules that use them with the program's config.
export { type ConfigSource, loadRealmSpecs, type RealmSource, referencedSecretKeys } from "./validate";

/** The platform's secrets from stack config; always Pulumi secrets. */
export interface AdminSecrets {
  /** Secret of the master-realm automation client (the kubernetes platform generates its own). */
  clientSecret?: pulumi.Output<string>;
  /** Password of the human administrator (local platform only). */
  password?: pulumi.Output<string>;
  /** Password of an external database (kubernetes platform). */
  databasePassword?: pulumi.Output<string>;
  /** Secret key of an S3 backup target (kubernetes platform). */
  backupSecretAccessKey?: pulumi.Output<string>;
}

export interface FleetConfig {
  stack: StackConfig;
  secrets: AdminSecrets;
  /** Secrets the realm specs refer to or have generated. */
  secretStore: SecretStore;
  realms: RealmSource[];
}

/** The config source of the running Pulumi program. */
export function programConfigSource(): ConfigSource {
  return {
    stack: pulumi.getStack(),
    values: pulumi.runtime.allConfig(),
    secretKeys: JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]"),
    projectDir: pulumi.runtime.getRootDirectory(),
  };
}

/**
 * Reads and validates the stack config and every realm spec it names (validateFleetConfig:
 * every problem in one ConfigError, before any resource exists), then wraps its secrets.
 */
export function loadFleetConfig(source: ConfigSource): FleetConfig {
  const { stack, realms } = validateFleetConfig(source);
  return { stack, secrets: adminSecrets(source), secretStore: secretStore(source.values, NAMESPACE), realms };
}

/** The platform's secrets as Pulumi secrets. Validation let through only those the platform uses, each set with --secret. */
function adminSecrets(source: ConfigSource): AdminSecrets {
  const read = (name: string) => {
    const value = source.values[`${NAMESPACE}:${name}`];
    return value === undefined ? undefined : pulumi.secret(value);
  };
  return {
    clientSecret: read("adminClientSecret"),
    password: read("adminPassword"),
    databasePassword: read("databasePassword"),
    backupSecretAccessKey: read("backupSecretAccessKey"),
  };
}

/** The realm layer's secrets: those the specs name in stack config, and those derived from secretSeed. */
function secretStore(values: Record<string, string>, namespace: string): SecretStore {
  const get = (key: string) => pulumi.secret(values[`${namespace}:${key}`]);
  return {
    get,
    derive: (purpose) => get("secretSeed").apply((seed) => createHmac("sha256", seed).update(purpose).digest("base64url").slice(0, 32)),
  };
}
