import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** What every part of a KeycloakCluster shares. */
export interface ClusterScope {
  /** The component's name: children and their Kubernetes objects are named `<name>-<part>`. */
  name: string;
  /** The namespace's name as an output, so that every object waits for the namespace. */
  namespace: pulumi.Output<string>;
  parent: pulumi.Resource;
  provider: k8s.Provider;
}

type Part = "server" | "database" | "backup";

/** What names and labels derive from: the component's name (restore steps have no more). */
type Named = Pick<ClusterScope, "name">;

/**
 * Labels of one part. Workload selectors and NetworkPolicies select on them, and a Deployment's
 * selector cannot change, so they stay fixed.
 */
export function labels(scope: Named, part: Part): Record<string, string> {
  return {
    "app.kubernetes.io/name": part === "database" ? "postgresql" : "keycloak",
    "app.kubernetes.io/instance": scope.name,
    "app.kubernetes.io/component": part,
  };
}

/** Metadata of the object `<name>-<suffix>` (or `<name>`), labelled as `part`. */
export function metadata(scope: ClusterScope, suffix: string | undefined, part: Part, extra: { annotations?: Record<string, string> } = {}) {
  return { name: objectName(scope, suffix), namespace: scope.namespace, labels: labels(scope, part), ...extra };
}

export function objectName(scope: Named, suffix?: string): string {
  return suffix ? `${scope.name}-${suffix}` : scope.name;
}

/** Options of a Kubernetes child: under the component, through the cluster's explicit provider. */
export function k8sOptions(scope: ClusterScope, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  return { parent: scope.parent, provider: scope.provider, ...extra };
}

/** An environment variable read from a key of a Secret, so the value never sits in a manifest. */
export function fromSecret(name: string, secret: pulumi.Input<string>, key: string) {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}
