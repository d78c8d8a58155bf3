// A real single-node Kubernetes on this machine, for the cluster tier of the tests: etcd
// (Debian), kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy
// (built from k8s.io/kubernetes by the toolchain), containerd + runc + the CNI bridge plugin
// (Debian), CoreDNS for Service names, kube-router's firewall for NetworkPolicies (built from its
// Go module), and hostPath PersistentVolumes as the node's storage. Pods and Services are
// dual-stack (IPv4 and IPv6). Images come from toolchain/images.sh (no registry) and stay
// imported in a containerd root under the toolchain cache, so a warm start takes well under a
// minute. Everything listens on loopback or on the node's own bridge addresses, and guard chains
// keep pod traffic on the bridge (network.ts). stop() removes every process, mount, netns,
// cgroup, iptables chain, ipset and directory the cluster made; the next start does the same
// first, after a run that was killed.
//
// Facts this relies on (../shared/notes/kubernetes-here.md): root here lacks CAP_SYS_RESOURCE,
// so containerd must not lower oom_score_adj (restrict_oom_score_adj); kubelet refuses a
// loopback node IP; cgroup v1 needs failCgroupV1: false.
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Resolver } from "node:dns/promises";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../src/platform/local/server";
import { get, kubectl, request, type KubeApi } from "./kube";
import { BRIDGE, clientNamespaces, KUBERNETES_SERVICE_IP, NODE_IP, NODE_IP6, POD_CIDR, POD_CIDR6, policyIpsets, SERVICE_CIDR, SERVICE_CIDR6, setUpNetwork, sh, tearDownNetwork } from "./network";
import { toolchainReady } from "../e2e/toolchain";
import { startEtcd } from "./etcd";
import { Supervisor } from "./process";

const NODE_NAME = "fleet-node";
/** Fixed: the bridge and its addresses are this cluster's alone, so one runs per machine. */
const RUN_DIR = path.join(os.tmpdir(), "kfleet-cluster");
const CACHE = path.join(process.env.KEYCLOAK_FLEET_CACHE ?? path.join(os.homedir(), ".cache/keycloak-fleet"), "cluster");
/** Image content and snapshots survive runs: importing them again would cost minutes. */
const CONTAINERD_ROOT = path.join(CACHE, "containerd");
/** Directories kubelet, containerd and CNI write outside the ones they are given. */
const FIXED_PATHS = ["/var/lib/kubelet", "/var/log/containers", "/var/log/pods", "/var/lib/cni", "/run/containerd"];
/** Which of FIXED_PATHS this cluster created, kept in the cache so a later run can clean up after a killed one. */
const CREATED_PATHS = path.join(CACHE, "created-paths.json");
const APISERVER_PORT = 6443;
const KUBELET_PORT = 10250;
const PV_COUNT = 6;

export interface Cluster {
  api: KubeApi;
  kubeconfig: string;
  kubectl(args: string[]): Promise<string>;
  /** The directory holding every component's log. */
  logDir: string;
  /** A directory for the run's own files (certificates and the like), removed by stop(). */
  runDir: string;
  stop(): Promise<void>;
}

const bin = (name: string) => {
  const file = path.join(process.env.KUBERNETES_BIN ?? "", name);
  if (!fs.existsSync(file)) throw new Error(`no ${name} at "${file}"; hint: run through npm test, whose setup builds it and sets KUBERNETES_BIN`);
  return file;
};

