// The cluster tier: what KeycloakCluster declares, running on a real single-node Kubernetes
// (cluster.ts) and checked through Keycloak itself. The Pulumi Kubernetes provider plugin cannot
// be built here (its Go module is not served), so the component is built under Pulumi mocks and
// its objects are sent to the API server with server-side apply, in the provider's order (the
// Deployment after the database it depends on is ready); nothing is transformed beyond what the
// provider does (manifests.ts). The stack config overrides only what this machine forces: the
// images (built locally, no registry), small CPU requests for a 2-core node, and a backup volume
// instead of S3. The realm layer then runs with the real Pulumi engine and the Keycloak plugin,
// on the in-cluster Keycloak, as an external-platform stack with the cluster's automation client.
//
// In front of Keycloak runs Traefik (traefik.ts), the ingress controller the component's routes
// are written for, and the routes are tried from clients with addresses of their own
// (clients.ts): one in the admin allowlist, one in a realm's allowlist, one in neither, each over
// IPv4 and IPv6, through the IngressRoutes and then through the Gateway API variant.
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import { BlockList, isIPv6 } from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import KcAdminClient from "@keycloak/keycloak-admin-client";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFleetConfig } from "../../src/config/load";
import { connectKeycloak } from "../../src/platform";
import { volumeRestoreSteps } from "../../src/platform/kubernetes/backup";
import { exchangeCode, launchBrowser, nextStep, startLogin, type LoginFlow } from "../e2e/browser";
import { claims, createTestStack, repoRealmSpec } from "../e2e/harness";
import { configSource } from "../unit/fixtures";
import { allRegistered, recordRegistrations, valueOf, type Registration } from "../unit/mocks";
import { clientNetwork, createClient, removeClient, requestFrom, type Answer, type Client, type RequestOptions } from "./clients";
import { leftovers, startCluster, type Cluster } from "./cluster";
import { apply, Discovery, get, isReady, pods, request, rolledOut, type Manifest } from "./kube";
import { declaredObjects, type DeclaredObject } from "./manifests";
import { NODE_IP, NODE_IP6 } from "./network";
import { eventually, sleep } from "./process";
import { GATEWAY, INGRESS_IP, INGRESS_IP6, installRoutingCrds, startTraefik, TRAEFIK_NAMESPACE, TRAEFIK_POD_LABELS, type Traefik } from "./traefik";

const execFileAsync = promisify(execFile);

// The random provider generates each secret once and keeps it in state: so do these mocks,
// with the alphabet of RandomPassword({length: 32, special: false}).
const generatedValues = new Map<string, string>();
const randomPassword = () => [...randomBytes(32)].map((b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62]).join("");
const sent: Registration[] = recordRegistrations({
  generate: (name) => generatedValues.get(name) ?? generatedValues.set(name, randomPassword()).get(name)!,
});

const NAMESPACE = "keycloak";
const SERVER = "app.kubernetes.io/component=server";
const PUBLIC_HOST = "id.example.com";
const ADMIN_HOST = "id-admin.example.com";
/** The realm with an allowlist of its own (the schema wants a realm of the stack's specs: realms/valid.yaml), and one without. */
const RESTRICTED_REALM = "fixture";
const OPEN_REALM = "open";
/** The test clients' networks (clients.ts): the operators', the restricted realm's members', anyone else's. */
const NETWORKS = { operator: 1, member: 2, other: 3 };
const OPERATORS = clientNetwork(NETWORKS.operator);
const MEMBERS = clientNetwork(NETWORKS.member);
const ROLLOUT_MS = 20 * 60_000;
const repo = path.resolve(__dirname, "../..");

/** The test stack's `keycloak-fleet:kubernetes` section; `change` is a config change a user would make. */
function section(change: Record<string, unknown> = {}) {
  return {
    namespace: NAMESPACE,
    image: "localhost/keycloak-fleet/keycloak:26.7.3",
    replicas: 2,
    hostname: PUBLIC_HOST,
    adminHostname: ADMIN_HOST,
    // What the route tests try: each list holds an IPv4 and an IPv6 block.
    adminAllowlist: [OPERATORS.ipv4, OPERATORS.ipv6],
    realmAllowlists: { [RESTRICTED_REALM]: [MEMBERS.ipv4, MEMBERS.ipv6] },
    resources: { requests: { cpu: "100m", memory: "768Mi" }, limits: { memory: "1536Mi" } },
    database: { type: "bundled", storageSize: "1Gi", image: "localhost/keycloak-fleet/postgres:15" },
    backup: { schedule: "15 2 * * *", target: { type: "volume", size: "1Gi" } },
    ...change,
  };
}

