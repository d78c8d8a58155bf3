// The Kubernetes objects a KeycloakCluster declares, as manifests an API server takes. The
// Pulumi Kubernetes provider plugin cannot be built on these machines (its Go module is not
// served), so tests build the component under Pulumi mocks and send what it registered. The
// only thing done to a registration is what the provider itself does with it: the type token
// becomes apiVersion and kind, and an object without a name gets `<resource name>-<suffix>`.
import type { Registration } from "../unit/mocks";
import { describeResponse, request, type KubeApi, type Manifest } from "./kube";

/** `kubernetes:apps/v1:Deployment` -> apps/v1 Deployment; `kubernetes:core/v1:Secret` -> v1 Secret. */
export function manifestOf(registration: Registration): Manifest {
  const [, groupVersion, kind] = registration.type.split(":");
  const apiVersion = groupVersion.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion;
  const { apiVersion: declaredApiVersion, kind: declaredKind, ...rest } = registration.inputs;
  // Typed resources and CustomResource both send apiVersion and kind; they must agree with the type.
  if ((declaredApiVersion ?? apiVersion) !== apiVersion || (declaredKind ?? kind) !== kind)
    throw new Error(`${registration.type} ${registration.name} declares ${declaredApiVersion} ${declaredKind}`);
  const metadata = rest.metadata ?? {};
  // Without metadata.name the provider would auto-name the object `<resource name>-<random>`.
  return { apiVersion, kind, ...rest, metadata: { ...metadata, name: metadata.name ?? `${registration.name}-e2e0001` } };
}

export interface DeclaredObject {
  /** `<type token> <resource name>`, for messages. */
  id: string;
  manifest: Manifest;
  registration: Registration;
}

/** Every Kubernetes object among the registrations (the provider itself is not one). */
export function declaredObjects(sent: Registration[]): DeclaredObject[] {
  return sent
    .filter((r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes")
    .map((registration) => ({ id: `${registration.type} ${registration.name}`, manifest: manifestOf(registration), registration }));
}

/** The custom kinds the platform's routes use (Traefik, Gateway API, Envoy Gateway). */
const CUSTOM_KINDS = [
  { group: "traefik.io", version: "v1alpha1", kind: "IngressRoute", plural: "ingressroutes" },
  { group: "traefik.io", version: "v1alpha1", kind: "Middleware", plural: "middlewares" },
  { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute", plural: "httproutes" },
  { group: "gateway.envoyproxy.io", version: "v1alpha1", kind: "SecurityPolicy", plural: "securitypolicies" },
];

/**
 * CRDs for those kinds whose `spec` is any object and everything else strict, so their objects
 * can be stored until a controller of their own is installed; resolves once discovery serves them.
 */
export async function installPermissiveCrds(api: KubeApi): Promise<void> {
  for (const { group, version, kind, plural } of CUSTOM_KINDS) {
    const name = `${plural}.${group}`;
    const created = await request(api, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions?fieldValidation=Strict", {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      // *.k8s.io groups are protected; the Gateway API's own CRDs carry this approval.
      metadata: { name, annotations: group.endsWith(".k8s.io") ? { "api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/2466" } : {} },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
        versions: [
          {
            name: version,
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } } },
          },
        ],
      },
    });
    if (created.status !== 201) throw new Error(`CRD ${name}: ${describeResponse(created)}`);
  }
  const deadline = Date.now() + 60_000;
  for (const { group, version, kind, plural } of CUSTOM_KINDS) {
    for (;;) {
      const { body } = await request(api, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${plural}.${group}`);
      const established = body?.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Established" && c.status === "True");
      const discovery = established ? await request(api, "GET", `/apis/${group}/${version}`) : undefined;
      if (discovery?.status === 200 && discovery.body.resources.some((r: { kind: string }) => r.kind === kind)) break;
      if (Date.now() > deadline) throw new Error(`CRD ${plural}.${group} not served after 60s: ${JSON.stringify(body?.status)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