export async function startCluster(log: (line: string) => void = console.log): Promise<Cluster> {
  if (process.getuid?.() !== 0) throw new Error("the cluster tier needs root: kubelet, containerd and the bridge network cannot run without it");
  await toolchainReady("cluster-tools", log);
  await cleanUp();
  const started = Date.now();
  const logDir = path.join(RUN_DIR, "logs");
  fs.mkdirSync(logDir, { recursive: true });
  fs.mkdirSync(CONTAINERD_ROOT, { recursive: true });
  rememberCreatedPaths();
  const supervisor = new Supervisor(logDir);
  const savedSysctls = setUpNetwork();
  fs.writeFileSync(path.join(RUN_DIR, "sysctls.json"), JSON.stringify(savedSysctls));
  try {
    const pki = makePki();
    const api: KubeApi = { url: `https://${NODE_IP}:${APISERVER_PORT}`, token: pki.token, ca: fs.readFileSync(pki.ca, "utf8") };
    const kubeconfig = writeKubeconfig(api, pki.ca);
    await startEtcdAndApiServer(supervisor, api, pki);
    log(`cluster: kube-apiserver ready in ${seconds(started)}s`);
    const containerdSocket = await startContainerd(supervisor);
    // A run that was killed left its containers in the persistent root.
    removeContainers(containerdSocket);
    await importImages(containerdSocket, log);
    await startNodeComponents(supervisor, api, kubeconfig, containerdSocket, pki);
    await startCoreDns(supervisor, kubeconfig);
    await startNetworkPolicies(supervisor, kubeconfig);
    await createVolumes(api);
    log(`cluster: node ${NODE_NAME} Ready, DNS answering, ${PV_COUNT} volumes, in ${seconds(started)}s (logs: ${logDir})`);
    const runDir = path.join(RUN_DIR, "files");
    fs.mkdirSync(runDir);
    return { api, kubeconfig, logDir, runDir, kubectl: (args) => kubectl(kubeconfig, args), stop: () => stopCluster(supervisor) };
  } catch (error) {
    const logs = fs.existsSync(logDir) ? fs.readdirSync(logDir).join(", ") : "";
    await stopCluster(supervisor, { keepLogs: true });
    throw new Error(`the test cluster did not start: ${error instanceof Error ? error.message : error}\n(component logs kept in ${logDir}: ${logs})`);
  }
}

const seconds = (since: number) => Math.round((Date.now() - since) / 1000);

// --- certificates and credentials -------------------------------------------------------------

interface Pki {
  ca: string;
  cert: string;
  key: string;
  serviceAccountKey: string;
  tokenFile: string;
  token: string;
}

/** A CA, the API server's certificate (node address, Service address, in-cluster names), a signing key for service-account tokens, and one admin token. */
function makePki(): Pki {
  const dir = path.join(RUN_DIR, "pki");
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=keycloak-fleet-test-ca", "-keyout", file("ca.key"), "-out", file("ca.crt"));
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver", "-keyout", file("apiserver.key"), "-out", file("apiserver.csr"));
  const names = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"];
  fs.writeFileSync(file("san.ext"), `subjectAltName=${[`IP:${NODE_IP}`, `IP:${KUBERNETES_SERVICE_IP}`, "IP:127.0.0.1", ...names.map((n) => `DNS:${n}`)].join(",")}\n`);
  openssl("x509", "-req", "-in", file("apiserver.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", file("san.ext"), "-out", file("apiserver.crt"));
  openssl("genrsa", "-out", file("service-account.key"), "2048");
  const token = randomBytes(24).toString("hex");
  fs.writeFileSync(file("tokens.csv"), `${token},keycloak-fleet-test-admin,keycloak-fleet-test-admin,"system:masters"\n`, { mode: 0o600 });
  return { ca: file("ca.crt"), cert: file("apiserver.crt"), key: file("apiserver.key"), serviceAccountKey: file("service-account.key"), tokenFile: file("tokens.csv"), token };
}

/** One kubeconfig for every component and for kubectl: the admin token (authorization is AlwaysAllow). */
function writeKubeconfig(api: KubeApi, caFile: string): string {
  const file = path.join(RUN_DIR, "kubeconfig");
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "fleet-test", cluster: { server: api.url, "certificate-authority": caFile } }],
    users: [{ name: "admin", user: { token: api.token } }],
    contexts: [{ name: "fleet-test", context: { cluster: "fleet-test", user: "admin" } }],
    "current-context": "fleet-test",
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return file;
}

// --- control plane ----------------------------------------------------------------------------

