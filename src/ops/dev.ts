// The local dev stack: one command brings it up (Keycloak on this machine, then `pulumi up`),
// one takes it down.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { isMap, parseDocument } from "yaml";
import { z } from "zod";
import { formatProblem, problemsFromIssues } from "../config/errors";
import { NAMESPACE, StackConfig } from "../config/stack";
import { stackFileName, withStackFileLines } from "../config/stack-file";
import { freePort, startLocalKeycloak, stopLocalKeycloak, type LocalServer } from "../platform/local/server";
import { CommandError, progress } from "./console";
import { localServerOptions, openStack, prepareLocalStack, PROJECT_DIR as projectDir, projectLocation, randomSecret, type StackLocation } from "./workspace";

/** A local stack's Keycloak keeps its data under .fleet/keycloak/<stack> (git ignores .fleet/). */
function devLocation(stack: string): StackLocation & { dataDir: string } {
  return { ...projectLocation(stack), dataDir: path.join(projectDir, ".fleet", "keycloak", stack) };
}

export async function devUp(stackName: string): Promise<void> {
  const location = devLocation(stackName);
  const stack = await openStack(location);
  const mode = await localMode(stack);
  await givePortToLocalSection(stack);
  for (const name of await prepareLocalStack(stack, projectDir))
    progress(`${NAMESPACE}:${name} was not set; a random placeholder stands in (pulumi config set --secret ${name} <value> for the real one)`);
  const production = mode === "production" ? { databasePassword: await databasePassword(stack) } : undefined;
  if (production) ensurePostgresInstalled();
  const server = await startLocalKeycloak({ ...(await localServerOptions(stack, location.dataDir)), production, progress });
  progress(`Keycloak is ready at ${server.url} ${describeMode(server)}`);
  const result = await stack.up({ onOutput: (out) => process.stdout.write(out), color: "auto" });
  const realms = result.outputs.realmOutputs?.value as Record<string, { url: string }> | undefined;
  progress("The dev stack is up.");
  for (const [name, realm] of Object.entries(realms ?? {})) progress(`  realm ${name}: ${realm.url}`);
  progress(`  admin console: ${server.url}/admin/ (user ${result.outputs.adminUsername?.value})`);
  progress(`  admin password: npm run fleet -- dev admin-password${stackName === "dev" ? "" : ` --stack ${stackName}`}`);
}

/**
 * prepareLocalStack picks a port only for a stack without a local section; a section the user
 * wrote for its mode alone gets one too.
 */
async function givePortToLocalSection(stack: Stack): Promise<void> {
  const local = (await stack.getAllConfig())[`${NAMESPACE}:local`];
  if (local && JSON.parse(local.value).port === undefined) await stack.setConfig(`${NAMESPACE}:local.port`, { value: String(await freePort()) }, true);
}

/**
 * The stack's local mode (dev without a local section), refused as the program would refuse it,
 * before anything is started or written. The port is not checked here: dev:up may still set it.
 */
async function localMode(stack: Stack): Promise<"dev" | "production"> {
  const local = (await stack.getAllConfig())[`${NAMESPACE}:local`];
  if (!local) return "dev";
  const raw = { local: { port: 8080, ...JSON.parse(local.value) } };
  const parsed = z.object({ local: StackConfig.shape.local }).safeParse(raw);
  if (parsed.success) return parsed.data.local!.mode;
  const problems = withStackFileLines(problemsFromIssues(stackFileName(stack.name), parsed.error.issues, raw, `${NAMESPACE}:`), projectDir, stack.name);
  throw new CommandError(
    [`stack ${stack.name} has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was started:`, ...problems.map((p) => `  ${formatProblem(p)}`)].join("\n"),
    "fix it and run npm run dev:up again (npm run fleet -- check shows every problem)",
  );
}

/**
 * The password of production mode's PostgreSQL user: generated once and kept encrypted in the
 * stack's config like the other local secrets (dev:down forgets it with the database).
 */
async function databasePassword(stack: Stack): Promise<string> {
  const key = `${NAMESPACE}:databasePassword`;
  const current = (await stack.getAllConfig())[key];
  if (current) return current.value;
  const generated = randomSecret();
  await stack.setConfig(key, { value: generated, secret: true });
  return generated;
}

/** Debian's PostgreSQL, installed on first use of production mode (the toolchain's apt step). */
function ensurePostgresInstalled(): void {
  const bin = process.env.POSTGRES_BIN;
  if (bin && fs.existsSync(path.join(bin, "initdb"))) return;
  progress("production mode needs PostgreSQL: installing it from Debian (toolchain/setup.sh --postgres)");
  execFileSync("bash", [path.join(__dirname, "../../toolchain/setup.sh"), "--postgres"], { stdio: ["ignore", "inherit", "inherit"] });
}

function describeMode(server: LocalServer): string {
  const log = (file: string) => path.relative(process.cwd(), file);
  if (!server.database) return `(dev mode; log: ${log(server.logFile)})`;
  return `(production mode, database PostgreSQL at 127.0.0.1:${server.database.port}; logs: ${log(server.logFile)}, ${log(server.database.logFile)})`;
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
  const hadDatabase = fs.existsSync(path.join(location.dataDir, "postgres"));
  if (await stopLocalKeycloak(location.dataDir)) progress(hadDatabase ? "Keycloak and its PostgreSQL stopped." : "Keycloak stopped.");
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
  // The port is dev:up's; a mode is the user's choice and stays.
  const local = doc.getIn(["config", `${NAMESPACE}:local`], true);
  if (isMap(local)) local.delete("port");
  if (!isMap(local) || local.items.length === 0) doc.deleteIn(["config", `${NAMESPACE}:local`]);
  const config = doc.get("config", true);
  if (isMap(config)) config.items = config.items.filter((item) => !(isMap(item.value) && item.value.has("secure")));
  fs.writeFileSync(stackFile, doc.toString());
}
