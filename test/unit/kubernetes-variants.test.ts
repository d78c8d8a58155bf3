// The kubernetes platform's other shapes, under Pulumi mocks: Gateway API with each allowlist
// policy, legacy nginx, one replica, an external database, a mirrored PostgreSQL image, volume
// backups, render mode.
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { StackConfig } from "../../src/config/stack";
import { PUBLIC_PATHS } from "../../src/platform/kubernetes/routes";
import { DB_SECRET, deployCluster, finder, recordCustomTimeouts, seconds } from "./fixtures";
import { recordRegistrations, strings, valueOf, type Registration } from "./mocks";

const sent: Registration[] = recordRegistrations();
const timeouts = recordCustomTimeouts();
beforeEach(() => {
  sent.length = 0;
});

const deploy = (section: Record<string, unknown>) => deployCluster(sent, section);
const { ofType, one } = finder(sent);
const names = (type: string) => ofType(type).map((r) => r.name).sort();
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const SECURITY_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const gateway = (allowlistPolicy: string) => ({
  controller: "gateway",
  from: { namespace: "envoy-gateway-system" },
  gateway: { name: "public", namespace: "gateways", sectionName: "https", allowlistPolicy },
});

describe("KeycloakCluster on the Gateway API", () => {
  it("attaches HTTPRoutes to the Gateway; the public one matches only the realm paths", async () => {
    await deploy({ ingress: gateway("envoy-gateway"), realmAllowlists: { fixture: ["192.0.2.0/24"] } });
    expect(names(HTTP_ROUTE)).toEqual(["keycloak-admin", "keycloak-public", "keycloak-realm-fixture"]);
    const route = one(HTTP_ROUTE, "keycloak-public").inputs.spec;
    expect(route.parentRefs).toEqual([{ name: "public", namespace: "gateways", sectionName: "https" }]);
    expect(route.hostnames).toEqual(["id.example.com"]);
    expect(route.rules).toEqual([
      { matches: PUBLIC_PATHS.map((value) => ({ path: { type: "PathPrefix", value } })), backendRefs: [{ name: "keycloak-http", port: 8080 }] },
    ]);
    expect(one(HTTP_ROUTE, "keycloak-admin").inputs.spec.rules[0].matches).toEqual([{ path: { type: "PathPrefix", value: "/" } }]);
    expect(one(HTTP_ROUTE, "keycloak-realm-fixture").inputs.spec.rules[0].matches).toEqual([{ path: { type: "PathPrefix", value: "/realms/fixture" } }]);
  });

  it("enforces allowlists with Envoy Gateway SecurityPolicies, created before the routes they guard", async () => {
    await deploy({ ingress: gateway("envoy-gateway"), realmAllowlists: { fixture: ["192.0.2.0/24"] } });
    expect(names(SECURITY_POLICY)).toEqual(["keycloak-admin-allowlist", "keycloak-realm-fixture-allowlist"]);
    expect(one(SECURITY_POLICY, "keycloak-admin-allowlist").inputs.spec).toEqual({
      targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "keycloak-admin" }],
      authorization: { defaultAction: "Deny", rules: [{ action: "Allow", principal: { clientCIDRs: ["10.20.0.0/16"] } }] },
    });
    const policyUrn = (name: string) => `urn:pulumi:unit::keycloak-fleet::keycloak-fleet:platform:KeycloakCluster$${SECURITY_POLICY}::${name}`;
    expect(one(HTTP_ROUTE, "keycloak-admin").options.dependencies).toContain(policyUrn("keycloak-admin-allowlist"));
    expect(one(HTTP_ROUTE, "keycloak-realm-fixture").options.dependencies).toContain(policyUrn("keycloak-realm-fixture-allowlist"));
    expect(one(HTTP_ROUTE, "keycloak-public").options.dependencies.filter((urn) => urn.includes("SecurityPolicy"))).toEqual([]);
  });

  it("enforces allowlists with Traefik Middlewares as ExtensionRef filters", async () => {
    await deploy({ ingress: gateway("traefik") });
    expect(ofType(SECURITY_POLICY)).toEqual([]);
    expect(one(HTTP_ROUTE, "keycloak-admin").inputs.spec.rules[0].filters).toEqual([
      { type: "ExtensionRef", extensionRef: { group: "traefik.io", kind: "Middleware", name: "keycloak-admin-allowlist" } },
    ]);
    expect(one("kubernetes:traefik.io/v1alpha1:Middleware", "keycloak-admin-allowlist").inputs.spec).toEqual({ ipAllowList: { sourceRange: ["10.20.0.0/16"] } });
    expect(one(HTTP_ROUTE, "keycloak-public").inputs.spec.rules[0].filters).toBeUndefined();
  });

  it("admits HTTP from the gateway's proxy namespace", async () => {
    await deploy({ ingress: gateway("envoy-gateway") });
    expect(one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "keycloak").inputs.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } } },
    ]);
  });
});