/** The component's objects for a stack config, as the program builds them (config validation included). */
async function declare(kubernetes: Record<string, unknown>): Promise<DeclaredObject[]> {
  sent.length = 0;
  const config = loadFleetConfig(configSource({ platform: "kubernetes", realms: ["realms/valid.yaml"], kubernetes }, { secretSeed: "cluster-tier" }));
  const keycloak = connectKeycloak(config);
  await valueOf(keycloak.adminPassword!);
  await allRegistered(sent);
  return declaredObjects(sent);
}

let cluster: Cluster;
let discovery: Discovery;
let browser: Browser;
let traefik: Traefik;
/** The clients with addresses of their own, and the node itself (its bridge address). */
let operator: Client;
let member: Client;
let other: Client;
const node: Client = { name: "node", ipv4: NODE_IP, ipv6: NODE_IP6 };
/** What the last deploy() applied: a later one deletes what it no longer declares, as `pulumi up` does. */
let applied: DeclaredObject[] = [];

/**
 * Applies the objects as `pulumi up` would: everything but the Keycloak Deployment, then (the
 * Deployment depends on the database) the StatefulSet's readiness, then the Deployment and its
 * rollout; last, deletes the objects of the previous deploy that are no longer declared (a
 * changed ingress controller's routes). Returns the rolled-out Deployment.
 */
async function deploy(objects: DeclaredObject[]): Promise<any> {
  const isServer = (o: DeclaredObject) => o.manifest.kind === "Deployment";
  const ordered = [...objects.filter((o) => o.manifest.kind === "Namespace"), ...objects.filter((o) => o.manifest.kind !== "Namespace" && !isServer(o))];
  for (const { manifest } of ordered) await apply(cluster.api, discovery, manifest);
  await rolledOut(cluster.api, "statefulsets", NAMESPACE, "keycloak-postgres", ROLLOUT_MS);
  for (const { manifest } of objects.filter(isServer)) await apply(cluster.api, discovery, manifest);
  const deployment = await rolledOut(cluster.api, "deployments", NAMESPACE, "keycloak", ROLLOUT_MS);
  const key = ({ manifest: m }: DeclaredObject) => `${m.apiVersion} ${m.kind} ${m.metadata.namespace ?? ""}/${m.metadata.name}`;
  const declared = new Set(objects.map(key));
  for (const gone of applied.filter((o) => !declared.has(key(o)))) {
    const deleted = await request(cluster.api, "DELETE", await discovery.pathOf(gone.manifest));
    if (deleted.status !== 200 && deleted.status !== 202) throw new Error(`deleting ${key(gone)}: ${deleted.status} ${JSON.stringify(deleted.body)}`);
  }
  applied = objects;
  return deployment;
}

/** http://<ClusterIP>:8080: Keycloak through its Service, as an ingress controller reaches it. */
async function serviceUrl(): Promise<string> {
  const service = await get(cluster.api, `/api/v1/namespaces/${NAMESPACE}/services/keycloak-http`);
  return `http://${service.spec.clusterIP}:${service.spec.ports[0].port}`;
}

const readyServerPods = async () => (await pods(cluster.api, NAMESPACE, SERVER)).filter(isReady);
const podUrl = (pod: any) => `http://${pod.status.podIP}:8080`;

/** The admin Secret's keys, read with the README's own kubectl commands. */
function readmeSecret(key: "password" | "client-secret"): Promise<string> {
  const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8");
  const pattern = key === "password" ? /kubectl -n keycloak get secret keycloak-admin -o go-template='\{\{\.data\.password \| base64decode\}\}'/ : /kubectl -n keycloak get secret keycloak-admin -o go-template='\{\{index \.data "client-secret" \| base64decode\}\}'/;
  const command = pattern.exec(readme)?.[0];
  if (!command) throw new Error(`README.md no longer shows how to read ${key} from the Secret keycloak-admin (${pattern})`);
  return shell(command);
}

/**
 * A documented command, run as a person would: bash, with kubectl on PATH and the cluster's
 * kubeconfig. Asynchronous, so the event loop (and the login probes) keep running meanwhile.
 */
