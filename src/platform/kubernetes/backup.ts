import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesPlatform } from "../../config/stack";
import { DATABASE_NAME, DATABASE_USER, POSTGRES_PORT, type DatabaseConnection } from "./database";
import { fromSecret, k8sOptions, labels, metadata, objectName, type ClusterScope } from "./scope";
import { KEYCLOAK_POD_READY_SECONDS, KEYCLOAK_TERMINATION_GRACE_SECONDS } from "./timing";

type Backup = NonNullable<KubernetesPlatform["backup"]>;
type S3Target = Extract<Backup["target"], { type: "s3" }>;
type Postgres = NonNullable<DatabaseConnection["bundled"]>;

/** The official AWS CLI image, pinned; it speaks to any S3-compatible endpoint. */
const AWS_CLI_IMAGE = "amazon/aws-cli:2.17.0";

/**
 * A CronJob that runs `pg_dump --format=custom` of the bundled database on the schedule, onto
 * a protected volume or into an S3 bucket. Dumps are named keycloak-<UTC timestamp>.dump, so
 * their names sort by age.
 *
 * Restore into the Keycloak version that made the dump. From a volume: `volumeRestoreSteps`
 * (below) lists the commands, kubectl only, to run one by one as written. In short: stop
 * Keycloak and the backups, mount the backup claim read-only in a throwaway pod, stream the
 * newest dump into pg_restore inside the database pod (which trusts its local socket: no
 * password on any command line, nothing for the NetworkPolicy to admit), then start both again.
 * From S3, the same steps with the AWS CLI in place of the throwaway pod:
 *   aws s3 cp s3://BUCKET/keycloak-<timestamp>.dump - --endpoint-url ENDPOINT \
 *     | kubectl -n NS exec -i NAME-postgres-0 -- pg_restore --clean --if-exists --no-owner -U keycloak -d keycloak
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
    image: postgres.image,
    env: [
      { name: "PGHOST", value: postgres.host },
      { name: "PGPORT", value: String(POSTGRES_PORT) },
      { name: "PGDATABASE", value: postgres.database },
      fromSecret("PGUSER", credentials, "username"),
      fromSecret("PGPASSWORD", credentials, "password"),
    ],
  };
}

/**
 * Written under a temporary name and renamed, so a failed run never leaves a truncated dump. It
 * first waits (up to a minute) for the database to accept it: a network-policy controller such
 * as kube-router admits a new pod's address only after the pod has started.
 */
function volumeScript(retainDays: number): string {
  return [
    "set -eu",
    "for i in $(seq 60); do pg_isready --quiet && break; sleep 1; done",
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

/** One step of a restore: what it is for, and a shell command to run exactly as written. */
export interface RestoreStep {
  purpose: string;
  command: string;
}

/** The stack a restore works on. */
export interface RestoreTarget {
  /** kubernetes.namespace */
  namespace: string;
  /** The KeycloakCluster's name, which prefixes every object (`keycloak` in this program). */
  name: string;
  /** kubernetes.replicas: what Keycloak is scaled back to. */
  replicas: number;
  /** database.image: the cluster has it already, and its shell reads the dumps. */
  image: string;
}

/**
 * The restore of the newest dump on the backup volume, one kubectl command per step. Names and
 * labels come from the same functions as the objects, so the steps follow any renaming.
 */
export function volumeRestoreSteps({ namespace, name, replicas, image }: RestoreTarget): RestoreStep[] {
  const kubectl = `kubectl -n ${namespace}`;
  const cluster = { name };
  const deployment = objectName(cluster);
  const reader = objectName(cluster, "restore");
  // The CronJob and its claim share this name.
  const backup = objectName(cluster, "backup");
  const serverPods = Object.entries(labels(cluster, "server")).map(([key, value]) => `${key}=${value}`).join(",");
  const suspend = (suspended: boolean) => `${kubectl} patch cronjob ${backup} --type=merge -p '{"spec":{"suspend":${suspended}}}'`;
  const newestDump = 'cat "$(ls /backup/keycloak-*.dump | tail -n 1)"';
  const pgRestore = `pg_restore --clean --if-exists --no-owner -U ${DATABASE_USER} -d ${DATABASE_NAME}`;
  return [
    { purpose: "Stop the backups, so none dumps a half-restored database", command: suspend(true) },
    { purpose: "Stop Keycloak, the database's only writer", command: `${kubectl} scale deployment ${deployment} --replicas=0` },
    {
      purpose: "Wait until Keycloak's pods have shut down",
      command: `${kubectl} wait pod -l ${serverPods} --for=delete --timeout=${KEYCLOAK_TERMINATION_GRACE_SECONDS + 30}s`,
    },
    {
      purpose: "Start a pod that mounts the backup volume read-only",
      command: `${kubectl} run ${reader} --image=${image} --restart=Never --overrides='${JSON.stringify(readerPod(reader, image, backup))}'`,
    },
    { purpose: "Wait for it", command: `${kubectl} wait pod/${reader} --for=condition=Ready --timeout=120s` },
    { purpose: "List the dumps, oldest first", command: `${kubectl} exec ${reader} -- ls -l /backup` },
    {
      purpose: "Stream the newest dump into the database, replacing every object it holds",
      command: `${kubectl} exec ${reader} -- sh -c '${newestDump}' | ${kubectl} exec -i ${objectName(cluster, "postgres")}-0 -- ${pgRestore}`,
    },
    { purpose: "Remove the reader pod", command: `${kubectl} delete pod ${reader}` },
    { purpose: "Start Keycloak again", command: `${kubectl} scale deployment ${deployment} --replicas=${replicas}` },
    { purpose: "Wait until it is ready", command: `${kubectl} rollout status deployment ${deployment} --timeout=${KEYCLOAK_POD_READY_SECONDS}s` },
    { purpose: "Resume the backups", command: suspend(false) },
  ];
}

/**
 * `kubectl run --overrides` replaces the generated pod's lists as a whole, so the container is
 * given in full. It only sleeps: the steps read through `kubectl exec`.
 */
function readerPod(reader: string, image: string, claimName: string) {
  return {
    apiVersion: "v1",
    spec: {
      containers: [{ name: reader, image, command: ["sleep", "3600"], volumeMounts: [{ name: "backup", mountPath: "/backup", readOnly: true }] }],
      volumes: [{ name: "backup", persistentVolumeClaim: { claimName, readOnly: true } }],
    },
  };
}
