// The test cluster's ingress controller: Traefik, built from its Go module by toolchain/setup.sh
// (TRAEFIK_HOME), with the CRDs of that build: its own and the Gateway API's. It is set up the way
// its Helm chart sets it up wherever the component's routes depend on it: namespace `traefik`,
// pods labelled app.kubernetes.io/name=traefik (whom the component's NetworkPolicy admits), the
// entry point `websecure` on 8443 terminating TLS, the Kubernetes CRD provider (IngressRoute,
// Middleware) and the Gateway API provider (a GatewayClass and a Gateway with an HTTPS listener).
//
// Clients reach it through a LoadBalancer Service with externalTrafficPolicy Local: kube-proxy
// then forwards without rewriting the client's address, which every allowlist depends on (see
// src/platform/kubernetes/exposure.ts). No cloud controller runs here, so the test does the load
// balancer's part, as MetalLB would: it gives the Service addresses (IPv4 and IPv6, private to
// this machine) in its status, and kube-proxy routes them to Traefik. The certificate for both
// hostnames comes from a CA made for the run; clients check it against that CA.
//
// The API server authorizes everything (AlwaysAllow), so Traefik's RBAC objects would be inert
// here and are left out.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { apply, describeResponse, get, request, rolledOut, type Discovery, type KubeApi, type Manifest } from "./kube";
import { eventually } from "./process";

export const TRAEFIK_NAMESPACE = "traefik";
/** The labels of the chart's pods: the component's default NetworkPolicy source for controller "traefik". */
export const TRAEFIK_POD_LABELS = { "app.kubernetes.io/name": "traefik" };
/** The Gateway the gateway variant's HTTPRoutes attach to, and its HTTPS listener. */
export const GATEWAY = { name: "traefik-gateway", namespace: TRAEFIK_NAMESPACE, sectionName: "websecure" };
/** The load balancer's addresses, in network.ts's LOAD_BALANCER_CIDR and LOAD_BALANCER_CIDR6. */
export const INGRESS_IP = "10.215.0.10";
export const INGRESS_IP6 = "fd42:215::10";

const TLS_SECRET = "traefik-default-cert";
const WEBSECURE_PORT = 8443;
const TRAEFIK_PORT = 8080;
const MANAGER = "keycloak-fleet-test";

export interface Traefik {
  /** The CA file that signed the certificate of every hostname Traefik serves. */
  ca: string;
  /** Resolves once Traefik is ready and its load-balancer addresses lead to it. */
  ready: Promise<void>;
}

const home = () => {
  const dir = process.env.TRAEFIK_HOME ?? "";
  if (!fs.existsSync(path.join(dir, "traefik"))) throw new Error(`no Traefik build in "${dir}"; hint: run through npm test, whose setup builds it and sets TRAEFIK_HOME`);
  return dir;
};

/** The version setup.sh built, as the image's tag (toolchain/images.sh). */
const version = () => /^traefik-(.+)$/.exec(path.basename(home()))![1];

/**
 * Traefik's CRDs and the Gateway API's standard channel, from the modules of Traefik's build;
 * resolves once the API server serves every kind they define.
 */