describe("KeycloakCluster on legacy ingress-nginx", () => {
  it("restricts the admin and realm Ingresses with the whitelist annotation and leaves the public one open", async () => {
    await deploy({ ingress: { controller: "nginx-legacy", tlsSecretName: "id-tls" }, adminAllowlist: ["10.20.0.0/16", "2001:db8::/32"], realmAllowlists: { fixture: ["192.0.2.0/24"] } });
    expect(names(INGRESS)).toEqual(["keycloak-admin", "keycloak-public", "keycloak-realm-fixture"]);
    const annotation = (name: string) => one(INGRESS, name).inputs.metadata.annotations["nginx.ingress.kubernetes.io/whitelist-source-range"];
    expect(annotation("keycloak-admin")).toBe("10.20.0.0/16,2001:db8::/32");
    expect(annotation("keycloak-realm-fixture")).toBe("192.0.2.0/24");
    expect(annotation("keycloak-public")).toBeUndefined();
    const publicSpec = one(INGRESS, "keycloak-public").inputs.spec;
    expect(publicSpec.tls).toEqual([{ hosts: ["id.example.com"], secretName: "id-tls" }]);
    expect(publicSpec.rules[0].http.paths.map((p: { path: string; pathType: string }) => [p.path, p.pathType])).toEqual(PUBLIC_PATHS.map((p) => [p, "Prefix"]));
    expect(one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "keycloak").inputs.spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
      "kubernetes.io/metadata.name": "ingress-nginx",
    });
  });
});

