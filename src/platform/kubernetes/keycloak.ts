import * as k8s from "@pulumi/kubernetes";
import type { KubernetesPlatform } from "../../config/stack";
import type { AdminCredentials } from "./credentials";
import type { DatabaseConnection } from "./database";
import { fromSecret, k8sOptions, labels, metadata, objectName, type ClusterScope } from "./scope";

export const HTTP_PORT = 8080;
/** Health and metrics; never routed, see exposure.ts. */
export const MANAGEMENT_PORT = 9000;
/** JGroups transport and its FD_SOCK2 failure detection (7800 + 50000), between Keycloak pods. */
export const CLUSTER_PORTS = [7800, 57800];

export interface ServerArgs {
  config: KubernetesPlatform;
  admin: AdminCredentials;
  database: DatabaseConnection;
}

/** The Keycloak Deployment, its Services and its PodDisruptionBudget. */
export function declareServer(scope: ClusterScope, args: ServerArgs) {
  const deployment = new k8s.apps.v1.Deployment(
    scope.name,
    {
      metadata: metadata(scope, undefined, "server"),
      spec: {
        replicas: args.config.replicas,
        selector: { matchLabels: labels(scope, "server") },
        // A new pod must be ready before an old one goes: right for config changes and patch
        // releases. A minor or major Keycloak upgrade must not run mixed versions in one
        // cluster: scale to 0, change the image, scale back.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: { metadata: { labels: labels(scope, "server") }, spec: podSpec(scope, args) },
      },
    },
    // The provider waits for the rollout's readiness (/health/ready), which `ready` builds on.
    k8sOptions(scope, { dependsOn: args.database.dependsOn }),
  );
  const service = declareService(scope, "http", HTTP_PORT);
  declareService(scope, "management", MANAGEMENT_PORT);
  declareDisruptionBudget(scope, args.config.replicas);
  return { deployment, service };
}

function podSpec(scope: ClusterScope, args: ServerArgs): k8s.types.input.core.v1.PodSpec {
  return {
    // Replicas on one node fall together; spread them where the cluster allows.
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels(scope, "server") } },
    ],
    containers: [
      {
        name: "keycloak",
        image: args.config.image,
        // Production mode. `--optimized` would need an image built with these build options.
        args: ["start"],
        env: environment(args),
        ports: [
          { name: "http", containerPort: HTTP_PORT },
          { name: "management", containerPort: MANAGEMENT_PORT },
          { name: "jgroups", containerPort: CLUSTER_PORTS[0] },
          { name: "jgroups-fd", containerPort: CLUSTER_PORTS[1] },
        ],
        // Up to 5 minutes for a first start (database migrations) before liveness counts; a
        // minute of failed liveness checks restarts the pod.
        startupProbe: healthProbe("/health/started", 30),
        readinessProbe: healthProbe("/health/ready", 3),
        livenessProbe: healthProbe("/health/live", 6),
        // Keycloak sizes its heap from the memory limit (70%).
        resources: args.config.resources,
        securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      },
    ],
  };
}

/** Every secret comes from a Secret by reference, never as a literal in the manifest. */
function environment({ config, admin, database }: ServerArgs) {
  const plain = (name: string, value: string) => ({ name, value });
  return [
    plain("KC_DB", "postgres"),
    plain("KC_DB_URL", database.jdbcUrl),
    fromSecret("KC_DB_USERNAME", database.credentials, "username"),
    fromSecret("KC_DB_PASSWORD", database.credentials, "password"),
    plain("KC_HOSTNAME", `https://${config.hostname}`),
    plain("KC_HOSTNAME_ADMIN", `https://${config.adminHostname}`),
    // TLS ends at the ingress controller, which sets X-Forwarded-*. Keycloak trusts these
    // headers from whoever reaches port 8080, which the NetworkPolicy limits to the controller.
    plain("KC_PROXY_HEADERS", "xforwarded"),
    plain("KC_HTTP_ENABLED", "true"),
    plain("KC_HEALTH_ENABLED", "true"),
    plain("KC_METRICS_ENABLED", "true"),
    // Keycloak 26's clustering: pods find each other through the database (jdbc-ping).
    plain("KC_CACHE", "ispn"),
    plain("KC_CACHE_STACK", "jdbc-ping"),
    // JGroups picks a site-local address by default; pod networks need not be site-local.
    { name: "KC_CACHE_EMBEDDED_NETWORK_BIND_ADDRESS", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    fromSecret("KC_BOOTSTRAP_ADMIN_USERNAME", admin.secretName, "username"),
    fromSecret("KC_BOOTSTRAP_ADMIN_PASSWORD", admin.secretName, "password"),
    fromSecret("KC_BOOTSTRAP_ADMIN_CLIENT_ID", admin.secretName, "client-id"),
    fromSecret("KC_BOOTSTRAP_ADMIN_CLIENT_SECRET", admin.secretName, "client-secret"),
  ];
}

function healthProbe(path: string, failureThreshold: number): k8s.types.input.core.v1.Probe {
  return { httpGet: { path, port: "management" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold };
}

/** `<name>-http` is what the routes send traffic to; `<name>-management` is for in-cluster scrapers. */
function declareService(scope: ClusterScope, port: "http" | "management", number: number): k8s.core.v1.Service {
  return new k8s.core.v1.Service(
    objectName(scope, port),
    {
      metadata: metadata(scope, port, "server"),
      spec: { type: "ClusterIP", selector: labels(scope, "server"), ports: [{ name: port, port: number, targetPort: port }] },
    },
    k8sOptions(scope),
  );
}

/**
 * With 2 or more replicas, evictions (node drains, cluster upgrades) take one pod at a time:
 * maxUnavailable 1 rather than minAvailable 1, which would let a drain evict all but one pod
 * at once and lose the cache entries whose two owners both went. A single replica gets no
 * budget: it cannot survive an eviction anyway, and a budget forbidding one (maxUnavailable
 * 0) would block every node drain until someone deleted it.
 */
function declareDisruptionBudget(scope: ClusterScope, replicas: number): void {
  if (replicas < 2) return;
  new k8s.policy.v1.PodDisruptionBudget(
    scope.name,
    { metadata: metadata(scope, undefined, "server"), spec: { maxUnavailable: 1, selector: { matchLabels: labels(scope, "server") } } },
    k8sOptions(scope),
  );
}