async function shell(command: string): Promise<string> {
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, PATH: `${process.env.KUBERNETES_BIN}:${process.env.PATH}` };
  try {
    return (await execFileAsync("bash", ["-o", "pipefail", "-c", command], { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error: any) {
    throw new Error(`${command} failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}

async function adminAt(baseUrl: string): Promise<KcAdminClient> {
  const kc = new KcAdminClient({ baseUrl, realmName: "master" });
  await kc.auth({ grantType: "client_credentials", clientId: "keycloak-fleet", clientSecret: await readmeSecret("client-secret") });
  return kc;
}

/**
 * Logins during `during`: the automation client's client-credentials grant against the Service,
 * every 250 ms, each on a new connection (as new users arrive). Counts answers other than a
 * token, and no answer within 30 s (a login abandoned); logs the slowest, since a slow answer
 * is a finding too: rollouts here have seen single answers take up to 9 s.
 */
async function probeLogins<T>(during: () => Promise<T>): Promise<{ result: T; ok: number; failures: string[] }> {
  const url = `${await serviceUrl()}/realms/master/protocol/openid-connect/token`;
  const body = new URLSearchParams({ grant_type: "client_credentials", client_id: "keycloak-fleet", client_secret: await readmeSecret("client-secret") }).toString();
  let running = true;
  let ok = 0;
  let slowestMs = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (running) {
      const at = new Date().toISOString();
      const started = Date.now();
      try {
        const { status, text } = await postOnNewConnection(url, body, 30_000);
        slowestMs = Math.max(slowestMs, Date.now() - started);
        if (status === 200 && JSON.parse(text).access_token) ok++;
        else failures.push(`${at}: ${status} ${text.slice(0, 200)}`);
      } catch (error) {
        failures.push(`${at}: ${error instanceof Error ? error.message : error}`);
      }
      await sleep(250);
    }
  })();
  try {
    const result = await during();
    return { result, ok, failures };
  } finally {
    running = false;
    await loop;
    console.log(`cluster: ${ok} logins, ${failures.length} failed, the slowest answered in ${slowestMs} ms`);
  }
}

function postOnNewConnection(url: string, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent: false, timeout: timeoutMs, headers: { "content-type": "application/x-www-form-urlencoded" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

// --- the routes, tried from the clients ----------------------------------------------------------

const INGRESS_ROUTES = "traefik.io/v1alpha1/ingressroutes";
const HTTP_ROUTES = "gateway.networking.k8s.io/v1/httproutes";
/** The component's two ways to route through Traefik; `ingress` is the stack's `ingress` section. */
const ROUTE_VARIANTS = [
  { name: "IngressRoutes with ipAllowList Middlewares (ingress.controller traefik)", ingress: undefined, routes: INGRESS_ROUTES },
  {
    name: "Gateway API HTTPRoutes with the Middlewares as ExtensionRef filters (ingress.controller gateway)",
    ingress: { controller: "gateway", gateway: { ...GATEWAY, allowlistPolicy: "traefik" }, from: { namespace: TRAEFIK_NAMESPACE, podLabels: TRAEFIK_POD_LABELS } },
    routes: HTTP_ROUTES,
  },
];
const FAMILIES = [4, 6] as const;
type Family = (typeof FAMILIES)[number];

/** A request from `client` to the load balancer's address of `family`. */
function call(client: Client, family: Family, url: string, options: Omit<RequestOptions, "connectTo" | "ca"> = {}): Promise<Answer> {
  return requestFrom(client, url, { ...options, connectTo: family === 4 ? INGRESS_IP : INGRESS_IP6, ca: traefik.ca });
}

/** What Traefik itself answered (no route matched; an allowlist refused the client), or else the answer, for the message. */
function traefikAnswer({ status, body }: Answer): string {
  if (status === 404 && body === "404 page not found\n") return "not found";
  if (status === 403 && body === "Forbidden") return "refused";
  return `${status} ${body.slice(0, 200)}`;
}

/** A realm's login page on the public hostname: the account console's authorization request. */
function loginPage(realm: string): string {
  const query = new URLSearchParams({
    client_id: "account-console",
    redirect_uri: `https://${PUBLIC_HOST}/realms/${realm}/account/`,
    response_type: "code",
    scope: "openid",
    code_challenge: "x".repeat(43),
    code_challenge_method: "S256",
  });
  return `https://${PUBLIC_HOST}/realms/${realm}/protocol/openid-connect/auth?${query}`;
}

/** What Keycloak serves but the public hostname must not, whoever asks. */
const NEVER_PUBLIC = ["/admin/", "/admin/master/console/", "/admin/realms", "/admin/realms/master/users", "/metrics", "/health", "/health/ready", "/health/live"];

/**
 * Other spellings of a URL under /realms/<realm>/: ones a proxy and Keycloak could read as
 * different paths (dot segments, doubled slashes, percent-encoding, case, matrix parameters).
 */
function pathTricks(url: string): string[] {
  const { origin, pathname, search } = new URL(url);
  const [, realm, rest] = /^\/realms\/([^/]+)(\/.*)$/.exec(pathname)!;
  const encodedFirst = `%${realm.charCodeAt(0).toString(16)}${realm.slice(1)}`;
  return [
    `/realms/${encodedFirst}${rest}`,
    `/realms/${OPEN_REALM}/../${realm}${rest}`,
    `/realms/${OPEN_REALM}/%2e%2e/${realm}${rest}`,
    `/resources/../realms/${realm}${rest}`,
    `/realms//${realm}${rest}`,
    `//realms/${realm}${rest}`,
    `/realms/${realm};x=1${rest}`,
    `/realms/${realm}%3Bx=1${rest}`,
    `/realms/${realm.toUpperCase()}${rest}`,
  ].map((path) => `${origin}${path}${search}`);
}

/** The admin API's way in through the public hostname, spelled so that a proxy might not see /admin. */
const ADMIN_API_TRICKS = ["/realms/../admin/realms", "/realms/%2e%2e/admin/realms", "/realms/..%2fadmin/realms", "/realms/master/../../admin/realms", "/realms/..;/admin/realms", "//admin/realms", "/resources/../admin/realms"];

/** Names of the route objects of a kind (e.g. INGRESS_ROUTES) in Keycloak's namespace. */
async function routeNames(routes: string): Promise<string[]> {
  const [group, version, plural] = routes.split("/");
  const list = await get(cluster.api, `/apis/${group}/${version}/namespaces/${NAMESPACE}/${plural}`);
  return list.items.map((item: any) => item.metadata.name).sort();
}

/** Waits until Traefik has accepted every HTTPRoute and resolved its references (the Middleware filters included). */
async function httpRoutesAccepted(): Promise<void> {
  await eventually("Traefik accepts every HTTPRoute", 60_000, async () => {
    const list = await get(cluster.api, `/apis/gateway.networking.k8s.io/v1/namespaces/${NAMESPACE}/httproutes`);
    const ok = (route: any) =>
      route.status?.parents?.length > 0 &&
      route.status.parents.every((p: any) => ["Accepted", "ResolvedRefs"].every((type) => p.conditions?.some((c: any) => c.type === type && c.status === "True")));
    const waiting = list.items.filter((route: any) => !ok(route));
    if (waiting.length > 0) throw new Error(waiting.map((r: any) => `${r.metadata.name}: ${JSON.stringify(r.status?.parents ?? [])}`).join("; "));
    return true;
  });
}

/** The realms the route tests use, with login events saved (the source address of each is the point). */
async function createRealms(): Promise<void> {
  const admin = await adminAt(await serviceUrl());
  for (const realm of [RESTRICTED_REALM, OPEN_REALM]) if (!(await admin.realms.findOne({ realm }))) await admin.realms.create({ realm, enabled: true, eventsEnabled: true });
}

/** Whether two spellings name the same address ("fd42:215:2::2" and "fd42:215:2:0:0:0:0:2"). */
function sameAddress(recorded: string, expected: string): boolean {
  const type = isIPv6(expected) ? "ipv6" : "ipv4";
  const list = new BlockList();
  list.addAddress(expected, type);
  try {
    return list.check(recorded, type);
  } catch {
    return false;
  }
}

/** A pod that only sleeps, with the PostgreSQL image (for its bash), labelled as nothing the policies name. */
function probePod(namespace: string): Manifest {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "netpol-probe", namespace, labels: { "app.kubernetes.io/name": "netpol-probe" } },
    spec: {
      containers: [{ name: "probe", image: section().database.image, command: ["sleep", "infinity"], resources: { requests: { cpu: "10m", memory: "16Mi" } } }],
      terminationGracePeriodSeconds: 0,
    },
  };
}

