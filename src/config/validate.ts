// The stack config and every realm spec it names, read and validated: the one check that both
// the Pulumi program (load.ts) and `npm run fleet -- check` run. It needs no Pulumi SDK, which
// takes seconds to load, so `check` refuses a bad spec without it.
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, Problem, fieldPath, problemsFromIssues } from "./errors";
import { installMessages, messageOf } from "./messages";
import { checkSecrets, secretUses } from "./secrets";
import { RealmSpec } from "./spec/realm";
import { NAMESPACE, StackConfig } from "./stack";
import { withStackFileLines } from "./stack-file";
import { readYamlFile } from "./yaml-file";

installMessages();

/** Config keys that hold secrets: checked by checkAdminSecrets, never by the zod schema. */
const SECRET_KEYS = ["adminClientSecret", "adminPassword", "databasePassword", "backupSecretAccessKey"] as const;
type SecretKey = (typeof SECRET_KEYS)[number];

/** What each secret is, for the hint when it is missing. */
const SECRET_PURPOSES: Record<SecretKey, string> = {
  adminClientSecret: "npm run dev:up generates it for the local platform",
  adminPassword: "npm run dev:up generates it for the local platform",
  databasePassword: "the password of kubernetes.database.username on the external database",
  backupSecretAccessKey: "the secret key of kubernetes.backup.target.accessKeyId",
};

/** Where the program's configuration comes from: the stack's config map, raw. */
export interface ConfigSource {
  stack: string;
  /** Raw values by full key (`keycloak-fleet:platform`); structured values are JSON text. */
  values: Record<string, string>;
  /** Full keys whose values were set with `--secret`. */
  secretKeys: string[];
  /** Directory that realm spec paths are relative to. */
  projectDir: string;
}

/** A realm spec and the file it came from. */
export interface RealmSource {
  file: string;
  spec: RealmSpec;
  /**
   * The paths of every object key the file states ("displayName", "login", "login.rememberMe"),
   * before defaults fill in the rest: an adopted realm manages only what its spec says.
   */
  declared: string[];
}

/** The stack config and realm specs that passed every check. */
export interface ValidConfig {
  stack: StackConfig;
  realms: RealmSource[];
}

/**
 * Reads and validates the stack config and every realm spec it names. All problems are
 * collected and thrown together as one ConfigError, before any resource exists.
 */
export function validateFleetConfig(source: ConfigSource): ValidConfig {
  const stackFile = `Pulumi.${source.stack}.yaml`;
  const problems: Problem[] = [];

  const raw = stackValues(source);
  const parsed = StackConfig.safeParse(raw);
  if (!parsed.success) problems.push(...problemsFromIssues(stackFile, parsed.error.issues, raw, `${NAMESPACE}:`));

  if (parsed.success) problems.push(...checkAdminSecrets(source, parsed.data, stackFile));
  const realms = parsed.success ? parsed.data.realms.flatMap((file) => loadRealm(source.projectDir, file, problems)) : [];
  problems.push(...duplicateRealms(realms));
  if (parsed.success) problems.push(...unknownAllowlistRealms(parsed.data, realms, stackFile));
  const uses = realms.flatMap(({ file, spec }) => secretUses(spec).map((use) => ({ file, ...use })));
  problems.push(...checkSecrets(uses, source.values, source.secretKeys, NAMESPACE, stackFile));
  problems.push(...unknownKeys(raw, uses, stackFile));

  if (problems.length > 0 || !parsed.success) throw new ConfigError(withStackFileLines(problems, source.projectDir, source.stack));
  return { stack: parsed.data, realms };
}

/** Reads and validates realm spec files (paths relative to projectDir); throws ConfigError. */
export function loadRealmSpecs(projectDir: string, files: string[]): RealmSource[] {
  const problems: Problem[] = [];
  const realms = files.flatMap((file) => loadRealm(projectDir, file, problems));
  if (problems.length > 0) throw new ConfigError(problems);
  return realms;
}

/**
 * The stack config secrets that these realm spec files refer to ({config: key}). Used by
 * `dev up` to give a local stack placeholders for them.
 */
export function referencedSecretKeys(projectDir: string, files: string[]): string[] {
  const realms = loadRealmSpecs(projectDir, files);
  return [...new Set(realms.flatMap(({ spec }) => secretUses(spec).flatMap((u) => (u.key ? [u.key] : []))))];
}

/** Plain keys of our namespace that neither the schema nor a realm spec knows: likely typos. */
function unknownKeys(raw: Record<string, unknown>, uses: { key?: string }[], stackFile: string): Problem[] {
  const known = new Set([...Object.keys(StackConfig.shape), ...uses.flatMap((u) => (u.key ? [u.key] : []))]);
  return Object.keys(raw)
    .filter((key) => !known.has(key))
    .map((key) => ({
      file: stackFile,
      field: `${NAMESPACE}:${key}`,
      message: `unknown stack config key; hint: known keys are ${Object.keys(StackConfig.shape).join(", ")} (Pulumi.yaml describes them)`,
    }));
}

