// The Admin REST API of a Keycloak, logged in as the master-realm automation client: for the
// program (reading live ids to adopt objects) and for the ops commands.
import type KcAdminClient from "@keycloak/keycloak-admin-client";

// Loaded on first use: most runs of the program never talk to the Admin API, and the client
// costs a fifth of a second to load, in every program run (twice per `pulumi up`).
const Client = () => (require("@keycloak/keycloak-admin-client") as typeof import("@keycloak/keycloak-admin-client")).default;

export interface AdminApiAccess {
  url: string;
  clientId: string;
  clientSecret: string;
}

/** The login failed: Keycloak is down, or its automation client was changed by hand. */
export class AdminLoginError extends Error {}

/**
 * An Admin API client logged in to the master realm with the client-credentials grant. That
 * grant gives no refresh token, so the client logs in again whenever its access token runs
 * out (a minute by default): work over a large realm outlasts one token.
 */
export async function adminClientFor(access: AdminApiAccess): Promise<KcAdminClient> {
  const login = new (Client())({ baseUrl: access.url, realmName: "master" });
  const logIn = () => login.auth({ grantType: "client_credentials", clientId: access.clientId, clientSecret: access.clientSecret });
  try {
    await logIn();
  } catch (error) {
    throw new AdminLoginError(`cannot log in to ${access.url} as ${access.clientId}: ${(error as Error).message}`);
  }
  const client = new (Client())({ baseUrl: access.url, realmName: "master" });
  client.registerTokenProvider({
    getAccessToken: async () => {
      if (login.isTokenExpired()) await logIn();
      return login.accessToken;
    },
  });
  return client;
}
