// The kubernetes platform's resource graph under Pulumi mocks: the default shape (Traefik,
// bundled PostgreSQL, two replicas) with a restricted realm and S3 backups.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { connectKeycloak, type KeycloakConnection } from "../../src/platform";
import { PUBLIC_PATHS } from "../../src/platform/kubernetes/routes";
import { finder, kubernetesConfig, recordCustomTimeouts, S3_SECRET, seconds } from "./fixtures";
import { allRegistered, generated, recordRegistrations, strings, valueOf, type Registration } from "./mocks";

const sent: Registration[] = recordRegistrations();
const timeouts = recordCustomTimeouts();
const config = kubernetesConfig();

const SECRETS = [generated("keycloak-admin-password"), generated("keycloak-admin-client-secret"), generated("keycloak-database-password"), S3_SECRET];
const { ofType, one } = finder(sent);
const deployment = () => one("kubernetes:apps/v1:Deployment", "keycloak");
const container = () => deployment().inputs.spec.template.spec.containers[0];
const env = (name: string) => container().env.find((e: { name: string }) => e.name === name);
const ingressRoute = (name: string) => one("kubernetes:traefik.io/v1alpha1:IngressRoute", name).inputs.spec.routes[0];
const timeoutSeconds = (type: string, name: string, operation: "create" | "update") => seconds(timeouts.get(`${type}::${name}`)?.[operation]);
const serverLabels = { "app.kubernetes.io/name": "keycloak", "app.kubernetes.io/instance": "keycloak", "app.kubernetes.io/component": "server" };

let keycloak: KeycloakConnection;
beforeAll(async () => {
  keycloak = connectKeycloak(config);
  await valueOf(keycloak.adminPassword!);
  await allRegistered(sent);
});

