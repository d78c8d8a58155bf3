// `check`: the stack config and every realm spec it names, validated by the program's own rules
// (validateFleetConfig) without the engine, its plugins, the Pulumi SDK or Keycloak, so a refusal
// comes in about a second and with the very lines `pulumi up` and `pulumi preview` print.
import * as fs from "node:fs";
import { ConfigError, formatProblem, type Problem } from "../config/errors";
import { NAMESPACE } from "../config/stack";
import { readStackConfig, stackFileName } from "../config/stack-file";
import { type ConfigSource, referencedSecretKeys, validateFleetConfig } from "../config/validate";
import { CommandError } from "./console";
import { PROJECT_DIR } from "./project-dir";

/** Stack names as Pulumi takes them; anything else would name a file outside the project. */
const STACK_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * Checks the stack whose config is Pulumi.<stack>.yaml in `projectDir`: encrypted values count
 * as secrets that are set (nothing is decrypted). Returns how many realm specs it names;
 * throws a CommandError listing every problem.
 */
export function checkStack(projectDir: string, stack: string): number {
  if (!STACK_NAME.test(stack)) throw new CommandError(`"${stack}" is not a stack name`, "stack names are letters, digits, \"-\", \"_\" and \".\"");
  const file = stackFileName(stack);
  if (!fs.existsSync(`${projectDir}/${file}`)) throw new CommandError(`no ${file} in ${projectDir}`, stackFilesHint(projectDir));
  const read = readStackConfig(projectDir, stack);
  const { realms, problems } = "problems" in read ? { realms: 0, problems: read.problems } : validate(withDevUpValues(read.source));
  if (problems.length > 0)
    throw new CommandError(
      [`stack ${stack} has ${problems.length} problem${problems.length === 1 ? "" : "s"} (pulumi up and pulumi preview refuse it the same way):`, ...problems.map((p) => `  ${formatProblem(p)}`)].join("\n"),
      "fix them and run npm run fleet -- check again",
    );
  return realms;
}

/**
 * A local stack gets its port and its secrets from `npm run dev:up` (a placeholder for each
 * secret its specs name, too): what dev:up will set is not a problem of the stack.
 */
function withDevUpValues(source: ConfigSource): ConfigSource {
  const key = (name: string) => `${NAMESPACE}:${name}`;
  if (source.values[key("platform")] !== "local") return source;
  const values = { ...source.values };
  const secretKeys = [...source.secretKeys];
  values[key("local")] ??= JSON.stringify({ port: 8080 });
  const generated = ["adminPassword", "adminClientSecret", "secretSeed", ...referencedSecrets(source)];
  for (const name of generated.filter((name) => values[key(name)] === undefined)) {
    values[key(name)] = "(set by npm run dev:up)";
    secretKeys.push(key(name));
  }
  return { ...source, values, secretKeys };
}

/** The secrets the stack's realm specs name ({config: key}); none when the specs are unreadable (validate reports that). */
function referencedSecrets(source: ConfigSource): string[] {
  try {
    return referencedSecretKeys(source.projectDir, JSON.parse(source.values[`${NAMESPACE}:realms`] ?? "[]"));
  } catch {
    return [];
  }
}

/** The program's own check: validateFleetConfig, whose refusal lists every problem. */
function validate(source: ConfigSource): { realms: number; problems: Problem[] } {
  try {
    return { realms: validateFleetConfig(source).realms.length, problems: [] };
  } catch (error) {
    if (error instanceof ConfigError) return { realms: 0, problems: error.problems };
    throw error;
  }
}

function stackFilesHint(projectDir: string): string {
  const stacks = fs
    .readdirSync(projectDir)
    .flatMap((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1] ?? [])
    .sort();
  return stacks.length ? `the stacks with a config file here are ${stacks.join(", ")}` : "create one with npm run fleet -- stack new NAME";
}

/** `check --stack NAME`, in the project the working directory is in. */
export async function check(stack: string): Promise<void> {
  const realms = checkStack(PROJECT_DIR, stack);
  process.stdout.write(`ok: ${realms} realm spec${realms === 1 ? "" : "s"}, stack config valid\n`);
}
