// One realm of one deployed stack, as the day-2 commands work on it: the spec it was deployed
// from (so that what code owns stays with code) and Keycloak's Admin API for that realm.
import type KcAdminClient from "@keycloak/keycloak-admin-client";
import type UserRepresentation from "@keycloak/keycloak-admin-client/lib/defs/userRepresentation";
import { ConfigError } from "../config/errors";
import { loadRealmSpecs, type RealmSource } from "../config/load";
import { NAMESPACE } from "../config/stack";
import { stackAdminClient } from "./admin-api";
import { CommandError } from "./console";
import { existingStack, projectLocation } from "./workspace";

export interface StackRealm {
  stackName: string;
  realmName: string;
  /** The realm's spec file (relative to the project) and its parsed content. */
  source: RealmSource;
  /** Logged in as the stack's automation client, with the realm selected. */
  kc: KcAdminClient;
}

/**
 * Opens REALM of stack STACK: the stack must exist, deploy that realm, have been deployed, and
 * the realm must be on its Keycloak. Each failure is a CommandError that says which.
 */
export async function openStackRealm(stackName: string, realmName: string): Promise<StackRealm> {
  const location = projectLocation(stackName);
  const stack = await existingStack(location);
  const config = await stack.getAllConfig();
  const files: string[] = JSON.parse(config[`${NAMESPACE}:realms`]?.value ?? "[]");
  const realms = loadSpecs(location.projectDir, files);
  const source = realms.find((r) => r.spec.realm === realmName);
  if (!source)
    throw new CommandError(
      `stack ${stackName} deploys no realm named "${realmName}"`,
      realms.length ? `its realms are ${realms.map((r) => r.spec.realm).join(", ")}` : `its config lists no realm spec (${NAMESPACE}:realms)`,
    );
  const kc = await stackAdminClient(stack);
  if (!(await kc.realms.findOne({ realm: realmName })))
    throw new CommandError(`realm ${realmName} is not on the Keycloak of stack ${stackName}`, `run pulumi up --stack ${stackName}, which creates it`);
  kc.setConfig({ realmName });
  return { stackName, realmName, source, kc };
}

function loadSpecs(projectDir: string, files: string[]): RealmSource[] {
  try {
    return loadRealmSpecs(projectDir, files);
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandError(error.message, "fix the realm spec first; pulumi up refuses it too");
    throw error;
  }
}

/** The spec's entry for this user, when code declares it. */
export function codeDeclaredUser({ source }: StackRealm, username: string) {
  return source.spec.users.find((u) => u.username === username.toLowerCase());
}

/** The realm's user federation providers (LDAP, AD) by id, with the names specs give them. */
export async function federationProviders(kc: KcAdminClient): Promise<{ id: string; name: string }[]> {
  const components = await kc.components.find({ type: "org.keycloak.storage.UserStorageProvider" });
  return components.map((c) => ({ id: c.id!, name: c.name ?? c.id! }));
}

/** Every user of the realm, by username (service accounts belong to their clients and are left out). */
export async function allUsers(kc: KcAdminClient): Promise<UserRepresentation[]> {
  const users: UserRepresentation[] = [];
  const page = 100;
  for (let first = 0; ; first += page) {
    const batch = await kc.users.find({ first, max: page });
    users.push(...batch);
    if (batch.length < page) break;
  }
  return users.filter((u) => !u.serviceAccountClientId).sort((a, b) => a.username!.localeCompare(b.username!));
}

/** The user with exactly this username, if any. */
export async function findUser(kc: KcAdminClient, username: string): Promise<UserRepresentation | undefined> {
  const [user] = await kc.users.find({ username, exact: true });
  return user;
}

/** A Keycloak request whose refusal becomes a CommandError with Keycloak's own words. */
export async function keycloakCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new CommandError(`Keycloak refused to ${what}: ${keycloakRefusal(error)}`);
  }
}

/** What Keycloak said when it refused a request, without the request itself (it may hold a password). */
function keycloakRefusal(error: unknown): string {
  const data = (error as { responseData?: Record<string, unknown> }).responseData;
  const said = data?.errorMessage ?? data?.error_description ?? data?.error;
  return typeof said === "string" ? said : (error as Error).message;
}
