import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesPlatform } from "../../config/stack";
import { declareBackup } from "./backup";
import { declareAdminCredentials } from "./credentials";
import { declareDatabase } from "./database";
import { declareExposure } from "./exposure";
import { declareServer } from "./keycloak";
import { declareNetworkPolicies } from "./network";
import { routesFor } from "./routes";
import type { ClusterScope } from "./scope";

export interface KeycloakClusterArgs {
  /** The validated `keycloak-fleet:kubernetes` section (see src/config/stack.ts). */
  readonly config: KubernetesPlatform;
  /** The permanent administrator (src/platform/administrator.ts); the password is generated. */
  readonly adminUsername: string;
  /**
   * Whether Keycloak also bootstraps a temporary admin user (adminUsername, the generated
   * password): only for stacks that declare no permanent administrator. Default false.
   */
  readonly bootstrapAdminUser?: boolean;
  /** The master-realm service-account client Keycloak is bootstrapped with; the secret is generated. */
  readonly adminClientId: string;
  /** Password of the external database's user (database.type "external"). */
  readonly databasePassword?: pulumi.Input<string>;
  /** Secret key of the S3 backup target (backup.target.type "s3"). */
  readonly backupSecretAccessKey?: pulumi.Input<string>;
}

/**
 * Keycloak on a Kubernetes cluster: namespace, generated bootstrap credentials, database,
 * the Keycloak Deployment, routes for the public and admin hosts, NetworkPolicies and backups.
 * Every Kubernetes object goes through one explicit provider (the stack's kubeconfig context,
 * or rendered manifests). Depending on this component waits for all of it, Keycloak's
 * readiness included.
 */
export class KeycloakCluster extends pulumi.ComponentResource {
  /** https://<hostname>: the realms' issuer base. */
  readonly publicUrl: string;
  /** https://<adminHostname>: the admin console and the Admin REST API. */
  readonly adminUrl: string;
  readonly adminUsername: string;
  /** The administrator's initial password, a Pulumi secret. */
  readonly adminPassword: pulumi.Output<string>;
  readonly adminClientId: string;
  /** The automation client's secret, a Pulumi secret. */
  readonly adminClientSecret: pulumi.Output<string>;
  /** Resolves once the Keycloak Deployment is ready and its routes exist. */
  readonly ready: pulumi.Output<boolean>;

  constructor(name: string, args: KeycloakClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("keycloak-fleet:platform:KeycloakCluster", name, {}, opts);
    const { config } = args;
    const provider = new k8s.Provider(name, providerArgs(config), { parent: this });
    // Deleting a namespace deletes everything in it, database volume included.
    const namespace = new k8s.core.v1.Namespace(name, { metadata: { name: config.namespace } }, { parent: this, provider, protect: true });
    const scope: ClusterScope = { name, namespace: namespace.metadata.name, parent: this, provider };

    const admin = declareAdminCredentials(scope, args.adminUsername, args.adminClientId);
    const database = declareDatabase(scope, config.database, args.databasePassword);
    const server = declareServer(scope, { config, admin, database, bootstrapAdminUser: args.bootstrapAdminUser ?? false });
    const routes = declareExposure(scope, config.ingress, routesFor(config), server.service.metadata.name);
    declareNetworkPolicies(scope, config.ingress, database.bundled !== undefined);
    // The schema allows backups with the bundled database only.
    if (config.backup && database.bundled) declareBackup(scope, config.backup, database.bundled, database.credentials, args.backupSecretAccessKey);

    this.publicUrl = `https://${config.hostname}`;
    this.adminUrl = `https://${config.adminHostname}`;
    this.adminUsername = args.adminUsername;
    this.adminPassword = admin.password;
    this.adminClientId = args.adminClientId;
    this.adminClientSecret = admin.clientSecret;
    this.ready = pulumi.all([server.deployment.id, ...routes.map((route) => route.urn)]).apply(() => true);
    this.registerOutputs({
      publicUrl: this.publicUrl,
      adminUrl: this.adminUrl,
      adminUsername: this.adminUsername,
      adminPassword: this.adminPassword,
      adminClientId: this.adminClientId,
      adminClientSecret: this.adminClientSecret,
      ready: this.ready,
    });
  }
}

/**
 * Apply through the stack's kubeconfig context, or render manifests. Rendering contacts no
 * cluster, and the provider refuses a context next to a render directory, so a stack that names
 * both renders.
 */
function providerArgs(config: KubernetesPlatform): k8s.ProviderArgs {
  return config.renderDirectory ? { renderYamlToDirectory: config.renderDirectory } : { context: config.context };
}
