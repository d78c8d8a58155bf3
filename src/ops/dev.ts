// The local dev stack: one command brings it up (Keycloak on this machine, then `pulumi up`),
// one takes it down.
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, parseDocument } from "yaml";
import { NAMESPACE } from "../config/stack";
import { startLocalKeycloak, stopLocalKeycloak } from "../platform/local/server";
import { type Command, type CommandArgs, stringFlag } from "./command";
import { progress } from "./console";
import { localServerOptions, openStack, prepareLocalStack, PROJECT_DIR as projectDir, projectLocation, type StackLocation } from "./workspace";

/** A local stack's Keycloak keeps its data under .fleet/keycloak/<stack> (git ignores .fleet/). */
function devLocation(stack: string): StackLocation & { dataDir: string } {
  return { ...projectLocation(stack), dataDir: path.join(projectDir, ".fleet", "keycloak", stack) };
}

const stackOption = { stack: { type: "string" } } as const;
const stackOf = (args: CommandArgs) => stringFlag(args, "stack") ?? "dev";

export const devCommands: Record<string, Command> = {
  "dev up": {
    usage: "dev up [--stack NAME]",
    summary: "start a local Keycloak and deploy the stack onto it (default stack: dev)",
    options: stackOption,
    run: (args) => devUp(stackOf(args)),
  },
  "dev down": { usage: "dev down [--stack NAME]", summary: "stop it and forget the stack and its data", options: stackOption, run: (args) => devDown(stackOf(args)) },
  "dev admin-password": {
    usage: "dev admin-password [--stack NAME]",
    summary: "print the local administrator's password",
    options: stackOption,
    run: (args) => devAdminPassword(stackOf(args)),
  },
};

export async function devUp(stackName: string): Promise<void> {
  const location = devLocation(stackName);
  const stack = await openStack(location);
  for (const name of await prepareLocalStack(stack, projectDir))
    progress(`${NAMESPACE}:${name} was not set; a random placeholder stands in (pulumi config set --secret ${name} <value> for the real one)`);
  const server = await startLocalKeycloak(await localServerOptions(stack, location.dataDir));
  progress(`Keycloak is ready at ${server.url} (log: ${path.relative(process.cwd(), server.logFile)})`);
  const result = await stack.up({ onOutput: (out) => process.stdout.write(out), color: "auto" });
  const realms = result.outputs.realmOutputs?.value as Record<string, { url: string }> | undefined;
  progress("The dev stack is up.");
  for (const [name, realm] of Object.entries(realms ?? {})) progress(`  realm ${name}: ${realm.url}`);
  progress(`  admin console: ${server.url}/admin/ (user ${result.outputs.adminUsername?.value})`);
  progress(`  admin password: npm run fleet -- dev admin-password${stackName === "dev" ? "" : ` --stack ${stackName}`}`);
}

/** Prints the local administrator's password, the one thing dev:up does not print. */
export async function devAdminPassword(stackName: string): Promise<void> {
  const stack = await openStack(devLocation(stackName));
  const outputs = await stack.outputs();
  if (!outputs.adminPassword) throw new Error(`stack ${stackName} has no adminPassword output yet; hint: npm run dev:up`);
  process.stdout.write(`${outputs.adminPassword.value}\n`);
}

/**
 * Stops the local Keycloak and forgets the stack: its state, data, and the generated values
 * in Pulumi.<stack>.yaml, so the next dev:up starts from nothing.
 */
export async function devDown(stackName: string): Promise<void> {
  const location = devLocation(stackName);
  if (await stopLocalKeycloak(location.dataDir)) progress("Keycloak stopped.");
  const stack = await openStack(location);
  await stack.workspace.removeStack(stackName, { force: true, preserveConfig: true });
  forgetGeneratedConfig(path.join(projectDir, `Pulumi.${stackName}.yaml`));
  fs.rmSync(location.dataDir, { recursive: true, force: true });
  progress(`Stack ${stackName} removed; its Keycloak data is deleted.`);
}

/**
 * Removes what dev:up wrote into the stack file (the port, the encryption salt and every
 * encrypted value, which the salt's removal would leave unreadable), keeping the user's own
 * plain settings and comments.
 */
function forgetGeneratedConfig(stackFile: string): void {
  if (!fs.existsSync(stackFile)) return;
  const doc = parseDocument(fs.readFileSync(stackFile, "utf8"));
  doc.delete("encryptionsalt");
  doc.deleteIn(["config", `${NAMESPACE}:local`]);
  const config = doc.get("config", true);
  if (isMap(config)) config.items = config.items.filter((item) => !(isMap(item.value) && item.value.has("secure")));
  fs.writeFileSync(stackFile, doc.toString());
}