export async function installRoutingCrds(api: KubeApi, discovery: Discovery): Promise<void> {
  const crds = path.join(home(), "crds");
  const files = [path.join(crds, "traefik.yml"), ...fs.readdirSync(path.join(crds, "gateway-api")).map((f) => path.join(crds, "gateway-api", f))];
  const definitions = files.flatMap((file) => parseAllDocuments(fs.readFileSync(file, "utf8")).map((doc) => doc.toJS() as Manifest)).filter((d) => d?.kind === "CustomResourceDefinition");
  for (const crd of definitions) await apply(api, discovery, crd, MANAGER);
  await eventually(`${definitions.length} routing CRDs established`, 60_000, async () => {
    for (const crd of definitions) {
      const { status, body } = await request(api, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
      if (status !== 200 || !body.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Established" && c.status === "True")) return undefined;
    }
    return true;
  }, 250);
}

/**
 * Applies Traefik's objects and gives its Service the load-balancer addresses. Returns at once:
 * `ready` resolves later, so the caller can roll out Keycloak meanwhile.
 */
export async function startTraefik(api: KubeApi, discovery: Discovery, dir: string): Promise<Traefik> {
  const ca = makeCertificate(dir);
  for (const manifest of objects(dir)) await apply(api, discovery, manifest, MANAGER);
  const assigned = await request(
    api,
    "PATCH",
    `/api/v1/namespaces/${TRAEFIK_NAMESPACE}/services/traefik/status`,
    { status: { loadBalancer: { ingress: [INGRESS_IP, INGRESS_IP6].map((ip) => ({ ip, ipMode: "VIP" })) } } },
    "application/merge-patch+json",
  );
  if (assigned.status !== 200) throw new Error(`assigning the load balancer's addresses: ${describeResponse(assigned)}`);
  const ready = (async () => {
    await rolledOut(api, "deployments", TRAEFIK_NAMESPACE, "traefik", 5 * 60_000);
    const service = await get(api, `/api/v1/namespaces/${TRAEFIK_NAMESPACE}/services/traefik`);
    if (service.spec.ipFamilies?.length !== 2) throw new Error(`the traefik Service is not dual-stack: ${JSON.stringify(service.spec.ipFamilies)}`);
  })();
  // Failures surface through `ready`; this only keeps an early one from counting as unhandled.
  ready.catch(() => undefined);
  return { ca, ready };
}

/** A CA for the run and a certificate for every hostname under example.com, signed by it; returns the CA file. */
function makeCertificate(dir: string): string {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=keycloak-fleet-test-ingress-ca", "-keyout", file("ingress-ca.key"), "-out", file("ingress-ca.crt"));
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=example.com", "-keyout", file("ingress.key"), "-out", file("ingress.csr"));
  fs.writeFileSync(file("ingress.ext"), "subjectAltName=DNS:example.com,DNS:*.example.com\n");
  openssl("x509", "-req", "-in", file("ingress.csr"), "-CA", file("ingress-ca.crt"), "-CAkey", file("ingress-ca.key"), "-CAcreateserial", "-days", "2", "-extfile", file("ingress.ext"), "-out", file("ingress.crt"));
  return file("ingress-ca.crt");
}

function objects(dir: string): Manifest[] {
  const meta = (name: string) => ({ name, namespace: TRAEFIK_NAMESPACE, labels: TRAEFIK_POD_LABELS });
  const base64 = (file: string) => fs.readFileSync(path.join(dir, file)).toString("base64");
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: TRAEFIK_NAMESPACE } },
    { apiVersion: "v1", kind: "Secret", metadata: meta(TLS_SECRET), type: "kubernetes.io/tls", data: { "tls.crt": base64("ingress.crt"), "tls.key": base64("ingress.key") } },
    // The certificate of IngressRoutes without a secret of their own (the component's, when tlsSecretName is unset).
    { apiVersion: "traefik.io/v1alpha1", kind: "TLSStore", metadata: meta("default"), spec: { defaultCertificate: { secretName: TLS_SECRET } } },
    deployment(),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("traefik"),
      spec: {
        type: "LoadBalancer",
        // Keep the client's address: forward only to Traefik pods on the node the packet arrived at, without SNAT.
        externalTrafficPolicy: "Local",
        ipFamilyPolicy: "RequireDualStack",
        // The balancer's addresses are enough; no NodePorts on the node.
        allocateLoadBalancerNodePorts: false,
        selector: TRAEFIK_POD_LABELS,
        ports: [{ name: "websecure", port: 443, targetPort: "websecure", protocol: "TCP" }],
      },
    },
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "traefik" }, spec: { controllerName: "traefik.io/gateway-controller" } },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: meta(GATEWAY.name),
      spec: {
        gatewayClassName: "traefik",
        listeners: [
          {
            // Traefik serves a listener on the entry point with the listener's port.
            name: GATEWAY.sectionName,
            port: WEBSECURE_PORT,
            protocol: "HTTPS",
            tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: TLS_SECRET }] },
            allowedRoutes: { namespaces: { from: "All" } },
          },
        ],
      },
    },
  ];
}

function deployment(): Manifest {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "traefik", namespace: TRAEFIK_NAMESPACE, labels: TRAEFIK_POD_LABELS },
    spec: {
      replicas: 1,
      selector: { matchLabels: TRAEFIK_POD_LABELS },
      template: {
        metadata: { labels: TRAEFIK_POD_LABELS },
        spec: {
          containers: [
            {
              name: "traefik",
              image: `localhost/keycloak-fleet/traefik:${version()}`,
              args: [
                // Nothing here may reach the internet (the network guard would drop it anyway).
                "--global.checkNewVersion=false",
                "--global.sendAnonymousUsage=false",
                `--entryPoints.websecure.address=:${WEBSECURE_PORT}`,
                "--entryPoints.websecure.http.tls=true",
                `--entryPoints.traefik.address=:${TRAEFIK_PORT}`,
                "--ping=true",
                "--providers.kubernetesCRD=true",
                "--providers.kubernetesGateway=true",
                // Which client address Traefik saw for each request: the evidence when an allowlist test fails.
                "--accessLog=true",
                "--log.level=INFO",
              ],
              ports: [
                { name: "websecure", containerPort: WEBSECURE_PORT, protocol: "TCP" },
                { name: "traefik", containerPort: TRAEFIK_PORT, protocol: "TCP" },
              ],
              readinessProbe: { httpGet: { path: "/ping", port: "traefik" }, periodSeconds: 2 },
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
              securityContext: {
                runAsUser: 65532,
                runAsGroup: 65532,
                runAsNonRoot: true,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }],
        },
      },
    },
  };
}
