import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { k8sOptions, metadata, type ClusterScope } from "./scope";

/** The administrator's initial password and the automation client, kept in the Secret `<name>-admin`. */
export interface AdminCredentials {
  secretName: pulumi.Output<string>;
  password: pulumi.Output<string>;
  clientSecret: pulumi.Output<string>;
}

/**
 * A random secret kept in Pulumi state, so it stays the same on every `pulumi up`. URL-safe
 * characters only: these values end up in JDBC URLs, curl commands and env files.
 */
export function generatedSecret(scope: ClusterScope, purpose: string): pulumi.Output<string> {
  const password = new random.RandomPassword(`${scope.name}-${purpose}`, { length: 32, special: false }, { parent: scope.parent });
  // The provider marks `result` secret in state; wrapping it keeps every value derived from it
  // secret in this program too, whatever the engine (or a test's mocks) answers.
  return pulumi.secret(password.result);
}

/**
 * Keycloak creates the bootstrap admin and client only while the master realm does not exist,
 * so this Secret must outlive any replacement of the Deployment: it is protected. Its keys are
 * `username`, `password`, `client-id`, `client-secret`; the SDK marks `data`/`stringData` as
 * additional secret outputs, so state holds them encrypted.
 */
export function declareAdminCredentials(scope: ClusterScope, username: string, clientId: string): AdminCredentials {
  const password = generatedSecret(scope, "admin-password");
  const clientSecret = generatedSecret(scope, "admin-client-secret");
  const secret = new k8s.core.v1.Secret(
    `${scope.name}-admin`,
    {
      metadata: metadata(scope, "admin", "server"),
      stringData: { username, password, "client-id": clientId, "client-secret": clientSecret },
    },
    k8sOptions(scope, { protect: true }),
  );
  return { secretName: secret.metadata.name, password, clientSecret };
}