describe("KeycloakCluster", () => {
  it("declares every object of the platform, each through the stack's explicit Kubernetes provider", () => {
    expect(one("keycloak-fleet:platform:KeycloakCluster", "keycloak")).toBeDefined();
    expect(one("pulumi:providers:kubernetes", "keycloak").inputs).toMatchObject({ context: "prod-eu" });
    expect(one("pulumi:providers:kubernetes", "keycloak").inputs.renderYamlToDirectory).toBeUndefined();
    const objects = sent.filter((r) => r.type.startsWith("kubernetes:"));
    expect(objects.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        "kubernetes:core/v1:Namespace keycloak",
        "kubernetes:core/v1:Secret keycloak-admin",
        "kubernetes:core/v1:Secret keycloak-database",
        "kubernetes:core/v1:Service keycloak-postgres",
        "kubernetes:apps/v1:StatefulSet keycloak-postgres",
        "kubernetes:apps/v1:Deployment keycloak",
        "kubernetes:core/v1:Service keycloak-http",
        "kubernetes:core/v1:Service keycloak-management",
        "kubernetes:policy/v1:PodDisruptionBudget keycloak",
        "kubernetes:traefik.io/v1alpha1:IngressRoute keycloak-public",
        "kubernetes:traefik.io/v1alpha1:IngressRoute keycloak-realm-fixture",
        "kubernetes:traefik.io/v1alpha1:Middleware keycloak-realm-fixture-allowlist",
        "kubernetes:traefik.io/v1alpha1:IngressRoute keycloak-admin",
        "kubernetes:traefik.io/v1alpha1:Middleware keycloak-admin-allowlist",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy keycloak",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy keycloak-postgres",
        "kubernetes:core/v1:Secret keycloak-backup-s3",
        "kubernetes:batch/v1:CronJob keycloak-backup",
      ].sort(),
    );
    for (const object of objects) expect(object.provider).toContain("pulumi:providers:kubernetes::keycloak::");
    for (const object of objects.filter((r) => r.type !== "kubernetes:core/v1:Namespace")) expect(object.inputs.metadata.namespace).toBe("keycloak");
    const passwords = ofType("random:index/randomPassword:RandomPassword");
    expect(passwords.map((r) => r.name).sort()).toEqual(["keycloak-admin-client-secret", "keycloak-admin-password", "keycloak-database-password"]);
    for (const password of passwords) expect(password.inputs).toMatchObject({ length: 32, special: false });
  });

  it("keeps every generated or configured secret out of all inputs except secret Secret data and the admin provider's secret", () => {
    const leaks = sent.flatMap((r) =>
      strings(r.inputs)
        .filter(({ value }) => SECRETS.some((secret) => value.includes(secret)))
        .filter(({ path: p }) => !r.secretPaths.some((secretPath) => p === secretPath || p.startsWith(`${secretPath}.`)))
        .map(({ path: p }) => `${r.type} ${r.name} ${p}`),
    );
    expect(leaks).toEqual([]);
    const holders = sent.filter((r) => strings(r.inputs).some(({ value }) => SECRETS.includes(value))).map((r) => `${r.type} ${r.name}`);
    expect(holders.sort()).toEqual(
      [
        "kubernetes:core/v1:Secret keycloak-admin",
        "kubernetes:core/v1:Secret keycloak-database",
        "kubernetes:core/v1:Secret keycloak-backup-s3",
        "pulumi:providers:keycloak keycloak",
      ].sort(),
    );
    expect(one("kubernetes:core/v1:Secret", "keycloak-admin")).toMatchObject({
      secretInputs: ["stringData"],
      inputs: { stringData: { username: "admin", password: SECRETS[0], "client-id": "keycloak-fleet", "client-secret": SECRETS[1] } },
    });
    expect(one("kubernetes:core/v1:Secret", "keycloak-database").inputs.stringData).toEqual({ username: "keycloak", password: SECRETS[2] });
  });

  it("protects the namespace, the admin Secret and the database's StatefulSet, whose volume is retained", () => {
    expect(one("kubernetes:core/v1:Namespace", "keycloak").options.protect).toBe(true);
    const admin = one("kubernetes:core/v1:Secret", "keycloak-admin").options;
    expect(admin.protect).toBe(true);
    expect(admin.additionalSecretOutputs).toEqual(expect.arrayContaining(["data", "stringData"]));
    const postgres = one("kubernetes:apps/v1:StatefulSet", "keycloak-postgres");
    expect(postgres.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(postgres.inputs.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    expect(deployment().options.protect).toBe(false);
  });

  it("runs a pinned PostgreSQL with its password from the database Secret, behind a headless Service", () => {
    const postgres = one("kubernetes:apps/v1:StatefulSet", "keycloak-postgres").inputs.spec;
    expect(postgres.replicas).toBe(1);
    expect(postgres.serviceName).toBe("keycloak-postgres");
    expect(postgres.template.spec.containers[0].image).toBe("postgres:16.4");
    expect(postgres.template.spec.containers[0].env).toContainEqual({ name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "keycloak-database", key: "password" } } });
    // Ready means accepting TCP connections, as Keycloak makes them: initdb's temporary server listens on the socket only.
    expect(postgres.template.spec.containers[0].readinessProbe.exec.command).toEqual(["pg_isready", "-h", "127.0.0.1", "-U", "keycloak", "-d", "keycloak"]);
    expect(postgres.volumeClaimTemplates).toEqual([{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } }]);
    expect(one("kubernetes:core/v1:Service", "keycloak-postgres").inputs.spec).toMatchObject({ clusterIP: "None", ports: [{ port: 5432 }] });
  });

  it("starts Keycloak in production mode, clustered through the database, with bootstrap credentials by Secret reference", () => {
    expect(container()).toMatchObject({ image: "quay.io/keycloak/keycloak:26.7.3", args: ["start"] });
    const plain = Object.fromEntries(container().env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(plain).toEqual({
      KC_DB: "postgres",
      KC_DB_URL: "jdbc:postgresql://keycloak-postgres:5432/keycloak",
      KC_HOSTNAME: "https://id.example.com",
      KC_HOSTNAME_ADMIN: "https://id-admin.example.com",
      KC_PROXY_HEADERS: "xforwarded",
      KC_HTTP_ENABLED: "true",
      KC_HEALTH_ENABLED: "true",
      KC_METRICS_ENABLED: "true",
      KC_CACHE: "ispn",
      KC_CACHE_STACK: "jdbc-ping",
      KC_SHUTDOWN_DELAY: "15s",
      KC_SHUTDOWN_TIMEOUT: "10s",
    });
    for (const [variable, key] of [["USERNAME", "username"], ["PASSWORD", "password"], ["CLIENT_ID", "client-id"], ["CLIENT_SECRET", "client-secret"]])
      expect(env(`KC_BOOTSTRAP_ADMIN_${variable}`)).toEqual({ name: `KC_BOOTSTRAP_ADMIN_${variable}`, valueFrom: { secretKeyRef: { name: "keycloak-admin", key } } });
    expect(env("KC_DB_PASSWORD").valueFrom.secretKeyRef).toEqual({ name: "keycloak-database", key: "password" });
    expect(deployment().options.dependencies).toContain("urn:pulumi:unit::keycloak-fleet::keycloak-fleet:platform:KeycloakCluster$kubernetes:apps/v1:StatefulSet::keycloak-postgres");
  });

  it("probes health on the management port, which only an internal Service exposes", () => {
    const ports = Object.fromEntries(container().ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    expect(ports).toEqual({ http: 8080, management: 9000, jgroups: 7800, "jgroups-fd": 57800 });
    expect(container().startupProbe.httpGet).toEqual({ path: "/health/started", port: "management" });
    expect(container().readinessProbe.httpGet).toEqual({ path: "/health/ready", port: "management" });
    expect(container().livenessProbe.httpGet).toEqual({ path: "/health/live", port: "management" });
    expect(one("kubernetes:core/v1:Service", "keycloak-http").inputs.spec).toMatchObject({ type: "ClusterIP", ports: [{ port: 8080, targetPort: "http" }], selector: serverLabels });
    expect(one("kubernetes:core/v1:Service", "keycloak-management").inputs.spec).toMatchObject({ type: "ClusterIP", ports: [{ port: 9000, targetPort: "management" }] });
    const backends = ofType("kubernetes:traefik.io/v1alpha1:IngressRoute").flatMap((r) => r.inputs.spec.routes[0].services);
    expect(backends.every((s: { name: string; port: number }) => s.name === "keycloak-http" && s.port === 8080)).toBe(true);
  });

  it("rolls out two replicas one at a time, with a budget that lets evictions take one pod at a time", () => {
    const spec = deployment().inputs.spec;
    expect(spec.replicas).toBe(2);
    expect(spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(spec.template.metadata.labels).toEqual(serverLabels);
    expect(container().resources).toEqual({ requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } });
    expect(one("kubernetes:policy/v1:PodDisruptionBudget", "keycloak").inputs.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: serverLabels } });
  });

  it("serves only the realm paths on the public host: no admin console, metrics or health", () => {
    const route = ingressRoute("keycloak-public");
    expect(route.middlewares).toBeUndefined();
    expect(route.match).toMatch(/^Host\(`id\.example\.com`\) && \(/);
    const paths = [...route.match.matchAll(/Path(?:Prefix)?\(`([^`]*)`\)/g)].map((m) => m[1]);
    expect(paths).toEqual(PUBLIC_PATHS.flatMap((p) => [p, `${p}/`]));
    expect(PUBLIC_PATHS).toEqual(["/realms", "/resources", "/js", "/.well-known"]);
    for (const forbidden of ["/admin", "/metrics", "/health", "`/`"]) expect(route.match).not.toContain(forbidden);
  });

  it("serves everything on the admin host to the admin allowlist only", () => {
    const route = ingressRoute("keycloak-admin");
    expect(route.match).toBe("Host(`id-admin.example.com`) && (PathPrefix(`/`))");
    expect(route.middlewares).toEqual([{ name: "keycloak-admin-allowlist" }]);
    expect(one("kubernetes:traefik.io/v1alpha1:Middleware", "keycloak-admin-allowlist").inputs.spec).toEqual({
      ipAllowList: { sourceRange: ["10.20.0.0/16", "2001:db8:20::/48"] },
    });
    expect(one("kubernetes:traefik.io/v1alpha1:IngressRoute", "keycloak-admin").inputs.spec).toMatchObject({ entryPoints: ["websecure"], tls: {} });
  });

  it("restricts an allowlisted realm on the public host with a route that outranks the public one", () => {
    const route = ingressRoute("keycloak-realm-fixture");
    expect(route.match).toBe("Host(`id.example.com`) && (Path(`/realms/fixture`) || PathPrefix(`/realms/fixture/`))");
    expect(route.priority).toBeGreaterThan(ingressRoute("keycloak-public").priority);
    expect(route.middlewares).toEqual([{ name: "keycloak-realm-fixture-allowlist" }]);
    expect(one("kubernetes:traefik.io/v1alpha1:Middleware", "keycloak-realm-fixture-allowlist").inputs.spec.ipAllowList.sourceRange).toEqual(["192.0.2.0/24"]);
  });

  it("admits HTTP only from Traefik, management from the namespace, clustering between Keycloak pods, PostgreSQL from Keycloak and backups", () => {
    const keycloakPolicy = one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "keycloak").inputs.spec;
    expect(keycloakPolicy).toEqual({
      podSelector: { matchLabels: serverLabels },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } }],
          ports: [{ protocol: "TCP", port: 8080 }],
        },
        { from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 9000 }] },
        { from: [{ podSelector: { matchLabels: serverLabels } }], ports: [{ protocol: "TCP", port: 7800 }, { protocol: "TCP", port: 57800 }] },
      ],
    });
    const databaseLabels = one("kubernetes:apps/v1:StatefulSet", "keycloak-postgres").inputs.spec.template.metadata.labels;
    const backupLabels = one("kubernetes:batch/v1:CronJob", "keycloak-backup").inputs.spec.jobTemplate.spec.template.metadata.labels;
    expect(one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "keycloak-postgres").inputs.spec).toEqual({
      podSelector: { matchLabels: databaseLabels },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: serverLabels } }, { podSelector: { matchLabels: backupLabels } }], ports: [{ protocol: "TCP", port: 5432 }] }],
    });
  });

  it("dumps the database to S3 on the schedule, with the keys by Secret reference", () => {
    const job = one("kubernetes:batch/v1:CronJob", "keycloak-backup").inputs.spec;
    expect(job).toMatchObject({ schedule: "0 3 * * *", concurrencyPolicy: "Forbid" });
    const pod = job.jobTemplate.spec.template.spec;
    expect(pod.initContainers[0]).toMatchObject({ image: "postgres:16.4", command: ["pg_dump", "--format=custom", "--file=/dump/keycloak.dump"] });
    expect(pod.initContainers[0].env).toContainEqual({ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "keycloak-database", key: "password" } } });
    expect(pod.containers[0].image).toMatch(/^amazon\/aws-cli:\d+\.\d+\.\d+$/);
    expect(pod.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: "BUCKET", value: "kc-backups" },
        { name: "ENDPOINT", value: "https://s3.example.com" },
        { name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "keycloak-backup-s3", key: "secret-access-key" } } },
      ]),
    );
    expect(one("kubernetes:core/v1:Secret", "keycloak-backup-s3").secretInputs).toEqual(["stringData"]);
  });

  it("waits for Keycloak's pods as long as their probes and a bootstrap allow, one replica after another when rolling", () => {
    const { startupProbe, readinessProbe } = container();
    const startupWindow = startupProbe.periodSeconds * startupProbe.failureThreshold;
    const create = timeoutSeconds("kubernetes:apps/v1:Deployment", "keycloak", "create");
    // The startup window, then as long again for the bootstrap that runs with /health/ready DOWN, plus a pod's start.
    expect(create).toBeGreaterThanOrEqual(2 * startupWindow + readinessProbe.periodSeconds);
    expect(create).toBeLessThanOrEqual(2 * startupWindow + 300);
    expect(timeoutSeconds("kubernetes:apps/v1:Deployment", "keycloak", "update")).toBe(2 * create);
  });

  it("waits for PostgreSQL's first initdb, and on neither Service: their readiness is the workloads'", () => {
    const readiness = one("kubernetes:apps/v1:StatefulSet", "keycloak-postgres").inputs.spec.template.spec.containers[0].readinessProbe;
    const create = timeoutSeconds("kubernetes:apps/v1:StatefulSet", "keycloak-postgres", "create");
    expect(create).toBeGreaterThan(readiness.periodSeconds);
    expect(create).toBeLessThan(timeoutSeconds("kubernetes:apps/v1:Deployment", "keycloak", "create"));
    expect(timeoutSeconds("kubernetes:apps/v1:StatefulSet", "keycloak-postgres", "update")).toBe(create);
    for (const name of ["keycloak-http", "keycloak-management"])
      expect(one("kubernetes:core/v1:Service", name).inputs.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
    // Headless: the provider never looks for its pods, so there is nothing to skip.
    expect(one("kubernetes:core/v1:Service", "keycloak-postgres").inputs.metadata.annotations).toBeUndefined();
  });

  it("shuts a replaced pod down gracefully: it keeps serving while proxies let go, within the grace period", () => {
    const delay = seconds(env("KC_SHUTDOWN_DELAY").value);
    const timeout = seconds(env("KC_SHUTDOWN_TIMEOUT").value);
    expect(delay).toBeGreaterThanOrEqual(10);
    expect(delay).toBeLessThanOrEqual(15);
    expect(deployment().inputs.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(delay + timeout);
    // Keycloak's delay does the waiting; a preStop sleep on top would only double it.
    expect(container().lifecycle).toBeUndefined();
  });

  it("administers Keycloak at the admin host as the generated automation client, once the cluster is ready", async () => {
    const provider = one("pulumi:providers:keycloak", "keycloak");
    expect(provider.inputs).toMatchObject({ url: "https://id-admin.example.com", realm: "master", clientId: "keycloak-fleet", clientSecret: SECRETS[1] });
    // Provider inputs reach the engine JSON-encoded.
    expect(provider.inputs.initialLogin).toBe("false");
    expect(provider.inputs.username).toBeUndefined();
    expect(provider.inputs.password).toBeUndefined();
    expect(provider.secretInputs).toContain("clientSecret");
    // dependsOn the component reaches the engine as its children, the Deployment included.
    expect(provider.options.dependencies).toContain("urn:pulumi:unit::keycloak-fleet::keycloak-fleet:platform:KeycloakCluster$kubernetes:apps/v1:Deployment::keycloak");
    expect(keycloak.url).toBe("https://id.example.com");
    expect(keycloak.adminUsername).toBe("admin");
    expect(await pulumi.isSecret(keycloak.adminPassword!)).toBe(true);
    expect(await valueOf(keycloak.adminPassword!)).toBe(SECRETS[0]);
  });
});
