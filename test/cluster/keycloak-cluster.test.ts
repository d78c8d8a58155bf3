// The cluster tier: what KeycloakCluster declares, running on a real single-node Kubernetes
// (cluster.ts) and checked through Keycloak itself. The Pulumi Kubernetes provider plugin cannot
// be built here (its Go module is not served), so the component is built under Pulumi mocks and
// its objects are sent to the API server with server-side apply, in the provider's order (the
// Deployment after the database it depends on is ready); nothing is transformed beyond what the
// provider does (manifests.ts). The stack config overrides only what this machine forces: the
// images (built locally, no registry), small CPU requests for a 2-core node, and a backup volume
// instead of S3. The realm layer then runs with the real Pulumi engine and the Keycloak plugin,
// on the in-cluster Keycloak, as an external-platform stack with the cluster's automation client.
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
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
import { leftovers, startCluster, type Cluster } from "./cluster";
import { apply, Discovery, get, isReady, pods, rolledOut } from "./kube";
import { declaredObjects, installPermissiveCrds, type DeclaredObject } from "./manifests";
import { POD_CIDR } from "./network";
import { eventually, sleep } from "./process";

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
const ROLLOUT_MS = 20 * 60_000;
const repo = path.resolve(__dirname, "../..");

/** The test stack's `keycloak-fleet:kubernetes` section; `change` is a config change a user would make. */
function section(change: Record<string, unknown> = {}) {
  return {
    namespace: NAMESPACE,
    image: "localhost/keycloak-fleet/keycloak:26.7.3",
    replicas: 2,
    hostname: PUBLIC_HOST,
    adminHostname: "id-admin.example.com",
    // The node's own network, where the tests (and `pulumi up`) run from.
    adminAllowlist: [POD_CIDR],
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

/**
 * Applies the objects as `pulumi up` would: everything but the Keycloak Deployment, then (the
 * Deployment depends on the database) the StatefulSet's readiness, then the Deployment and its
 * rollout. Returns the rolled-out Deployment.
 */
async function deploy(objects: DeclaredObject[]): Promise<any> {
  const isServer = (o: DeclaredObject) => o.manifest.kind === "Deployment";
  const ordered = [...objects.filter((o) => o.manifest.kind === "Namespace"), ...objects.filter((o) => o.manifest.kind !== "Namespace" && !isServer(o))];
  for (const { manifest } of ordered) await apply(cluster.api, discovery, manifest);
  await rolledOut(cluster.api, "statefulsets", NAMESPACE, "keycloak-postgres", ROLLOUT_MS);
  for (const { manifest } of objects.filter(isServer)) await apply(cluster.api, discovery, manifest);
  return rolledOut(cluster.api, "deployments", NAMESPACE, "keycloak", ROLLOUT_MS);
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

/** A browser whose requests to https://<PUBLIC_HOST> reach Keycloak's Service, with the headers an ingress adds. */
async function publicHostContext(): Promise<BrowserContext> {
  const context = await browser.newContext();
  const target = await serviceUrl();
  await context.route(`https://${PUBLIC_HOST}/**`, async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({
      url: `${target}${url.pathname}${url.search}`,
      headers: { ...route.request().headers(), "x-forwarded-proto": "https", "x-forwarded-host": PUBLIC_HOST, "x-forwarded-port": "443" },
      maxRedirects: 0,
    });
    await route.fulfill({ response });
  });
  return context;
}

beforeAll(async () => {
  cluster = await startCluster();
  discovery = new Discovery(cluster.api);
  await installPermissiveCrds(cluster.api);
  browser = await launchBrowser();
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
  // The realm stack needs no destroy: its Keycloak goes with the cluster, its state with the run's work directory.
  if (!cluster) return;
  await cluster.stop();
  expect(leftovers(), "what the cluster left behind").toEqual([]);
});

describe("Keycloak on a real single-node Kubernetes", () => {
  it("runs Keycloak in production mode on the bundled PostgreSQL: 2 replicas, both ready", async () => {
    const started = Date.now();
    const deployment = await deploy(await declare(section()));
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
