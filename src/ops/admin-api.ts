// The Admin REST API of a stack's Keycloak, for the commands that read or change what Pulumi
// does not own (users, parity, drift): logged in as the stack's automation client.
import type KcAdminClient from "@keycloak/keycloak-admin-client";
import type { Stack } from "@pulumi/pulumi/automation";
import { type AdminApiAccess, AdminLoginError, adminClientFor } from "../platform/admin-client";
import { CommandError } from "./console";

export type { AdminApiAccess };

/** Where the stack's last `up` left its Keycloak, from the stack outputs. */
export async function adminApiAccess(stack: Stack): Promise<AdminApiAccess> {
  const outputs = await stack.outputs();
  const value = (name: string) => outputs[name]?.value as string | undefined;
  const url = value("adminUrl");
  const clientId = value("adminClientId");
  const clientSecret = value("adminClientSecret");
  if (!url || !clientId || !clientSecret)
    throw new CommandError(`stack ${stack.name} has not been deployed yet (no adminUrl output)`, `run pulumi up --stack ${stack.name} first`);
  return { url, clientId, clientSecret };
}

/** An Admin API client for a command: a failed login is told as a command error. */
export async function openAdminClient(access: AdminApiAccess): Promise<KcAdminClient> {
  try {
    return await adminClientFor(access);
  } catch (error) {
    if (error instanceof AdminLoginError) throw new CommandError(error.message, "is Keycloak running, and has its automation client been changed by hand?");
    throw error;
  }
}

/** The stack's Keycloak, logged in. */
export async function stackAdminClient(stack: Stack): Promise<KcAdminClient> {
  return openAdminClient(await adminApiAccess(stack));
}