/** The project's plain (non-secret) keys, without the namespace, structured values parsed from JSON. */
function stackValues(source: ConfigSource): Record<string, unknown> {
  const prefix = `${NAMESPACE}:`;
  const secret = new Set<string>([...SECRET_KEYS, "secretSeed"]);
  return Object.fromEntries(
    Object.entries(source.values)
      .filter(([key]) => key.startsWith(prefix) && !secret.has(key.slice(prefix.length)) && !source.secretKeys.includes(key))
      .map(([key, value]) => [key.slice(prefix.length), parseValue(value)]),
  );
}

function parseValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * What the platform needs of each secret. "generated": the kubernetes platform makes its own,
 * so a value in config would be silently ignored.
 */
function secretNeeds(config: StackConfig): Record<SecretKey, "required" | "optional" | "generated"> {
  const k8s = config.kubernetes;
  const onKubernetes = config.platform === "kubernetes";
  return {
    adminClientSecret: onKubernetes ? "generated" : "required",
    adminPassword: onKubernetes ? "generated" : config.platform === "local" ? "required" : "optional",
    databasePassword: k8s?.database.type === "external" ? "required" : "optional",
    backupSecretAccessKey: k8s?.backup?.target.type === "s3" ? "required" : "optional",
  };
}

/**
 * Secrets must be present where the platform needs them, absent where it generates them, and
 * set with --secret; their values never enter a message.
 */
function checkAdminSecrets(source: ConfigSource, config: StackConfig, file: string): Problem[] {
  const needs = secretNeeds(config);
  return SECRET_KEYS.flatMap((name): Problem[] => {
    const key = `${NAMESPACE}:${name}`;
    const need = needs[name];
    if (source.values[key] === undefined)
      return need === "required"
        ? [{ file, field: key, missingSecret: name, message: `required secret is missing; hint: pulumi config set --secret ${name} <value> (${SECRET_PURPOSES[name]})` }]
        : [];
    if (need === "generated") return [{ file, field: key, message: `not used on the ${config.platform} platform, which generates it; hint: pulumi config rm ${name}` }];
    if (!source.secretKeys.includes(key)) return [{ file, field: key, message: `must be a secret; hint: set it again with pulumi config set --secret ${name}` }];
    return [];
  });
}

/** Realm allowlists must name realms that exist: a typo would leave the intended realm open. */
function unknownAllowlistRealms(config: StackConfig, realms: RealmSource[], stackFile: string): Problem[] {
  const declared = ["master", ...realms.map(({ spec }) => spec.realm)];
  return Object.keys(config.kubernetes?.realmAllowlists ?? {})
    .filter((realm) => !declared.includes(realm))
    .map((realm) => ({
      file: stackFile,
      field: `${NAMESPACE}:kubernetes.realmAllowlists.${realm}`,
      message: `no realm spec declares realm "${realm}"; hint: use a realm name from the files in ${NAMESPACE}:realms (${declared.join(", ")})`,
    }));
}

/** Dotted paths of the keys of nested objects (lists are leaves). */
function declaredPaths(input: unknown, prefix = ""): string[] {
  if (!input || typeof input !== "object" || Array.isArray(input)) return [];
  return Object.entries(input).flatMap(([key, value]) => [`${prefix}${key}`, ...declaredPaths(value, `${prefix}${key}.`)]);
}

function loadRealm(projectDir: string, file: string, problems: Problem[]): RealmSource[] {
  const fullPath = path.resolve(projectDir, file);
  if (!fs.existsSync(fullPath)) {
    problems.push({ file, field: "(file)", message: `realm spec file not found (looked in ${fullPath}); hint: paths in ${NAMESPACE}:realms are relative to the project directory` });
    return [];
  }
  const yaml = readYamlFile(fullPath, file);
  if ("problems" in yaml) {
    problems.push(...yaml.problems);
    return [];
  }
  const input = yaml.value;
  const parsed = RealmSpec.safeParse(input);
  if (parsed.success) return [{ file, spec: parsed.data, declared: declaredPaths(input) }];
  problems.push(
    ...parsed.error.issues.map((issue) => ({
      file: `${file}:${yaml.lineOf(issue.path)}`,
      field: fieldPath(issue.path, input),
      message: messageOf(issue, input),
    })),
  );
  return [];
}

function duplicateRealms(realms: RealmSource[]): Problem[] {
  const seen = new Map<string, string>();
  return realms.flatMap(({ file, spec }) => {
    const first = seen.get(spec.realm);
    seen.set(spec.realm, first ?? file);
    return first
      ? [{ file, field: "realm", message: `realm "${spec.realm}" is already declared in ${first}; hint: one file per realm` }]
      : [];
  });
}
