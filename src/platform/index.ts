import * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import type { AdminSecrets, FleetConfig } from "../config/load";
import { NAMESPACE, type StackConfig } from "../config/stack";
import type { AdminApiAccess } from "./admin-client";
import { declareAdministrator } from "./administrator";
import { externalUrl } from "./external";
import { KeycloakCluster } from "./kubernetes";
import { localUrl } from "./local";

/** A Keycloak to configure, and the explicit provider that administers it. */
export interface KeycloakConnection {
  /** Base URL of the realms, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Base URL of the admin console and the Admin REST API (differs from url on kubernetes). */
  adminUrl: string;
  /** The master-realm automation client the realm layer and the ops commands log in with. */
  adminClientId: string;
  adminClientSecret: pulumi.Output<string>;
  provider: keycloak.Provider;
  /** The permanent administrator (administrator.ts); resolved once no temporary admin user is left. */
  adminUsername: pulumi.Input<string>;
  adminPassword?: pulumi.Output<string>;
  /**
   * Manifests are rendered to a directory instead of applied (GitOps): no Keycloak runs yet,
   * so there are no realms to configure in this update.
   */
  renderOnly: boolean;
  /** The deployed cluster (kubernetes): Keycloak answers only once it is ready. */
  cluster?: KeycloakCluster;
}

/**
 * Connects to the Keycloak of the stack's platform. The realm layer authenticates with the
 * master-realm automation client (client-credentials grant), never with a person's password,
 * so rotating the administrator's password breaks no later `pulumi up`.
 */
export function connectKeycloak(config: FleetConfig): KeycloakConnection {
  const { stack, secrets } = config;
  const connection = stack.platform === "kubernetes" ? deployCluster(stack, secrets) : connectRunning(config);
  if (!stack.permanentAdministrator || connection.renderOnly) return connection;
  const administrator = declareAdministrator({
    username: stack.adminUsername,
    initialPassword: connection.adminPassword!,
    provider: connection.provider,
    access: pulumi.all([connection.adminUrl, connection.adminClientId, connection.adminClientSecret]).apply(([url, clientId, clientSecret]) => ({ url, clientId, clientSecret })),
    dependsOn: connection.cluster && [connection.cluster],
    ready: connection.cluster?.ready,
  });
  return { ...connection, adminUsername: administrator.username };
}

/** A Keycloak that runs before this update does (local, external). */
function connectRunning({ stack, secrets, secretStore }: FleetConfig): KeycloakConnection {
  const url = stack.platform === "local" ? localUrl(stack.local!) : externalUrl(stack.external!);
  // loadFleetConfig requires adminClientSecret on these platforms.
  const provider = adminProvider({ url, clientId: stack.adminClientId, clientSecret: secrets.clientSecret! });
  const automation = { adminUrl: url, adminClientId: stack.adminClientId, adminClientSecret: secrets.clientSecret! };
  // Local stacks get adminPassword from dev:up; an external one may set it, or gets a stable
  // random one from its secretSeed, kept as a secret like every generated secret.
  const adminPassword = secrets.password ?? (stack.permanentAdministrator ? secretStore.derive("permanent-administrator-password") : undefined);
  return { url, ...automation, provider, adminUsername: stack.adminUsername, adminPassword, renderOnly: false };
}

/**
 * The Admin API of a Keycloak that runs before this update does (local, external), for reading
 * what it already holds; undefined on kubernetes, whose Keycloak the update itself may deploy.
 * `values` is the stack's raw config: the program needs the client secret as a plain string here.
 */
export function runningKeycloakAccess(stack: StackConfig, values: Record<string, string>): AdminApiAccess | undefined {
  if (stack.platform === "kubernetes") return undefined;
  const url = stack.platform === "local" ? localUrl(stack.local!) : externalUrl(stack.external!);
  return { url, clientId: stack.adminClientId, clientSecret: values[`${NAMESPACE}:adminClientSecret`] };
}

/**
 * Deploys Keycloak, then administers it at its admin host with the generated client secret.
 * The provider depends on the cluster, so no realm resource is sent before Keycloak is ready.
 */
function deployCluster(stack: StackConfig, secrets: AdminSecrets): KeycloakConnection {
  const cluster = new KeycloakCluster("keycloak", {
    config: stack.kubernetes!,
    adminUsername: stack.adminUsername,
    adminClientId: stack.adminClientId,
    // The permanent administrator replaces a bootstrap user; without it Keycloak keeps its temporary one.
    bootstrapAdminUser: !stack.permanentAdministrator,
    databasePassword: secrets.databasePassword,
    backupSecretAccessKey: secrets.backupSecretAccessKey,
  });
  const provider = adminProvider(
    // Keycloak does not exist at the first preview: log in on first use, not at configuration.
    { url: cluster.adminUrl, clientId: cluster.adminClientId, clientSecret: cluster.adminClientSecret, initialLogin: false },
    { dependsOn: [cluster] },
  );
  return {
    url: cluster.publicUrl,
    adminUrl: cluster.adminUrl,
    adminClientId: cluster.adminClientId,
    adminClientSecret: cluster.adminClientSecret,
    provider,
    adminUsername: cluster.adminUsername,
    adminPassword: cluster.adminPassword,
    renderOnly: stack.kubernetes!.renderDirectory !== undefined,
    cluster,
  };
}

function adminProvider(
  args: Pick<keycloak.ProviderArgs, "url" | "clientId" | "clientSecret" | "initialLogin">,
  opts?: pulumi.ResourceOptions,
): keycloak.Provider {
  return new keycloak.Provider(
    "keycloak",
    {
      ...args,
      realm: "master",
      // Keycloak >= 17 serves without the old /auth prefix.
      basePath: "",
      // Seconds per request. The default (5) is short enough for a busy Keycloak to finish a
      // realm creation after the provider gave up, leaving a realm outside state (409 next time).
      clientTimeout: 60,
    },
    opts,
  );
}

/**
 * Saving the state only at the end of an update (PULUMI_SKIP_CHECKPOINTS) is safe for the realm
 * layer: every object it declares has a name Keycloak keeps unique, so after a crash `fleet
 * repair` finds and adopts what was created. Not for a cluster deployment: its generated
 * passwords live only in the state, and a crash would lose them while Keycloak and PostgreSQL
 * keep using them.
 */
export function refuseSkippedCheckpoints(platform: string, env: NodeJS.ProcessEnv = process.env): void {
  if (platform === "kubernetes" && /^(1|true)$/i.test(env.PULUMI_SKIP_CHECKPOINTS ?? ""))
    throw new pulumi.RunError(
      "keycloak-fleet refused to run with PULUMI_SKIP_CHECKPOINTS on the kubernetes platform: the state would be saved only at the end, and a crash would lose the generated passwords Keycloak and PostgreSQL already use; nothing was deployed\n" +
        "  hint: unset PULUMI_SKIP_CHECKPOINTS for this stack (it is safe for local and external stacks, whose objects fleet repair can find again)",
    );
}
