// A new stack's configuration, assembled in memory and checked with the program's own rules
// before anything is written: `stack new` and `clone` refuse bad input without leaving a
// half-made stack behind.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { parse as parseYaml, parseDocument } from "yaml";
import { ConfigError, type Problem } from "../config/errors";
import { loadFleetConfig } from "../config/load";
import { NAMESPACE } from "../config/stack";
import { CommandError } from "./console";
import { newStack, type StackLocation } from "./workspace";

export interface StackDraft {
  name: string;
  /** Plain config by key without the namespace; structured values as objects. */
  plain: Record<string, unknown>;
  /** Secret config by key without the namespace. */
  secrets: Record<string, string>;
}

/**
 * Applies `--set key.path=value` assignments. The value is read as YAML, so numbers, booleans
 * and lists keep their type (`replicas=3`, `adminAllowlist=[10.0.0.0/8]`).
 */
export function applyAssignments(draft: StackDraft, assignments: string[]): void {
  for (const assignment of assignments) {
    const equals = assignment.indexOf("=");
    if (equals <= 0) throw new CommandError(`--set ${assignment}: expected KEY=VALUE`, "e.g. --set kubernetes.hostname=id.eu.example.com");
    const keyPath = assignment.slice(0, equals).replace(new RegExp(`^${NAMESPACE}:`), "").split(".");
    if (keyPath.some((segment) => segment === "")) throw new CommandError(`--set ${assignment}: "${assignment.slice(0, equals)}" is not a key path`, "write keys as kubernetes.hostname");
    if (["adminClientSecret", "adminPassword", "secretSeed", "databasePassword", "backupSecretAccessKey"].includes(keyPath[0]))
      throw new CommandError(`--set ${keyPath[0]}: secrets do not go on the command line (shells keep a history)`, `set it after with pulumi config set --secret ${keyPath[0]}`);
    setPath(draft.plain, keyPath, parseYaml(assignment.slice(equals + 1)));
  }
}

function setPath(target: Record<string, unknown>, keyPath: string[], value: unknown): void {
  const [head, ...rest] = keyPath;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = target[head];
  const next = child && typeof child === "object" && !Array.isArray(child) ? (child as Record<string, unknown>) : {};
  target[head] = next;
  setPath(next, rest, value);
}

/**
 * Checks the draft as the program will: every problem except secrets not set yet is refused.
 * Returns the secrets the user still has to set, each with the problem that names its use.
 */
export function checkDraft(draft: StackDraft, projectDir: string): Problem[] {
  const key = (name: string) => `${NAMESPACE}:${name}`;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(draft.plain)) values[key(name)] = typeof value === "string" ? value : JSON.stringify(value);
  for (const [name, value] of Object.entries(draft.secrets)) values[key(name)] = value;
  try {
    loadFleetConfig({ stack: draft.name, values, secretKeys: Object.keys(draft.secrets).map(key), projectDir });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const refused = error.problems.filter((problem) => !problem.missingSecret);
    if (refused.length > 0)
      throw new CommandError(
        [`stack ${draft.name} was not created: its configuration has ${refused.length} problem${refused.length === 1 ? "" : "s"}`, ...refused.map((p) => `  ${p.file}: ${p.field}: ${p.message}`)].join("\n"),
        "fix the flags (or the realm specs) and run the command again",
      );
    return error.problems;
  }
}

/**
 * Creates the stack and writes its config: plain values as readable YAML in
 * Pulumi.<stack>.yaml (under a comment saying where they came from), secrets encrypted by
 * the CLI. If writing fails half-way, the stack is removed again.
 */
export async function createStackFromDraft(location: StackLocation, draft: StackDraft, comment: string): Promise<Stack> {
  const stack = await newStack(location);
  try {
    const stackFile = path.join(location.projectDir, `Pulumi.${draft.name}.yaml`);
    const doc = fs.existsSync(stackFile) ? parseDocument(fs.readFileSync(stackFile, "utf8")) : parseDocument("{}");
    doc.commentBefore = ` ${comment}`;
    // platform and realms first: what a reader of the file wants to know before the details.
    const names = ["platform", "realms", ...Object.keys(draft.plain).filter((name) => name !== "platform" && name !== "realms").sort()];
    doc.set("config", Object.fromEntries(names.filter((name) => name in draft.plain).map((name) => [`${NAMESPACE}:${name}`, draft.plain[name]])));
    fs.writeFileSync(stackFile, doc.toString());
    for (const [name, value] of Object.entries(draft.secrets)) await stack.setConfig(`${NAMESPACE}:${name}`, { value, secret: true });
    return stack;
  } catch (error) {
    await stack.workspace.removeStack(draft.name, { force: true });
    throw error;
  }
}

/** The `pulumi config set --secret` lines for the secrets a new stack still lacks. */
export function missingSecretLines(problems: Problem[], stack: string): string[] {
  const keys = [...new Set(problems.flatMap((problem) => (problem.missingSecret ? [problem.missingSecret] : [])))];
  return keys.map((name) => {
    const uses = problems.filter((problem) => problem.missingSecret === name).map((problem) => `${problem.file} ${problem.field}`);
    return `pulumi config set --stack ${stack} --secret ${name} <value>   # ${uses.join("; ")}`;
  });
}
