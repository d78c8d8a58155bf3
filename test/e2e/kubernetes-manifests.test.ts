// The kubernetes platform's objects against a real Kubernetes API server. The KeycloakCluster is
// built under Pulumi mocks (as in test/unit/kubernetes*.test.ts), every Kubernetes object it
// declares becomes a manifest, and a kube-apiserver on etcd (test/e2e/apiserver.ts) admits each
// one with a server-side dry run and strict field validation: wrong types, unknown fields and
// invalid values all fail. The namespace is created for real (the objects need it to exist).
// CRD kinds (Traefik, Gateway API, Envoy Gateway) get permissive CRDs: their metadata is checked
// strictly, their spec only for being an object.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectKeycloak } from "../../src/platform";
import { deployCluster, kubernetesConfig } from "../unit/fixtures";
import { allRegistered, recordRegistrations, valueOf, type Registration } from "../unit/mocks";
import { kubeApiserverBin, request, startApiServer, type ApiResponse, type ApiServer } from "./apiserver";

const sent: Registration[] = recordRegistrations();

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** `kubernetes:apps/v1:Deployment` -> apps/v1 Deployment; `kubernetes:core/v1:Secret` -> v1 Secret. */
function manifestOf(registration: Registration): Manifest {
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

/** Every Kubernetes object of the last build, as manifests (the provider itself is not one). */
function declaredManifests(): { id: string; manifest: Manifest }[] {
  return sent
    .filter((r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes")
    .map((r) => ({ id: `${r.type} ${r.name}`, manifest: manifestOf(r) }));
}

// --- the API server ---------------------------------------------------------------------------

let server: ApiServer;
const resources = new Map<string, { plural: string; namespaced: boolean }>();

/** Plural and scope of apiVersion/kind, from the server's discovery documents. */
async function resourceOf(apiVersion: string, kind: string): Promise<{ plural: string; namespaced: boolean }> {
  const key = `${apiVersion}/${kind}`;
  if (!resources.has(key)) {
    const { status, body } = await request(server, "GET", apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
    if (status !== 200) throw new Error(`discovery of ${apiVersion}: ${status} ${JSON.stringify(body)}`);
    for (const r of body.resources as { name: string; kind: string; namespaced: boolean }[])
      if (!r.name.includes("/")) resources.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
  }
  const found = resources.get(key);
  if (!found) throw new Error(`the API server does not serve ${apiVersion} ${kind}`);
  return found;
}

/** POSTs a manifest to its collection with strict field validation; `dryRun` stores nothing. */
async function submit(manifest: Manifest, { dryRun }: { dryRun: boolean }): Promise<ApiResponse> {
  const { plural, namespaced } = await resourceOf(manifest.apiVersion, manifest.kind);
  const base = manifest.apiVersion.includes("/") ? `/apis/${manifest.apiVersion}` : `/api/${manifest.apiVersion}`;
  if (namespaced && !manifest.metadata.namespace) throw new Error(`${manifest.kind} ${manifest.metadata.name} has no namespace`);
  const collection = namespaced ? `${base}/namespaces/${manifest.metadata.namespace}/${plural}` : `${base}/${plural}`;
  return request(server, "POST", `${collection}?fieldValidation=Strict${dryRun ? "&dryRun=All" : ""}`, manifest);
}

const describeResponse = ({ status, body }: ApiResponse) => `${status} ${typeof body === "object" && body?.message ? body.message : JSON.stringify(body)}`;

/**
 * Creates the namespace for real, then dry-runs every other object; returns one line per object
 * the server refused (with its message) and logs the server's warnings.
 */
async function admit(objects: { id: string; manifest: Manifest }[]): Promise<string[]> {
  const refusals: string[] = [];
  const ordered = [...objects.filter((o) => o.manifest.kind === "Namespace"), ...objects.filter((o) => o.manifest.kind !== "Namespace")];
  for (const { id, manifest } of ordered) {
    const response = await submit(manifest, { dryRun: manifest.kind !== "Namespace" });
    if (response.status < 200 || response.status > 299) refusals.push(`${id}: ${describeResponse(response)}`);
    for (const warning of response.warnings) console.warn(`kube-apiserver warned about ${id}: ${warning}`);
  }
  if (refusals.length) console.error(`${kubeApiserverBin} refused:\n  ${refusals.join("\n  ")}`);
  return refusals;
}

/** CRDs for the ingress kinds the platform uses: `spec` any object, everything else strict. */
const CUSTOM_KINDS = [
  { group: "traefik.io", version: "v1alpha1", kind: "IngressRoute", plural: "ingressroutes" },
  { group: "traefik.io", version: "v1alpha1", kind: "Middleware", plural: "middlewares" },
  { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute", plural: "httproutes" },
  { group: "gateway.envoyproxy.io", version: "v1alpha1", kind: "SecurityPolicy", plural: "securitypolicies" },
];

async function installPermissiveCrds(): Promise<void> {
  for (const { group, version, kind, plural } of CUSTOM_KINDS) {
    const name = `${plural}.${group}`;
    const created = await request(server, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions?fieldValidation=Strict", {
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
  // Established, and served by discovery.
  const deadline = Date.now() + 60_000;
  for (const { group, version, kind, plural } of CUSTOM_KINDS) {
    for (;;) {
      const { body } = await request(server, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${plural}.${group}`);
      const established = body?.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Established" && c.status === "True");
      const discovery = established ? await request(server, "GET", `/apis/${group}/${version}`) : undefined;
      if (discovery?.status === 200 && discovery.body.resources.some((r: { kind: string }) => r.kind === kind)) break;
      if (Date.now() > deadline) throw new Error(`CRD ${plural}.${group} not served after 60s: ${JSON.stringify(body?.status)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

beforeAll(async () => {
  const started = Date.now();
  server = await startApiServer();
  console.log(`e2e: kube-apiserver ${kubeApiserverBin} ready at ${server.url} in ${Math.round((Date.now() - started) / 1000)}s`);
  await installPermissiveCrds();
});

afterAll(async () => {
  await server?.stop();
});

// --- the platform's shapes --------------------------------------------------------------------

/** The default shape, configured exactly like test/unit/kubernetes.test.ts: Traefik, bundled PostgreSQL, S3 backups. */
async function buildDefault(): Promise<void> {
  sent.length = 0;
  const config = kubernetesConfig();
  const keycloak = connectKeycloak(config);
  await valueOf(keycloak.adminPassword!);
  await allRegistered(sent);
}

/**
 * The other shapes, configured like test/unit/kubernetes-variants.test.ts (minimal fields plus
 * `section`). Each goes to a namespace of its own: the one before is not deleted (without a
 * controller manager a namespace never finishes terminating).
 */
async function buildVariant(section: Record<string, unknown>): Promise<void> {
  sent.length = 0;
  await deployCluster(sent, section);
}

const gateway = (allowlistPolicy: string) => ({
  controller: "gateway",
  from: { namespace: "envoy-gateway-system" },
  gateway: { name: "public", namespace: "gateways", sectionName: "https", allowlistPolicy },
});

const kindsOf = (objects: { manifest: Manifest }[]) => [...new Set(objects.map((o) => `${o.manifest.apiVersion} ${o.manifest.kind}`))].sort();

describe("a real kube-apiserver (dry run, strict field validation)", () => {
  it("really validates: refuses a wrong type, an unknown field and an invalid value, and a dry run stores nothing", async () => {
    const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "e2e-negative" } };
    expect((await submit(namespace, { dryRun: false })).status).toBe(201);
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "probe", namespace: "e2e-negative" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "probe" } },
        template: { metadata: { labels: { app: "probe" } }, spec: { containers: [{ name: "probe", image: "busybox:1.36" }] } },
      },
    };
    const valid = await submit(deployment, { dryRun: true });
    expect(valid.status, describeResponse(valid)).toBe(201);

    const wrongType = await submit({ ...deployment, spec: { ...deployment.spec, replicas: "two" } }, { dryRun: true });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toMatch(/replicas.*int32/);

    const unknownField = await submit({ ...deployment, spec: { ...deployment.spec, replica: 2 } }, { dryRun: true });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toContain('unknown field "spec.replica"');

    const badSelector = await submit({ ...deployment, spec: { ...deployment.spec, selector: { matchLabels: { app: "other" } } } }, { dryRun: true });
    expect(badSelector.status).toBe(422);
    expect(badSelector.body.message).toContain("`selector` does not match template `labels`");

    const crdUnknownTopLevel = await submit(
      { apiVersion: "traefik.io/v1alpha1", kind: "Middleware", metadata: { name: "probe", namespace: "e2e-negative" }, spce: {} },
      { dryRun: true },
    );
    expect(crdUnknownTopLevel.status).toBe(400);
    expect(crdUnknownTopLevel.body.message).toContain('unknown field "spce"');

    const stored = await request(server, "GET", "/apis/apps/v1/namespaces/e2e-negative/deployments");
    expect(stored.body.items).toEqual([]);
  });

  it("admits every object of the default shape (Traefik, bundled PostgreSQL, S3 backups)", async () => {
    await buildDefault();
    const objects = declaredManifests();
    expect(objects.map((o) => o.id)).toHaveLength(18);
    expect(kindsOf(objects)).toEqual(
      [
        "apps/v1 Deployment",
        "apps/v1 StatefulSet",
        "batch/v1 CronJob",
        "networking.k8s.io/v1 NetworkPolicy",
        "policy/v1 PodDisruptionBudget",
        "traefik.io/v1alpha1 IngressRoute",
        "traefik.io/v1alpha1 Middleware",
        "v1 Namespace",
        "v1 Secret",
        "v1 Service",
      ].sort(),
    );
    expect(await admit(objects)).toEqual([]);
  });

  it("admits every object of the Gateway API shape with Envoy Gateway SecurityPolicies", async () => {
    await buildVariant({ namespace: "keycloak-gateway", ingress: gateway("envoy-gateway"), realmAllowlists: { fixture: ["192.0.2.0/24"] } });
    const objects = declaredManifests();
    expect(kindsOf(objects)).toEqual(expect.arrayContaining(["gateway.networking.k8s.io/v1 HTTPRoute", "gateway.envoyproxy.io/v1alpha1 SecurityPolicy"]));
    expect(await admit(objects)).toEqual([]);
  });

  it("admits every object of the Gateway API shape with Traefik Middlewares as filters", async () => {
    await buildVariant({ namespace: "keycloak-gateway-traefik", ingress: gateway("traefik"), realmAllowlists: { fixture: ["192.0.2.0/24"] } });
    const objects = declaredManifests();
    expect(kindsOf(objects)).toEqual(expect.arrayContaining(["gateway.networking.k8s.io/v1 HTTPRoute", "traefik.io/v1alpha1 Middleware"]));
    expect(await admit(objects)).toEqual([]);
  });

  it("admits every object of the legacy ingress-nginx shape, with volume backups", async () => {
    await buildVariant({
      namespace: "keycloak-nginx",
      ingress: { controller: "nginx-legacy", tlsSecretName: "id-tls" },
      adminAllowlist: ["10.20.0.0/16", "2001:db8::/32"],
      realmAllowlists: { fixture: ["192.0.2.0/24"] },
      backup: { schedule: "30 2 * * 0", target: { type: "volume", size: "50Gi", retainDays: 30 } },
    });
    const objects = declaredManifests();
    expect(kindsOf(objects)).toEqual(expect.arrayContaining(["networking.k8s.io/v1 Ingress", "v1 PersistentVolumeClaim", "batch/v1 CronJob"]));
    expect(await admit(objects)).toEqual([]);
  });

  it("admits every object of the single-replica shape on an external database, Ingresses on the controller's default certificate", async () => {
    await buildVariant({
      namespace: "keycloak-external-db",
      replicas: 1,
      ingress: { controller: "nginx-legacy" },
      database: { type: "external", url: "jdbc:postgresql://db.example.com:5432/keycloak", username: "kc" },
    });
    const objects = declaredManifests();
    expect(kindsOf(objects)).not.toContain("apps/v1 StatefulSet");
    expect(await admit(objects)).toEqual([]);
  });
});
