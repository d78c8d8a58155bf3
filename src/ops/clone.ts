// `clone FROM TO`: a new stack of the same program for another region. It gets FROM's realm
// list and settings, and by default the same secretSeed and referenced secrets, so every
// generated client secret comes out the same and apps keep theirs across regions. What belongs
// to FROM's Keycloak (its address, its admin credentials, a local port) is not copied.
import { NAMESPACE } from "../config/stack";
import { type CommandArgs, listFlag } from "./command";
import { CommandError, progress } from "./console";
import { applyAssignments, checkDraft, createStackFromDraft, missingSecretLines, type StackDraft } from "./stack-draft";
import { type Platform, platformDraft, printNextSteps } from "./stacks";
import { existingStack, PROJECT_DIR, projectLocation, randomSecret, stackNames } from "./workspace";

/** Secrets that authenticate against FROM's own Keycloak or database: never carried over. */
const PLATFORM_SECRETS = ["adminClientSecret", "adminPassword", "databasePassword", "backupSecretAccessKey"];

export async function clone(args: CommandArgs): Promise<void> {
  const [fromName, toName] = args.positionals;
  const from = await existingStack(projectLocation(fromName));
  if ((await stackNames(projectLocation(toName))).includes(toName))
    throw new CommandError(`stack "${toName}" already exists`, `clone creates a new stack; pick another name, or compare the two with npm run fleet -- parity ${fromName} ${toName}`);

  const config = await from.getAllConfig();
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [fullKey, { value, secret }] of Object.entries(config)) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
    const name = fullKey.slice(NAMESPACE.length + 1);
    if (secret) {
      if (!PLATFORM_SECRETS.includes(name) && !args.values["new-secrets"]) secrets[name] = value;
    } else if (name !== "local") plain[name] = parseConfigValue(value);
  }
  if (args.values["new-secrets"]) secrets.secretSeed = randomSecret();

  const platform = plain.platform as Platform;
  const region = await platformDraft(platform, args);
  const draft: StackDraft = { name: toName, plain: mergeSections(plain, region.plain), secrets: { ...secrets, ...region.secrets } };
  applyAssignments(draft, listFlag(args, "set"));
  refuseSameTarget(plain, draft.plain, fromName, toName);
  const missing = missingSecretLines(checkDraft(draft, PROJECT_DIR), toName);
  await createStackFromDraft(projectLocation(toName), draft, `Stack ${toName}, cloned from ${fromName} by npm run fleet -- clone.`);

  const kept = args.values["new-secrets"] ? "a new secretSeed and none of its secrets" : `its secretSeed and ${Object.keys(secrets).length - 1} referenced secret(s)`;
  progress(`Stack ${toName} created from ${fromName}: the same realms (${(draft.plain.realms as string[]).join(", ")}) and settings, ${kept}.`);
  printNextSteps(draft, missing);
  progress(`Then: npm run fleet -- parity ${fromName} ${toName}   (compares what the two deploy; users move with users export / users import)`);
}

/** Config values come back from Pulumi as text; structured ones as JSON. */
function parseConfigValue(value: string): unknown {
  try {
    const parsed = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null ? parsed : value;
  } catch {
    return value;
  }
}

/** FROM's sections with the region's flags laid over them (kubernetes: field by field). */
function mergeSections(base: Record<string, unknown>, region: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...base };
  for (const [name, value] of Object.entries(region)) {
    const current = merged[name];
    merged[name] = current && typeof current === "object" && typeof value === "object" ? { ...current, ...value } : value;
  }
  return merged;
}

/** A clone that points at FROM's own Keycloak would fight FROM over the same realms. */
function refuseSameTarget(from: Record<string, unknown>, to: Record<string, unknown>, fromName: string, toName: string): void {
  const target = (config: Record<string, unknown>) => {
    const external = config.external as { url?: string } | undefined;
    const kubernetes = config.kubernetes as { context?: string; namespace?: string; hostname?: string } | undefined;
    if (config.platform === "external") return external?.url?.replace(/\/+$/, "");
    if (config.platform === "kubernetes") return `${kubernetes?.context ?? "(current context)"}/${kubernetes?.namespace ?? "keycloak"}`;
    return undefined;
  };
  const same = target(from);
  if (same !== undefined && same === target(to))
    throw new CommandError(
      `stack ${toName} would manage the same Keycloak as ${fromName} (${same})`,
      from.platform === "external" ? "give the new region's Keycloak with --url" : "give the new region's cluster with --context (and its --hostname, --admin-hostname)",
    );
}
