import type * as pulumi from "@pulumi/pulumi";

/**
 * Every duration the workloads run on, in one place: the probe and shutdown settings the
 * manifests carry, and how long `pulumi up` waits for the Deployment and the StatefulSet,
 * derived from them. The provider's own default (10 minutes for every workload) fits neither a
 * Keycloak whose first start migrates the database nor a rolling update of several replicas.
 */

/** Every probe runs this often. */
export const PROBE_PERIOD_SECONDS = 10;

/** How many failed periods each of Keycloak's probes tolerates (keycloak.ts). */
export const KEYCLOAK_PROBE_FAILURES = { startup: 30, readiness: 3, liveness: 6 } as const;

/**
 * Keycloak's graceful shutdown (options of Keycloak 26.6 and later). On SIGTERM it keeps serving
 * for the delay, while kube-proxy and the ingress controller stop sending it traffic, and closes
 * idle keep-alive connections so that proxies reconnect elsewhere; then it waits up to the
 * timeout for running requests and for its caches to hand their entries to the other pods.
 */
export const KEYCLOAK_SHUTDOWN = { delaySeconds: 15, timeoutSeconds: 10 } as const;

/** The shutdown above plus the JVM's own exit, before the kubelet kills the container. */
export const KEYCLOAK_TERMINATION_GRACE_SECONDS = KEYCLOAK_SHUTDOWN.delaySeconds + KEYCLOAK_SHUTDOWN.timeoutSeconds + 10;

/** Scheduling, volume binding and an image pull: what a new pod goes through before any probe runs. */
const BEFORE_PROBES_SECONDS = 120;

/**
 * One Keycloak pod from creation to ready: the startupProbe's window to open its ports (a first
 * start also re-augments the server for its build options), then as long again for the
 * bootstrap (schema migrations, first-start setup of the master realm). Keycloak 26.7 runs that
 * bootstrap after the ports open, with /health/ready DOWN and liveness UP, so no probe bounds
 * it and no probe kills a long migration: this wait is what bounds it.
 */
export const KEYCLOAK_POD_READY_SECONDS = BEFORE_PROBES_SECONDS + 2 * KEYCLOAK_PROBE_FAILURES.startup * PROBE_PERIOD_SECONDS;

/**
 * The Keycloak Deployment. Its creation starts every replica at once; an update rolls them one
 * at a time (maxSurge 1, maxUnavailable 0), so it may take each replica's full time in turn.
 */
export function keycloakTimeouts(replicas: number): pulumi.CustomTimeouts {
  return { create: seconds(KEYCLOAK_POD_READY_SECONDS), update: seconds(replicas * KEYCLOAK_POD_READY_SECONDS) };
}

/** PostgreSQL's first start runs initdb before it accepts connections: seconds, given slow disks. */
const POSTGRES_INITDB_SECONDS = 120;

/** The PostgreSQL StatefulSet, one replica: a new pod, a first initdb, one readiness period. */
const POSTGRES_POD_READY_SECONDS = BEFORE_PROBES_SECONDS + POSTGRES_INITDB_SECONDS + PROBE_PERIOD_SECONDS;
export const POSTGRES_TIMEOUTS: pulumi.CustomTimeouts = { create: seconds(POSTGRES_POD_READY_SECONDS), update: seconds(POSTGRES_POD_READY_SECONDS) };

/** A duration as the engine parses it (Go's time.ParseDuration). */
function seconds(value: number): string {
  return `${value}s`;
}