/** Whether a TCP connection from a pod's first container to ip:port opens within 3 s; fails if the pod cannot be asked. */
async function reaches(from: { namespace: string; pod: string }, ip: string, port: number): Promise<boolean> {
  const script = 'if timeout 3 bash -c "</dev/tcp/$0/$1" 2>/dev/null; then echo open; else echo closed; fi';
  const answer = (await cluster.kubectl(["-n", from.namespace, "exec", from.pod, "--", "bash", "-c", script, ip, String(port)])).trim();
  if (answer !== "open" && answer !== "closed") throw new Error(`${from.namespace}/${from.pod} -> ${ip}:${port}: ${answer}`);
  return answer === "open";
}

/**
 * A browser context for https://<PUBLIC_HOST>, which the browser resolves to the load balancer
 * (see its launch flags): Traefik serves it, as it serves everyone. The run's CA is not in
 * Chromium's trust store; the curl clients check the certificate against it.
 */
function publicHostContext(): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true });
}

beforeAll(async () => {
  cluster = await startCluster();
  discovery = new Discovery(cluster.api);
  await installRoutingCrds(cluster.api, discovery);
  operator = createClient("operator", NETWORKS.operator);
  member = createClient("member", NETWORKS.member);
  other = createClient("other", NETWORKS.other);
  browser = await launchBrowser([`--host-resolver-rules=MAP ${PUBLIC_HOST} ${INGRESS_IP}`]);
  // Starting the cluster waits for Traefik's and kube-router's builds when setup.sh's background
  // build has not finished (or makes them): up to 15 minutes on 2 cores from empty caches.
}, 30 * 60_000);

