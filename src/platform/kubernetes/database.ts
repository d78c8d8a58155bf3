import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesPlatform } from "../../config/stack";
import { generatedSecret } from "./credentials";
import { fromSecret, k8sOptions, labels, metadata, objectName, type ClusterScope } from "./scope";
import { POSTGRES_TIMEOUTS, PROBE_PERIOD_SECONDS } from "./timing";

export const POSTGRES_PORT = 5432;
/** The bundled database and its owner, as the image's entrypoint creates them. */
export const DATABASE_NAME = "keycloak";
export const DATABASE_USER = "keycloak";

type Bundled = Extract<KubernetesPlatform["database"], { type: "bundled" }>;

/** How Keycloak reaches its database. */
export interface DatabaseConnection {
  jdbcUrl: string;
  /** Secret with the keys `username` and `password`. */
  credentials: pulumi.Output<string>;
  /** The bundled PostgreSQL, for backups; undefined for an external database. */
  bundled?: { host: string; database: string; image: string };
  /** What Keycloak waits for: the bundled PostgreSQL's StatefulSet (the provider awaits its readiness). */
  dependsOn: pulumi.Resource[];
}

/** The database of the stack: a bundled PostgreSQL StatefulSet, or an external one from config. */
export function declareDatabase(
  scope: ClusterScope,
  database: KubernetesPlatform["database"],
  externalPassword: pulumi.Input<string> | undefined,
): DatabaseConnection {
  if (database.type === "external")
    return { jdbcUrl: database.url, credentials: credentialsSecret(scope, database.username, externalPassword!), dependsOn: [] };
  const credentials = credentialsSecret(scope, DATABASE_USER, generatedSecret(scope, "database-password"));
  const postgres = declarePostgres(scope, database, credentials);
  const host = objectName(scope, "postgres");
  return {
    jdbcUrl: `jdbc:postgresql://${host}:${POSTGRES_PORT}/${DATABASE_NAME}`,
    credentials,
    bundled: { host, database: DATABASE_NAME, image: database.image },
    dependsOn: [postgres],
  };
}

function credentialsSecret(scope: ClusterScope, username: string, password: pulumi.Input<string>): pulumi.Output<string> {
  const secret = new k8s.core.v1.Secret(
    `${scope.name}-database`,
    { metadata: metadata(scope, "database", "database"), stringData: { username, password } },
    k8sOptions(scope),
  );
  return secret.metadata.name;
}

/**
 * A single PostgreSQL behind the headless Service `<name>-postgres`. The provider waits for a
 * headless Service without looking for pods, so only the StatefulSet's wait gates Keycloak.
 */
function declarePostgres(scope: ClusterScope, database: Bundled, credentials: pulumi.Output<string>): k8s.apps.v1.StatefulSet {
  const selector = labels(scope, "database");
  const service = new k8s.core.v1.Service(
    `${scope.name}-postgres`,
    {
      metadata: metadata(scope, "postgres", "database"),
      spec: { clusterIP: "None", selector, ports: [{ name: "postgres", port: POSTGRES_PORT, targetPort: "postgres" }] },
    },
    k8sOptions(scope),
  );
  return new k8s.apps.v1.StatefulSet(
    `${scope.name}-postgres`,
    {
      metadata: metadata(scope, "postgres", "database"),
      spec: {
        serviceName: service.metadata.name,
        replicas: 1,
        selector: { matchLabels: selector },
        // Explicit, though it is the default: the volume outlives the StatefulSet and scale-downs.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        template: {
          metadata: { labels: selector },
          spec: {
            // The image's postgres user (uid 999) owns the volume.
            securityContext: { fsGroup: 999 },
            containers: [
              {
                name: "postgres",
                image: database.image,
                env: [
                  { name: "POSTGRES_DB", value: DATABASE_NAME },
                  fromSecret("POSTGRES_USER", credentials, "username"),
                  fromSecret("POSTGRES_PASSWORD", credentials, "password"),
                  // A subdirectory: the volume's root holds lost+found, which initdb refuses.
                  { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                ],
                ports: [{ name: "postgres", containerPort: POSTGRES_PORT }],
                // Over TCP: while initdb runs, the image's temporary server listens on the socket only.
                readinessProbe: {
                  exec: { command: ["pg_isready", "-h", "127.0.0.1", "-U", DATABASE_USER, "-d", DATABASE_NAME] },
                  periodSeconds: PROBE_PERIOD_SECONDS,
                },
                resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "1Gi" } },
                volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: database.storageClass,
              resources: { requests: { storage: database.storageSize } },
            },
          },
        ],
      },
    },
    // The data lives here: `pulumi destroy` must not take it, and neither must a replacement.
    // Keycloak waits for its readiness, a first initdb included (timing.ts).
    k8sOptions(scope, { protect: true, retainOnDelete: true, customTimeouts: POSTGRES_TIMEOUTS }),
  );
}
