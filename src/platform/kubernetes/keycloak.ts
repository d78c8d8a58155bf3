import * as k8s from "@pulumi/kubernetes";
import type { KubernetesPlatform } from "../../config/stack";
import type { AdminCredentials } from "./credentials";
import type { DatabaseConnection } from "./database";
import { fromSecret, k8sOptions, labels, metadata, objectName, type ClusterScope } from "./scope";
import {
  KEYCLOAK_PROBE_FAILURES,
  KEYCLOAK_SHUTDOWN,
  KEYCLOAK_TERMINATION_GRACE_SECONDS,
  keycloakTimeouts,
  PROBE_PERIOD_SECONDS,
} from "./timing";

export const HTTP_PORT = 8080;
/** Health and metrics; never routed, see exposure.ts. */
export const MANAGEMENT_PORT = 9000;
/** JGroups transport and its FD_SOCK2 failure detection (7800 + 50000), between Keycloak pods. */
export const CLUSTER_PORTS = [7800, 57800];

export interface ServerArgs {
  config: KubernetesPlatform;
  admin: AdminCredentials;
  database: DatabaseConnection;
  /** Bootstrap a temporary admin user too, not only the automation client. */
  bootstrapAdminUser: boolean;
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
    // The provider waits for the rollout's readiness (/health/ready), which `ready` builds on,
    // and fails with a timeout once the replicas have had their time (timing.ts).
    k8sOptions(scope, { dependsOn: args.database.dependsOn, customTimeouts: keycloakTimeouts(args.config.replicas) }),
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
    // Keycloak's own graceful shutdown (KC_SHUTDOWN_*) must finish before the kubelet kills it.
    terminationGracePeriodSeconds: KEYCLOAK_TERMINATION_GRACE_SECONDS,
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
        // Up to 5 minutes to open the ports (a first start also re-augments the server) before
        // liveness counts; the database bootstrap then runs with /health/ready DOWN, bounded by
        // `pulumi up`'s wait (timing.ts). A minute of failed liveness checks restarts the pod.
        startupProbe: healthProbe("/health/started", KEYCLOAK_PROBE_FAILURES.startup),
        readinessProbe: healthProbe("/health/ready", KEYCLOAK_PROBE_FAILURES.readiness),
        livenessProbe: healthProbe("/health/live", KEYCLOAK_PROBE_FAILURES.liveness),
        // Keycloak sizes its heap from the memory limit (70%).
        resources: args.config.resources,
        securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      },
    ],
  };
}

/** Every secret comes from a Secret by reference, never as a literal in the manifest. */
function environment({ config, admin, database, bootstrapAdminUser }: ServerArgs) {
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
    // Zero-downtime rollouts: a pod being replaced keeps serving until the proxies have let go
    // of it. Keycloak's own delay rather than a preStop sleep: it also closes keep-alive
    // connections, so proxies stop reusing them, and its timeout lets caches hand over.
    plain("KC_SHUTDOWN_DELAY", `${KEYCLOAK_SHUTDOWN.delaySeconds}s`),
    plain("KC_SHUTDOWN_TIMEOUT", `${KEYCLOAK_SHUTDOWN.timeoutSeconds}s`),
    // Only the automation client by default: the realm layer declares the permanent
    // administrator (src/platform/administrator.ts), so Keycloak never holds a temporary user.
    ...(bootstrapAdminUser
      ? [fromSecret("KC_BOOTSTRAP_ADMIN_USERNAME", admin.secretName, "username"), fromSecret("KC_BOOTSTRAP_ADMIN_PASSWORD", admin.secretName, "password")]
      : []),
    fromSecret("KC_BOOTSTRAP_ADMIN_CLIENT_ID", admin.secretName, "client-id"),
    fromSecret("KC_BOOTSTRAP_ADMIN_CLIENT_SECRET", admin.secretName, "client-secret"),
  ];
}

function healthProbe(path: string, failureThreshold: number): k8s.types.input.core.v1.Probe {
  return { httpGet: { path, port: "management" }, periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds: 5, failureThreshold };
}

/**
 * `<name>-http` is what the routes send traffic to; `<name>-management` is for in-cluster
 * scrapers. The provider would wait until a Service's endpoints list a pod: the Deployment's
 * business, on a clock of its own (10 minutes) that starts before Keycloak's pods can exist
 * (they wait for PostgreSQL). A slow start would then fail on the Services rather than on the
 * workload that is slow, and the routes, which name the Service, would wait as well. The
 * Deployment's wait is the one that counts; the Services skip theirs.
 */
function declareService(scope: ClusterScope, port: "http" | "management", number: number): k8s.core.v1.Service {
  return new k8s.core.v1.Service(
    objectName(scope, port),
    {
      metadata: metadata(scope, port, "server", { annotations: { "pulumi.com/skipAwait": "true" } }),
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