describe("KeycloakCluster's other shapes", () => {
  it("runs a single replica without a disruption budget (one would block every node drain)", async () => {
    await deploy({ replicas: 1 });
    expect(one("kubernetes:apps/v1:Deployment", "keycloak").inputs.spec.replicas).toBe(1);
    expect(ofType("kubernetes:policy/v1:PodDisruptionBudget")).toEqual([]);
    // Nothing to roll one after another: an update waits as long as a creation.
    const { create, update } = timeouts.get("kubernetes:apps/v1:Deployment::keycloak")!;
    expect(seconds(update)).toBe(seconds(create));
  });

  it("waits for a rolling update of every replica in turn", async () => {
    await deploy({ replicas: 3 });
    const { create, update } = timeouts.get("kubernetes:apps/v1:Deployment::keycloak")!;
    expect(seconds(update)).toBe(3 * seconds(create));
  });

  it("runs a mirrored PostgreSQL image for the database and its backups alike", async () => {
    const image = "localhost/keycloak-fleet/postgres:15";
    await deploy({ database: { type: "bundled", image }, backup: { schedule: "30 2 * * 0", target: { type: "volume" } } });
    expect(one("kubernetes:apps/v1:StatefulSet", "keycloak-postgres").inputs.spec.template.spec.containers[0].image).toBe(image);
    expect(one("kubernetes:batch/v1:CronJob", "keycloak-backup").inputs.spec.jobTemplate.spec.template.spec.containers[0].image).toBe(image);
    // No pull policy: with a pinned tag Kubernetes' default is IfNotPresent, which uses an imported image.
    expect(one("kubernetes:apps/v1:StatefulSet", "keycloak-postgres").inputs.spec.template.spec.containers[0].imagePullPolicy).toBeUndefined();
  });

  it("refuses an unpinned PostgreSQL image, and one for an external database", () => {
    const parse = (database: Record<string, unknown>) =>
      StackConfig.safeParse({
        platform: "kubernetes",
        realms: ["realms/valid.yaml"],
        kubernetes: { hostname: "id.example.com", adminHostname: "id-admin.example.com", adminAllowlist: ["10.20.0.0/16"], database },
      });
    const latest = parse({ type: "bundled", image: "postgres:latest" });
    expect(latest.error?.issues).toEqual([
      expect.objectContaining({ path: ["kubernetes", "database", "image"], message: 'expected an image pinned to a version tag or digest such as "postgres:16.4", got "postgres:latest"' }),
    ]);
    expect(parse({ type: "bundled", image: "postgres" }).success).toBe(false);
    expect(parse({ type: "external", url: "jdbc:postgresql://db.example.com:5432/keycloak", username: "kc", image: "postgres:16.4" }).success).toBe(false);
    expect(parse({ type: "bundled" }).data?.kubernetes?.database).toEqual({ type: "bundled", storageSize: "10Gi", image: "postgres:16.4" });
  });

  it("uses an external database from config: no StatefulSet, its password only in the secret Secret", async () => {
    await deploy({ database: { type: "external", url: "jdbc:postgresql://db.example.com:5432/keycloak", username: "kc" } });
    expect(ofType("kubernetes:apps/v1:StatefulSet")).toEqual([]);
    expect(sent.find((r) => r.name === "keycloak-postgres")).toBeUndefined();
    expect(names("random:index/randomPassword:RandomPassword")).toEqual(["keycloak-admin-client-secret", "keycloak-admin-password"]);
    const env = one("kubernetes:apps/v1:Deployment", "keycloak").inputs.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "KC_DB_URL", value: "jdbc:postgresql://db.example.com:5432/keycloak" });
    const secret = one("kubernetes:core/v1:Secret", "keycloak-database");
    expect(secret).toMatchObject({ secretInputs: ["stringData"], inputs: { stringData: { username: "kc", password: DB_SECRET } } });
    const holders = sent.filter((r) => strings(r.inputs).some(({ value }) => value.includes(DB_SECRET))).map((r) => r.name);
    expect(holders).toEqual(["keycloak-database"]);
  });

  it("keeps volume backups on a protected claim and prunes old dumps", async () => {
    await deploy({ backup: { schedule: "30 2 * * 0", target: { type: "volume", size: "50Gi", retainDays: 30 } } });
    const claim = one("kubernetes:core/v1:PersistentVolumeClaim", "keycloak-backup");
    expect(claim.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(claim.inputs.spec.resources).toEqual({ requests: { storage: "50Gi" } });
    const pod = one("kubernetes:batch/v1:CronJob", "keycloak-backup").inputs.spec.jobTemplate.spec.template.spec;
    expect(pod.volumes).toEqual([{ name: "backup", persistentVolumeClaim: { claimName: "keycloak-backup" } }]);
    expect(pod.containers[0].command[2]).toContain("pg_dump --format=custom");
    expect(pod.containers[0].command[2]).toContain("-mtime +30 -delete");
  });

  it("renders manifests to a directory instead of applying them when renderDirectory is set, whatever the context", async () => {
    await deploy({ renderDirectory: "out/manifests", context: "prod-eu" });
    const provider = one("pulumi:providers:kubernetes", "keycloak").inputs;
    expect(provider).toMatchObject({ renderYamlToDirectory: "out/manifests" });
    // The provider refuses a context next to a render directory; rendering contacts no cluster.
    expect(provider.context).toBeUndefined();
  });

  it("exposes its URLs and credentials, the secrets as Pulumi secrets, and resolves ready", async () => {
    const cluster = await deploy({});
    expect([cluster.publicUrl, cluster.adminUrl, cluster.adminUsername, cluster.adminClientId]).toEqual([
      "https://id.example.com",
      "https://id-admin.example.com",
      "admin",
      "keycloak-fleet",
    ]);
    expect(await pulumi.isSecret(cluster.adminPassword)).toBe(true);
    expect(await pulumi.isSecret(cluster.adminClientSecret)).toBe(true);
    expect(await valueOf(cluster.ready)).toBe(true);
  });
});
