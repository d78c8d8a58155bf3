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
import { describeResponse, Discovery, request, type ApiResponse, type Manifest } from "../cluster/kube";
import { declaredObjects, installPermissiveCrds } from "../cluster/manifests";
import { allRegistered, recordRegistrations, valueOf, type Registration } from "../unit/mocks";
import { kubeApiserverBin, startApiServer, type ApiServer } from "./apiserver";

const sent: Registration[] = recordRegistrations();
const declaredManifests = () => declaredObjects(sent);

// --- the API server ---------------------------------------------------------------------------

let server: ApiServer;
let discovery: Discovery;

/** POSTs a manifest to its collection with strict field validation; `dryRun` stores nothing. */
async function submit(manifest: Manifest, { dryRun }: { dryRun: boolean }): Promise<ApiResponse> {
  const collection = await discovery.pathOf(manifest, true);
  return request(server, "POST", `${collection}?fieldValidation=Strict${dryRun ? "&dryRun=All" : ""}`, manifest);
}

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

beforeAll(async () => {
  const started = Date.now();
  server = await startApiServer();
  discovery = new Discovery(server);
  console.log(`e2e: kube-apiserver ${kubeApiserverBin} ready at ${server.url} in ${Math.round((Date.now() - started) / 1000)}s`);
  await installPermissiveCrds(server);
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
