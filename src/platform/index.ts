import * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "../config/load";
import { externalUrl } from "./external";
import { localUrl } from "./local";

/** A Keycloak to configure, and the explicit provider that administers it. */
export interface KeycloakConnection {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  provider: keycloak.Provider;
  adminUsername: string;
  adminPassword?: pulumi.Output<string>;
}

/**
 * Connects to the Keycloak of the stack's platform. The realm layer authenticates with the
 * master-realm automation client (client-credentials grant), never with a person's password,
 * so rotating the administrator's password breaks no later `pulumi up`.
 */
export function connectKeycloak(config: FleetConfig): KeycloakConnection {
  const { stack, secrets } = config;
  const url = stack.platform === "local" ? localUrl(stack.local!) : externalUrl(stack.external!);
  const provider = new keycloak.Provider("keycloak", {
    url,
    realm: "master",
    clientId: stack.adminClientId,
    clientSecret: secrets.clientSecret,
    // Keycloak >= 17 serves without the old /auth prefix.
    basePath: "",
    // Seconds per request. The default (5) is short enough for a busy Keycloak to finish a
    // realm creation after the provider gave up, leaving a realm outside state (409 next time).
    clientTimeout: 60,
  });
  return { url, provider, adminUsername: stack.adminUsername, adminPassword: secrets.password };
}