async function startEtcdAndApiServer(supervisor: Supervisor, api: KubeApi, pki: Pki): Promise<void> {
  const clientUrl = await startEtcd(supervisor, RUN_DIR);
  const apiserver = supervisor.start("kube-apiserver", bin("kube-apiserver"), [
    `--etcd-servers=${clientUrl}`,
    `--bind-address=${NODE_IP}`,
    `--advertise-address=${NODE_IP}`,
    `--secure-port=${APISERVER_PORT}`,
    `--tls-cert-file=${pki.cert}`,
    `--tls-private-key-file=${pki.key}`,
    `--client-ca-file=${pki.ca}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki.serviceAccountKey}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    "--authorization-mode=AlwaysAllow",
    `--token-auth-file=${pki.tokenFile}`,
    // Dual-stack: Services are IPv4 unless they ask for IPv6 too (ipFamilyPolicy).
    `--service-cluster-ip-range=${SERVICE_CIDR},${SERVICE_CIDR6}`,
    "--allow-privileged=true",
    "--kubelet-preferred-address-types=InternalIP",
  ]);
  await supervisor.waitFor(apiserver, 180_000, async () => {
    const { status, body } = await request(api, "GET", "/readyz");
    return status === 200 && body === "ok";
  });
}

// --- the node -----------------------------------------------------------------------------------

async function startContainerd(supervisor: Supervisor): Promise<string> {
  const socket = path.join(RUN_DIR, "containerd.sock");
  const cniDir = path.join(RUN_DIR, "cni");
  fs.mkdirSync(cniDir, { recursive: true });
  fs.writeFileSync(
    path.join(cniDir, "10-fleet.conflist"),
    JSON.stringify({
      cniVersion: "0.4.0",
      name: "fleet",
      plugins: [
        {
          type: "bridge",
          bridge: BRIDGE,
          isGateway: true,
          // A default route through the node in each family: pods reach ClusterIPs (the API
          // server's, for controllers such as Traefik) and clients outside the pod network.
          isDefaultGateway: true,
          // Nothing leaves this machine: no masquerading needed, and the guard chain drops it anyway.
          ipMasq: false,
          // A pod that reaches itself through its own Service (kube-proxy picks any endpoint).
          hairpinMode: true,
          // An IPv4 and an IPv6 address per pod (dual-stack).
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: POD_CIDR, rangeStart: "10.213.0.10", gateway: NODE_IP }], [{ subnet: POD_CIDR6, rangeStart: "fd42:213::10", gateway: NODE_IP6 }]],
            dataDir: path.join(RUN_DIR, "ipam"),
          },
        },
      ],
    }),
  );
  const config = path.join(RUN_DIR, "containerd.toml");
  fs.writeFileSync(
    config,
    `version = 2
root = "${CONTAINERD_ROOT}"
state = "${path.join(RUN_DIR, "containerd-state")}"
[grpc]
  address = "${socket}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/keycloak-fleet/pause:3.10"
  # Root here lacks CAP_SYS_RESOURCE: lowering oom_score_adj fails every sandbox otherwise.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${cniDir}"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
`,
  );
  const containerd = supervisor.start("containerd", "containerd", ["--config", config]);
  await supervisor.waitFor(containerd, 60_000, async () => {
    execFileSync("ctr", ["--address", socket, "version"], { stdio: "pipe" });
    return true;
  });
  return socket;
}

/**
 * Imports each image of toolchain/images.sh unless the same archive was imported before.
 * The ingress controller's image among them (startCluster made sure of its build). Run
 * asynchronously, so the test worker stays responsive while an image is built.
 */
async function importImages(socket: string, log: (line: string) => void): Promise<void> {
  const script = path.resolve(__dirname, "../../toolchain/images.sh");
  const started = Date.now();
  let lines: string[];
  try {
    lines = (await promisify(execFile)("bash", [script], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 })).stdout.trim().split("\n");
  } catch (error: any) {
    throw new Error(`toolchain/images.sh failed:\n${String(error.stderr ?? error.message).split("\n").slice(-30).join("\n")}`);
  }
  if (Date.now() - started > 10_000) log(`cluster: images ready after ${seconds(started)}s (toolchain/images.sh)`);
  const images = lines.filter((l) => /^\S+=\S+ \S+$/.test(l)).map((l) => l.split("=")[1].split(" ") as [string, string]);
  if (images.length === 0) throw new Error(`toolchain/images.sh printed no images:\n${lines.join("\n")}`);
  const present = execFileSync("ctr", ["--address", socket, "-n", "k8s.io", "images", "ls", "-q"], { encoding: "utf8" }).split("\n");
  for (const [ref, archive] of images) {
    const stamp = path.join(CACHE, "imported", `${path.basename(archive)}.${fs.statSync(archive).mtimeMs}`);
    if (present.includes(ref) && fs.existsSync(stamp)) continue;
    const importStarted = Date.now();
    execFileSync("ctr", ["--address", socket, "-n", "k8s.io", "images", "import", archive], { stdio: "pipe" });
    fs.mkdirSync(path.dirname(stamp), { recursive: true });
    fs.writeFileSync(stamp, ref);
    log(`cluster: imported ${ref} in ${seconds(importStarted)}s`);
  }
}

/** kubelet, the controllers, the scheduler and kube-proxy; resolves once each one works. */
async function startNodeComponents(supervisor: Supervisor, api: KubeApi, kubeconfig: string, containerdSocket: string, pki: Pki): Promise<void> {
  const resolvConf = path.join(RUN_DIR, "resolv.conf");
  // Pods with dnsPolicy ClusterFirst get CoreDNS (clusterDNS) and the cluster's search domains.
  fs.writeFileSync(resolvConf, `nameserver ${NODE_IP}\n`);
  const kubeletConfig = path.join(RUN_DIR, "kubelet.yaml");
  fs.writeFileSync(
    kubeletConfig,
    JSON.stringify({
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      address: NODE_IP,
      port: KUBELET_PORT,
      readOnlyPort: 0,
      healthzBindAddress: "127.0.0.1",
      healthzPort: 0,
      // The API server is the only client of this port, on the node's private bridge.
      authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
      authorization: { mode: "AlwaysAllow" },
      cgroupDriver: "cgroupfs",
      failCgroupV1: false,
      failSwapOn: false,
      containerRuntimeEndpoint: `unix://${containerdSocket}`,
      clusterDomain: "cluster.local",
      clusterDNS: [NODE_IP],
      resolvConf,
      podLogsDir: path.join(RUN_DIR, "pod-logs"),
      // The defaults evict at 10-15% free disk; a developer's full disk must not fail the tier.
      evictionHard: { "memory.available": "100Mi", "nodefs.available": "2%", "imagefs.available": "2%" },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      serializeImagePulls: false,
    }),
  );
  const kubelet = supervisor.start("kubelet", bin("kubelet"), [
    `--config=${kubeletConfig}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${path.join(RUN_DIR, "kubelet")}`,
    `--cert-dir=${path.join(RUN_DIR, "kubelet-pki")}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${NODE_IP},${NODE_IP6}`,
    "--v=1",
  ]);
  const controllers = supervisor.start("kube-controller-manager", bin("kube-controller-manager"), [
    `--kubeconfig=${kubeconfig}`,
    "--leader-elect=false",
    "--secure-port=0",
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    // Published in every namespace as kube-root-ca.crt, which projected service-account volumes need.
    `--root-ca-file=${pki.ca}`,
    `--service-cluster-ip-range=${SERVICE_CIDR},${SERVICE_CIDR6}`,
  ]);
  const scheduler = supervisor.start("kube-scheduler", bin("kube-scheduler"), [`--kubeconfig=${kubeconfig}`, "--leader-elect=false", "--secure-port=0"]);
  const proxyHealth = await freePort();
  const proxy = supervisor.start("kube-proxy", bin("kube-proxy"), [
    `--kubeconfig=${kubeconfig}`,
    `--hostname-override=${NODE_NAME}`,
    "--proxy-mode=iptables",
    `--cluster-cidr=${POD_CIDR},${POD_CIDR6}`,
    // NodePorts (and load balancers' health-check ports) on the node's bridge addresses only, not
    // on every address of this machine.
    "--nodeport-addresses=primary",
    // Leave the kernel's conntrack table size alone (the sysctl is not ours to change).
    "--conntrack-max-per-core=0",
    `--metrics-bind-address=127.0.0.1:${await freePort()}`,
    `--healthz-bind-address=127.0.0.1:${proxyHealth}`,
  ]);
  await supervisor.waitFor(kubelet, 120_000, async () => {
    const node = await get(api, `/api/v1/nodes/${NODE_NAME}`);
    return node.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") === true;
  });
  // The controllers publish the cluster CA in every namespace (projected service-account volumes need it).
  await supervisor.waitFor(controllers, 60_000, async () => (await request(api, "GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt")).status === 200);
  // kube-proxy answers healthz once it has programmed the Service rules.
  await supervisor.waitFor(proxy, 60_000, async () => (await fetch(`http://127.0.0.1:${proxyHealth}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok);
  if (!scheduler.running) throw new Error(`kube-scheduler exited:\n${supervisor.tail("kube-scheduler")}`);
}

/** CoreDNS on the node's address, answering for Services and Pods from the API server. */
async function startCoreDns(supervisor: Supervisor, kubeconfig: string): Promise<void> {
  const corefile = path.join(RUN_DIR, "Corefile");
  fs.writeFileSync(
    corefile,
    `.:53 {
    bind ${NODE_IP}
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
    }
    cache 5
}
`,
  );
  const coredns = process.env.COREDNS ?? "";
  if (!fs.existsSync(coredns)) throw new Error(`no CoreDNS at "${coredns}"; hint: run through npm test, whose setup builds it and sets COREDNS`);
  const proc = supervisor.start("coredns", coredns, ["-conf", corefile]);
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([NODE_IP]);
  await supervisor.waitFor(proc, 60_000, async () => (await resolver.resolve4("kubernetes.default.svc.cluster.local")).includes(KUBERNETES_SERVICE_IP));
}

/**
 * NetworkPolicy enforcement, which the bridge plugin lacks: kube-router's firewall controller
 * alone (its BGP router, service proxy and CNI configuration stay off; kube-proxy routes Services).
 * IPv4 only: in dual-stack mode kube-router 2.1.0 writes back its IPv4 address sets from a stale
 * copy while restoring the IPv6 ones (each family's handler restores every set of the machine,
 * in random order), which emptied them in a run here and cut Keycloak off from PostgreSQL; so
 * traffic between pods over IPv6 is not filtered in this cluster. Resolves once its chains are in place;
 * from then on it programs each pod as it appears.
 */
async function startNetworkPolicies(supervisor: Supervisor, kubeconfig: string): Promise<void> {
  const kubeRouter = process.env.KUBE_ROUTER ?? "";
  if (!fs.existsSync(kubeRouter)) throw new Error(`no kube-router at "${kubeRouter}"; hint: run through npm test, whose setup builds it and sets KUBE_ROUTER`);
  const proc = supervisor.start("kube-router", kubeRouter, [
    `--kubeconfig=${kubeconfig}`,
    `--hostname-override=${NODE_NAME}`,
    "--run-firewall=true",
    "--run-router=false",
    "--run-service-proxy=false",
    "--run-loadbalancer=false",
    "--enable-cni=false",
    "--enable-ipv4=true",
    "--enable-ipv6=false",
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // No health or metrics server (they would listen on every address of this machine).
    "--health-port=0",
    "--metrics-port=0",
    "--v=1",
  ]);
  await supervisor.waitFor(proc, 60_000, async () =>
    sh("iptables", ["-w", "-t", "filter", "-S", "FORWARD"]).includes("-j KUBE-ROUTER-FORWARD"),
  );
}

/** The node's storage: hostPath PersistentVolumes without a class, for claims without one. */
async function createVolumes(api: KubeApi): Promise<void> {
  for (let i = 0; i < PV_COUNT; i++) {
    const dir = path.join(RUN_DIR, "volumes", `pv${i}`);
    fs.mkdirSync(dir, { recursive: true });
    const created = await request(api, "POST", "/api/v1/persistentvolumes", {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: `fleet-pv${i}` },
      spec: {
        capacity: { storage: "50Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        hostPath: { path: dir, type: "Directory" },
      },
    });
    if (created.status !== 201) throw new Error(`PersistentVolume fleet-pv${i}: ${created.status} ${JSON.stringify(created.body)}`);
  }
}

// --- teardown -----------------------------------------------------------------------------------

/**
 * What a stopped cluster left on this machine, one line per thing: its processes, mounts,
 * network namespaces, cgroups, iptables chains, bridge, directories. Empty after stop().
 */
export function leftovers(): string[] {
  const found: string[] = [];
  for (const mount of mountsUnder([RUN_DIR, CONTAINERD_ROOT, "/run/netns/cni-"])) found.push(`mount ${mount}`);
  if (fs.existsSync("/run/netns")) for (const netns of fs.readdirSync("/run/netns").filter((n) => n.startsWith("cni-"))) found.push(`netns ${netns}`);
  for (const netns of clientNamespaces()) found.push(`netns ${netns}`);
  for (const pid of ourProcesses()) found.push(`process ${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim()}`);
  for (const hierarchy of fs.readdirSync("/sys/fs/cgroup"))
    for (const top of ["kubepods", "kubepods.slice", "k8s.io"]) if (fs.existsSync(path.join("/sys/fs/cgroup", hierarchy, top))) found.push(`cgroup ${hierarchy}/${top}`);
  for (const tool of ["iptables", "ip6tables"])
    for (const table of ["filter", "nat", "mangle"])
      for (const line of sh(tool, ["-w", "-t", table, "-S"]).split("\n")) if (/^-N (KUBE-|KFLEET-)/.test(line)) found.push(`${tool} -t ${table} chain ${line.slice(3)}`);
  for (const set of policyIpsets()) found.push(`ipset ${set}`);
  if (fs.existsSync(`/sys/class/net/${BRIDGE}`)) found.push(`bridge ${BRIDGE}`);
  const createdByUs = fs.existsSync(CREATED_PATHS) ? (JSON.parse(fs.readFileSync(CREATED_PATHS, "utf8")) as string[]) : [];
  for (const dir of createdByUs) if (fs.existsSync(dir)) found.push(`directory ${dir}`);
  if (fs.existsSync(RUN_DIR) && fs.readdirSync(RUN_DIR).length > 0) found.push(`directory ${RUN_DIR}: ${fs.readdirSync(RUN_DIR).join(", ")}`);
  return found;
}

function rememberCreatedPaths(): void {
  fs.writeFileSync(CREATED_PATHS, JSON.stringify(FIXED_PATHS.filter((p) => !fs.existsSync(p))));
}

async function stopCluster(supervisor: Supervisor, { keepLogs = false } = {}): Promise<void> {
  // The node's agents first, so nothing restarts a container; then every container, while
  // containerd still runs; then containerd and the control plane.
  await supervisor.stop(["kube-router", "coredns", "kube-proxy", "kube-scheduler", "kube-controller-manager", "kubelet"]);
  const socket = path.join(RUN_DIR, "containerd.sock");
  if (fs.existsSync(socket)) {
    try {
      removeContainers(socket);
    } catch (error) {
      console.warn(`cluster: removing containers: ${error}`);
    }
  }
  await supervisor.stop();
  await cleanUp({ keepLogs });
}

/**
 * Everything a cluster (this one, or one of a killed earlier run) leaves: processes, container
 * tasks, mounts, network namespaces, cgroups, iptables chains, the bridge, fixed directories.
 */
async function cleanUp({ keepLogs = false } = {}): Promise<void> {
  killLeftoverProcesses();
  for (const mount of mountsUnder([RUN_DIR, CONTAINERD_ROOT, "/run/netns/cni-", "/var/lib/kubelet", "/run/containerd"])) {
    try {
      sh("umount", ["-l", mount]);
    } catch {
      // gone with its parent
    }
  }
  for (const netns of fs.existsSync("/run/netns") ? fs.readdirSync("/run/netns").filter((n) => n.startsWith("cni-")) : []) fs.rmSync(`/run/netns/${netns}`, { force: true });
  removeCgroups();
  try {
    sh(path.join(process.env.KUBERNETES_BIN ?? "", "kube-proxy"), ["--cleanup"]);
  } catch {
    // nothing of it was left, or the binary is missing: tearDownNetwork removes KUBE-* chains anyway
  }
  const sysctls = path.join(RUN_DIR, "sysctls.json");
  tearDownNetwork(fs.existsSync(sysctls) ? JSON.parse(fs.readFileSync(sysctls, "utf8")) : {});
  // The CRI plugin's records of sandboxes and containers: they all died with this cluster.
  fs.rmSync(path.join(CONTAINERD_ROOT, "io.containerd.grpc.v1.cri"), { recursive: true, force: true });
  if (fs.existsSync(CREATED_PATHS)) for (const p of JSON.parse(fs.readFileSync(CREATED_PATHS, "utf8")) as string[]) fs.rmSync(p, { recursive: true, force: true });
  if (!fs.existsSync(RUN_DIR)) return;
  for (const entry of fs.readdirSync(RUN_DIR)) if (!(keepLogs && entry === "logs")) fs.rmSync(path.join(RUN_DIR, entry), { recursive: true, force: true });
}

/** Processes of the cluster's binaries or directories, and of its containers (by their cgroup). */
function ourProcesses(): number[] {
  const pids: number[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      const cgroup = fs.readFileSync(`/proc/${pid}/cgroup`, "utf8");
      if (cmdline.includes(RUN_DIR) || cmdline.includes(CONTAINERD_ROOT) || /\/kubepods/.test(cgroup)) pids.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function killLeftoverProcesses(): void {
  for (let round = 0; round < 3; round++) {
    const pids = ourProcesses();
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // exited meanwhile
      }
    }
    execFileSync("sleep", ["1"]);
  }
}

function mountsUnder(prefixes: string[]): string[] {
  const mounts = fs
    .readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((mount): mount is string => !!mount && prefixes.some((prefix) => mount.startsWith(prefix)));
  // Deepest first.
  return mounts.sort((a, b) => b.length - a.length);
}

/** kubelet's `kubepods` tree (cgroupfs driver) and containerd's `k8s.io`, in every hierarchy, deepest first. */
function removeCgroups(): void {
  const root = "/sys/fs/cgroup";
  if (!fs.existsSync(root)) return;
  for (const hierarchy of fs.readdirSync(root)) {
    for (const top of ["kubepods", "kubepods.slice", "k8s.io"]) {
      const dir = path.join(root, hierarchy, top);
      if (fs.existsSync(dir)) removeCgroupTree(dir);
    }
  }
}

function removeCgroupTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeCgroupTree(path.join(dir, entry.name));
  try {
    fs.rmdirSync(dir);
  } catch {
    // still has a process (it was just killed) or is a hierarchy root
  }
}

/**
 * Every container and pod sandbox in containerd's k8s.io namespace, with its writable layer:
 * the containerd root persists (for the images), its containers must not.
 */
function removeContainers(socket: string): void {
  const ctr = (...args: string[]) => execFileSync("ctr", ["--address", socket, "-n", "k8s.io", ...args], { encoding: "utf8", stdio: "pipe" });
  for (const task of ctr("tasks", "ls", "-q").split("\n").filter(Boolean)) {
    try {
      ctr("tasks", "kill", "-s", "SIGKILL", task);
    } catch {
      // already stopped
    }
  }
  for (const task of ctr("tasks", "ls", "-q").split("\n").filter(Boolean)) {
    try {
      ctr("tasks", "delete", "-f", task);
    } catch {
      // gone meanwhile
    }
  }
  const containers = ctr("containers", "ls", "-q").split("\n").filter(Boolean);
  if (containers.length) ctr("containers", "delete", ...containers);
}
