// Stacks of this project: `stack new` makes one with the project's conventions, `env` prints
// what plain `pulumi` needs to see the same stacks.
import * as fs from "node:fs";
import * as path from "node:path";
import { NAMESPACE } from "../config/stack";
import { freePort } from "../platform/local/server";
import { type CommandArgs, listFlag, stringFlag } from "./command";
import { CommandError, progress } from "./console";
import { applyAssignments, checkDraft, createStackFromDraft, missingSecretLines, type StackDraft } from "./stack-draft";
import { backendEnv, PROJECT_DIR, projectLocation, randomSecret } from "./workspace";

export const PLATFORMS = ["local", "external", "kubernetes"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Realm specs a new stack deploys unless --realm names some: every file in stacks/realms/. */
function defaultRealmFiles(projectDir: string): string[] {
  const dir = path.join(projectDir, "stacks", "realms");
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((file) => /\.ya?ml$/.test(file)).sort().map((file) => `stacks/realms/${file}`);
}

/** A secret from a file or, with "-", from stdin: never from the command line. */
export function readSecretFile(file: string | undefined, flag: string): string | undefined {
  if (file === undefined) return undefined;
  const value = fs.readFileSync(file === "-" ? 0 : file, "utf8").trim();
  if (!value) throw new CommandError(`--${flag} ${file}: the file is empty`, "put the secret in the file, or pipe it with --" + flag + " -");
  return value;
}

/** What each platform needs before the first up, from flags. */
export async function platformDraft(platform: Platform, args: CommandArgs): Promise<Pick<StackDraft, "plain" | "secrets">> {
  if (platform === "local")
    return { plain: { local: { port: await freePort() } }, secrets: { adminPassword: randomSecret(), adminClientSecret: randomSecret() } };
  if (platform === "external") {
    const url = stringFlag(args, "url");
    const clientSecret = readSecretFile(stringFlag(args, "admin-client-secret-file"), "admin-client-secret-file");
    if (!url) throw new CommandError("the external platform needs --url", "the base URL of the running Keycloak, e.g. --url https://id.example.com");
    if (!clientSecret)
      throw new CommandError(
        "the external platform needs --admin-client-secret-file FILE (or - for stdin)",
        "the secret of a master-realm client with the admin role and service accounts enabled (README, Platforms)",
      );
    return { plain: { external: { url } }, secrets: { adminClientSecret: clientSecret } };
  }
  const kubernetes: Record<string, unknown> = {};
  if (stringFlag(args, "context")) kubernetes.context = stringFlag(args, "context");
  if (stringFlag(args, "hostname")) kubernetes.hostname = stringFlag(args, "hostname");
  if (stringFlag(args, "admin-hostname")) kubernetes.adminHostname = stringFlag(args, "admin-hostname");
  if (listFlag(args, "admin-allowlist").length > 0) kubernetes.adminAllowlist = listFlag(args, "admin-allowlist");
  return { plain: { kubernetes }, secrets: {} };
}

/** The command that deploys the stack, for "next" hints. */
export function upCommand(platform: unknown, stack: string): string {
  return platform === "local" ? `npm run fleet -- dev up --stack ${stack}` : `pulumi up --stack ${stack}   (after eval "$(npm run --silent fleet -- env)")`;
}

/** Prints what is left to do before the stack's first up. */
export function printNextSteps(draft: StackDraft, missing: string[]): void {
  if (missing.length > 0) {
    progress(`Before the first up, set the secrets the realm specs name (in ${PROJECT_DIR}):`);
    for (const line of missing) process.stdout.write(`  ${line}\n`);
  }
  progress(`Next: ${upCommand(draft.plain.platform, draft.name)}`);
}

export async function stackNew(args: CommandArgs): Promise<void> {
  const [name] = args.positionals;
  const platform = stringFlag(args, "platform") as Platform | undefined;
  if (!platform || !PLATFORMS.includes(platform))
    throw new CommandError(`--platform must be one of ${PLATFORMS.join(", ")}${platform ? `, got "${platform}"` : ""}`, "README, Platforms, says what each needs");
  const realms = listFlag(args, "realm").length > 0 ? listFlag(args, "realm") : defaultRealmFiles(PROJECT_DIR);
  const { plain, secrets } = await platformDraft(platform, args);
  const draft: StackDraft = { name, plain: { platform, realms, ...plain }, secrets: { ...secrets, secretSeed: randomSecret() } };
  applyAssignments(draft, listFlag(args, "set"));
  const missing = missingSecretLines(checkDraft(draft, PROJECT_DIR), name);
  await createStackFromDraft(projectLocation(name), draft, `Stack ${name}, made by npm run fleet -- stack new (platform ${platform}).`);
  progress(`Stack ${name} created: Pulumi.${name}.yaml (platform ${platform}, realms ${realms.join(", ")}), a new secretSeed (${NAMESPACE}:secretSeed, encrypted).`);
  printNextSteps(draft, missing);
}

export async function printEnv(): Promise<void> {
  const env = backendEnv(projectLocation(""));
  // The CLI and language host that setup.sh linked into the checkout this code runs from.
  const bin = path.resolve(__dirname, "../..", ".fleet", "bin");
  const lines = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  if (fs.existsSync(path.join(bin, "pulumi"))) lines.unshift(`export PATH=${shellQuote(bin)}:"$PATH"`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
