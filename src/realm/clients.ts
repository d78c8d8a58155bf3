import * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import type { ClientSpec } from "../config/realm-spec";
import type { RealmScope } from "./scope";

export interface ClientOutputs {
  clientId: pulumi.Output<string>;
  /** Undefined for public clients. */
  clientSecret?: pulumi.Output<string>;
}

/** OIDC clients of a realm, each named `<realm>/<clientId>`. */
export function declareClients(scope: RealmScope, clients: ClientSpec[]): Record<string, ClientOutputs> {
  return Object.fromEntries(clients.map((spec) => [spec.clientId, declareClient(scope, spec)]));
}

function declareClient({ name, realm, parent }: RealmScope, spec: ClientSpec): ClientOutputs {
  const confidential = spec.access === "confidential";
  const client = new keycloak.openid.Client(
    `${name}/${spec.clientId}`,
    {
      realmId: realm.id,
      clientId: spec.clientId,
      name: spec.name,
      description: spec.description,
      enabled: true,
      accessType: confidential ? "CONFIDENTIAL" : "PUBLIC",
      standardFlowEnabled: spec.standardFlow,
      serviceAccountsEnabled: spec.serviceAccount,
      validRedirectUris: spec.redirectUris,
      webOrigins: spec.webOrigins,
      rootUrl: spec.rootUrl,
      // Public clients cannot keep a secret; PKCE protects their code exchange instead.
      pkceCodeChallengeMethod: confidential ? undefined : "S256",
    },
    // Keycloak generates the secret; state keeps it encrypted.
    { parent, additionalSecretOutputs: ["clientSecret"] },
  );
  return {
    clientId: client.clientId,
    clientSecret: confidential ? pulumi.secret(client.clientSecret) : undefined,
  };
}