afterAll(async () => {
  await browser?.close();
  for (const client of [operator, member, other]) if (client) removeClient(client);
  // The realm stack needs no destroy: its Keycloak goes with the cluster, its state with the run's work directory.
  if (!cluster) return;
  await cluster.stop();
  expect(leftovers(), "what the cluster left behind").toEqual([]);
});

describe("Keycloak on a real single-node Kubernetes", () => {
  it("runs Keycloak in production mode on the bundled PostgreSQL: 2 replicas, both ready", async () => {
    const started = Date.now();
    // Traefik starts meanwhile: it takes seconds, Keycloak minutes.
    const ingress = (async () => {
      traefik = await startTraefik(cluster.api, discovery, cluster.runDir);
      await traefik.ready;
      console.log(`cluster: Traefik ready in ${Math.round((Date.now() - started) / 1000)}s`);
    })();
    const [deployment] = await Promise.all([deploy(await declare(section())), ingress]);
    console.log(`cluster: Keycloak rolled out (2 replicas) in ${Math.round((Date.now() - started) / 1000)}s`);
    expect(deployment.status.readyReplicas).toBe(2);
    const servers = await readyServerPods();
    expect(servers).toHaveLength(2);
    for (const pod of servers) {
      expect(pod.spec.containers[0].args).toEqual(["start"]);
      const log = await cluster.kubectl(["-n", NAMESPACE, "logs", pod.metadata.name]);
      expect(log).toMatch(/Keycloak 26\.7\.3 on JVM/);
      expect(log).toMatch(/Profile prod activated/);
      // PostgreSQL, not an embedded database: the JDBC URL names the bundled Service.
      expect(log).not.toMatch(/dev-file|H2/i);
    }
    const database = await get(cluster.api, `/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets/keycloak-postgres`);
    expect(database.status.readyReplicas).toBe(1);
  }, ROLLOUT_MS);

  it("forms one Keycloak cluster of the two pods (jdbc-ping): both log a view of 2, and a change through one is seen through the other", async () => {
    const [a, b] = await readyServerPods();
    for (const pod of [a, b]) {
      const log = await cluster.kubectl(["-n", NAMESPACE, "logs", pod.metadata.name]);
      const views = [...log.matchAll(/ISPN000094: Received new cluster view for channel \S+: \[[^\]]*\] \((\d+)\)/g)];
      expect(views.length, `no cluster view in ${pod.metadata.name}'s log`).toBeGreaterThan(0);
      expect(Number(views.at(-1)![1])).toBe(2);
    }
    // Realms are cached in each pod; only the cluster's invalidation messages refresh b's copy.
    const throughA = await adminAt(podUrl(a));
    const throughB = await adminAt(podUrl(b));
    await throughB.realms.findOne({ realm: "master" });
    const marker = `cluster-${randomBytes(4).toString("hex")}`;
    await throughA.realms.update({ realm: "master" }, { displayNameHtml: marker });
    await eventually("pod b sees the change made through pod a", 15_000, async () =>
      (await throughB.realms.findOne({ realm: "master" }))?.displayNameHtml === marker ? true : undefined,
    );
  });

  it("keeps the bootstrap credentials in the Secret keycloak-admin, readable as the README says, and the automation client administers Keycloak", async () => {
    const password = await readmeSecret("password");
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    const url = await serviceUrl();
    const login = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "password", client_id: "admin-cli", username: "admin", password }),
    });
    expect(login.status).toBe(200);
    const kc = await adminAt(url);
    const realms = await kc.realms.find();
    expect(realms.map((r) => r.realm)).toContain("master");
  });

  // The same tests on both ways the component declares routes for Traefik; switching between
  // them is a config change like any other (deploy() deletes the routes no longer declared).
  describe.each(ROUTE_VARIANTS)("routes through Traefik: $name", ({ ingress, routes }) => {
    beforeAll(async () => {
      await deploy(await declare(section(ingress ? { ingress } : {})));
      await createRealms();
      // Every route of this variant, and none of the other's.
      for (const { routes: others } of ROUTE_VARIANTS.filter((v) => v.routes !== routes)) expect(await routeNames(others), `${others} left behind`).toEqual([]);
      expect(await routeNames(routes)).toEqual(["keycloak-admin", "keycloak-public", `keycloak-realm-${RESTRICTED_REALM}`]);
      if (routes === HTTP_ROUTES) await httpRoutesAccepted();
    }, ROLLOUT_MS);

    it.each(FAMILIES)("serves the realm paths of the public hostname to everyone, and /admin/, the Admin REST API, /metrics and /health to no one (IPv%i)", async (family) => {
      const token = (await adminAt(await serviceUrl())).accessToken;
      for (const client of [node, operator, member, other]) {
        const where = `from ${client.name} over IPv${family}`;
        const discovery = await eventually(`the public route ${where}`, 30_000, async () => {
          const answer = await call(client, family, `https://${PUBLIC_HOST}/realms/${OPEN_REALM}/.well-known/openid-configuration`);
          return answer.status === 200 ? answer : undefined;
        });
        expect(JSON.parse(discovery.body).issuer).toBe(`https://${PUBLIC_HOST}/realms/${OPEN_REALM}`);
        const login = await call(client, family, loginPage(OPEN_REALM));
        expect(login.status, where).toBe(200);
        expect(login.body).toMatch(/id="kc-form-login"/);
        const resource = /(?:href|src)="(\/resources\/[^"]+)"/.exec(login.body)?.[1];
        expect(resource, "a /resources/ URL on the login page").toBeDefined();
        expect((await call(client, family, `https://${PUBLIC_HOST}${resource}`)).status, `${resource} ${where}`).toBe(200);
        for (const path of NEVER_PUBLIC) expect(traefikAnswer(await call(client, family, `https://${PUBLIC_HOST}${path}`)), `${path} ${where}`).toBe("not found");
        // Even with a valid token, no spelling reaches the Admin REST API on the public hostname.
        for (const path of ADMIN_API_TRICKS) {
          const answer = await call(client, family, `https://${PUBLIC_HOST}${path}`, { pathAsIs: true, headers: { authorization: `Bearer ${token}` } });
          expect(answer.status === 200 || answer.body.includes('"realm"'), `${path} ${where}: ${answer.status} ${answer.body.slice(0, 200)}`).toBe(false);
        }
      }
    });

    it.each(FAMILIES)("serves the admin console and the Admin REST API on the admin hostname to the operators' network, and refuses everyone else at the proxy (IPv%i)", async (family) => {
      const console_ = await eventually(`the admin console for ${operator.name}`, 30_000, async () => {
        const answer = await call(operator, family, `https://${ADMIN_HOST}/admin/master/console/`);
        return answer.status === 200 ? answer : undefined;
      });
      expect(console_.body).toMatch(/<title>[^<]*Keycloak[^<]*<\/title>/i);
      const token = await call(operator, family, `https://${ADMIN_HOST}/realms/master/protocol/openid-connect/token`, {
        form: { grant_type: "client_credentials", client_id: "keycloak-fleet", client_secret: await readmeSecret("client-secret") },
      });
      expect(token.status).toBe(200);
      const realms = await call(operator, family, `https://${ADMIN_HOST}/admin/realms`, { headers: { authorization: `Bearer ${JSON.parse(token.body).access_token}` } });
      expect(realms.status).toBe(200);
      expect(JSON.parse(realms.body).map((r: { realm: string }) => r.realm)).toEqual(expect.arrayContaining(["master", RESTRICTED_REALM, OPEN_REALM]));
      for (const client of [node, member, other]) {
        const where = `from ${client.name} over IPv${family}`;
        for (const path of ["/admin/master/console/", "/admin/realms", "/realms/master/protocol/openid-connect/token", "/realms/master/.well-known/openid-configuration"])
          expect(traefikAnswer(await call(client, family, `https://${ADMIN_HOST}${path}`)), `${path} ${where}`).toBe("refused");
        // The allowlist checks the connection's address: a header naming the operators' address changes nothing.
        const forged = await call(client, family, `https://${ADMIN_HOST}/admin/realms`, { headers: { "x-forwarded-for": family === 4 ? operator.ipv4 : operator.ipv6, "x-real-ip": operator.ipv4 } });
        expect(traefikAnswer(forged), `a forged X-Forwarded-For ${where}`).toBe("refused");
      }
    });

    it.each(FAMILIES)("serves a realm with an allowlist to its members' network only, however its path is spelled, while other realms stay public (IPv%i)", async (family) => {
      const login = await eventually(`the restricted realm's login for ${member.name}`, 30_000, async () => {
        const answer = await call(member, family, loginPage(RESTRICTED_REALM));
        return answer.status === 200 ? answer : undefined;
      });
      expect(login.body).toMatch(/id="kc-form-login"/);
      expect((await call(member, family, `https://${PUBLIC_HOST}/realms/${RESTRICTED_REALM}/.well-known/openid-configuration`)).status).toBe(200);
      for (const client of [node, operator, other]) {
        const where = `from ${client.name} over IPv${family}`;
        for (const url of [loginPage(RESTRICTED_REALM), `https://${PUBLIC_HOST}/realms/${RESTRICTED_REALM}/.well-known/openid-configuration`, `https://${PUBLIC_HOST}/realms/${RESTRICTED_REALM}`])
          expect(traefikAnswer(await call(client, family, url)), `${url} ${where}`).toBe("refused");
        const token = await call(client, family, `https://${PUBLIC_HOST}/realms/${RESTRICTED_REALM}/protocol/openid-connect/token`, { form: { grant_type: "password", client_id: "admin-cli", username: "x", password: "y" } });
        expect(traefikAnswer(token), `the token endpoint ${where}`).toBe("refused");
        // Other spellings of the restricted realm's login must not reach it through another route.
        for (const trick of pathTricks(loginPage(RESTRICTED_REALM))) {
          const answer = await call(client, family, trick, { pathAsIs: true });
          expect(answer.status === 200 && answer.body.includes(`/realms/${RESTRICTED_REALM}/`), `${trick} ${where} served the restricted realm`).toBe(false);
        }
        expect((await call(client, family, loginPage(OPEN_REALM))).status, `the open realm ${where}`).toBe(200);
      }
    });

    it.each(FAMILIES)("lets Keycloak record each client's own address, set by the proxy, never one the client forged (IPv%i)", async (family) => {
      const admin = await adminAt(await serviceUrl());
      for (const [client, realm] of [[member, RESTRICTED_REALM], [other, OPEN_REALM]] as const) {
        const username = `nobody-${randomBytes(4).toString("hex")}`;
        const forgery = { "x-forwarded-for": "203.0.113.7", "x-real-ip": "203.0.113.7", forwarded: "for=203.0.113.7" };
        const failed = await call(client, family, `https://${PUBLIC_HOST}/realms/${realm}/protocol/openid-connect/token`, {
          form: { grant_type: "password", client_id: "admin-cli", username, password: "wrong" },
          headers: forgery,
        });
        expect([failed.status, JSON.parse(failed.body).error], failed.body).toEqual([400, "invalid_grant"]);
        const events = await eventually(`the LOGIN_ERROR of ${username}`, 15_000, async () => {
          const found = (await admin.realms.findEvents({ realm, type: "LOGIN_ERROR", max: 100 })).filter((e) => e.details?.username === username);
          return found.length > 0 ? found : undefined;
        });
        const expected = family === 4 ? client.ipv4 : client.ipv6;
        expect(events.map((e) => e.ipAddress), `${realm} from ${client.name}`).toHaveLength(1);
        expect(sameAddress(events[0].ipAddress ?? "", expected), `recorded ${events[0].ipAddress}, the client is ${expected}`).toBe(true);
      }
    });
  });

  it("enforces the NetworkPolicies over IPv4 (kube-router): of all pods, only Traefik's reach Keycloak's HTTP port, and only Keycloak's PostgreSQL", async () => {
    // Pods with nobody's labels, in Traefik's namespace and in Keycloak's. Traefik itself reaching
    // port 8080 is what every route test above did.
    const probes = [TRAEFIK_NAMESPACE, NAMESPACE].map(probePod);
    for (const probe of probes) await apply(cluster.api, discovery, probe, "keycloak-fleet-test");
    const [inTraefiks, inKeycloaks] = probes.map((probe) => ({ namespace: probe.metadata.namespace!, pod: probe.metadata.name }));
    try {
      await eventually("the probe pods ready", 120_000, async () => {
        for (const { namespace } of [inTraefiks, inKeycloaks]) if (!(await pods(cluster.api, namespace, "app.kubernetes.io/name=netpol-probe")).some(isReady)) return undefined;
        return true;
      });
      const [server] = await readyServerPods();
      const database = await get(cluster.api, `/api/v1/namespaces/${NAMESPACE}/pods/keycloak-postgres-0`);
      const service = new URL(await serviceUrl());
      // The control: the management port is open to pods of Keycloak's namespace (metrics), once kube-router knows the probe.
      await eventually("the probe in Keycloak's namespace reaches the management port", 60_000, async () => ((await reaches(inKeycloaks, server.status.podIP, 9000)) ? true : undefined));
      const refused: [typeof inKeycloaks, string, number][] = [
        [inKeycloaks, server.status.podIP, 8080],
        [inKeycloaks, service.hostname, Number(service.port)],
        [inKeycloaks, database.status.podIP, 5432],
        [inTraefiks, server.status.podIP, 8080],
        [inTraefiks, service.hostname, Number(service.port)],
        [inTraefiks, server.status.podIP, 9000],
        [inTraefiks, database.status.podIP, 5432],
      ];
      for (const [from, ip, port] of refused) expect(await reaches(from, ip, port), `${from.namespace}/${from.pod} -> ${ip}:${port}`).toBe(false);
      // PostgreSQL's one client, from inside the Keycloak container (its image has bash).
      expect(await reaches({ namespace: NAMESPACE, pod: server.metadata.name }, database.status.podIP, 5432)).toBe(true);
    } finally {
      for (const { namespace, pod } of [inTraefiks, inKeycloaks]) await cluster.kubectl(["-n", namespace, "delete", "pod", pod, "--wait=false"]);
    }
  });

  it("configures stacks/realms/platform.yaml on it with the real engine, and a user logs in", async () => {
    const url = await serviceUrl();
    const realmStack = await createTestStack("cluster-platform", {
      realms: { "platform.yaml": repoRealmSpec("platform.yaml") },
      secrets: { githubClientSecret: "github-client-secret-for-the-cluster-test" },
      external: { url, adminClientSecret: await readmeSecret("client-secret") },
    });
    const result = await realmStack.up();
    expect(result.summary.result).toBe("succeeded");
    const outputs = result.outputs.realmOutputs.value.platform;

    const flow: LoginFlow = {
      realm: "platform",
      clientId: "grafana",
      redirectUri: "https://grafana.example.com/login/generic_oauth",
      username: "alice",
      password: outputs.users.alice.initialPassword,
      baseUrl: `https://${PUBLIC_HOST}`,
      backchannelUrl: url,
    };
    const context = await publicHostContext();
    try {
      const { page, code } = await startLogin(context, flow);
      expect(await nextStep(page, code)).toBe("update-password");
      const newPassword = `Cluster-${randomBytes(8).toString("hex")}`;
      await page.fill("#password-new", newPassword);
      await page.fill("#password-confirm", newPassword);
      await page.click("[type=submit]");
      const tokens = await exchangeCode(flow, outputs.clients.grafana.clientSecret, await code);
      expect(claims(tokens.access_token as string)).toMatchObject({ preferred_username: "alice", iss: `https://${PUBLIC_HOST}/realms/platform`, groups: ["analyst"] });
    } finally {
      await context.close();
    }
  });

  it("keeps logins working through the other pod when one Keycloak pod is deleted, and the Deployment heals", async () => {
    const [victim] = await readyServerPods();
    const { ok, failures } = await probeLogins(async () => {
      await sleep(3_000);
      await cluster.kubectl(["-n", NAMESPACE, "delete", "pod", victim.metadata.name, "--wait=false"]);
      await eventually("a replacement pod ready", ROLLOUT_MS, async () => {
        const ready = await readyServerPods();
        return ready.length === 2 && ready.every((p) => p.metadata.name !== victim.metadata.name) ? ready : undefined;
      }, 2_000);
    });
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);
  }, ROLLOUT_MS);

  it("rolls out a config change (3 replicas, a new memory limit) without a failed login", async () => {
    const changed = section({ replicas: 3, resources: { requests: { cpu: "100m", memory: "768Mi" }, limits: { memory: "1600Mi" } } });
    const { result: deployment, ok, failures } = await probeLogins(async () => deploy(await declare(changed)));
    expect(deployment.status.readyReplicas).toBe(3);
    const servers = await readyServerPods();
    expect(servers).toHaveLength(3);
    for (const pod of servers) expect(pod.spec.containers[0].resources.limits.memory).toBe("1600Mi");
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);
  }, ROLLOUT_MS);

  it("backs up with the CronJob, and the documented restore into an empty database brings back a user that existed only there", async () => {
    const username = `only-in-the-database-${randomBytes(4).toString("hex")}`;
    await (await adminAt(await serviceUrl())).users.create({ realm: "master", username, enabled: true });
    const kubectl = (...args: string[]) => cluster.kubectl(["-n", NAMESPACE, ...args]);
    await kubectl("create", "job", "backup-now", "--from=cronjob/keycloak-backup");
    await kubectl("wait", "job/backup-now", "--for=condition=Complete", "--timeout=300s");

    // An empty database: Keycloak stopped, the database dropped and created again.
    await kubectl("scale", "deployment", "keycloak", "--replicas=0");
    await kubectl("wait", "pod", "-l", SERVER, "--for=delete", "--timeout=180s");
    const psql = async (database: string, sql: string) => (await kubectl("exec", "keycloak-postgres-0", "--", "psql", "-U", "keycloak", "-d", database, "-tAc", sql)).trim();
    await psql("postgres", "DROP DATABASE keycloak WITH (FORCE)");
    await psql("postgres", "CREATE DATABASE keycloak");
    expect(await psql("keycloak", "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).toBe("0");

    const steps = volumeRestoreSteps({ namespace: NAMESPACE, name: "keycloak", replicas: 3, image: section().database.image });
    for (const { purpose, command } of steps) {
      console.log(`cluster: restore step: ${purpose}`);
      await shell(command);
    }
    expect((await readyServerPods()).length).toBe(3);
    // Ready pods reach the Service once kube-proxy has their endpoints, a moment later
    // (until then it refuses connections), as any client of a restarted Keycloak sees.
    const admin = await eventually("the Service answers after the restart", 60_000, async () => adminAt(await serviceUrl()));
    const restored = await admin.users.find({ realm: "master", username, exact: true });
    expect(restored.map((u) => u.username)).toEqual([username]);
  }, ROLLOUT_MS);
});
