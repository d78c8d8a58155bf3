import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesPlatform } from "../../config/stack";
import { POSTGRES_IMAGE, POSTGRES_PORT, type DatabaseConnection } from "./database";
import { fromSecret, k8sOptions, labels, metadata, objectName, type ClusterScope } from "./scope";

type Backup = NonNullable<KubernetesPlatform["backup"]>;
type S3Target = Extract<Backup["target"], { type: "s3" }>;
type Postgres = NonNullable<DatabaseConnection["bundled"]>;

/** The official AWS CLI image, pinned; it speaks to any S3-compatible endpoint. */
const AWS_CLI_IMAGE = "amazon/aws-cli:2.17.0";

/**
 * A CronJob that runs `pg_dump --format=custom` of the bundled database on the schedule, onto
 * a protected volume or into an S3 bucket. Dumps are named keycloak-<UTC timestamp>.dump.
 *
 * Restore (NS: the namespace, NAME: the cluster's name, `keycloak` by default). The dump is
 * streamed into pg_restore inside the database pod, which trusts its local socket: no password
 * on any command line, nothing for the NetworkPolicy to admit.
 *   1. Stop writers: kubectl -n NS scale deployment NAME --replicas=0
 *   2. Stream the dump into the database:
 *      S3:     aws s3 cp s3://BUCKET/keycloak-<timestamp>.dump - --endpoint-url ENDPOINT \
 *                | kubectl -n NS exec -i NAME-postgres-0 -- pg_restore --clean --if-exists --no-owner -U keycloak -d keycloak
 *      volume: start a pod that mounts the claim NAME-backup at /backup (it is ReadWriteOnce:
 *              while no backup runs), e.g. `kubectl -n NS run reader --image=postgres:16.4
 *              --overrides=...` with that volume and `sleep 3600`, then
 *              kubectl -n NS exec reader -- cat /backup/keycloak-<timestamp>.dump \
 *                | kubectl -n NS exec -i NAME-postgres-0 -- pg_restore --clean --if-exists --no-owner -U keycloak -d keycloak
 *   3. pulumi up: it scales Keycloak back to the configured replicas.
 */
export function declareBackup(
  scope: ClusterScope,
  backup: Backup,
  postgres: Postgres,
  credentials: DatabaseConnection["credentials"],
  secretAccessKey: pulumi.Input<string> | undefined,
): void {
  const dump = dumpContainer(postgres, credentials);
  const target = backup.target;
  const pod: k8s.types.input.core.v1.PodSpec =
    target.type === "volume"
      ? {
          containers: [{ ...dump, command: ["sh", "-c", volumeScript(target.retainDays)], volumeMounts: [{ name: "backup", mountPath: "/backup" }] }],
          volumes: [{ name: "backup", persistentVolumeClaim: { claimName: backupVolume(scope, target) } }],
        }
      : s3Pod(scope, dump, target, secretAccessKey!);
  new k8s.batch.v1.CronJob(
    objectName(scope, "backup"),
    {
      metadata: metadata(scope, "backup", "backup"),
      spec: {
        schedule: backup.schedule,
        concurrencyPolicy: "Forbid",
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            template: { metadata: { labels: labels(scope, "backup") }, spec: { restartPolicy: "Never", ...pod } },
          },
        },
      },
    },
    k8sOptions(scope),
  );
}

/** pg_dump's connection, from the same Secret Keycloak uses. */
function dumpContainer(postgres: Postgres, credentials: DatabaseConnection["credentials"]) {
  return {
    name: "pg-dump",
    image: POSTGRES_IMAGE,
    env: [
      { name: "PGHOST", value: postgres.host },
      { name: "PGPORT", value: String(POSTGRES_PORT) },
      { name: "PGDATABASE", value: postgres.database },
      fromSecret("PGUSER", credentials, "username"),
      fromSecret("PGPASSWORD", credentials, "password"),
    ],
  };
}

/** Written under a temporary name and renamed, so a failed run never leaves a truncated dump. */
function volumeScript(retainDays: number): string {
  return [
    "set -eu",
    'file="/backup/keycloak-$(date -u +%Y%m%dT%H%M%SZ).dump"',
    'pg_dump --format=custom --file="$file.partial"',
    'mv "$file.partial" "$file"',
    `find /backup -name 'keycloak-*.dump' -mtime +${retainDays} -delete`,
  ].join("\n");
}

/** Dumps live here: protected, and kept if the stack lets go of it. */
function backupVolume(scope: ClusterScope, target: Extract<Backup["target"], { type: "volume" }>): pulumi.Output<string> {
  const claim = new k8s.core.v1.PersistentVolumeClaim(
    objectName(scope, "backup"),
    {
      metadata: metadata(scope, "backup", "backup"),
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: target.storageClass, resources: { requests: { storage: target.size } } },
    },
    k8sOptions(scope, { protect: true, retainOnDelete: true }),
  );
  return claim.metadata.name;
}

/** pg_dump writes into a scratch volume, then the AWS CLI uploads the file. */
function s3Pod(scope: ClusterScope, dump: ReturnType<typeof dumpContainer>, target: S3Target, secretAccessKey: pulumi.Input<string>): k8s.types.input.core.v1.PodSpec {
  const keys = new k8s.core.v1.Secret(
    objectName(scope, "backup-s3"),
    { metadata: metadata(scope, "backup-s3", "backup"), stringData: { "access-key-id": target.accessKeyId, "secret-access-key": secretAccessKey } },
    k8sOptions(scope),
  );
  const scratch = [{ name: "dump", mountPath: "/dump" }];
  return {
    initContainers: [{ ...dump, command: ["pg_dump", "--format=custom", "--file=/dump/keycloak.dump"], volumeMounts: scratch }],
    containers: [
      {
        name: "upload",
        image: AWS_CLI_IMAGE,
        command: ["sh", "-c", 'aws s3 cp /dump/keycloak.dump "s3://$BUCKET/keycloak-$(date -u +%Y%m%dT%H%M%SZ).dump" --endpoint-url "$ENDPOINT"'],
        env: [
          { name: "BUCKET", value: target.bucket },
          { name: "ENDPOINT", value: target.endpoint },
          { name: "AWS_DEFAULT_REGION", value: target.region },
          fromSecret("AWS_ACCESS_KEY_ID", keys.metadata.name, "access-key-id"),
          fromSecret("AWS_SECRET_ACCESS_KEY", keys.metadata.name, "secret-access-key"),
        ],
        volumeMounts: scratch,
      },
    ],
    volumes: [{ name: "dump", emptyDir: {} }],
  };
}
