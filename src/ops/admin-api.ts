// The Admin REST API of a stack's Keycloak, for the commands that read or change what Pulumi
// does not own (users, parity, drift): logged in as the stack's automation client.
import KcAdminClient from "@keycloak/keycloak-admin-client";
import type { Stack } from "@pulumi/pulumi/automation";
import { CommandError } from "./console";

export interface AdminApiAccess {
  url: string;
  clientId: string;
  clientSecret: string;
}

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

/**
 * An Admin API client logged in to the master realm with the client-credentials grant. That
 * grant gives no refresh token, so the client logs in again whenever its access token runs
 * out (a minute by default): a command over a large realm outlasts one token.
 */
export async function adminClientFor(access: AdminApiAccess): Promise<KcAdminClient> {
  const login = new KcAdminClient({ baseUrl: access.url, realmName: "master" });
  const logIn = () => login.auth({ grantType: "client_credentials", clientId: access.clientId, clientSecret: access.clientSecret });
  try {
    await logIn();
  } catch (error) {
    throw new CommandError(`cannot log in to ${access.url} as ${access.clientId}: ${(error as Error).message}`, "is Keycloak running, and has its automation client been changed by hand?");
  }
  const client = new KcAdminClient({ baseUrl: access.url, realmName: "master" });
  client.registerTokenProvider({
    getAccessToken: async () => {
      if (login.isTokenExpired()) await logIn();
      return login.accessToken;
    },
  });
  return client;
}

/** The stack's Keycloak, logged in. */
export async function stackAdminClient(stack: Stack): Promise<KcAdminClient> {
  return adminClientFor(await adminApiAccess(stack));
}
