import * as k8s from "@pulumi/kubernetes";
import type { KubernetesPlatform } from "../../config/stack";
import { POSTGRES_PORT } from "./database";
import { CLUSTER_PORTS, HTTP_PORT, MANAGEMENT_PORT } from "./keycloak";
import { k8sOptions, labels, metadata, objectName, type ClusterScope } from "./scope";

type Ingress = KubernetesPlatform["ingress"];
type TrafficSource = NonNullable<Ingress["from"]>;

/** Where the controllers' Helm charts put their pods by default (gateway stacks must say). */
const CONTROLLER_PODS: Record<Exclude<Ingress["controller"], "gateway">, TrafficSource> = {
  traefik: { namespace: "traefik", podLabels: { "app.kubernetes.io/name": "traefik" } },
  "nginx-legacy": { namespace: "ingress-nginx", podLabels: { "app.kubernetes.io/name": "ingress-nginx" } },
};

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/**
 * Incoming traffic only; egress stays open (identity providers, LDAP and SMTP live anywhere).
 * Port 8080 trusts X-Forwarded-* headers, so only the ingress controller may reach it.
 */
export function declareNetworkPolicies(scope: ClusterScope, ingress: Ingress, bundledDatabase: boolean): void {
  const server = labels(scope, "server");
  const source = ingress.from ?? CONTROLLER_PODS[ingress.controller as keyof typeof CONTROLLER_PODS];
  new k8s.networking.v1.NetworkPolicy(
    objectName(scope),
    {
      metadata: metadata(scope, undefined, "server"),
      spec: {
        podSelector: { matchLabels: server },
        policyTypes: ["Ingress"],
        ingress: [
          // Namespace and pod selector in one peer: both must match.
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": source.namespace } },
                ...(source.podLabels ? { podSelector: { matchLabels: source.podLabels } } : {}),
              },
            ],
            ports: tcp(HTTP_PORT),
          },
          // Metrics scrapers in this namespace. Probes come from the kubelet, which NetworkPolicy does not filter.
          { from: [{ podSelector: {} }], ports: tcp(MANAGEMENT_PORT) },
          // Clustering between Keycloak pods.
          { from: [{ podSelector: { matchLabels: server } }], ports: tcp(...CLUSTER_PORTS) },
        ],
      },
    },
    k8sOptions(scope),
  );
  if (bundledDatabase) declareDatabasePolicy(scope);
}

/** PostgreSQL serves Keycloak and the backup job, nobody else. */
function declareDatabasePolicy(scope: ClusterScope): void {
  new k8s.networking.v1.NetworkPolicy(
    objectName(scope, "postgres"),
    {
      metadata: metadata(scope, "postgres", "database"),
      spec: {
        podSelector: { matchLabels: labels(scope, "database") },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: { matchLabels: labels(scope, "server") } }, { podSelector: { matchLabels: labels(scope, "backup") } }], ports: tcp(POSTGRES_PORT) }],
      },
    },
    k8sOptions(scope),
  );
}
