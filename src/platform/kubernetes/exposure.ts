import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesPlatform } from "../../config/stack";
import { HTTP_PORT } from "./keycloak";
import { traefikMatch, type Route } from "./routes";
import { k8sOptions, metadata, objectName, type ClusterScope } from "./scope";

type Ingress = KubernetesPlatform["ingress"];
type Gateway = NonNullable<Ingress["gateway"]>;

/**
 * Renders the routes for the stack's ingress controller and returns what they create.
 *
 * Allowlists match the source address the controller sees. Behind a cloud load balancer that
 * is the balancer's or a node's address unless the controller's Service keeps the client's
 * (`externalTrafficPolicy: Local`) or the balancer speaks the PROXY protocol: check that, or
 * every allowlist refuses everyone (or, worse, admits a whole node network).
 *
 * Where an allowlist is a separate object, the route waits for it, so no route is ever served
 * unrestricted while its policy is still being created.
 */
export function declareExposure(scope: ClusterScope, ingress: Ingress, routes: Route[], service: pulumi.Output<string>): pulumi.Resource[] {
  switch (ingress.controller) {
    case "traefik":
      return routes.flatMap((route) => traefikRoute(scope, route, ingress.tlsSecretName, service));
    case "gateway":
      return routes.flatMap((route) => gatewayRoute(scope, route, ingress.gateway!, service));
    case "nginx-legacy":
      return routes.map((route) => nginxIngress(scope, route, ingress.tlsSecretName, service));
  }
}

/** A custom resource of the routing layer, named and labelled like every object of the server. */
function routingObject(
  scope: ClusterScope,
  name: string,
  type: { apiVersion: string; kind: string },
  spec: Record<string, unknown>,
  opts?: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    objectName(scope, name),
    { ...type, metadata: metadata(scope, name, "server"), spec },
    k8sOptions(scope, opts),
  );
}

/** Traefik's own CRDs: an IngressRoute, with an ipAllowList Middleware when restricted. */
function traefikRoute(scope: ClusterScope, route: Route, tlsSecretName: string | undefined, service: pulumi.Output<string>): pulumi.Resource[] {
  const allowlist = route.allowlist && traefikAllowlist(scope, route, route.allowlist);
  const ingressRoute = routingObject(scope, route.name, { apiVersion: "traefik.io/v1alpha1", kind: "IngressRoute" }, {
    // The entry point of Traefik's Helm chart that terminates TLS.
    entryPoints: ["websecure"],
    routes: [
      {
        kind: "Rule",
        match: traefikMatch(route),
        priority: route.priority,
        middlewares: allowlist ? [{ name: allowlist.metadata.name }] : undefined,
        services: [{ name: service, port: HTTP_PORT }],
      },
    ],
    tls: tlsSecretName ? { secretName: tlsSecretName } : {},
  });
  return allowlist ? [allowlist, ingressRoute] : [ingressRoute];
}

function traefikAllowlist(scope: ClusterScope, route: Route, sourceRange: string[]): k8s.apiextensions.CustomResource {
  return routingObject(scope, `${route.name}-allowlist`, { apiVersion: "traefik.io/v1alpha1", kind: "Middleware" }, { ipAllowList: { sourceRange } });
}

/**
 * A Gateway API HTTPRoute. The API has no source-address match, so an allowlist is the
 * gateway implementation's business: Traefik's Middleware as an ExtensionRef filter, or an
 * Envoy Gateway SecurityPolicy attached to the route. The config schema refuses a gateway
 * without one of them rather than serve an admin host that is restricted only on paper.
 */
function gatewayRoute(scope: ClusterScope, route: Route, gateway: Gateway, service: pulumi.Output<string>): pulumi.Resource[] {
  const restricted = route.allowlist !== undefined;
  const middleware = restricted && gateway.allowlistPolicy === "traefik" ? traefikAllowlist(scope, route, route.allowlist!) : undefined;
  const policy = restricted && gateway.allowlistPolicy === "envoy-gateway" ? envoyAllowlist(scope, route, route.allowlist!) : undefined;
  const httpRoute = routingObject(
    scope,
    route.name,
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute" },
    {
      parentRefs: [{ name: gateway.name, namespace: gateway.namespace, sectionName: gateway.sectionName }],
      hostnames: [route.host],
      rules: [
        {
          // Longest prefix wins across routes of a host, so a realm's route beats the public one.
          matches: route.paths.map((value) => ({ path: { type: "PathPrefix", value } })),
          filters: middleware ? [{ type: "ExtensionRef", extensionRef: { group: "traefik.io", kind: "Middleware", name: middleware.metadata.name } }] : undefined,
          backendRefs: [{ name: service, port: HTTP_PORT }],
        },
      ],
    },
    { dependsOn: policy ? [policy] : [] },
  );
  return [middleware, policy, httpRoute].filter((r): r is k8s.apiextensions.CustomResource => r !== undefined);
}

/** Envoy Gateway denies by default and allows the listed client networks; it targets the route by its fixed name. */
function envoyAllowlist(scope: ClusterScope, route: Route, clientCIDRs: string[]): k8s.apiextensions.CustomResource {
  return routingObject(scope, `${route.name}-allowlist`, { apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "SecurityPolicy" }, {
    targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: objectName(scope, route.name) }],
    authorization: { defaultAction: "Deny", rules: [{ action: "Allow", principal: { clientCIDRs } }] },
  });
}

/**
 * Legacy: ingress-nginx is retired (best-effort maintenance ended in March 2026). Kept for
 * clusters that still run it; new stacks should use traefik or gateway. The allowlist is an
 * annotation of the same Ingress, so a route and its restriction arrive together.
 */
function nginxIngress(scope: ClusterScope, route: Route, tlsSecretName: string | undefined, service: pulumi.Output<string>): k8s.networking.v1.Ingress {
  const annotations: Record<string, string> = {
    // Keycloak's cookies and headers outgrow nginx's default 4k buffer ("upstream sent too big header").
    "nginx.ingress.kubernetes.io/proxy-buffer-size": "128k",
    ...(route.allowlist ? { "nginx.ingress.kubernetes.io/whitelist-source-range": route.allowlist.join(",") } : {}),
  };
  return new k8s.networking.v1.Ingress(
    objectName(scope, route.name),
    {
      metadata: metadata(scope, route.name, "server", { annotations }),
      spec: {
        ingressClassName: "nginx",
        tls: [{ hosts: [route.host], secretName: tlsSecretName }],
        rules: [
          {
            host: route.host,
            // Longest prefix wins, so a realm's Ingress beats the public one.
            http: { paths: route.paths.map((path) => ({ path, pathType: "Prefix", backend: { service: { name: service, port: { number: HTTP_PORT } } } })) },
          },
        ],
      },
    },
    k8sOptions(scope),
  );
}
